package zenviatest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"

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

// A webhook delivered again: the same body, so zenvia's handler answers it
// and does not handle it twice.
func ExampleServer_Redeliver() {
	handled := 0
	var mu sync.Mutex
	hook := httptest.NewServer(zenvia.NewWebhookHandler("hook-secret", func(context.Context, zenvia.Event) error {
		mu.Lock()
		handled++
		mu.Unlock()
		return nil
	}))
	defer hook.Close()
	sb := zenviatest.NewServer(&zenviatest.Options{Prospects: -1})
	defer sb.Close()
	c, err := zenvia.NewClient(sb.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(sb.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, hook.URL+"?secret=hook-secret"); err != nil {
		panic(err)
	}
	sb.Burst(1)
	sb.WaitDeliveries()
	ev := sb.Events()[0]
	if err := sb.Redeliver(ev.ID, 2); err != nil {
		panic(err)
	}
	sb.WaitDeliveries()
	mu.Lock()
	defer mu.Unlock()
	fmt.Println(len(sb.Deliveries()), sb.Events()[0].Deliveries, handled)
	// Output: 3 3 1
}
