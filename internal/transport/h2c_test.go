//go:build go1.24

package transport

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestH2CCreateNotReplayedAfterStreamReset: a caller's transport speaking
// HTTP/2 without TLS (Transport.Protocols with unencrypted HTTP/2, Go
// 1.24+): the server reads the create, then resets the stream. The core's
// HTTP/2 checks look at TLS connections (isH2); this path has none. The
// create, with a body and without one, reaches the server once and is
// outcome unknown; a GET is retried.
func TestH2CCreateNotReplayedAfterStreamReset(t *testing.T) {
	t.Parallel()
	var posts, gets atomic.Int32
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{Protocols: &p, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodGet {
			if gets.Add(1) == 1 {
				panic(http.ErrAbortHandler)
			}
			jsonStatus(w, 200, `{}`)
			return
		}
		posts.Add(1)
		panic(http.ErrAbortHandler) // RST_STREAM after the request was read
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	tr := NewDefaultTransport()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	t.Cleanup(tr.CloseIdleConnections)
	c := newClient(t, "http://"+ln.Addr().String(), withHTTPClient(&http.Client{Transport: tr}), withRetries(3, time.Millisecond, 5*time.Millisecond))
	for _, req := range []*Request{
		{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]string{"name": "Ana"}},
		{Method: http.MethodPost, Path: []string{"leads"}, Query: url.Values{"name": {"Ana"}}, Create: true},
	} {
		posts.Store(0)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := c.Do(ctx, req)
		cancel()
		require.Error(t, err)
		assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
		assert.Equal(t, int32(1), posts.Load(), "body %v: the server received the create once", req.JSON != nil)
	}
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"ping"}})
	require.NoError(t, err)
	assert.Equal(t, int32(2), gets.Load())
}
