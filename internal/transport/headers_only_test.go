package transport

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestCreateClosedAfterHeadersBeforeBody: the server reads a create's
// headers, then closes the connection without reading its body (a proxy
// that gives up, an app that acts on the headers alone), on a fresh
// connection and on a reused keep-alive one, with a small body (written
// with the headers) and a large one (still being written when the
// connection closes). Nothing proves the create was not processed: outcome
// unknown, sent once. A GET on the same server is retried.
func TestCreateClosedAfterHeadersBeforeBody(t *testing.T) {
	t.Parallel()
	for _, size := range []int{64, 4 << 20} {
		for _, reuse := range []bool{false, true} {
			var posts atomic.Int32
			srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					jsonStatus(w, 200, `{}`)
					return
				}
				posts.Add(1)
				conn, _, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				_ = conn.Close() // FIN, the body unread
			})
			tr := NewDefaultTransport()
			t.Cleanup(tr.CloseIdleConnections)
			c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: tr}), withRetries(3, time.Millisecond, 2*time.Millisecond))
			if reuse {
				_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"ping"}})
				require.NoError(t, err)
			}
			_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"},
				Body: []byte(strings.Repeat("a", size)), ContentType: "text/plain"})
			require.Error(t, err, "size %d, reuse %v", size, reuse)
			assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "size %d, reuse %v: %v", size, reuse, err)
			assert.Equal(t, int32(1), posts.Load(), "size %d, reuse %v: the create reached the server once", size, reuse)
		}
	}
}
