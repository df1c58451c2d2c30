package zenvia_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// eventBody is a distinct prospect event.
func eventBody(i int) string {
	return fmt.Sprintf(`{"id":"65f3a1b2c3d4e5f6a7b8c%03d","status":"new","phones":["+5551987654321"],"leads":[{"type":"retail","utmSource":"google"}]}`, i)
}

// refusedAfterShutdown waits until a delivery is refused with 503. It
// probes with a body that is not JSON: 400 while the handler accepts, 503
// once Shutdown began (checked first), and fn never runs on it.
func refusedAfterShutdown(t *testing.T, url string) bool {
	return assert.Eventually(t, func() bool {
		return deliverTo(t, url, "not json").StatusCode == http.StatusServiceUnavailable
	}, 5*time.Second, time.Millisecond, "a delivery after Shutdown began is refused, to be delivered again")
}

func deliverTo(t *testing.T, url string, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url+"/?secret=k", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// TestWebhookShutdownDrainsAcknowledged is issue 23, item 10: in
// asynchronous mode the handler answered 200 before fn ran and held the
// events only in memory, so a graceful shutdown lost every event
// acknowledged and not yet handled (5 of 5). Shutdown stops accepting (503
// with Retry-After: Zenvia delivers again later) and runs fn on every
// acknowledged event before it returns.
func TestWebhookShutdownDrainsAcknowledged(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	var mu sync.Mutex
	var handled []string
	h := zenvia.NewWebhookHandler("k", func(_ context.Context, ev zenvia.Event) error {
		<-gate
		mu.Lock()
		handled = append(handled, ev.Prospect.ID)
		mu.Unlock()
		return nil
	}, zenvia.WithHandlerAsync(10))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for i := range 5 {
		assert.Equal(t, http.StatusOK, deliverTo(t, srv.URL, eventBody(i)).StatusCode, "acknowledged")
	}
	shut := make(chan error, 1)
	go func() { shut <- h.Shutdown(context.Background()) }()
	require.True(t, refusedAfterShutdown(t, srv.URL))
	resp := deliverTo(t, srv.URL, eventBody(98))
	assert.Equal(t, "30", resp.Header.Get("Retry-After"))
	close(gate)
	require.NoError(t, <-shut)
	mu.Lock()
	assert.Len(t, handled, 5, "every acknowledged event was handled before Shutdown returned")
	mu.Unlock()
	require.NoError(t, h.Shutdown(context.Background()), "a second call reports nothing new")
}

// TestWebhookShutdownReportsUnhandled: when ctx ends first, or fn fails
// during the drain, Shutdown hands back every acknowledged event it could
// not see handled: the one fn is still running on, those never run, those
// fn failed on. The worker starts nothing after ctx ended.
func TestWebhookShutdownReportsUnhandled(t *testing.T) {
	t.Parallel()
	t.Run("ctx ends first", func(t *testing.T) {
		t.Parallel()
		gate := make(chan struct{})
		defer close(gate)
		var runs atomic.Int32
		h := zenvia.NewWebhookHandler("k", func(context.Context, zenvia.Event) error {
			runs.Add(1)
			<-gate
			return nil
		}, zenvia.WithHandlerAsync(10))
		srv := httptest.NewServer(h)
		defer srv.Close()
		for i := range 5 {
			require.Equal(t, http.StatusOK, deliverTo(t, srv.URL, eventBody(i)).StatusCode)
		}
		require.Eventually(t, func() bool { return runs.Load() == 1 }, 5*time.Second, time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := h.Shutdown(ctx)
		var u *zenvia.UnhandledError
		require.ErrorAs(t, err, &u)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Len(t, u.Running, 1)
		assert.Len(t, u.Queued, 4)
		assert.Empty(t, u.Failed)
		assert.Contains(t, err.Error(), "5 acknowledged events not handled")
	})
	t.Run("fn fails during the drain", func(t *testing.T) {
		t.Parallel()
		gate := make(chan struct{})
		h := zenvia.NewWebhookHandler("k", func(_ context.Context, ev zenvia.Event) error {
			<-gate
			if strings.HasSuffix(ev.Prospect.ID, "002") {
				return errors.New("database down")
			}
			return nil
		}, zenvia.WithHandlerAsync(10))
		srv := httptest.NewServer(h)
		defer srv.Close()
		for i := range 5 {
			require.Equal(t, http.StatusOK, deliverTo(t, srv.URL, eventBody(i)).StatusCode)
		}
		shut := make(chan error, 1)
		go func() { shut <- h.Shutdown(context.Background()) }()
		require.True(t, refusedAfterShutdown(t, srv.URL))
		close(gate)
		err := <-shut
		var u *zenvia.UnhandledError
		require.ErrorAs(t, err, &u)
		require.Len(t, u.Failed, 1)
		assert.True(t, strings.HasSuffix(u.Failed[0].Prospect.ID, "002"))
		assert.Empty(t, u.Queued)
		assert.Empty(t, u.Running)
		assert.NoError(t, u.Err)
	})
}

// TestWebhookShutdownSynchronous: in the default mode Shutdown refuses new
// deliveries and waits for the fn calls in flight.
func TestWebhookShutdownSynchronous(t *testing.T) {
	t.Parallel()
	started, gate := make(chan struct{}), make(chan struct{})
	var handled atomic.Int32
	h := zenvia.NewWebhookHandler("k", func(context.Context, zenvia.Event) error {
		close(started)
		<-gate
		handled.Add(1)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	first := make(chan int, 1)
	go func() { first <- deliverTo(t, srv.URL, eventBody(1)).StatusCode }()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- h.Shutdown(context.Background()) }()
	require.True(t, refusedAfterShutdown(t, srv.URL))
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned while fn ran: %v", err)
	default:
	}
	close(gate)
	assert.Equal(t, http.StatusOK, <-first)
	require.NoError(t, <-shut)
	assert.EqualValues(t, 1, handled.Load())
}
