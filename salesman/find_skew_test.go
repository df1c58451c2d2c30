package salesman_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// TestFindReadsTheDayAfterTheSend: the server's clock is ahead of the
// caller's and a lead sent just before midnight in Moscow is stored on the
// next day there. The V2 list walk (V3 without a marker walks the same way)
// must read that day: it ended at the caller's today and proved the stored
// lead absent, so a reconciling caller sent it twice (red before: found
// nothing, ErrNotFound).
func TestFindReadsTheDayAfterTheSend(t *testing.T) {
	t.Parallel()
	moscow, err := time.LoadLocation(salesman.DefaultTimeZone)
	require.NoError(t, err)
	now := time.Now().In(moscow)
	// The server's clock: 30 s past the next midnight in Moscow.
	skew := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 30, 0, moscow).Sub(now)
	for _, tc := range []struct {
		v      salesman.APIVersion
		marked bool
	}{{salesman.V2, true}, {salesman.V2, false}, {salesman.V3, false}} {
		s := salesmantest.NewServer(&salesmantest.Options{Now: func() time.Time { return time.Now().Add(skew) }})
		c := sandboxClient(t, s, tc.v)
		ctx := context.Background()
		lead := &salesman.NewLead{Title: "Пётр", Email: "petr.skew@example.ru", Phone: "+7 916 555-00-11"}
		if tc.marked {
			lead.Description = leadkit.Marker("skew-1")
		}
		since := time.Now()
		s.Fail(salesmantest.Fault{Method: http.MethodPost, AfterVendor: true, Status: http.StatusInternalServerError})
		_, err := c.Leads.Create(ctx, lead)
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
		got, err := c.Leads.Find(ctx, lead, since)
		if tc.marked {
			require.NoError(t, err, "%s: the stored lead must be found", tc.v)
			assert.Equal(t, salesmantest.DefaultLeads+1, got.ID)
		} else {
			// Without a marker the stored lead of the same e-mail is a
			// candidate (cannot tell); never "not found".
			assert.ErrorIs(t, err, leadkit.ErrCannotTell, "%s", tc.v)
			assert.NotErrorIs(t, err, salesman.ErrNotFound, "%s", tc.v)
		}
		s.Close()
	}
}
