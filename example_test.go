package leadkit_test

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

// Every client's errors match the values of this package, whatever the
// vendor. A create that failed after it may have reached the vendor matches
// ErrOutcomeUnknown: look the lead up with the vendor's Find (here Zen's,
// by the integration code the lead was sent with) before sending it again.
// Bad input is an *InputError naming the field, refused before anything is
// sent; a rate limit is a *RateLimitError with the wait.
func Example_errors() {
	loc := time.FixedZone("-03", -3*3600)
	now := time.Date(2026, 11, 20, 10, 30, 0, 0, loc)
	sb := zentest.NewServer(&zentest.Options{Now: func() time.Time { return now }, Location: loc})
	defer sb.Close()
	client, err := zen.NewClient(sb.URL, sb.Credentials()["ZEN_TOKEN"], zen.WithTimeZone(loc))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// Zen stores the lead, then its answer is lost (a 500).
	sb.Fail(zentest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true})
	lead := &zen.LeadEntry{Action: zen.ActionInsert, IntegrationCode: "order-42", Name: "Joana Pereira", Email: "joana@example.com.br"}
	err = client.Leads.Send(ctx, lead)
	if errors.Is(err, leadkit.ErrOutcomeUnknown) {
		// Never resend blindly: ask the vendor first.
		if _, ferr := client.Leads.Find(ctx, lead.IntegrationCode, now); ferr == nil {
			fmt.Println("order-42 reached Zen: not sent again")
		} else if errors.Is(ferr, zen.ErrNotFound) {
			fmt.Println("not found yet: look again later, then resend")
		}
	}

	// A second archive read inside Zen's 5-minute window waits or fails.
	_, err = client.Leads.Find(ctx, lead.IntegrationCode, now)
	var rl *leadkit.RateLimitError
	if errors.As(err, &rl) {
		fmt.Println("rate limited; retry in", rl.RetryAfter.Round(time.Minute))
	}

	// Bad input never leaves the process.
	err = client.Leads.Send(ctx, &zen.LeadEntry{Action: zen.ActionEdit, Name: "Joana"})
	var in *leadkit.InputError
	if errors.As(err, &in) {
		fmt.Println("invalid", in.Field+":", errors.Is(err, leadkit.ErrInvalidInput))
	}
	fmt.Println("requests that reached Zen:", len(sb.Requests()))
	// Output:
	// order-42 reached Zen: not sent again
	// rate limited; retry in 5m0s
	// invalid integracao: true
	// requests that reached Zen: 2
}
