package weclevertest_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

// A test of your own code against the WeClever sandbox: the finalized leads
// of a period, read with the sandbox's credentials.
func ExampleNewServer() {
	sb := weclevertest.NewServer(&weclevertest.Options{Seed: 1})
	defer sb.Close()
	cr := sb.Credentials()
	c, err := weclever.NewClient(cr["WECLEVER_PLATFORM_ID"], cr["WECLEVER_USER"], cr["WECLEVER_PASSWORD"],
		weclever.WithBaseURL(cr["WECLEVER_URL"]))
	if err != nil {
		panic(err)
	}
	from, to := sb.SeedRange() // the 90 days up to today
	leads, err := c.Leads.Finalized(context.Background(), from, to)
	fmt.Println(err, len(leads) > 0, sb.Count(http.MethodGet, "/solution/token/basic/"))
	// Output: <nil> true 1
}

// A late lead: finalized inside a window the poller has already read, and
// visible only afterwards. Reading the window again finds it.
func ExampleServer_Finalize() {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, weclevertest.Location())
	sb := weclevertest.NewServer(&weclevertest.Options{Leads: -1, Now: func() time.Time { return now }})
	defer sb.Close()
	cr := sb.Credentials()
	c, err := weclever.NewClient(cr["WECLEVER_PLATFORM_ID"], cr["WECLEVER_USER"], cr["WECLEVER_PASSWORD"],
		weclever.WithBaseURL(cr["WECLEVER_URL"]))
	if err != nil {
		panic(err)
	}
	ctx, from, to := context.Background(), now.Add(-time.Hour), now
	sb.Finalize(now.Add(-30 * time.Minute))
	before, _ := c.Leads.Finalized(ctx, from, to)
	late := sb.Finalize(now.Add(-10 * time.Minute)) // in the window read above
	after, _ := c.Leads.Finalized(ctx, from, to)
	fmt.Println(len(before), len(after), late.VisibleAt.Sub(late.FinalizedAt), len(sb.Finalizations()))
	// Output: 1 2 10m0s 2
}
