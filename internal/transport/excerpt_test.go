package transport

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

// TestExcerptShowsNoPrefixAtTheWindowEdge is issue 23, item 5: masking
// shrinks text, so an excerpt cut from a masked window of the body reached
// bytes near the window's edge, where a secret cut in two was not masked
// (34 bytes of a 38-byte key showed). However many secrets come before it,
// and whatever their encoding, no start of one shows.
func TestExcerptShowsNoPrefixAtTheWindowEdge(t *testing.T) {
	t.Parallel()
	const secret = "exCANARY+0123456789/abcdefghij=KLMNOPQ" // 38 bytes
	r := NewRedactor(secret)
	for _, form := range []string{secret, testutil.EachRune(secret, `\u%04x`), testutil.EachByte(secret, "%%%02x")} {
		for pad := range 60 {
			for _, sep := range []string{" ", `","`} {
				body := strings.Repeat("x", pad) + strings.Repeat(form+sep, 4096/len(form))
				got := r.Excerpt(body, excerptLen)
				assertNoPrefix(t, secret, decodeAll(got))
				assert.LessOrEqual(t, len(got), excerptLen+len("…"))
			}
		}
	}
	// Over the network, in ResponseError.Body, the secret cut at every
	// offset of its length.
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		jsonStatus(w, 400, `{"error":"`+strings.Repeat("x", n)+strings.Repeat(secret+" ", 200)+`"}`)
	})
	c := newClient(t, srv.URL, withAuth(HeaderAuth{Name: "X-Key", Value: NewSecret(secret)}), withRetries(0, time.Millisecond, time.Millisecond))
	for range len(secret) + 1 {
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
		require.Error(t, err)
		for _, s := range chainTexts(err) {
			assertNoPrefix(t, secret, s)
		}
	}
}

// assertNoPrefix fails when s holds the first 6 or more bytes of secret.
func assertNoPrefix(t *testing.T, secret, s string) {
	t.Helper()
	if strings.Contains(s, secret[:6]) {
		i := strings.Index(s, secret[:6])
		t.Errorf("a start of the secret shows: …%s", s[i:min(len(s), i+len(secret))])
	}
}
