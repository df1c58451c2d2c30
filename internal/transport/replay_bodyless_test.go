package transport

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestHTTP2BodylessCreateNotReplayed: Go's HTTP/2 client replays a request
// whose Body is nil (or http.NoBody) after a stream reset with
// PROTOCOL_ERROR, REFUSED_STREAM or a GOAWAY, whatever its method: taking
// GetBody off is not enough for a create that has no body (a POST that
// archives, transfers or confirms something by its URL alone). The server
// read the request before it reset the stream; it must receive it once.
func TestHTTP2BodylessCreateNotReplayed(t *testing.T) {
	t.Parallel()
	for _, tc := range bodylessCreates {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertH2SentOnce(t, newH2ResetServer(t), tc.req)
		})
	}
}

// TestHTTP2BodylessCreateNotReplayedAfterGoAway: the same after a GOAWAY
// (last stream 0, with and without closing the connection) or a
// RST_STREAM REFUSED_STREAM, sent after the server read the request: Go's
// HTTP/2 client replayed a bodyless POST about 2,000 times in 3.5 s after
// the GOAWAYs, 4 times after REFUSED_STREAM.
func TestHTTP2BodylessCreateNotReplayedAfterGoAway(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]func(w io.Writer, stream uint32) bool{
		"GOAWAY": func(w io.Writer, _ uint32) bool {
			_ = writeFrame(w, h2GoAway, 0, 0, make([]byte, 8)) // last stream 0, NO_ERROR
			return false
		},
		"GOAWAY and close": func(w io.Writer, _ uint32) bool {
			_ = writeFrame(w, h2GoAway, 0, 0, make([]byte, 8))
			return true
		},
		"REFUSED_STREAM": func(w io.Writer, stream uint32) bool {
			_ = writeFrame(w, h2RSTStream, 0, stream, []byte{0, 0, 0, 7})
			return false
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assertH2SentOnce(t, newH2Server(t, answer), bodylessCreates[0].req)
		})
	}
}

// assertH2SentOnce sends req to srv over HTTP/2 (no retries of the core's
// own) and checks that srv read it once and the outcome is unknown.
func assertH2SentOnce(t *testing.T, srv *h2ResetServer, req Request) {
	t.Helper()
	tr := NewDefaultTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: srv.pool}
	t.Cleanup(tr.CloseIdleConnections)
	c := newClient(t, srv.URL(), withHTTPClient(&http.Client{Transport: tr}), withRetries(0, time.Millisecond, 5*time.Millisecond))
	// Go's own replays back off 1 s, 2 s, 4 s... (some not at all): 3.5 s
	// lets at least three of them through.
	ctx, cancel := context.WithTimeout(context.Background(), 3500*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, &req)
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int32(1), srv.requests.Load(), "the server read the create once")
}

// bodylessCreates are creates without a body (and one with an empty one).
var bodylessCreates = []struct {
	name string
	req  Request
}{
	{"POST", Request{Method: http.MethodPost, Path: []string{"leads", "1", "archive"}}},
	{"PATCH", Request{Method: http.MethodPatch, Path: []string{"leads", "1"}}},
	{"PUT marked create", Request{Method: http.MethodPut, Path: []string{"leads", "1", "confirm"}, Create: true}},
	{"POST empty body", Request{Method: http.MethodPost, Path: []string{"leads"}, Body: []byte{}}},
}

// TestBodylessCreateStillSent: the empty body a bodyless create now
// carries reaches a server as no body at all, over HTTP/1 and HTTP/2.
func TestBodylessCreateStillSent(t *testing.T) {
	t.Parallel()
	for _, h2 := range []bool{false, true} {
		var got []string
		ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = append(got, fmt.Sprintf("%s %s %q", r.Proto, r.Method, readAll(r)))
			jsonStatus(w, 200, `{}`)
		}))
		ts.EnableHTTP2 = h2
		ts.StartTLS()
		t.Cleanup(ts.Close)
		c := newClient(t, ts.URL, withHTTPClient(ts.Client()))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads", "1", "archive"}})
		require.NoError(t, err)
		proto := "HTTP/1.1"
		if h2 {
			proto = "HTTP/2.0"
		}
		assert.Equal(t, []string{proto + ` POST ""`}, got)
	}
}

// TestHTTP1IdempotencyKeyCreateNotReplayed: Go's HTTP/1 client replays a
// request without a body that carries an Idempotency-Key header when a
// reused connection fails before the answer's first byte. The server read
// this create (on a kept-alive connection) and closed the connection: it
// must receive it once, and the caller hear that its outcome is unknown.
func TestHTTP1IdempotencyKeyCreateNotReplayed(t *testing.T) {
	t.Parallel()
	var creates atomic.Int32
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			jsonStatus(w, 200, `{}`)
			return
		}
		creates.Add(1)
		hj, _ := w.(http.Hijacker)
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close() // read, then closed without a byte of answer
		}
	})
	c := newClient(t, srv.URL, withRetries(0, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
	require.NoError(t, err) // leaves a kept-alive connection for the create
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads", "1", "confirm"},
		Header: http.Header{"Idempotency-Key": {"k1"}}})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int32(1), creates.Load(), "the server read the create once")
	assert.Equal(t, int64(1), srv.conns.Load(), "the create went on the kept-alive connection")
}
