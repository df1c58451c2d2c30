package transport

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// retryingTransport is a caller's transport that retries by itself, as many
// do (a resilience wrapper, a copy of retryablehttp's RoundTripper): it keeps
// the request's body and resends the request, context and all, up to three
// times on any error.
type retryingTransport struct{ base http.RoundTripper }

func (rt retryingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	var err error
	for range 3 {
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		var resp *http.Response
		if resp, err = rt.base.RoundTrip(r2); err == nil {
			return resp, nil
		}
	}
	return nil, err
}

// TestCallerTransportRetryDoesNotReplayCreate: a create sent through a
// caller's http.Client whose transport resends a request by itself reached
// the server once per try of that transport (3 times for one call against a
// server that reads it and drops the connection). The core stops a resend
// beneath it: a second connection handed to the same attempt is closed
// before a byte of the request is written on it. The create reaches the
// server once and is outcome unknown; a GET through the same transport is
// still retried by it.
func TestCallerTransportRetryDoesNotReplayCreate(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { resetConn(t, w) })
	base := NewDefaultTransport()
	t.Cleanup(base.CloseIdleConnections)
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: retryingTransport{base}}), withRetries(3, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, 1, srv.count(), "the create reached the server once")

	// A bodyless create too.
	before := srv.count()
	_, err = c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads", "1", "archive"}})
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, before+1, srv.count(), "the bodyless create reached the server once")

	before = srv.count()
	_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
	require.Error(t, err)
	assert.Greater(t, srv.count()-before, 3, "reads are still retried by the caller's transport and by the core")
}

// TestCallerTransportRetryDoesNotReplayCreateH2 is the same over HTTP/2:
// the server reads the create and resets its stream (INTERNAL_ERROR, no
// proof), and the caller's transport resends it on the same connection.
func TestCallerTransportRetryDoesNotReplayCreateH2(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		n.Add(1)
		panic(http.ErrAbortHandler) // RST_STREAM
	}))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	base := srv.Client().Transport.(*http.Transport).Clone()
	base.ForceAttemptHTTP2 = true
	t.Cleanup(base.CloseIdleConnections)
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: retryingTransport{base}}), withRetries(3, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, int64(1), n.Load(), "the create reached the server once")
}

// TestCallerTransportOwnRequestIsNotAResend: a caller's transport that
// makes a request of its own with the create's context before sending it
// (a token fetch to the same server) is not taken for a resend: the create
// goes out once and succeeds.
func TestCallerTransportOwnRequestIsNotAResend(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			jsonStatus(w, 200, `{"token":"x"}`)
			return
		}
		jsonStatus(w, 201, `{"id":1}`)
	})
	base := NewDefaultTransport()
	t.Cleanup(base.CloseIdleConnections)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		tok, err := http.NewRequestWithContext(r.Context(), http.MethodGet, srv.URL+"/token", nil)
		if err != nil {
			return nil, err
		}
		resp, err := base.RoundTrip(tok)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return base.RoundTrip(r)
	})
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Transport: rt}))
	resp, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.NoError(t, err)
	assert.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, 2, srv.count(), "the token fetch and the create, once")
}
