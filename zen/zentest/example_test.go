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

// A lead entered on Monday arrives after a reader has read the week's
// first page: the next page begins with a lead the reader has seen.
func ExampleServer_AddLeadAt() {
	loc := time.FixedZone("-03", -3*60*60)
	monday, friday := time.Date(2026, 3, 2, 0, 0, 0, 0, loc), time.Date(2026, 3, 6, 0, 0, 0, 0, loc)
	sb := zentest.NewServer(&zentest.Options{NoRateLimits: true, Seed: 3, Location: loc,
		Now: func() time.Time { return friday.Add(20 * time.Hour) }})
	defer sb.Close()
	c, err := zen.NewClient(sb.URL, zentest.DefaultToken, zen.WithLimits(zen.Limits{}), zen.WithTimeZone(loc))
	if err != nil {
		panic(err)
	}
	ctx, seen, again := context.Background(), map[string]bool{}, 0
	p1, _ := c.Leads.ByUser(ctx, monday, friday, 1)
	for _, u := range p1.Users {
		for _, l := range u.Leads {
			seen[l.RecordID] = true
		}
	}
	sb.AddLeadAt(monday.Add(9 * time.Hour))
	p2, _ := c.Leads.ByUser(ctx, monday, friday, 2)
	for _, u := range p2.Users {
		for _, l := range u.Leads {
			if seen[l.RecordID] {
				again++
			}
		}
	}
	fmt.Println(again, len(sb.Arrived()))
	// Output: 1 1
}
