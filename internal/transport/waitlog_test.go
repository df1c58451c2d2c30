package transport

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

// TestRetryWaitLogged: a retry that waits a second or more (the vendor's
// Retry-After) is told to the client's logger at Info, with the vendor,
// the status and the wait, never the URL with its key: a program can say
// why it is quiet (the zen-totals example against a short rate window
// waited 3 s in silence). Shorter waits stay quiet.
func TestRetryWaitLogged(t *testing.T) {
	t.Parallel()
	const key = "wait-key-CANARY-5d2e9a71"
	ts := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	var logs testutil.SyncBuffer
	l := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c := newClient(t, ts.URL+"/api?token="+key, withLogger(l), func(s *Settings, _ *Config) { s.RetryWaitMax = 2 * time.Second })
	start := time.Now()
	_, err := c.Do(bg, &Request{})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	out := logs.String()
	require.Contains(t, out, `msg="leadkit retry wait"`)
	assert.Contains(t, out, "wait=1s")
	assert.Contains(t, out, "status=429")
	assert.Contains(t, out, "vendor=test")
	assert.NotContains(t, out, key)
	assert.Equal(t, 1, strings.Count(out, "retry wait"), out)

	// A backoff under a second says nothing.
	var quiet testutil.SyncBuffer
	l = slog.New(slog.NewTextHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelInfo}))
	quick := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	c = newClient(t, quick.URL, withLogger(l))
	_, err = c.Do(bg, &Request{})
	require.NoError(t, err)
	assert.NotContains(t, quiet.String(), "retry wait")
}
