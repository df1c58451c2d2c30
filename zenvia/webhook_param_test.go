package zenvia_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestWebhookSecretAsParamName: the secret passed to
// WithHandlerSecretParam (read as "the handler's secret") was kept as the
// query parameter's name: every delivery got 401, and the handler printed
// with %v, %+v or %#v showed the secret. The handler keeps no such name
// and answers 500 (misconfigured, so Zenvia delivers again once it is
// fixed), quoting nothing.
func TestWebhookSecretAsParamName(t *testing.T) {
	t.Parallel()
	const secret = "CANARYwebhookParam-8e4c2a6f"
	h := zenvia.NewWebhookHandler(secret, func(context.Context, zenvia.Event) error { return nil },
		zenvia.WithHandlerSecretParam(secret))
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		assert.NotContains(t, fmt.Sprintf(verb, h), "CANARYwebhook", verb)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/?"+url.QueryEscape(secret)+"="+url.QueryEscape(secret), "application/json",
		strings.NewReader(`{"id":"5f1e0c3a9b7d2e4f6a8c0b1d","name":"Ana"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
}

// TestWebhookSecretEqualToDefaultParam: a secret that happens to be the
// default parameter's name ("secret") is no misconfiguration: the name was
// not given, so it holds nothing.
func TestWebhookSecretEqualToDefaultParam(t *testing.T) {
	t.Parallel()
	h := zenvia.NewWebhookHandler("secret", func(context.Context, zenvia.Event) error { return nil })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Post(srv.URL+"/?secret=secret", "application/json",
		strings.NewReader(`{"id":"5f1e0c3a9b7d2e4f6a8c0b1d","name":"Ana","leads":[]}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
