package transport

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testServer is a loopback server that counts the requests it received.
type testServer struct {
	*httptest.Server
	n      atomic.Int64
	conns  atomic.Int64 // new connections accepted
	mu     sync.Mutex
	reqs   []*http.Request
	bodies [][]byte
}

// newServer starts a 127.0.0.1 server; h gets the 1-based number of the
// request it answers.
func newServer(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := readAll(r)
		ts.mu.Lock()
		ts.reqs = append(ts.reqs, r)
		ts.bodies = append(ts.bodies, body)
		ts.mu.Unlock()
		h(int(ts.n.Add(1)), w, r)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) count() int { return int(ts.n.Load()) }

func readAll(r *http.Request) []byte {
	var b bytes.Buffer
	_, _ = b.ReadFrom(r.Body)
	return b.Bytes()
}

// resetConn closes the client's connection with SO_LINGER 0: the client
// sees a connection reset, not a clean close.
func resetConn(t *testing.T, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// halfBody answers 200 with a Content-Length for body, writes half of it and
// resets the connection.
func halfBody(t *testing.T, w http.ResponseWriter, body string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ")
	_, _ = buf.WriteString(itoa(len(body)))
	_, _ = buf.WriteString("\r\n\r\n")
	_, _ = buf.WriteString(body[:len(body)/2])
	_ = buf.Flush()
	time.Sleep(5 * time.Millisecond) // let the client read the headers and the half
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func itoa(n int) string {
	return strconv.Itoa(n)
}

type clientOpt func(*Settings, *Config)

func withRetries(n int, minWait, maxWait time.Duration) clientOpt {
	return func(s *Settings, _ *Config) { s.MaxRetries, s.RetryWaitMin, s.RetryWaitMax = n, minWait, maxWait }
}

func withAuth(a Auth) clientOpt { return func(_ *Settings, c *Config) { c.Auth = a } }

func withHTTPClient(hc *http.Client) clientOpt {
	return func(s *Settings, _ *Config) { s.HTTPClient = hc }
}

func withLogger(l *slog.Logger) clientOpt { return func(s *Settings, _ *Config) { s.Logger = l } }

// newClient builds a client for baseURL with fast retries (3 retries,
// 1-5 ms) unless opts say otherwise.
func newClient(t *testing.T, baseURL string, opts ...clientOpt) *Client {
	t.Helper()
	s := DefaultSettings(baseURL)
	s.RetryWaitMin, s.RetryWaitMax = time.Millisecond, 5*time.Millisecond
	cfg := Config{Vendor: "test"}
	for _, o := range opts {
		o(&s, &cfg)
	}
	cfg.Settings = s
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

// countingTransport counts round trips and CloseIdleConnections calls on
// the caller's transport.
type countingTransport struct {
	base      http.RoundTripper
	trips     atomic.Int64
	idleClose atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.trips.Add(1)
	return c.base.RoundTrip(r)
}

func (c *countingTransport) CloseIdleConnections() {
	c.idleClose.Add(1)
	if ci, ok := c.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// newCountingClient returns an http.Client over its own transport, closed
// when the test ends.
func newCountingClient(t *testing.T) (*http.Client, *countingTransport) {
	tr := NewDefaultTransport()
	t.Cleanup(tr.CloseIdleConnections)
	ct := &countingTransport{base: tr}
	return &http.Client{Transport: ct}, ct
}

// logBuffer is a goroutine-safe buffer for a slog handler.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func debugLogger() (*slog.Logger, *logBuffer) {
	buf := &logBuffer{}
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

var bg = context.Background()
