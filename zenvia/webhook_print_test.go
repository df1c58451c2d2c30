package zenvia_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zenvia"
)

// TestWebhookHandlerPrintsNoSecretDigest: the webhook handler printed with
// %v, %+v or %x showed the SHA-256 of its secret, byte by byte: for a
// short or guessable secret, an offline test of guesses.
func TestWebhookHandlerPrintsNoSecretDigest(t *testing.T) {
	t.Parallel()
	const secret = "hook-sec"
	h := zenvia.NewWebhookHandler(secret, nil)
	for _, out := range testutil.Printed(h) {
		for _, form := range append(testutil.DigestForms(secret), secret) {
			assert.False(t, strings.Contains(out, form), "%q in %.300s", form, out)
		}
	}
}
