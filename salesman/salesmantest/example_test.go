package salesmantest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// A test of your own code against the SalesMan sandbox: the server stores
// the lead and then fails, and the client says the outcome is unknown
// instead of letting the caller send it twice.
func ExampleNewServer() {
	sb := salesmantest.NewServer(&salesmantest.Options{Seed: 1})
	defer sb.Close()
	cr := sb.Credentials()
	c, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"])
	if err != nil {
		panic(err)
	}
	sb.Fail(salesmantest.Fault{Method: http.MethodPost, AfterVendor: true, Status: http.StatusInternalServerError})
	_, err = c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Ольга", Email: "olga@example.ru"})
	fmt.Println(errors.Is(err, leadkit.ErrOutcomeUnknown), sb.LeadCount(), sb.Count(http.MethodPost, "/developer/"))
	// Output: true 301 1
}

// Leads that arrive while a reader walks the list: two after each page.
// Oldest first (All's default) the walk meets those that came before its
// last page; Arrived lists every one, for the test to count.
func ExampleArrivals() {
	sb := salesmantest.NewServer(&salesmantest.Options{Leads: 300, Arrivals: salesmantest.Arrivals{PerPage: 2}})
	defer sb.Close()
	cr := sb.Credentials()
	c, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V3))
	if err != nil {
		panic(err)
	}
	n := 0
	for _, err := range c.Leads.All(context.Background(), nil) {
		if err != nil {
			panic(err)
		}
		n++
	}
	fmt.Println(n, sb.Arrived())
	// Output: 302 [301 302 303 304]
}
