package zenvia_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestFindLeadSeesTheOldProspectBehindANewOne: a person the last year has
// seen may still have had the lead merged into a prospect of years ago.
// Ana's phone made her prospect three years ago; her e-mail alone made a
// second one two months ago. Her lead with both merges into the old one
// (by the phone). FindLead must not call it absent because the newer
// prospect, which does not hold it, was in the last year. Red before:
// ErrNotFound for a lead Zenvia holds.
func TestFindLeadSeesTheOldProspectBehindANewOne(t *testing.T) {
	t.Parallel()
	var back atomic.Int64 // how far the sandbox's clock runs behind
	back.Store(int64(3 * 365 * 24 * time.Hour))
	s, c := sandbox(t, &zenviatest.Options{Seed: 5, Prospects: 3, Now: func() time.Time { return time.Now().Add(-time.Duration(back.Load())) }})
	ctx := context.Background()
	phone, email := "+5521988887777", "ana@example.com"
	old, err := c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", FirstName: "Ana", Phones: []string{phone}, Comments: "visit 1"})
	require.NoError(t, err)
	back.Store(int64(60 * 24 * time.Hour))
	newer, err := c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", FirstName: "Ana", Emails: []string{email}, Comments: "visit 2"})
	require.NoError(t, err)
	require.NotEqual(t, old.Prospect.ID, newer.Prospect.ID)
	back.Store(0)

	lead := &zenvia.Lead{UTMSource: "site", FirstName: "Ana", Phones: []string{phone}, Emails: []string{email}, Comments: "visit 3 " + leadkit.Marker("ana-3")}
	sent := time.Now()
	s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Drop: true, AfterVendor: true})
	_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, lead)
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	p, err := c.Prospects.Get(ctx, old.Prospect.ID)
	require.NoError(t, err)
	require.Len(t, p.Leads, 2, "merged into the prospect of three years ago")

	got, err := c.Prospects.FindLead(ctx, lead, sent)
	require.NoError(t, err, "the lead is in the prospect of three years ago")
	assert.Equal(t, old.Prospect.ID, got.Prospect.ID)
	assert.Contains(t, got.Lead.Comments, leadkit.Marker("ana-3"))
}
