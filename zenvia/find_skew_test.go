package zenvia_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestFindLeadVendorClockAhead: Zenvia's clock runs 10 minutes ahead of
// the caller's. A new person's lead is stored (its answer lost) in a
// prospect created "in the caller's future": FindLead must still see it.
// Its newest window ended at the caller's now plus a minute, so it missed
// the prospect and proved the lead absent: a reconciling caller sent it
// twice (red before: ErrNotFound).
func TestFindLeadVendorClockAhead(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 4, Now: func() time.Time { return time.Now().Add(10 * time.Minute) }})
	ctx := context.Background()
	since := time.Now()
	lead := &zenvia.Lead{UTMSource: "site", FirstName: "Caio", Phones: []string{"+5551987650077"}, Comments: leadkit.Marker("skew-1")}
	s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Drop: true, AfterVendor: true})
	_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, lead)
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	got, err := c.Prospects.FindLead(ctx, lead, since)
	require.NoError(t, err, "the stored lead must be found")
	assert.Contains(t, got.Lead.Comments, leadkit.Marker("skew-1"))

	// Without a marker: the person's lead is a candidate, never absent.
	plain := &zenvia.Lead{UTMSource: "site", Phones: []string{"+5551987650077"}}
	_, err = c.Prospects.FindLead(ctx, plain, since)
	assert.ErrorIs(t, err, leadkit.ErrCannotTell)
}
