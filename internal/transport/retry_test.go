package transport

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"

	"github.com/leadkit/leadkit/internal/testutil"
)

type fault struct {
	name string
	// serve answers the first request badly.
	serve func(t *testing.T, w http.ResponseWriter)
}

var matrixFaults = []fault{
	{"reset after request", func(t *testing.T, w http.ResponseWriter) { resetConn(t, w) }},
	{"reset mid-body", func(t *testing.T, w http.ResponseWriter) { halfBody(t, w, okBody) }},
	{"500", func(_ *testing.T, w http.ResponseWriter) { jsonStatus(w, 500, `{"error":"boom"}`) }},
	{"502", func(_ *testing.T, w http.ResponseWriter) { jsonStatus(w, 502, `{"error":"bad gateway"}`) }},
	{"504", func(_ *testing.T, w http.ResponseWriter) { jsonStatus(w, 504, `{"error":"gateway timeout"}`) }},
	{"503 Retry-After seconds", func(_ *testing.T, w http.ResponseWriter) {
		w.Header().Set("Retry-After", "1")
		jsonStatus(w, 503, `{"error":"later"}`)
	}},
	{"429 Retry-After date", func(_ *testing.T, w http.ResponseWriter) {
		w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
		jsonStatus(w, 429, `{"error":"slow down"}`)
	}},
}

const okBody = `{"ok":true,"id":42,"name":"Lead de teste com um nome comprido"}`

func jsonStatus(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

type call struct {
	name   string
	method string
	create bool
}

var matrixCalls = []call{
	{"GET", http.MethodGet, false},
	{"PUT", http.MethodPut, false},
	{"POST", http.MethodPost, false},
	{"PUT create", http.MethodPut, true},
}

// outcome is what the matrix expects: how many requests the server saw and
// how the call ended.
type outcome struct {
	count   int
	ok      bool
	unknown bool // errors.Is(err, leadkit.ErrOutcomeUnknown)
	status  int  // for an HTTP error
}

func expected(f string, c call) outcome {
	idem := !c.create && c.method != http.MethodPost
	switch f {
	case "reset after request", "reset mid-body", "502", "504":
		if idem {
			return outcome{count: 2, ok: true}
		}
		st := 0
		if f == "502" {
			st = 502
		} else if f == "504" {
			st = 504
		}
		return outcome{count: 1, unknown: true, status: st}
	case "500":
		if c.method == http.MethodGet {
			return outcome{count: 2, ok: true}
		}
		// A create answered 500 may have been stored before the server
		// failed (issue 15: SalesMan v1 did exactly that): unknown.
		return outcome{count: 1, status: 500, unknown: !idem}
	case "503 Retry-After seconds", "429 Retry-After date":
		// The server said it did not process the request: every method is
		// sent again, creates included.
		return outcome{count: 2, ok: true}
	}
	panic(f)
}

// TestRetryMatrix sends GET, PUT, POST and PUT-as-create against servers
// that fail the first request in each way, and checks how many requests
// reached the server and how the call ended.
func TestRetryMatrix(t *testing.T) {
	t.Parallel()
	for _, f := range matrixFaults {
		for _, cl := range matrixCalls {
			t.Run(f.name+"/"+cl.name, func(t *testing.T) {
				t.Parallel()
				ts := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
					if n == 1 {
						f.serve(t, w)
						return
					}
					jsonStatus(w, 200, okBody)
				})
				hc, _ := newCountingClient(t)
				c := newClient(t, ts.URL, withHTTPClient(hc), withRetries(3, time.Millisecond, 3*time.Second))
				start := time.Now()
				resp, err := c.Do(bg, &Request{Method: cl.method, Path: []string{"leads"}, JSON: map[string]string{"name": "Ana"}, Create: cl.create})
				elapsed := time.Since(start)
				want := expected(f.name, cl)
				assert.Equal(t, want.count, ts.count(), "requests that reached the server")
				if want.ok {
					require.NoError(t, err)
					assert.Equal(t, 200, resp.StatusCode)
					assert.JSONEq(t, okBody, string(resp.Body))
					assert.Equal(t, 2, resp.Attempts)
					if strings.Contains(f.name, "Retry-After") {
						// Retry-After was honoured, not replaced by the
						// millisecond backoff.
						assert.Greater(t, elapsed, 200*time.Millisecond)
					}
					return
				}
				require.Error(t, err)
				assert.Equal(t, want.unknown, errors.Is(err, leadkit.ErrOutcomeUnknown), "outcome unknown: %v", err)
				if want.unknown {
					var ou *OutcomeUnknownError
					require.ErrorAs(t, err, &ou)
					assert.Equal(t, cl.method, ou.Method)
				}
				if want.status != 0 {
					require.NotNil(t, resp, "an HTTP error keeps its response")
					assert.Equal(t, want.status, resp.StatusCode)
					assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
					var re *leadkit.ResponseError
					require.ErrorAs(t, err, &re)
					assert.Equal(t, want.status, re.StatusCode)
					assert.Contains(t, re.Body, "error", "the vendor's body reaches the caller")
				}
			})
		}
	}
}

