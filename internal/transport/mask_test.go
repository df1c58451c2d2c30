package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

// maskCanaries are the secrets of issue 13: characters that change under
// URL, base64 and JSON escaping, non-ASCII text, and secrets of one to three
// characters.
var maskCanaries = []string{
	"cnCANARY/k+y=&%9x",
	"ключ/Сек+рет=é&ã",
	"tok<&>/\"q\\",
	"t",
	"k9",
	"a/b",
	"%&=",
}

// chainTexts returns every way err prints: Error(), %v, %+v and %#v of each
// error in its unwrap chain, and slog's text and JSON handlers.
func chainTexts(err error) []string {
	var out []string
	var visit func(e error, depth int)
	visit = func(e error, depth int) {
		if e == nil || depth > 32 {
			return
		}
		out = append(out, e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			visit(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				visit(x, depth+1)
			}
		}
	}
	visit(err, 0)
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Error("call failed", "err", err, slog.Any("any", err))
	slog.New(slog.NewJSONHandler(&js, nil)).Error("call failed", "err", err, slog.Any("any", err))
	return append(out, text.String(), js.String())
}

// leaked reports where a secret shows in texts: any of its forms (a long
// secret in any letter case); a short
// secret only where it stands as a value of its own (inside a word or a
// number it is not the secret, and masking it there would mangle the text).
func leaked(secret string, texts []string) []string {
	var hits []string
	// Texts quoted by %q or %#v double each backslash of a \u escape:
	// read them unquoted too.
	for _, s := range texts {
		if strings.Contains(s, `\\`) {
			texts = append(texts, strings.ReplaceAll(s, `\\`, `\`))
		}
	}
	for _, form := range encodedForms(secret) {
		pat := regexp.QuoteMeta(form)
		if len(secret) >= MinFreeSecret {
			// In any case too: a header name is canonicalized on the way.
			pat = `(?i)` + pat
		} else {
			if isWordByte(form[0]) {
				pat = `(?:^|[^A-Za-z0-9\x80-\xff])` + pat
			}
			if isWordByte(form[len(form)-1]) {
				pat += `(?:$|[^A-Za-z0-9\x80-\xff])`
			}
		}
		re := regexp.MustCompile(pat)
		for _, s := range texts {
			if loc := re.FindStringIndex(s); loc != nil {
				hits = append(hits, fmt.Sprintf("%q in …%s…", form, s[max(0, loc[0]-40):min(len(s), loc[1]+40)]))
			}
		}
	}
	return hits
}

// TestEchoedSecretMasked is issue 13, items 5 and 8: a vendor that echoes
// the key JSON-escaped (PHP's "\/", Go's "\u0026"), and a caller transport
// whose error quotes the URL one level down the chain.
func TestEchoedSecretMasked(t *testing.T) {
	t.Parallel()
	for _, secret := range maskCanaries {
		for _, enc := range []struct {
			name string
			f    func(string) string
		}{{"php", phpJSON}, {"go", goJSON}} {
			t.Run(enc.name+"/"+secret, func(t *testing.T) {
				t.Parallel()
				srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
					jsonStatus(w, 400, `{"error":"invalid key `+strings.Trim(enc.f(secret), `"`)+`","key":`+enc.f(secret)+`}`)
				})
				c := newClient(t, srv.URL, withAuth(HeaderAuth{Name: "X-Key", Value: NewSecret(secret)}))
				_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
				require.Error(t, err)
				assert.Empty(t, leaked(secret, chainTexts(err)))
			})
		}
		t.Run("transport error/"+secret, func(t *testing.T) {
			t.Parallel()
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				return nil, fmt.Errorf("proxy refused %s (key %s)", r.URL, secret)
			})
			c := newClient(t, "http://127.0.0.1:9", withAuth(QueryKey("apikey", secret)),
				withHTTPClient(&http.Client{Transport: rt}), withRetries(0, time.Millisecond, time.Millisecond))
			_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
			require.Error(t, err)
			assert.Empty(t, leaked(secret, chainTexts(err)))
			assert.Contains(t, err.Error(), "proxy refused", "the cause still reads")
		})
	}
}

