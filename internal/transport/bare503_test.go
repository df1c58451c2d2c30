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
