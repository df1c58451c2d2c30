package transport

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
)

// TestTLSGarbageAfterRequestIsNoProof is issue 23, item 1: a TLS server
// (or a middlebox) that read the create and then wrote plaintext, a garbled
// record or an oversized one made the client fail with a TLS record error,
// which was taken as proof that nothing was sent: the create went out 4
// times and the caller was told it definitely failed. Only a handshake that
// never completed proves it; after it, the outcome is unknown.
func TestTLSGarbageAfterRequestIsNoProof(t *testing.T) {
	t.Parallel()
	for _, kind := range []testutil.TLSGarbage{testutil.TLSPlaintext, testutil.TLSGarbled, testutil.TLSOversized} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			srv := newTLSServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				readAll(r)
				if n == 1 || r.Method == http.MethodPost {
					testutil.WriteTLSGarbage(w, kind)
					return
				}
				jsonStatus(w, 200, `{}`)
			})
			c := newClient(t, srv.URL, withHTTPClient(srv.Client()), withRetries(3, time.Millisecond, 2*time.Millisecond))
			_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
			require.NoError(t, err, "a read is retried")
			before := srv.count()

			_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
			require.Error(t, err)
			assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
			assert.Equal(t, 1, srv.count()-before, "the create reached the server once")
		})
	}
}

// TestTLSHandshakeFailureIsProof: a server that takes the connection and
// drops it during the handshake never saw a request: the create is retried,
// and its final error says nothing was sent (not "unknown").
func TestTLSHandshakeFailureIsProof(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	var conns atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			buf := make([]byte, 512)
			_, _ = conn.Read(buf) // the ClientHello
			_, _ = conn.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			conn.Close()
		}
	}()
	c := newClient(t, "https://"+ln.Addr().String(), withRetries(2, time.Millisecond, 2*time.Millisecond))
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int32(3), conns.Load(), "retried: the handshake failed, nothing was written")
}
