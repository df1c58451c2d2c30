package transport

import (
	"bytes"
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
	"github.com/leadkit/leadkit/internal/testutil"
)

// TestUntracedDialErrorIsNoProof: a caller's failover transport that
// rebuilds the request without its context (so our trace sees nothing)
// sends the create to its primary, which reads it and drops the
// connection, then tries its secondary, whose dial is refused, and returns
// that error. A dial error nobody traced for this attempt proves nothing:
// the create was not resent on it.
func TestUntracedDialErrorIsNoProof(t *testing.T) {
	t.Parallel()
	primary := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { resetConn(t, w) })
	secondary := "http://" + testutil.ClosedPort(t)
	base := NewDefaultTransport()
	t.Cleanup(base.CloseIdleConnections)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		var err error
		for _, host := range []string{primary.URL, secondary} {
			var r2 *http.Request
			r2, err = http.NewRequest(r.Method, host+r.URL.RequestURI(), bytes.NewReader(body)) // context dropped
			if err != nil {
				return nil, err
			}
			r2.Header = r.Header.Clone()
			var resp *http.Response
			if resp, err = base.RoundTrip(r2); err == nil {
				return resp, nil
			}
		}
		return nil, err
	})
	c := newClient(t, primary.URL, withHTTPClient(&http.Client{Transport: rt}), withRetries(3, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, 1, primary.count(), "the create reached the primary once")
}

// TestDNSFailureIsProof: a lookup that fails (traced by net/http for this
// attempt) proves that nothing was sent: the create is retried, and its
// final error says it failed, not "unknown". The resolver asks a closed
// port on 127.0.0.1, so no query leaves the machine.
func TestDNSFailureIsProof(t *testing.T) {
	t.Parallel()
	closed := testutil.ClosedPort(t)
	dialer := &net.Dialer{Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", closed)
	}}}
	tr := NewDefaultTransport()
	tr.Proxy = nil
	tr.DialContext = dialer.DialContext
	t.Cleanup(tr.CloseIdleConnections)
	var attempts atomic.Int32
	counted := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return tr.RoundTrip(r)
	})
	c := newClient(t, "http://leads.example.invalid", withHTTPClient(&http.Client{Transport: counted}), withRetries(2, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	var dnsErr *net.DNSError
	require.ErrorAs(t, err, &dnsErr)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int32(3), attempts.Load(), "retried")
}

// TestProxyDialFailureIsProof: a proxy that cannot be reached (its dial
// refused) was sent nothing, and through it nothing reached the vendor:
// the create is retried and fails as not sent. net/http wraps the dial's
// error in a "proxyconnect" one, which the core read as no proof: a create
// that never left was reported "outcome unknown".
func TestProxyDialFailureIsProof(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	proxy, err := url.Parse("http://" + testutil.ClosedPort(t))
	require.NoError(t, err)
	tr := NewDefaultTransport()
	tr.Proxy = http.ProxyURL(proxy)
	t.Cleanup(tr.CloseIdleConnections)
	var attempts atomic.Int32
	counted := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return tr.RoundTrip(r)
	})
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: counted}), withRetries(2, time.Millisecond, 2*time.Millisecond))
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int32(3), attempts.Load(), "retried")
	assert.Equal(t, 0, srv.count())
}

// TestDeadlineBeforeConnectionIsKnown: a create whose deadline passed while
// its connection was still being made (here a TLS server that accepts and
// never answers the ClientHello) wrote nothing: it fails with the deadline
// alone, not "outcome unknown" (net/http hands a request its connection
// only once the handshake completed, and the trace saw none handed over).
func TestDeadlineBeforeConnectionIsKnown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = io.Copy(io.Discard, conn) // the ClientHello, never answered
			}()
		}
	}()
	c := newClient(t, "https://"+ln.Addr().String(), withRetries(2, time.Millisecond, 2*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
}

// TestProxyConnectRefusedIsProof: a proxy that answered the CONNECT with
// an error never opened the tunnel the create would have gone through: it
// is retried, and fails as not sent.
func TestProxyConnectRefusedIsProof(t *testing.T) {
	t.Parallel()
	var connects atomic.Int32
	proxy := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect {
			connects.Add(1)
		}
		http.Error(w, "upstream unreachable", http.StatusBadGateway)
	})
	pu, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	tr := NewDefaultTransport()
	tr.Proxy = http.ProxyURL(pu)
	t.Cleanup(tr.CloseIdleConnections)
	c := newClient(t, "https://leads.example.invalid", withHTTPClient(&http.Client{Transport: tr}), withRetries(2, time.Millisecond, 2*time.Millisecond))
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int32(3), connects.Load(), "retried")
}
