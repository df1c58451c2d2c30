package zenvia_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestFindReconcilesAnUnknownOutcome: a lead whose answer was lost is found
// in the prospect it was merged into.
func TestFindReconcilesAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 2}, zenvia.WithPhoneNormalization("BR"))
	ctx := context.Background()
	lead := &zenvia.Lead{UTMSource: "site", FirstName: "Rita", Phones: []string{"(51) 98765-0001"}, Emails: []string{"rita.find@example.com"}}
	s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Drop: true, AfterVendor: true})
	_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, lead)
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	p, err := c.Prospects.Find(ctx, lead)
	require.NoError(t, err)
	assert.Equal(t, "Rita", p.FirstName)
	byMail, err := c.Prospects.Find(ctx, &zenvia.Lead{Emails: []string{"rita.find@example.com"}})
	require.NoError(t, err)
	assert.Equal(t, p.ID, byMail.ID)
	_, err = c.Prospects.Find(ctx, &zenvia.Lead{Phones: []string{"+5511900000009"}})
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
}

// TestFindChecksEveryCandidate: Zenvia's search matches loosely (digits of
// an e-mail inside other prospects' phones, phone suffixes); Find returns
// only a prospect that holds the lead's phone or e-mail. Before the check,
// a lead that never arrived was "found" in another person's prospect, and a
// reconciling caller would have dropped it.
func TestFindChecksEveryCandidate(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 2})
	ctx := context.Background()
	// Another person whose phone holds the digits of the missing lead's e-mail.
	other := &zenvia.Lead{UTMSource: "site", FirstName: "Outro", Phones: []string{"+5521900000040"}, Emails: []string{"outro@example.com"}}
	_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, other)
	require.NoError(t, err)
	missing := &zenvia.Lead{UTMSource: "site", FirstName: "Nunca", Phones: []string{"+5521900000004"}, Emails: []string{"v000004@example.com.br"}}
	_, err = c.Prospects.Find(ctx, missing)
	assert.ErrorIs(t, err, zenvia.ErrNotFound, "a prospect that holds neither the phone nor the e-mail")
	_, err = c.Prospects.Find(ctx, &zenvia.Lead{Phones: []string{"900000040"}})
	assert.ErrorIs(t, err, zenvia.ErrNotFound, "a suffix of a phone is not the phone")
	p, err := c.Prospects.Find(ctx, &zenvia.Lead{Phones: []string{"21 90000-0040"}})
	require.NoError(t, err, "the same phone without the country code")
	assert.Equal(t, "Outro", p.FirstName)
	_ = s
}
