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

// TestCreateOnReusedConnectionClosedAfterRead: net/http's HTTP/1 client
// resends by itself a request that failed on a reused keep-alive
// connection (the server closed it: the idle-close race) when the request
// is replayable: GetBody set, and an idempotent method or an
// Idempotency-Key / X-Idempotency-Key header. A create carrying such a
// header (vendors document them) that the server read before closing the
// reused connection reaches it once: outcome unknown, no silent resend.
func TestCreateOnReusedConnectionClosedAfterRead(t *testing.T) {
	t.Parallel()
	for _, hdr := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
		var posts atomic.Int32
		srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				jsonStatus(w, 200, `{}`) // leaves the connection idle in the pool
				return
			}
			posts.Add(1)
			resetConn(t, w)
		})
		tr := NewDefaultTransport()
		t.Cleanup(tr.CloseIdleConnections)
		c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: tr}), withRetries(3, time.Millisecond, 2*time.Millisecond))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"ping"}})
		require.NoError(t, err)
		_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"},
			JSON: map[string]int{"a": 1}, Header: http.Header{hdr: {"k-1"}}})
		require.Error(t, err)
		assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%s: %v", hdr, err)
		assert.Equal(t, int64(1), srv.conns.Load(), "%s: the create went on the reused connection", hdr)
		assert.Equal(t, int32(1), posts.Load(), "%s: the create reached the server once", hdr)
	}
}