// TestConnectionRefused: nothing listens, so every method, creates
// included, is retried (the request provably never left) and the error is
// not "outcome unknown".
func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	for _, cl := range matrixCalls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			addr := testutil.ClosedPort(t)
			hc, ct := newCountingClient(t)
			c := newClient(t, "http://"+addr, withHTTPClient(hc))
			resp, err := c.Do(bg, &Request{Method: cl.method, Path: []string{"leads"}, JSON: map[string]int{"a": 1}, Create: cl.create})
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.Equal(t, int64(4), ct.trips.Load(), "1 try + 3 retries")
			assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown)
			var ce *CallError
			require.ErrorAs(t, err, &ce)
			var op *net.OpError
			assert.ErrorAs(t, err, &op, "the net error stays reachable")
			assert.Zero(t, ct.idleClose.Load(), "the caller's pool is not closed on giving up")
		})
	}
}

// TestConnectionRefusedThenServer: the first dial is refused (a real
// ECONNREFUSED from a closed port), the second reaches the server; a create
// arrives exactly once.
func TestConnectionRefusedThenServer(t *testing.T) {
	t.Parallel()
	for _, cl := range matrixCalls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 201, okBody) })
			dead := testutil.ClosedPort(t)
			var dials atomic.Int64
			tr := NewDefaultTransport()
			t.Cleanup(tr.CloseIdleConnections)
			d := &net.Dialer{}
			tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				if dials.Add(1) == 1 {
					return d.DialContext(ctx, network, dead)
				}
				return d.DialContext(ctx, network, addr)
			}
			c := newClient(t, ts.URL, withHTTPClient(&http.Client{Transport: tr}))
			resp, err := c.Do(bg, &Request{Method: cl.method, Path: []string{"leads"}, JSON: map[string]int{"a": 1}, Create: cl.create})
			require.NoError(t, err)
			assert.Equal(t, 201, resp.StatusCode)
			assert.Equal(t, 2, resp.Attempts)
			assert.Equal(t, 1, ts.count())
			assert.Equal(t, int64(2), dials.Load())
		})
	}
}

// TestRetriesExhaustedKeepBody: after the last retry of a 503, the vendor's
// error body still reaches the caller (go-retryablehttp's give-up path
// would otherwise lose it), and the caller's pool is left alone.
func TestRetriesExhaustedKeepBody(t *testing.T) {
	t.Parallel()
	for _, cl := range matrixCalls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "0") // the server's own "not processed" (a bare 503 is no proof for a create)
				jsonStatus(w, 503, `{"error":"maintenance","code":77}`)
			})
			hc, ct := newCountingClient(t)
			c := newClient(t, ts.URL, withHTTPClient(hc), withRetries(2, time.Millisecond, 2*time.Millisecond))
			resp, err := c.Do(bg, &Request{Method: cl.method, Path: []string{"x"}, Create: cl.create})
			require.Error(t, err)
			assert.Equal(t, 3, ts.count())
			require.NotNil(t, resp)
			assert.Equal(t, 3, resp.Attempts)
			assert.JSONEq(t, `{"error":"maintenance","code":77}`, string(resp.Body))
			var re *leadkit.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, re.Body, "maintenance")
			assert.Contains(t, err.Error(), "maintenance")
			assert.Equal(t, int64(3), ct.trips.Load(), "the caller's transport carried every attempt")
			assert.Zero(t, ct.idleClose.Load(), "the caller's pool is not closed on giving up")
			assert.Equal(t, int64(1), ts.conns.Load(), "one kept-alive connection for every attempt")
		})
	}
}

