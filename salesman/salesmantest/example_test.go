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
