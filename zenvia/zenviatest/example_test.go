package zenviatest_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// A test of your own code against the Zenvia sandbox: a lead sent in comes
// back as a prospect.
func ExampleNewServer() {
	sb := zenviatest.NewServer(&zenviatest.Options{Seed: 1})
	defer sb.Close()
	cr := sb.Credentials()
	c, err := zenvia.NewClient(cr["ZENVIA_API_KEY"], zenvia.WithBaseURL(cr["ZENVIA_URL"]))
	if err != nil {
		panic(err)
	}
	res, err := c.Leads.Create(context.Background(), zenvia.IndustryRetail,
		&zenvia.Lead{UTMSource: "site", FirstName: "Ana", Emails: []string{"ana@example.com.br"}})
	fmt.Println(err, res.Prospect != nil, sb.Count(http.MethodPost, "/lead/"))
	// Output: <nil> true 1
}
