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