// TestMaskedChainKeepsIsAndAs: every level reads masked while errors.Is and
// errors.As reach the original causes.
func TestMaskedChainKeepsIsAndAs(t *testing.T) {
	t.Parallel()
	r := NewRedactor("zzsecretzz")
	sentinel := errors.New("sentinel zzsecretzz")
	orig := fmt.Errorf("outer zzsecretzz: %w", errors.Join(&custom{fmt.Errorf("inner zzsecretzz: %w", sentinel)}, context.Canceled))
	err := MaskError(r, orig)
	assert.ErrorIs(t, err, sentinel)
	assert.ErrorIs(t, err, context.Canceled)
	var cu *custom
	assert.True(t, errors.As(err, &cu))
	for _, s := range chainTexts(err) {
		assert.NotContains(t, s, "zzsecretzz")
	}
	assert.Same(t, err, MaskError(r, err), "masking twice wraps once")
}

type custom struct{ err error }

func (c *custom) Error() string { return c.err.Error() }
func (c *custom) Unwrap() error { return c.err }

// TestShortSecretsKeepTextReadable is issue 13, item 9.
func TestShortSecretsKeepTextReadable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ secret, in, want string }{
		{"t", "GET http://127.0.0.1:80/api/totais_lead?token=t", "GET http://127.0.0.1:80/api/totais_lead?token=REDACTED"},
		{"t", `{"error":"bad token t"}`, `{"error":"bad token REDACTED"}`},
		{"2024", "GET /weclever_id/20240301: HTTP 404", "GET /weclever_id/20240301: HTTP 404"},
		{"2024", "password 2024 refused", "password REDACTED refused"},
		{"k9", "x-k9 k9s k9", "x-REDACTED k9s REDACTED"},
		{"é1", "café1 é1", "café1 REDACTED"},
	} {
		assert.Equal(t, tc.want, NewRedactor(tc.secret).Redact(tc.in), "%q in %q", tc.secret, tc.in)
	}
	// A long secret is masked wherever it occurs.
	assert.Equal(t, "xREDACTEDy", NewRedactor("abcdefgh12").Redact("xabcdefgh12y"))
}

// TestRedactorForgetsOldTokens is issue 13, item 10: a token refreshed
// 20,000 times leaves the redactor with the last MaxRotating tokens only.
func TestRedactorForgetsOldTokens(t *testing.T) {
	t.Parallel()
	r := NewRedactor("fixed-secret-1")
	for i := range 20000 {
		r.AddRotating(fmt.Sprintf("token-%06d", i))
	}
	r.mu.RLock()
	n := len(r.state().lits)
	r.mu.RUnlock()
	forms := func(s string) int { p, b := matchForms(s); return len(p) + len(b) }
	assert.LessOrEqual(t, n, forms("fixed-secret-1")+MaxRotating*forms("token-000000"))
	assert.Equal(t, "REDACTED REDACTED", r.Redact("token-019999 fixed-secret-1"))
	assert.Equal(t, "token-000001", r.Redact("token-000001"), "a token long replaced is forgotten")
}

// BenchmarkRedactAfterRefreshes and its baseline: the cost of one log line
// after 20,000 token refreshes against a redactor that saw one token.
func BenchmarkRedactAfterRefreshes(b *testing.B) {
	r := NewRedactor("fixed-secret-1")
	for i := range 20000 {
		r.AddRotating(fmt.Sprintf("token-%06d", i))
	}
	line := "GET https://api.example.com/lead/find/weclever_id/20240301?x=1: HTTP 404: not found"
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = r.Redact(line)
	}
}

