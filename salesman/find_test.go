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

// TestFindReconcilesAnUnknownOutcome: a Create that the server stored and
// then answered 500 is found by Find, so the caller does not send it again;
// a lead that never arrived is not found.
func TestFindReconcilesAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	for _, v := range allVersions() {
		s := salesmantest.NewServer(nil)
		c := sandboxClient(t, s, v)
		ctx := context.Background()
		lead := &salesman.NewLead{Title: "Ольга «Петрова»", Email: "Olga.Find@example.ru", Phone: "+7 916 555-44-33"}
		s.Fail(salesmantest.Fault{Method: http.MethodPost, AfterVendor: true, Status: http.StatusInternalServerError})
		_, err := c.Leads.Create(ctx, lead)
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
		since := time.Now().Add(-time.Hour)
		got, err := c.Leads.Find(ctx, lead, since)
		require.NoError(t, err, "%s", v)
		assert.Equal(t, salesmantest.DefaultLeads+1, got.ID)
		assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount(), "found, so not sent again")

		_, err = c.Leads.Find(ctx, &salesman.NewLead{Title: "Никто", Email: "nobody@example.ru"}, since)
		assert.ErrorIs(t, err, salesman.ErrNotFound, "%s", v)
		_, err = c.Leads.Find(ctx, &salesman.NewLead{Title: "x"}, since)
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
		s.Close()
	}
}
