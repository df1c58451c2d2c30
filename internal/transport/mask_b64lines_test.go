package transport

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// wrapLines cuts s into lines of n characters joined by nl, as MIME (76)
// and PEM (64) write base64.
func wrapLines(s string, n int, nl string) string {
	var lines []string
	for len(s) > n {
		lines, s = append(lines, s[:n]), s[n:]
	}
	return strings.Join(append(lines, s), nl)
}

// TestMaskedBase64WrappedInLines: a long key, or Basic credentials holding
// one, echoed in base64 wrapped every 76 or 64 characters (a mail gateway,
// a multipart answer, a PEM-like block) showed in clear: no base64 form of
// the key spans a line break.
func TestMaskedBase64WrappedInLines(t *testing.T) {
	t.Parallel()
	secret := "sk_live_" + strings.Repeat("AbCdEfGh12", 6)
	r := NewRedactor(secret)
	for _, plain := range []string{secret, "user:" + secret, "Authorization: Basic " + secret} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			for _, n := range []int{76, 64, 40} {
				for _, nl := range []string{"\r\n", "\n"} {
					form := wrapLines(enc.EncodeToString([]byte(plain)), n, nl)
					out := r.Redact("Content-Transfer-Encoding: base64\r\n\r\n" + form + "\r\n--boundary--")
					assert.Contains(t, out, Mask, "%d %q: %q", n, nl, out)
					for _, line := range strings.Split(form, nl) {
						if len(line) >= 16 {
							assert.NotContains(t, out, line, "%d %q: a line of it shows: %q", n, nl, out)
						}
					}
				}
			}
		}
	}
	// Lines of base64 that hold no key stay.
	other := wrapLines(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("nothing secret here ", 8))), 76, "\r\n")
	assert.Equal(t, other, r.Redact(other))
}
