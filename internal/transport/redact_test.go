package transport

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactPatterns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"https://h/x?token=abc123&page=2", "https://h/x?token=REDACTED&page=2"},
		{"https://h/x?page=2&apikey=K-9_z", "https://h/x?page=2&apikey=REDACTED"},
		{"GET /x?api-key=abc HTTP/1.1", "GET /x?api-key=REDACTED HTTP/1.1"},
		{"api_key=abc x-api-key=def", "api_key=REDACTED x-api-key=REDACTED"},
		{"login=ana&password=hunter2&x=1", "login=ana&password=REDACTED&x=1"},
		{"PASSWORD=Hunter2", "PASSWORD=REDACTED"},
		{"passwd=x secret=y access_token=z", "passwd=REDACTED secret=REDACTED access_token=REDACTED"},
		// URL-encoded: the mask runs to the next raw separator, so an encoded
		// "&" and what follows go too (over-masking is the safe side).
		{"token%3Dabc%26page%3D1", "token%3DREDACTED"},
		{"apikey%3dabc", "apikey%3dREDACTED"},
		{"token=", "token="},
		{"Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer REDACTED"},
		{"authorization: basic YW5hOnB3", "authorization: basic REDACTED"},
		{"Proxy-Authorization: Basic YW5hOnB3", "Proxy-Authorization: Basic REDACTED"},
		{"Authorization: tok123", "Authorization: REDACTED"},
		{"token: abc123", "token: REDACTED"},
		{"x-api-key: abc", "x-api-key: REDACTED"},
		{`{"Authorization":["Basic YW5hOnB3"],"Token":["t1"]}`, `{"Authorization":["Basic REDACTED"],"Token":["REDACTED"]}`},
		{`body "{\"Authorization\":[\"Bearer abc\"]}"`, `body "{\"Authorization\":[\"Bearer REDACTED\"]}"`},
		{`{"token":"abc","id":1}`, `{"token":"REDACTED","id":1}`},
		{`{"Password" : "a\"b\\c", "id":1}`, `{"Password" : "REDACTED", "id":1}`},
		{`{"api_key":"k","apikey":"k2","api-key":"k3","access_token":"k4","secret":"k5"}`,
			`{"api_key":"REDACTED","apikey":"REDACTED","api-key":"REDACTED","access_token":"REDACTED","secret":"REDACTED"}`},
		{"https://ana:pw@api.example.com/v1", "https://REDACTED@api.example.com/v1"},
		{`Get "http://user:p%40ss@host/x": dial tcp`, `Get "http://REDACTED@host/x": dial tcp`},
		{"no secrets here: page=2&name=Ana", "no secrets here: page=2&name=Ana"},
		{"tokenizer=ok", "tokenizer=ok"},
		// Found by FuzzRedactPatterns: \b next to a non-ASCII letter used to
		// match in context and not alone, and the redactor panicked.
		{"0ſeCret=x", "0ſeCret=REDACTED"},
		{"0ſecret: x", "0ſecret: x"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, RedactPatterns(tc.in), tc.in)
		assert.Equal(t, tc.want, NewRedactor().Redact(tc.in), tc.in)
	}
	// Idempotent.
	s := "https://ana:pw@h/x?token=a&apikey=b Authorization: Bearer c {\"password\":\"d\"}"
	once := RedactPatterns(s)
	assert.Equal(t, once, RedactPatterns(once))
}

func TestRedactorLiterals(t *testing.T) {
	t.Parallel()
	secret := "s3cr/et+K=="
	r := NewRedactor(secret, "")
	for _, form := range []string{
		secret,
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)),
	} {
		got := r.Redact("value " + form + " end")
		assert.Equal(t, "value REDACTED end", got, form)
	}
	// Under a parameter name the patterns do not know.
	assert.Equal(t, "https://h/x?k=REDACTED&p=1", r.Redact("https://h/x?k="+url.QueryEscape(secret)+"&p=1"))

	// A secret containing another is masked whole.
	r2 := NewRedactor("abc", "abcdef")
	assert.Equal(t, "x REDACTED y", r2.Redact("x abcdef y"))

	// The zero value and a nil Redactor mask the patterns only.
	var zero Redactor
	assert.Equal(t, "token=REDACTED", zero.Redact("token=x"))
	var nilR *Redactor
	assert.Equal(t, "token=REDACTED", nilR.Redact("token=x"))

	// RedactURL.
	u, _ := url.Parse("https://ana:pw@h/v1/leads?apikey=abc&q=" + url.QueryEscape(secret))
	assert.Equal(t, "https://REDACTED@h/v1/leads?apikey=REDACTED&q=REDACTED", r.RedactURL(u))
	assert.Equal(t, "", r.RedactURL(nil))
}

