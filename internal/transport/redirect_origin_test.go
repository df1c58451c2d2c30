package transport

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRedirectToAnotherPortCarriesNoCredential is issue 23, item 2: an
// http→https redirect to the same host name on another port carried the
// credentials. Another port is another origin (scheme, host and port):
// the hop is followed without any credential.
func TestRedirectToAnotherPortCarriesNoCredential(t *testing.T) {
	t.Parallel()
	secure := newTLSRecorder(t)
	for _, auth := range []Auth{
		HeaderAuth{Name: "Authorization", Scheme: "Bearer", Value: NewSecret(redirectCanary)},
		QueryKey("apikey", redirectCanary),
		BasicAuth{User: "ana", Password: NewSecret(redirectCanary)},
	} {
		srv := newServer(t, redirectTo(302, secure.URL+"/leads"))
		c := newClient(t, srv.URL, withAuth(auth), withHTTPClient(secure.Client()))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
		require.NoError(t, err, "followed, without credentials")
	}
	assert.Equal(t, 3, secure.count())
	got := secure.received()
	for _, form := range encodedForms(redirectCanary) {
		assert.NotContains(t, got, form, "the other port received the credential")
	}
	assert.NotContains(t, got, "Authorization")
}

// TestRedirectUpgradeOnSamePortKeepsCredentials: http→https on the same
// host and the same port (one listener speaking both) keeps them: the
// documented exception to "same scheme, host and port".
func TestRedirectUpgradeOnSamePortKeepsCredentials(t *testing.T) {
	t.Parallel()
	plainLn, tlsLn := splitListener(t)
	secure := &recorder{}
	secure.testServer = &testServer{}
	secure.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secure.n.Add(1)
		secure.mu.Lock()
		secure.seen = append(secure.seen, r.Header.Get("Authorization"))
		secure.mu.Unlock()
		jsonStatus(w, 200, `{}`)
	}))
	secure.Listener.Close()
	secure.Listener = tlsLn
	secure.StartTLS()
	t.Cleanup(secure.Close)
	plain := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		redirectTo(302, "https://"+plainLn.Addr().String()+"/new")(0, w, r)
	}))
	plain.Listener.Close()
	plain.Listener = plainLn
	plain.Start()
	t.Cleanup(plain.Close)

	c := newClient(t, plain.URL, withAuth(HeaderAuth{Name: "Authorization", Scheme: "Bearer", Value: NewSecret(redirectCanary)}),
		withHTTPClient(secure.Client()))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"old"}})
	require.NoError(t, err)
	assert.Equal(t, 1, secure.count())
	assert.Equal(t, "Bearer "+redirectCanary, secure.received())
}

// newTLSRecorder is an https recorder on 127.0.0.1.
func newTLSRecorder(t *testing.T) *recorder {
	rec := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	rec.Close()
	rec.Server = httptest.NewUnstartedServer(rec.Config.Handler)
	rec.StartTLS()
	t.Cleanup(rec.Close)
	return rec
}

// splitListener listens on one loopback port and hands each connection to
// the TLS listener when it starts with a TLS record, else to the plain one.
func splitListener(t *testing.T) (plain, secure *chanListener) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	plain = &chanListener{Listener: ln, c: make(chan net.Conn, 8), done: make(chan struct{})}
	secure = &chanListener{Listener: ln, c: make(chan net.Conn, 8), done: make(chan struct{})}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			br := bufio.NewReader(conn)
			first, err := br.Peek(1)
			if err != nil {
				conn.Close()
				continue
			}
			pc := &peekedConn{Conn: conn, r: br}
			if first[0] == 0x16 {
				secure.c <- pc
			} else {
				plain.c <- pc
			}
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return plain, secure
}

type chanListener struct {
	net.Listener
	c    chan net.Conn
	done chan struct{}
	once sync.Once
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.c:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
