package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
)

// everyFormat returns v printed with every verb, through slog's text and
// JSON handlers and encoding/json, %x decoded back from hex.
func everyFormat(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	out = append(out, hexDecoded(fmt.Sprintf("%x", v)))
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
	out = append(out, text.String(), js.String())
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b))
	}
	return out
}

// valueErr is a caller's error of a value type, holding the key.
type valueErr struct{ Key string }

func (valueErr) Error() string { return "login refused" }

// TestEveryVerbOfReturnedErrors is issue 23, item 8: %#v of a ResponseError
// printed the response's header names unmasked (a server echoing the key
// into a header name), and %#v of a masked error chain printed a caller's
// value-type error inline, key and all. Every verb, slog and encoding/json
// of every error the client returns, and of each level of its chain, is
// clean.
func TestEveryVerbOfReturnedErrors(t *testing.T) {
	t.Parallel()
	const secret = "fmCANARY+key/Zx9=Wq"
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		k := url.QueryEscape(r.Header.Get("X-Key"))
		w.Header().Set("X-Echo-"+k, "1")
		w.Header().Set("X-Lower-"+testutil.LowerHex(k), "1")
		jsonStatus(w, 400, `{"error":"no"}`)
	})
	c := newClient(t, srv.URL, withAuth(HeaderAuth{Name: "X-Key", Value: NewSecret(secret)}))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Len(t, re.Header, 5, "the masked names stay apart: %v", re.Header)
	assert.Contains(t, re.Header, "X-Echo-REDACTED", "the name, canonicalized by net/http, is masked in any case")

	ts := &TokenSource{Name: "Authorization", Fetch: func(context.Context) (string, error) {
		return "", fmt.Errorf("login: %w", valueErr{Key: secret})
	}}
	c2 := newClient(t, srv.URL, withAuth(ts), func(_ *Settings, cfg *Config) { cfg.Secrets = []string{secret} })
	_, err2 := c2.Do(context.Background(), &Request{Method: http.MethodGet})
	require.Error(t, err2)
	var ve valueErr
	assert.True(t, errors.As(err2, &ve), "errors.As still reaches the caller's value")

	for _, e := range []error{err, err2} {
		var texts []string
		for x := e; x != nil; x = errors.Unwrap(x) {
			texts = append(texts, everyFormat(x)...)
		}
		texts = append(texts, everyFormat(re)...)
		assert.Empty(t, leaked(secret, texts))
	}
}

// TestRedactorPrintsNoSecret: a struct holding a *Redactor in an unexported
// field, printed with a verb fmt finds wrong for a pointer (%s, %q, %x),
// had fmt print the Redactor's fields, secrets and all (the server-side
// handlers hold one). Neither the Redactor nor such a struct shows one.
func TestRedactorPrintsNoSecret(t *testing.T) {
	t.Parallel()
	const secret = "rdCANARY+key/Zx9=Wq"
	r := NewRedactor(secret)
	r.AddRotating(secret + "2")
	holder := struct {
		name string
		red  *Redactor
	}{"h", r}
	var texts []string
	for _, v := range []any{r, holder, &holder, Redactor{}} {
		texts = append(texts, everyFormat(v)...)
	}
	assert.Empty(t, leaked(secret, texts))
}