func TestRedactorConcurrentAdd(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(2)
		go func() { defer wg.Done(); r.Add(fmt.Sprintf("secret-%02d", i)) }()
		go func() { defer wg.Done(); _ = r.Redact("secret-01 secret-02") }()
	}
	wg.Wait()
	assert.Equal(t, "REDACTED REDACTED", r.Redact("secret-01 secret-19"))
}

func TestRedactedErrorKeepsChain(t *testing.T) {
	t.Parallel()
	c := newClient(t, "http://h", withAuth(QueryKey("k", "zzsecretzz")))
	inner := errors.New("read: connection reset")
	ue := &url.Error{Op: "Get", URL: "http://h/x?k=zzsecretzz", Err: inner}
	err := c.redactErr(fmt.Errorf("wrapped: %w", ue))
	assert.NotContains(t, err.Error(), "zzsecretzz")
	assert.ErrorIs(t, err, inner)
	var got *url.Error
	if assert.True(t, errors.As(err, &got), "errors.As still finds the *url.Error") {
		assert.NotContains(t, got.Error(), "zzsecretzz", "as a masked copy")
		assert.ErrorIs(t, got, inner)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), "zzsecretzz", "every level of the chain reads masked")
	}
	assert.Nil(t, c.redactErr(nil))
}

// TestRedactorInclude: a Redactor that includes other clients' maskers
// masks their secrets too, at every level of MaskError's chain, and
// concurrently with Redact.
func TestRedactorInclude(t *testing.T) {
	t.Parallel()
	a := newClient(t, "http://h", withAuth(QueryKey("k", "zz-alpha-secret")))
	b := newClient(t, "http://h", withAuth(QueryKey("k", "zz-beta-secret")))
	r := NewRedactor("own-secret-value")
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.Include(a.Redactor().Redact, nil) }()
	go func() { defer wg.Done(); _ = r.Redact("zz-alpha-secret") }()
	wg.Wait()
	r.Include(b.Redactor().Redact)
	err := MaskError(r, fmt.Errorf("user: %s %w", "zz-alpha-secret", fmt.Errorf("inner: zz-beta-secret own-secret-value")))
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{"zz-alpha-secret", "zz-beta-secret", "own-secret-value"} {
			assert.NotContains(t, e.Error(), s)
		}
	}
	assert.Equal(t, "user: REDACTED inner: REDACTED REDACTED", err.Error())
	var zero Redactor
	zero.Include(a.Redactor().Redact)
	assert.Equal(t, "REDACTED", zero.Redact("zz-alpha-secret"))
}

func FuzzRedactPatterns(f *testing.F) {
	for _, s := range []string{"token=abc", `{"password":"x"}`, "Authorization: Bearer x", "http://a:b@c/", "apikey%3Dx", "ſecret=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := RedactPatterns(s)
		// The cheap pre-check never skips text a pattern would match.
		if !mayHoldPattern(s) {
			for _, re := range []*regexp.Regexp{reQuery, reJSON, reHeader, reUserinfo} {
				if re.MatchString(s) {
					t.Fatalf("pre-check skipped %q, which %v matches", s, re)
				}
			}
		}
		// Masking is stable: a second pass changes nothing.
		if again := RedactPatterns(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
		if strings.Contains(s, "token=") && !strings.Contains(strings.ToLower(out), "token=") {
			t.Fatalf("lost the parameter name: %q -> %q", s, out)
		}
	})
}
