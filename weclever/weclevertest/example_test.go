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
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	leads, err := c.Leads.Finalized(context.Background(), from, from.AddDate(0, 3, 0))
	fmt.Println(err, len(leads) > 0, sb.Count(http.MethodGet, "/solution/token/basic/"))
	// Output: <nil> true 1
}
