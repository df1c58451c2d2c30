package zenvia_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

func ExampleLeadsService_Create() {
	srv := zenviatest.NewServer(&zenviatest.Options{Seed: 1})
	defer srv.Close()

	c, err := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL), zenvia.WithPhoneNormalization("BR"))
	if err != nil {
		panic(err)
	}
	res, err := c.Leads.Create(context.Background(), zenvia.IndustryRetail, &zenvia.Lead{
		UTMSource: "site",
		FirstName: "Joana",
		LastName:  "Pereira",
		Phones:    []string{"(51) 98765-4321"},
		History:   []zenvia.HistoryEvent{zenvia.Note("pediu orçamento")},
	})
	if errors.Is(err, leadkit.ErrOutcomeUnknown) {
		// The lead may have been created: look it up before sending it again.
		return
	}
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Prospect.Name(), res.Prospect.Phones[0], res.Prospect.Status)
	// Output: Joana Pereira +5551987654321 new
}

func ExampleNormalizePhone() {
	for _, raw := range []string{"(11) 98765-4321", "+55 11 98765 4321", "011 2345-6789"} {
		n, err := zenvia.NormalizePhone(raw, "BR")
		fmt.Println(n, err)
	}
	// Output:
	// +5511987654321 <nil>
	// +5511987654321 <nil>
	// +551123456789 <nil>
}

func ExampleProspectsService_All() {
	srv := zenviatest.NewServer(&zenviatest.Options{Prospects: 250})
	defer srv.Close()
	c, _ := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL))

	n := 0
	for p, err := range c.Prospects.All(context.Background(), &zenvia.ProspectListOptions{Limit: 100}) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		_ = p
		n++
	}
	fmt.Println(n, "prospects")
	// Output: 250 prospects
}

func ExampleNewWebhookHandler() {
	srv := zenviatest.NewServer(&zenviatest.Options{Async: true})
	defer srv.Close()
	c, _ := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL))
	ctx := context.Background()

	got := make(chan *zenvia.Prospect, 1)
	hook := zenvia.NewWebhookHandler("a-long-random-secret", func(_ context.Context, ev zenvia.Event) error {
		if ev.Prospect != nil {
			got <- ev.Prospect
		}
		return nil
	})
	mux := http.NewServeMux()
	mux.Handle("POST /zenvia", hook)
	cb := httptest.NewServer(mux) // in production: an http.Server with timeouts
	defer cb.Close()

	if _, err := c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, cb.URL+"/zenvia?secret=a-long-random-secret"); err != nil {
		panic(err)
	}
	res, err := c.Leads.Create(ctx, zenvia.IndustryInsurance, &zenvia.Lead{UTMSource: "google", FirstName: "Mateo", Emails: []string{"mateo@example.com"}})
	if err != nil {
		panic(err)
	}
	fmt.Println("accepted:", res.Accepted)
	select {
	case p := <-got:
		fmt.Println("webhook:", p.FirstName, p.Emails[0])
	case <-time.After(5 * time.Second):
		fmt.Println("no webhook")
	}
	// Output:
	// accepted: true
	// webhook: Mateo mateo@example.com
}

func ExampleWebhookHandler_Shutdown() {
	var handled atomic.Int32
	hook := zenvia.NewWebhookHandler("a-long-random-secret", func(context.Context, zenvia.Event) error {
		handled.Add(1) // slow work: the delivery was acknowledged before it ran
		return nil
	}, zenvia.WithHandlerAsync(100))
	srv := httptest.NewServer(hook) // in production: an http.Server with timeouts
	resp, err := http.Post(srv.URL+"/zenvia?secret=a-long-random-secret", "application/json",
		strings.NewReader(`{"id":"65f3a1b2c3d4e5f6a7b8c9d0","status":"new"}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println("acknowledged:", resp.StatusCode)

	// On SIGTERM: stop the server, then let the handler run what it
	// acknowledged; store what it could not, Zenvia will not send it again.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Close()
	var u *zenvia.UnhandledError
	if err := hook.Shutdown(ctx); errors.As(err, &u) {
		fmt.Println("not handled:", len(u.Queued)+len(u.Failed)+len(u.Running))
	}
	fmt.Println("handled:", handled.Load())
	// Output:
	// acknowledged: 200
	// handled: 1
}

func ExampleGroupsService_OnlineAgents() {
	srv := zenviatest.NewServer(nil)
	defer srv.Close()
	c, _ := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL))
	on, err := c.Groups.OnlineAgents(context.Background(), srv.GroupIDs()[0])
	if err != nil {
		panic(err)
	}
	fmt.Println(on.OfficeHours, len(on.Agents))
	// Output: true 1
}
