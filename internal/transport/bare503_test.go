package transport

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestBare503AfterCreateIsNoProof: a 503 is not always the server's own
// "not processed". Heroku's router answers 503 (H12, request timeout; H13,
// connection closed without response) while the dyno goes on and stores
// the request; Envoy (Istio and the gateways built on it) answers 503
// "upstream connect error or disconnect/reset before headers" after the
// upstream read the request. Neither says Retry-After. Here the server
// stores the lead and then answers such a 503: the create must go out once
// and come back as outcome unknown.
func TestBare503AfterCreateIsNoProof(t *testing.T) {
	t.Parallel()
	var stored atomic.Int32
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			stored.Add(1) // the dyno stored the lead; the router gave up on it
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("<html><body>Application Error</body></html>"))
	})
	c := newClient(t, srv.URL, withRetries(3, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]string{"name": "Ana"}})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int32(1), stored.Load(), "the create was sent once")
}

// TestDeleteAfterBare503: the bare 503 of a router that gave up on a slow
// app (Heroku H12, Envoy's "reset before headers") comes after the app read
// the request, and maybe did it, as for a create. A DELETE that met one and
// was retried, to find nothing, has done its job like one after a 502: it
// succeeds (Gone), instead of failing "not found" on its own deletion.
func TestDeleteAfterBare503(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			// deleted by the app; the router gave up on it
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("<html><body>Application Error</body></html>"))
			return
		}
		jsonStatus(w, 404, `{"error":"not found"}`)
	})
	c := newClient(t, srv.URL, withRetries(3, time.Millisecond, 2*time.Millisecond))
	resp, err := c.Do(context.Background(), &Request{Method: http.MethodDelete, Path: []string{"prospect", "1"}})
	require.NoError(t, err)
	assert.True(t, resp.Gone)
	assert.Equal(t, 2, srv.count())
}
