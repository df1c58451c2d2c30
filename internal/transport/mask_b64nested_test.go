package transport

import (
	"context"
	"encoding/base64"
	"mime/quotedprintable"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMaskedBase64OfEscaped: a key escaped and then base64-encoded (a
// pagination cursor or "state" holding the query string the server saw,
// with the key percent-encoded; a JWT whose payload JSON-escapes it;
// base64 of base64) was printed in clear: only the base64 of the key
// itself was looked for.
func TestMaskedBase64OfEscaped(t *testing.T) {
	t.Parallel()
	for _, secret := range review2Secrets {
		r := NewRedactor(secret)
		pct := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(secret)
		js := strings.NewReplacer("+", `\u002b`, "/", `\/`, "=", `\u003d`).Replace(secret)
		for name, form := range map[string]string{
			"cursor std":    base64.StdEncoding.EncodeToString([]byte("page=2&apikey=" + pct + "&n=50")),
			"cursor url":    base64.RawURLEncoding.EncodeToString([]byte("page=2&k=" + pct)),
			"jwt payload":   "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"`+js+`","n":1}`)) + ".c2ln",
			"base64 twice":  base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte(secret)))),
			"basic pct key": base64.StdEncoding.EncodeToString([]byte("user:" + pct)),
		} {
			out := r.Redact(`{"error":"bad cursor ` + form + `"}`)
			assert.Contains(t, out, Mask, "%s: %q", name, out)
			assert.NotContains(t, out, form, name)
		}
	}
	// Base64 text that holds no secret is left alone.
	r := NewRedactor(review2Secrets...)
	plain := base64.StdEncoding.EncodeToString([]byte("page=2&cursor=abcdef&n=50"))
	assert.Equal(t, "next "+plain, r.Redact("next "+plain))
}

// TestReview2EncodingsOverTheWire drives the forms above through a vendor
// error: none of them reaches the error or any level of its chain.
func TestReview2EncodingsOverTheWire(t *testing.T) {
	t.Parallel()
	const secret = "sk_live_Abc123+xyz/987"
	pct := strings.NewReplacer("+", "%2B", "/", "%2F").Replace(secret)
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write([]byte(strings.Repeat("x", 60) + r.URL.Query().Get("apikey") + "="))
		_ = qp.Close()
		jsonStatus(w, 400, `{"message":"`+strings.ToUpper(r.URL.Query().Get("apikey"))+`",`+
			`"qp":"`+strings.ReplaceAll(strings.ReplaceAll(b.String(), "\r\n", `\r\n`), "=", `\u003d`)+`",`+
			`"ref":"`+strings.ReplaceAll(r.URL.Query().Get("apikey"), "+", "&#43")+`",`+
			`"cursor":"`+base64.StdEncoding.EncodeToString([]byte("apikey="+pct))+`"}`)
	})
	c := newClient(t, srv.URL, withAuth(QueryKey("apikey", secret)))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
	require.Error(t, err)
	texts := chainTexts(err)
	assert.Empty(t, leaked(secret, texts))
	for _, txt := range texts {
		assert.NotContains(t, txt, strings.ToUpper(secret))
		assert.NotContains(t, txt, base64.StdEncoding.EncodeToString([]byte("apikey=" + pct))[:12])
	}
}
