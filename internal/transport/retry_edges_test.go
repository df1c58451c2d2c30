package transport

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestRetryWaitZeroMinimum is issue 13, item 14: WithRetryWait(0, max)
// turned backoff off (11 attempts in 4 ms). A zero minimum is refused with
// an error naming the option, and the backoff itself never waits zero.
func TestRetryWaitZeroMinimum(t *testing.T) {
	t.Parallel()
	var s Settings
	err := WithRetryWait[struct{}](0, time.Second)(&s, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.Contains(t, err.Error(), "RetryWait")
	require.NoError(t, WithRetryWait[struct{}](time.Millisecond, time.Second)(&s, nil))

	// Even a zero minimum reaching backoff (a Settings built by hand)
	// grows: the ceilings of ten attempts add up to far more than zero.
	var ceilings time.Duration
	for attempt := range 10 {
		var most time.Duration
		for range 200 {
			most = max(most, backoff(0, time.Second, attempt, nil))
		}
		ceilings += most
	}
	assert.Greater(t, ceilings, 200*time.Millisecond)
}

// TestDeleteAfterForwarded502 is issue 13, item 15: a proxy forwarded the
// DELETE, the object was deleted, and the proxy answered 502; the retry met
// 404. A retried DELETE that finds nothing has done its job.
func TestDeleteAfterForwarded502(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			jsonStatus(w, 502, `{"error":"bad gateway"}`) // deleted behind the proxy
			return
		}
		jsonStatus(w, 404, `{"error":"not found"}`)
	})
	c := newClient(t, srv.URL)
	resp, err := c.Do(context.Background(), &Request{Method: http.MethodDelete, Path: []string{"prospect", "1"}})
	require.NoError(t, err)
	assert.True(t, resp.Gone)
	assert.Equal(t, 2, srv.count())

	// A DELETE that finds nothing the first time is still "not found", and
	// so is one whose earlier attempt provably did not reach the server.
	nf := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 404, `{"error":"not found"}`) })
	_, err = newClient(t, nf.URL).Do(context.Background(), &Request{Method: http.MethodDelete, Path: []string{"prospect", "1"}})
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	busy := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			jsonStatus(w, 503, `{"error":"later"}`)
			return
		}
		jsonStatus(w, 404, `{"error":"not found"}`)
	})
	_, err = newClient(t, busy.URL).Do(context.Background(), &Request{Method: http.MethodDelete, Path: []string{"prospect", "1"}})
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus, "a 503 says the first DELETE was not processed")
}