func BenchmarkRedactOneToken(b *testing.B) {
	r := NewRedactor("fixed-secret-1")
	r.AddRotating("token-000000")
	line := "GET https://api.example.com/lead/find/weclever_id/20240301?x=1: HTTP 404: not found"
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = r.Redact(line)
	}
}

// TestAuthValuesFormatMasked is issue 13, item 7, for the core's auth
// values and Secret: no verb and no slog handler prints the credential.
func TestAuthValuesFormatMasked(t *testing.T) {
	t.Parallel()
	const secret = "fmtCANARY/x+y=1"
	ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) { return secret, nil }}
	_, err := ts.Token(context.Background())
	require.NoError(t, err)
	type holder struct {
		Auth   Auth
		Secret Secret
		hidden Secret
	}
	values := []any{
		HeaderAuth{Name: "token", Value: NewSecret(secret)}, QueryKey("apikey", secret),
		BasicAuth{User: "ana", Password: NewSecret(secret)}, ts, NewSecret(secret),
		MultiAuth{HeaderAuth{Name: "x", Value: NewSecret(secret)}, Public(QueryKey("login", "ana"))},
		holder{Auth: HeaderAuth{Name: "token", Value: NewSecret(secret)}, Secret: NewSecret(secret), hidden: NewSecret(secret)},
		&holder{Auth: BasicAuth{User: "u", Password: NewSecret(secret)}, Secret: NewSecret(secret)},
	}
	for _, v := range values {
		assert.Empty(t, leaked(secret, testutil.Printed(v)), "%T", v)
	}
	assert.Equal(t, secret, NewSecret(secret).Value())
}

// TestTokenWithWhiteSpace is issue 13, item 12: "tok-1 " was cached
// untrimmed and never refreshed after a 401; "tok\n" made every request
// fail with an invalid header value, before anything was sent.
func TestTokenWithWhiteSpace(t *testing.T) {
	t.Parallel()
	for _, first := range []string{"tok-1 ", "tok-1\n", " tok-1\r\n"} {
		t.Run(strings.TrimSpace(first), func(t *testing.T) {
			t.Parallel()
			fetches := 0
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				// The first token is refused (expired), the second works.
				if r.Header.Get("Authorization") != "Bearer tok-2" {
					jsonStatus(w, 401, `{"error":"expired"}`)
					return
				}
				jsonStatus(w, 200, `{"ok":true}`)
			})
			ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) {
				fetches++
				if fetches == 1 {
					return first, nil
				}
				return "tok-2\n", nil
			}}
			c := newClient(t, srv.URL, withAuth(ts))
			_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
			require.NoError(t, err)
			assert.Equal(t, 2, fetches, "the refused token was refreshed")
			assert.Equal(t, 2, srv.count())
		})
	}
	ts := &TokenSource{Name: "Authorization", Fetch: func(context.Context) (string, error) { return "to\x00k", nil }}
	_, err := ts.Token(context.Background())
	assert.ErrorIs(t, err, errBadToken)
}

// TestExcerptMasksBeforeItClips: the one place that cuts outside text. A
// secret straddling the cut is masked whole (no start left behind), the cut
// falls on a rune boundary, and invalid UTF-8 is replaced.
func TestExcerptMasksBeforeItClips(t *testing.T) {
	const secret = "clipCANARY+9/Zq=&x"
	r := NewRedactor(secret)
	text := strings.Repeat("a", 10) + secret + strings.Repeat("b", 40)
	got := r.Excerpt(text, 15) // the cut falls inside the secret
	assert.NotContains(t, got, "clipCA")
	assert.Equal(t, strings.Repeat("a", 10)+"REDAC…", got)

	assert.Equal(t, "ab…", Clip("abж", 3), "no half rune")
	assert.Equal(t, "abж", Clip("abж", 4))
	assert.Equal(t, "a\uFFFDb", Clip("a\xffb", 10))
	assert.Equal(t, "…", Clip("abc", 0))
}