// TestRetryAfterCap: a Retry-After beyond the maximum wait never makes the
// client wait for it. Since d3c9336 the core does not retry at all then: the
// caller gets the answer at once, with the server's Retry-After.
func TestRetryAfterCap(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 503} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "3600")
				jsonStatus(w, status, `{"error":"later"}`)
			})
			c := newClient(t, ts.URL, withRetries(3, time.Millisecond, 50*time.Millisecond))
			start := time.Now()
			resp, err := c.Do(bg, &Request{Path: []string{"x"}})
			require.Error(t, err)
			assert.Less(t, time.Since(start), 2*time.Second, "did not wait an hour")
			assert.LessOrEqual(t, ts.count(), 4)
			assert.Equal(t, status, resp.StatusCode)
			if status == 429 {
				var rl *leadkit.RateLimitError
				require.ErrorAs(t, err, &rl)
				assert.Equal(t, time.Hour, rl.RetryAfter)
				assert.False(t, rl.ClientSide)
				assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	resp := func(status int, ra string) *http.Response {
		h := http.Header{}
		if ra != "" {
			h.Set("Retry-After", ra)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	// Retry-After is honoured on 429 and 503, capped at the maximum.
	assert.Equal(t, 2*time.Second, backoff(time.Millisecond, time.Minute, 0, resp(429, "2")))
	assert.Equal(t, 50*time.Millisecond, backoff(time.Millisecond, 50*time.Millisecond, 0, resp(503, "3600")))
	assert.Equal(t, 50*time.Millisecond, backoff(time.Millisecond, 50*time.Millisecond, 0,
		resp(429, time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))))
	// A past date means now.
	assert.Equal(t, time.Duration(0), backoff(time.Millisecond, time.Minute, 0,
		resp(503, time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat))))
	// Not on other statuses, and full jitter within min*2^attempt, capped.
	for attempt := range 8 {
		for range 50 {
			d := backoff(10*time.Millisecond, 300*time.Millisecond, attempt, resp(500, "3600"))
			ceil := min(10*time.Millisecond<<attempt, 300*time.Millisecond)
			assert.GreaterOrEqual(t, d, time.Duration(0))
			assert.LessOrEqual(t, d, ceil)
		}
	}
	assert.Equal(t, time.Duration(0), backoff(0, 0, 3, nil))
	// Full jitter: not always the ceiling.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[backoff(time.Second, time.Minute, 3, nil)] = true
	}
	assert.Greater(t, len(seen), 10)
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{" 120 ", 2 * time.Minute, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999", 365 * 24 * time.Hour, true},
		{"Sun, 01 Mar 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sunday, 01-Mar-26 12:01:00 GMT", time.Minute, true},
		{"Sun Mar  1 12:00:10 2026", 10 * time.Second, true},
		{"Sun, 01 Mar 2026 11:00:00 GMT", 0, true},
	} {
		got, ok := ParseRetryAfter(tc.in, now)
		assert.Equal(t, tc.ok, ok, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

// TestCancelDuringBackoff: cancelling the context while the client waits
// for a retry ends the call within 50 ms with ctx.Err wrapped.
func TestCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	for _, cl := range matrixCalls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "10")
				jsonStatus(w, 503, `{"error":"later"}`)
			})
			hc, ct := newCountingClient(t)
			c := newClient(t, ts.URL, withHTTPClient(hc), withRetries(3, time.Millisecond, time.Minute))
			ctx, cancel := context.WithCancel(bg)
			var cancelled atomic.Int64
			go func() {
				for ts.count() == 0 {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(20 * time.Millisecond) // the client is in its 10 s wait now
				cancelled.Store(time.Now().UnixNano())
				cancel()
			}()
			resp, err := c.Do(ctx, &Request{Method: cl.method, Path: []string{"x"}, Create: cl.create})
			took := time.Duration(time.Now().UnixNano() - cancelled.Load())
			require.Error(t, err)
			assert.Nil(t, resp)
			assert.ErrorIs(t, err, context.Canceled)
			assert.Less(t, took, 50*time.Millisecond)
			assert.Equal(t, 1, ts.count())
			assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "the server answered 503: nothing was processed")
			assert.Zero(t, ct.idleClose.Load(), "the caller's pool is not closed on cancellation")
		})
	}
}

// TestCancelDuringRequest: a create cancelled while the server holds it is
// "outcome unknown"; a GET is just cancelled.
func TestCancelDuringRequest(t *testing.T) {
	t.Parallel()
	for _, cl := range matrixCalls {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			ts := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-release:
				}
			})
			defer close(release)
			c := newClient(t, ts.URL)
			ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
			defer cancel()
			_, err := c.Do(ctx, &Request{Method: cl.method, Path: []string{"x"}, Create: cl.create})
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			idem := !cl.create && cl.method != http.MethodPost
			assert.Equal(t, !idem, errors.Is(err, leadkit.ErrOutcomeUnknown))
			assert.Equal(t, 1, ts.count())
		})
	}
}

// TestNoRetriesOption: MaxRetries 0 sends once.
func TestNoRetriesOption(t *testing.T) {
	t.Parallel()
	ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 503, `{}`) })
	c := newClient(t, ts.URL, withRetries(0, 0, 0))
	_, err := c.Do(bg, &Request{})
	require.Error(t, err)
	assert.Equal(t, 1, ts.count())
}

// TestTransportWithoutResponseRequest: a caller's RoundTripper that leaves
// Response.Request nil (http.Client does not fill it in) must not crash the
// retry policy.
func TestTransportWithoutResponseRequest(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	rt := roundTripFunc(func(*http.Request) (*http.Response, error) {
		n.Add(1)
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: http.NoBody}, nil
	})
	c := newClient(t, "http://api.test", withHTTPClient(&http.Client{Transport: rt}))
	resp, err := c.Do(bg, &Request{})
	require.Error(t, err)
	assert.Equal(t, 500, resp.StatusCode)
	assert.Equal(t, int64(4), n.Load(), "a GET answered 500 is retried")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
