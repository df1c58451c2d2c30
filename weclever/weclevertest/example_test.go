package weclevertest_test

import (
	"context"
	"fmt"
	"net/http"

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
