package zen_test

import (
	"context"
	"errors"
	"fmt"
	"time"

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
