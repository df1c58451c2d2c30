package datacake_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
)

// TestHandlerPrintsNoTokenDigest: the handler (the http.Handler NewHandler
// returns) printed with %v or %+v showed the SHA-256 of its token, byte by
// byte: for a short or guessable token, an offline test of guesses.
func TestHandlerPrintsNoTokenDigest(t *testing.T) {
	t.Parallel()
	const token = "erp-tok"
	h := datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), token)
	for _, out := range testutil.Printed(h) {
		for _, form := range append(testutil.DigestForms(token), token) {
			assert.False(t, strings.Contains(out, form), "%q in %.300s", form, out)
		}
	}
}
