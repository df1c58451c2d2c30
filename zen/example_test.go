package zen_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// Read a day's distribution totals. The sandbox stands in for the account
// URL and token of Zen's integration screen.
func ExampleLeadsService_Totals() {
	sb := zentest.NewServer(nil)
	defer sb.Close()

	client, err := zen.NewClient(sb.URL, sb.Credentials()["ZEN_TOKEN"])
	if err != nil {
		panic(err)
	}
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	totals, err := client.Leads.Totals(context.Background(), day)
	if err != nil {
		panic(err)
	}
	for _, u := range totals.Users[:3] {
		fmt.Printf("%s: %d leads\n", u.Name, u.TotalLeads)
	}
	fmt.Println("not distributed:", totals.Errors.Total())

	// A second call inside Zen's 5-minute window is refused before it
	// leaves the process.
	_, err = client.Leads.Totals(context.Background(), day)
	var rl *zen.RateLimitError
	fmt.Println("rate limited:", errors.As(err, &rl) && rl.ClientSide)
	// Output:
	// Ana Paula Ferreira: 3 leads
	// João Carlos Oliveira: 1 leads
	// Mariana Souza Lima: 9 leads
	// not distributed: 10
	// rate limited: true
}

// Iterate over every lead of a date range; the iterator waits out Zen's
// one-call-a-minute window between pages (shortened here for the sandbox).
func ExampleLeadsService_AllByUser() {
	sb := zentest.NewServer(&zentest.Options{LeadsByUserWindow: 10 * time.Millisecond})
	defer sb.Close()

	client, err := zen.NewClient(sb.URL, sb.Credentials()["ZEN_TOKEN"], zen.WithLimits(zen.Limits{LeadsByUser: 10 * time.Millisecond}))
	if err != nil {
		panic(err)
	}
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	perUser := map[string]int{}
	for lead, err := range client.Leads.AllByUser(context.Background(), from, to) {
		if err != nil {
			panic(err)
		}
		perUser[lead.UserName]++
	}
	fmt.Println("Ana Paula Ferreira:", perUser["Ana Paula Ferreira"])
	// Output:
	// Ana Paula Ferreira: 14
}

// Send a lead in ("Distribuição de Lead (Entrada)") with an integration
// code of yours: Zen distributes it to a user, and the code is how it is
// found again (Leads.Find). A send is never retried once it may have
// reached Zen.
func ExampleLeadsService_Send() {
	sb := zentest.NewServer(nil)
	defer sb.Close()
	client, err := zen.NewClient(sb.URL, sb.Credentials()["ZEN_TOKEN"])
	if err != nil {
		panic(err)
	}
	err = client.Leads.Send(context.Background(), &zen.LeadEntry{
		Action: zen.ActionInsert, IntegrationCode: "site-000123",
		Name: "Joana Pereira", Email: "joana.pereira@example.com.br", Phone: "+55 51 98765-4321", Origin: "Site",
	})
	fmt.Println("sent:", err == nil, "requests:", sb.Count(http.MethodPost, "/api/lead"))

	// Bad input is refused before anything is sent, naming the field.
	err = client.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionEdit, Name: "Joana"})
	fmt.Println(errors.Is(err, leadkit.ErrInvalidInput), "requests:", sb.Count(http.MethodPost, "/api/lead"))
	// Output:
	// sent: true requests: 1
	// true requests: 1
}

// Reconcile a send whose outcome is unknown: Zen stored the lead but its
// answer was lost (a 500 after the work, here injected in the sandbox), so
// the lead is looked up by its integration code in the day's archive before
// anything is sent again.
func ExampleLeadsService_Find() {
	loc := time.FixedZone("-03", -3*3600)
	now := time.Date(2026, 11, 20, 10, 30, 0, 0, loc)
	sb := zentest.NewServer(&zentest.Options{Now: func() time.Time { return now }, Location: loc})
	defer sb.Close()
	client, err := zen.NewClient(sb.URL, sb.Credentials()["ZEN_TOKEN"], zen.WithTimeZone(loc))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	sb.Fail(zentest.Fault{Method: http.MethodPost, Path: "/api/lead", Status: http.StatusInternalServerError, AfterVendor: true})

	lead := &zen.LeadEntry{Action: zen.ActionInsert, IntegrationCode: "site-000124", Name: "Rafael Lima", Email: "rafael@example.com.br"}
	err = client.Leads.Send(ctx, lead)
	fmt.Println("outcome unknown:", errors.Is(err, leadkit.ErrOutcomeUnknown))

	found, err := client.Leads.Find(ctx, lead.IntegrationCode, now)
	switch {
	case err == nil:
		fmt.Println("already in Zen, owned by", found.OwnerName, "- not sent again")
	case errors.Is(err, zen.ErrNotFound):
		fmt.Println("not in the archive yet: evidence, not proof; look again later before resending")
	default:
		fmt.Println("cannot tell:", err)
	}
	fmt.Println("sends:", sb.Count(http.MethodPost, "/api/lead"))
	// Output:
	// outcome unknown: true
	// already in Zen, owned by João Carlos Oliveira - not sent again
	// sends: 1
}
