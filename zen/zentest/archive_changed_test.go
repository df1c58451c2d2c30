package zentest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// The archive lists a deal on the day it was created and on the day it was
// changed ("criado ou alterado naquela data"), as the vendor documents: an
// older deal edited today is in today's archive, once.
func TestArchiveListsADealOnTheDayItChanged(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 3, 5, 23, 50, 0, 0, sp))
	sb := zentest.NewServer(&zentest.Options{NoRateLimits: true, NoSeed: true, Location: sp, Now: clock.Now})
	t.Cleanup(sb.Close)
	c, err := zen.NewClient(sb.URL, zentest.DefaultToken, noLimits, zen.WithTimeZone(sp))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, c.Leads.Send(ctx, &zen.LeadEntry{Action: zen.ActionInsert, Name: "Bia", Email: "bia@example.com.br", IntegrationCode: "CLIENTE-78"}))
	clock.Add(20 * time.Minute) // past midnight in São Paulo
	require.NoError(t, c.Leads.Send(ctx, &zen.LeadEntry{Action: zen.ActionEdit, IntegrationCode: "CLIENTE-78", Phone: "+5511999990078"}))

	codes := func(day time.Time) []string {
		a, err := c.Leads.Archive(ctx, day)
		if err != nil {
			return nil
		}
		var out []string
		for _, l := range a.Leads {
			out = append(out, l.IntegrationCode)
		}
		return out
	}
	require.Equal(t, []string{"CLIENTE-78"}, codes(time.Date(2026, 3, 5, 0, 0, 0, 0, sp)), "the day it was created")
	require.Equal(t, []string{"CLIENTE-78"}, codes(time.Date(2026, 3, 6, 0, 0, 0, 0, sp)), "the day it was changed")
}
