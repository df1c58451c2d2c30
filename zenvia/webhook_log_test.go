package zenvia_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestWebhookLogNeverHoldsTheSecret: the handler logs refused deliveries
// with an excerpt of the body and the error of fn. Under a parameter name
// of the caller's choice the secret is not one of the credential patterns
// the core knows, so the handler masks its own secret by value: in a body
// that echoes the callback URL, and in an error of fn that quotes it.
func TestWebhookLogNeverHoldsTheSecret(t *testing.T) {
	t.Parallel()
	const secret = "hookCANARY+s/9Qz=&ü"
	var logs bytes.Buffer
	fail := true
	h := zenvia.NewWebhookHandler(secret, func(context.Context, zenvia.Event) error {
		if fail {
			return errors.New("callback https://example.com/hook?k=" + secret + " failed")
		}
		return nil
	}, zenvia.WithHandlerSecretParam("k"), zenvia.WithHandlerLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	srv := httptest.NewServer(h)
	defer srv.Close()
	hook := srv.URL + "/?k=" + url.QueryEscape(secret)
	post := func(body string) int {
		resp, err := http.Post(hook, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	// Not understood: the body is logged, and it quotes the callback URL.
	assert.Equal(t, http.StatusBadRequest, post(`{"unexpected": "k=`+secret+`", "url": "`+hook+`"}`+"\x00"))
	// fn fails with the secret in its message.
	assert.Equal(t, http.StatusInternalServerError, post(`{"topic":"prospects","data":{"id":"p1"}}`))
	out := logs.String()
	require.Contains(t, out, "body not understood", "the body line was written, so the scan means something")
	require.Contains(t, out, "handler failed")
	for _, form := range []string{secret, url.QueryEscape(secret), `hookCANARY+s\/9Qz=\u0026\u00fc`, `hookCANARY+s/9Qz=\u0026ü`} {
		assert.NotContains(t, out, form)
	}
}
