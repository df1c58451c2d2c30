package datacake_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

// TestHandlerSchemeHoldingTheTokenNotAnswered: WithHandlerAuthHeader's
// scheme is where an operator puts the token by mistake (the whole
// "Bearer <token>" header value, or the token alone). The handler wrote
// the scheme, unmasked, into the WWW-Authenticate header of every 401: its
// token went to anyone who called it without one. A scheme that is not one
// word is refused (the handler answers 500 "misconfigured", quoting
// nothing), and WWW-Authenticate is masked like every other text.
func TestHandlerSchemeHoldingTheTokenNotAnswered(t *testing.T) {
	t.Parallel()
	const token = "CANARYhandlerTok9f3e2d1c"
	for _, scheme := range []string{token, "Bearer " + token, "Token " + token} {
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		h := datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), token,
			datacake.WithHandlerAuthHeader("Authorization", scheme), datacake.WithHandlerLogger(logger))
		srv := httptest.NewServer(h)
		for _, auth := range []string{"", "Bearer wrong-token-000", scheme + " " + token} {
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/produtos", nil)
			require.NoError(t, err)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var head strings.Builder
			require.NoError(t, resp.Header.Write(&head))
			for _, text := range []string{head.String(), string(body), logs.String()} {
				assert.NotContains(t, text, "CANARYhandler", "scheme %q, auth %q: %d %s", scheme, auth, resp.StatusCode, text)
				assert.NotContains(t, text, "9f3e2d1c", "scheme %q, auth %q", scheme, auth)
			}
		}
		srv.Close()
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, h), "CANARYhandler", "scheme %q, the handler printed with %s", scheme, verb)
		}
	}
	// The token as the header's name: refused too (the handler printed
	// would show it).
	h := datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), token, datacake.WithHandlerAuthHeader(token, ""))
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		assert.NotContains(t, fmt.Sprintf(verb, h), "CANARYhandler", "the handler printed with %s", verb)
	}
}
