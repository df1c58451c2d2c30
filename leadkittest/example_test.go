package leadkittest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// newClient is a SalesMan client of sb that retries without waiting long.
func newClient(sb *salesmantest.Server) *salesman.Client {
	cr := sb.Credentials()
	c, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"],
		salesman.WithRetryWait(time.Millisecond, 10*time.Millisecond))
	if err != nil {
		panic(err)
	}
	return c
}

// A 503 then success: the server said the request was not processed, so
// the client sends even a create again, once, and the lead is created once.
// Every sandbox (zentest, salesmantest, ...) takes the same Fault.
func ExampleFault() {
	sb := salesmantest.NewServer(&salesmantest.Options{Leads: -1})
	defer sb.Close()
	c := newClient(sb)

	sb.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusServiceUnavailable,
		Header: http.Header{"Retry-After": {"0"}}})
	_, err := c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Петрова Мария", Email: "maria@example.ru"})
	fmt.Println("created:", err == nil, "requests:", sb.Count(http.MethodPost, ""), "leads:", sb.LeadCount())
	// Output:
	// created: true requests: 2 leads: 1
}

// A server that did the work and then failed (AfterVendor): the lead is
// stored but the answer is a 500, so the client reports the outcome as
// unknown and does not send it again; the code under test must look the
// lead up before any resend.
func ExampleFault_afterVendor() {
	sb := salesmantest.NewServer(&salesmantest.Options{Leads: -1})
	defer sb.Close()
	c := newClient(sb)

	sb.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true})
	_, err := c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Петров Алексей", Email: "alexey@example.ru"})
	fmt.Println("outcome unknown:", errors.Is(err, leadkit.ErrOutcomeUnknown))
	fmt.Println("requests:", sb.Count(http.MethodPost, ""), "leads stored:", sb.LeadCount())
	// Output:
	// outcome unknown: true
	// requests: 1 leads stored: 1
}
