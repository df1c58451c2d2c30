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

// pausedCtx is the context a process resumed from a pause (SIGSTOP, a VM
// or GC pause) sees for a moment: its deadline has passed, but the
// runtime's timer has not cancelled it yet (Err is nil, Done is open).
type pausedCtx struct {
	context.Context
	deadline time.Time
}

func (c pausedCtx) Deadline() (time.Time, bool) { return c.deadline, true }

// TestNoAttemptPastTheDeadline: an attempt is never started once the
// call's deadline has passed, even when the context is not cancelled yet:
// not the first, and not the retry after a 429's wait. A create stopped
// that way was positively not sent (no ErrOutcomeUnknown). Red without the
// check in attemptTransport: the server counted 1 request in the first case
// and 2 in the second.
func TestNoAttemptPastTheDeadline(t *testing.T) {
	t.Parallel()
	t.Run("first attempt", func(t *testing.T) {
		t.Parallel()
		ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
		c := newClient(t, ts.URL)
		ctx := pausedCtx{bg, time.Now().Add(-time.Millisecond)}
		_, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: []string{"x"}, Create: true})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "nothing was sent")
		assert.Zero(t, ts.count())
	})
	t.Run("retry after a 429 wait", func(t *testing.T) {
		t.Parallel()
		ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "1")
			jsonStatus(w, 429, `{"error":"slow down"}`)
		})
		c := newClient(t, ts.URL, withRetries(3, time.Millisecond, 5*time.Second))
		// The deadline passes during the 1 s wait; the context is never
		// cancelled (as if the process was paused through the deadline).
		ctx := pausedCtx{bg, time.Now().Add(300 * time.Millisecond)}
		_, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: []string{"x"}, Create: true})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "the server answered 429, and no retry was sent")
		assert.Equal(t, 1, ts.count())
	})
}
