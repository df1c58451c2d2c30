package zentest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// A test of your own code against the Zen sandbox: one failure injected,
// the client's retry seen in the request log.
func ExampleNewServer() {
	sb := zentest.NewServer(&zentest.Options{Seed: 1, NoRateLimits: true})
	defer sb.Close()
	c, err := zen.NewClient(sb.URL, sb.Credentials()["ZEN_TOKEN"], zen.WithLimits(zen.Limits{}))
	if err != nil {
		panic(err)
	}
	sb.Fail(zentest.Fault{Path: "/api/totais_lead", Status: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {"0"}}})
	_, err = c.Leads.Totals(context.Background(), time.Now())
	fmt.Println(err, sb.Count(http.MethodGet, "/api/totais_lead"))
	// Output: <nil> 2
}
