package transport

import (
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

// TestMaskedInEveryEncoding is issue 23, items 3 and 4: lower-case
// percent-encoding (%2f%2b, as .NET writes it) and JSON \uXXXX escapes of
// characters no Go or PHP encoder escapes (.NET's "\u002B") were not
// masked. Every form of encodedForms is, and so is every subset of escaped
// characters, in either case, nested one encoding in another.
func TestMaskedInEveryEncoding(t *testing.T) {
	t.Parallel()
	secrets := append([]string{"Cny7+s3cr/Et=Zq", "zvCANARY+key/Rr92=Mn"}, maskCanaries...)
	rng := rand.New(rand.NewPCG(23, 3))
	for _, secret := range secrets {
		r := NewRedactor(secret)
		var texts []string
		for _, form := range encodedForms(secret) {
			texts = append(texts, r.Redact(`{"error":"bad key `+form+`","n":1}`))
		}
		for range 200 {
			sub := randomlyEscaped(rng, secret)
			require.Contains(t, decodeAll(sub), secret, "the test escapes what it decodes")
			out := r.Redact("key=" + sub + "&x=1")
			assert.NotContains(t, decodeAll(out), secret, "%q escaped as %q: %s", secret, sub, out)
			texts = append(texts, out)
		}
		// Nested: percent-encoded (lower case), then JSON-escaped.
		nested := strings.ReplaceAll(testutil.LowerHex(url.QueryEscape(secret)), "%", `\u0025`)
		texts = append(texts, r.Redact(`{"url":"/x?apikey=`+nested+`"}`))
		assert.Empty(t, leaked(secret, texts), "%q", secret)
		for _, txt := range texts {
			assert.Contains(t, txt, Mask, "%q: nothing masked in %s", secret, txt)
		}
	}
}

var (
	rePct = regexp.MustCompile(`%[0-9a-fA-F]{2}`)
	reU   = regexp.MustCompile(`\\u[0-9a-fA-F]{4}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?`)
)

// decodeAll undoes percent-escapes, \u escapes and HTML references, the
// test's own way (not the masker's), until nothing changes.
func decodeAll(s string) string {
	for range 4 {
		prev := s
		s = html.UnescapeString(s)
		s = reU.ReplaceAllStringFunc(s, func(m string) string {
			var units []uint16
			for i := 0; i < len(m); i += 6 {
				n, _ := strconv.ParseUint(m[i+2:i+6], 16, 16)
				units = append(units, uint16(n))
			}
			return string(utf16.Decode(units))
		})
		s = rePct.ReplaceAllStringFunc(s, func(m string) string {
			n, _ := strconv.ParseUint(m[1:], 16, 8)
			return string([]byte{byte(n)})
		})
		if s == prev {
			break
		}
	}
	return s
}

// randomlyEscaped escapes a random subset of s's characters, each in one of
// the encodings the masker decodes, with hex digits in a random case.
func randomlyEscaped(rng *rand.Rand, s string) string {
	var b strings.Builder
	for _, r := range s {
		form := rng.IntN(5)
		var esc string
		switch form {
		case 0:
			b.WriteRune(r)
			continue
		case 1:
			for _, c := range []byte(string(r)) {
				esc += fmt.Sprintf("%%%02X", c)
			}
		case 2:
			esc = testutil.EachRune(string(r), `\u%04X`)
		case 3:
			esc = fmt.Sprintf("&#x%X;", r)
		case 4:
			esc = fmt.Sprintf("&#%d;", r)
		}
		if rng.IntN(2) == 0 {
			esc = strings.ToLower(esc)
		}
		b.WriteString(esc)
	}
	return b.String()
}

// TestEchoInDotNetEncodingMasked drives items 3 and 4 over the network: the
// error body echoes the key with lower-case percent-escapes and every
// character \u-escaped; neither the error, nor ResponseError.Body, nor any
// level of the chain holds it.
func TestEchoInDotNetEncodingMasked(t *testing.T) {
	t.Parallel()
	const secret = "Cny7+s3cr/Et=Zq"
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		jsonStatus(w, 400, `{"message":"bad key `+testutil.LowerHex(r.URL.RawQuery)+`","key":"`+testutil.EachRune(r.URL.Query().Get("apikey"), `\u%04x`)+`"}`)
	})
	c := newClient(t, srv.URL, withAuth(QueryKey("apikey", secret)))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad key apikey=REDACTED")
	assert.Empty(t, leaked(secret, chainTexts(err)))
}
