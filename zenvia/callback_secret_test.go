package zenvia_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestCallbackSecretMaskedInErrors: Notifications.Create sends the callback
// URL, which carries the webhook's secret in its query as NewWebhookHandler
// asks (under the name given to WithHandlerSecretParam). A server that
// echoes the body into its error answer put the secret into the error's
// message and body excerpt whenever its parameter had a name the masker's
// list did not know. The client masks every value of 8 bytes or more of the
// callback URL's query, as it does a base URL's.
func TestCallbackSecretMaskedInErrors(t *testing.T) {
	t.Parallel()
	const secret = "CANARYhookSecret-4f2a9c7e1b3d"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code":"VALIDATION","message":"bad subscription %s","summary":"ValidationError"}`,
			strings.ReplaceAll(string(body), `"`, `'`))
	}))
	t.Cleanup(srv.Close)
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := zenvia.NewClient("k3y-0123456789abcdef", zenvia.WithBaseURL(srv.URL), zenvia.WithMaxRetries(0), zenvia.WithLogger(logger))
	require.NoError(t, err)
	for _, param := range []string{"s", "hook", "secret"} {
		_, err = c.Notifications.Create(context.Background(), []string{zenvia.TopicProspects},
			"https://example.com/zenvia?topic=prospects&"+param+"="+secret)
		require.Error(t, err)
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, err), "CANARYhook", "param %q, %s", param, verb)
		}
	}
	assert.NotContains(t, logs.String(), "CANARYhook")
}
