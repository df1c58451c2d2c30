package transport

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"

	"github.com/leadkit/leadkit/internal/testutil"
)

// h2ResetServer is a raw HTTP/2 server over TLS on 127.0.0.1: it reads each
// request whole (HEADERS, then DATA up to END_STREAM), counts it, and
// answers RST_STREAM with PROTOCOL_ERROR, the stream error after which Go's
// HTTP/2 client replays a request that carries GetBody.
type h2ResetServer struct {
	ln       net.Listener
	requests atomic.Int32
	pool     *x509.CertPool
	// answer, when set, answers a stream read whole in place of the
	// RST_STREAM PROTOCOL_ERROR; it returns true to close the connection.
	answer func(w io.Writer, stream uint32) (closeConn bool)
}

func newH2ResetServer(t *testing.T) *h2ResetServer { return newH2Server(t, nil) }

// newH2Server is newH2ResetServer with another answer.
func newH2Server(t *testing.T, answer func(w io.Writer, stream uint32) bool) *h2ResetServer {
	t.Helper()
	// Borrow httptest's certificate for 127.0.0.1.
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ts.Close()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	require.NoError(t, err)
	s := &h2ResetServer{ln: ln, pool: pool, answer: answer}
	t.Cleanup(func() { ln.Close() })
	go s.serve()
	return s
}

func (s *h2ResetServer) URL() string { return "https://" + s.ln.Addr().String() }

func (s *h2ResetServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.conn(c)
	}
}

const (
	h2Data         = 0x0
	h2Headers      = 0x1
	h2RSTStream    = 0x3
	h2Settings     = 0x4
	h2Ping         = 0x6
	h2GoAway       = 0x7
	h2WindowUpdate = 0x8
	h2Continuation = 0x9

	h2FlagEndStream = 0x1
	h2FlagAck       = 0x1

	h2ProtocolError = 0x1
)

func writeFrame(w io.Writer, typ, flags byte, stream uint32, payload []byte) error {
	hdr := make([]byte, 9, 9+len(payload))
	hdr[0], hdr[1], hdr[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	hdr[3], hdr[4] = typ, flags
	binary.BigEndian.PutUint32(hdr[5:], stream&0x7fffffff)
	_, err := w.Write(append(hdr, payload...))
	return err
}

func (s *h2ResetServer) conn(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	preface := make([]byte, 24)
	if _, err := io.ReadFull(r, preface); err != nil {
		return
	}
	if writeFrame(c, h2Settings, 0, 0, nil) != nil {
		return
	}
	hdr := make([]byte, 9)
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			return
		}
		n := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		typ, flags := hdr[3], hdr[4]
		stream := binary.BigEndian.Uint32(hdr[5:]) & 0x7fffffff
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		switch typ {
		case h2Settings:
			if flags&h2FlagAck == 0 {
				_ = writeFrame(c, h2Settings, h2FlagAck, 0, nil)
			}
		case h2Ping:
			if flags&h2FlagAck == 0 {
				_ = writeFrame(c, h2Ping, h2FlagAck, 0, payload)
			}
		case h2Headers, h2Data, h2Continuation:
			if flags&h2FlagEndStream != 0 {
				// The whole request is here: count it, then refuse the
				// stream with PROTOCOL_ERROR.
				s.requests.Add(1)
				if s.answer != nil {
					if s.answer(c, stream) {
						return
					}
					continue
				}
				code := make([]byte, 4)
				binary.BigEndian.PutUint32(code, h2ProtocolError)
				_ = writeFrame(c, h2RSTStream, 0, stream, code)
			}
		case h2GoAway:
			return
		}
	}
}

// TestHTTP2CreateNotReplayedAfterStreamReset is issue 13, item 2: a server
// that read the whole POST and then reset the stream with PROTOCOL_ERROR
// got it twice from Go's HTTP/2 client, even with no retries, because the
// request carried GetBody. Now the create reaches it once and the caller
// is told the outcome is unknown. (A GET, which has no body, Go's HTTP/2
// client replays by itself after this error, with backoff of its own.)
func TestHTTP2CreateNotReplayedAfterStreamReset(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 3} {
		srv := newH2ResetServer(t)
		tr := NewDefaultTransport() // the default: a clone of http.DefaultTransport, HTTP/2 on
		tr.TLSClientConfig = &tls.Config{RootCAs: srv.pool}
		t.Cleanup(tr.CloseIdleConnections)
		c := newClient(t, srv.URL(), withHTTPClient(&http.Client{Transport: tr}), withRetries(retries, time.Millisecond, 5*time.Millisecond))
		// Bounded: Go's own replays back off for up to a minute.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]string{"name": "Ana"}})
		cancel()
		require.Error(t, err)
		assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "retries=%d: %v", retries, err)
		assert.Equal(t, int32(1), srv.requests.Load(), "retries=%d: the server received the create once", retries)

	}
}

// TestCreateReachesTransportWithoutGetBody: nothing below the retry layer
// can replay a create (HTTP/1 or HTTP/2), since it never sees GetBody; an
// idempotent PUT keeps it (net/http needs it to follow a 307).
func TestCreateReachesTransportWithoutGetBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	var sawGetBody = map[string]bool{}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sawGetBody[r.Method] = r.GetBody != nil
		return http.DefaultTransport.RoundTrip(r)
	})
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: rt}))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, JSON: map[string]int{"a": 1}})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPut, JSON: map[string]int{"a": 1}})
	require.NoError(t, err)
	assert.False(t, sawGetBody[http.MethodPost], "a create reaches the transport without GetBody")
	assert.True(t, sawGetBody[http.MethodPut])
}

// TestAbsenceOfTraceIsNoProof is issue 13, item 3: a caller's transport
// that rebuilds the request without its context never fires our trace
// hooks. A create that the server read and then lost its connection must
// not be resent on that silence.
func TestAbsenceOfTraceIsNoProof(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { resetConn(t, w) })
	base := NewDefaultTransport()
	t.Cleanup(base.CloseIdleConnections)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		r2, err := http.NewRequest(r.Method, r.URL.String(), bytes.NewReader(body)) // context dropped
		if err != nil {
			return nil, err
		}
		r2.Header = r.Header.Clone()
		return base.RoundTrip(r2)
	})
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: rt}))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.count(), "sent once")
}

// TestDialFailureIsProof: a refused connection is positive proof, so a
// create is retried, and its final error is not "unknown".
func TestDialFailureIsProof(t *testing.T) {
	t.Parallel()
	c := newClient(t, "http://"+testutil.ClosedPort(t), withRetries(2, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	var op *net.OpError
	assert.True(t, errors.As(err, &op))
}

// TestCancelledBeforeSendIsKnown: a create whose context was already
// cancelled sends nothing and says so (no "outcome unknown").
func TestCancelledBeforeSendIsKnown(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Do(ctx, &Request{Method: http.MethodPost, JSON: map[string]int{"a": 1}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	assert.Equal(t, 0, srv.count())
}
