package zen_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zen"
)

// TestMemoryLimiterPrintsNoTokenDigest: a MemoryLimiter keys its buckets by
// endpoint and a digest of the client's token; printed with %v, %+v, %#v
// or through slog after a call (a replica logging its limiter, a panic
// dumping it) it showed the token's SHA-256 in hex: for a short or
// guessable token, an offline test of guesses (the webhook handler's
// secret digest was taken out of its print for the same reason).
func TestMemoryLimiterPrintsNoTokenDigest(t *testing.T) {
	t.Parallel()
	lim := zen.NewMemoryLimiter()
	c, mock := newMock(t, zen.WithLimiter(lim))
	mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, golden(t, "totals-numbers.json")))
	_, err := c.Leads.Totals(context.Background(), day)
	require.NoError(t, err)
	for _, out := range testutil.Printed(lim) {
		for _, form := range append(testutil.DigestForms(token), token) {
			assert.False(t, strings.Contains(out, form), "%q in %.300s", form, out)
		}
	}
}
