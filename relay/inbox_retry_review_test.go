package relay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
)

// TestInboxRetryBadInput: an inbox name or an event id that cannot be one
// is refused with an error naming its field, on both databases (not an
// unknown event, an empty list or a database error quoting the input).
func TestInboxRetryBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		r := open(t, b)
		_, err := r.ZenviaInbox("zenvia", inboxSecret, func(context.Context, any, relay.InboxEvent) error { return nil })
		require.NoError(t, err)
		wellFormed := strings.Repeat("0", 64)
		for _, name := range []string{"", "Zenvia", strings.Repeat("a", 64), strings.Repeat("a", 1<<20), "a\x00b", "\xff"} {
			_, err := r.FailedInboxEvents(ctx, name, 0)
			requireInvalid(t, err, "name")
			requireInvalid(t, r.RetryInboxEvent(ctx, name, wellFormed), "name")
			_, err = r.InboxStats(ctx, name)
			requireInvalid(t, err, "name")
		}
		for _, id := range []string{"no-such-event", "\xff", "a\x00b", strings.Repeat("a", 1<<20), strings.Repeat("A", 64), strings.Repeat("0", 63)} {
			err := r.RetryInboxEvent(ctx, "zenvia", id)
			requireInvalid(t, err, "id")
			assert.Less(t, len(err.Error()), 300, "the error does not quote a huge id")
		}
		require.ErrorIs(t, r.RetryInboxEvent(ctx, "zenvia", wellFormed), relay.ErrUnknownEvent)
	})
}

// TestInboxRetryPanickedEvent: an event whose function panicked on every
// attempt (its failure never recorded: the row stays pending, its River
// job discarded) is listed by FailedInboxEvents, and once retried is
// handled once.
func TestInboxRetryPanickedEvent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		sb := startSandboxes(t, nil)
		r := open(t, b, relay.WithRetries(2, 10*time.Millisecond))
		var broken atomic.Bool
		broken.Store(true)
		var handled counter
		inbox, err := r.ZenviaInbox("zenvia", inboxSecret, func(ctx context.Context, tx any, ev relay.InboxEvent) error {
			if broken.Load() {
				panic("the CRM client panicked")
			}
			handled.add(ev.ID)
			return nil
		})
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		inbox.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?secret="+inboxSecret+"&topic=prospects",
			strings.NewReader(`{"id":"p-1","leads":[],"phones":[],"email":"a@example.com"}`)))
		require.Equal(t, http.StatusOK, rec.Code)
		// Pending with its job waiting: not failed.
		none, err := r.FailedInboxEvents(ctx, "zenvia", 0)
		require.NoError(t, err)
		require.Empty(t, none)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))

		var failed []relay.FailedEvent
		require.Eventually(t, func() bool {
			failed, err = r.FailedInboxEvents(ctx, "zenvia", 0)
			return err == nil && len(failed) == 1
		}, 15*time.Second, 20*time.Millisecond, "the event whose function panicked on its last attempt is not listed")

		broken.Store(false)
		require.NoError(t, r.RetryInboxEvent(ctx, "zenvia", failed[0].ID))
		require.Eventually(t, func() bool {
			s, err := r.InboxStats(ctx, "zenvia")
			return err == nil && s.Handled == 1
		}, 15*time.Second, 20*time.Millisecond)
		distinct, twice := handled.check()
		assert.Equal(t, 1, distinct)
		assert.Empty(t, twice)
		left, err := r.FailedInboxEvents(ctx, "zenvia", 0)
		require.NoError(t, err)
		assert.Empty(t, left)
	})
}

// TestInboxRetryClosedWhileWaiting: a retry waiting for the event's job to
// end (a process that crashed mid-attempt leaves it 'running' until River
// rescues it) answers ErrClosed once the relay is closed, not the closed
// database's error.
func TestInboxRetryClosedWhileWaiting(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		r := open(t, b)
		inbox, err := r.ZenviaInbox("zenvia", inboxSecret, func(context.Context, any, relay.InboxEvent) error { return nil })
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		inbox.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?secret="+inboxSecret+"&topic=prospects",
			strings.NewReader(`{"id":"p-1","leads":[],"phones":[],"email":"a@example.com"}`)))
		require.Equal(t, http.StatusOK, rec.Code)
		runSQL(t, b, `UPDATE `+table(b, "river_job")+` SET state = 'running', attempt = 1, attempted_at = CURRENT_TIMESTAMP WHERE kind = 'leadkit_relay_inbox'`)
		ids := eventIDs(t, r, b)
		require.Len(t, ids, 1)

		done := make(chan error, 1)
		go func() { done <- r.RetryInboxEvent(ctx, "zenvia", ids[0]) }()
		time.Sleep(300 * time.Millisecond)
		require.NoError(t, closeRelay(r))
		select {
		case err := <-done:
			require.ErrorIs(t, err, relay.ErrClosed)
		case <-time.After(15 * time.Second):
			t.Fatal("RetryInboxEvent did not return")
		}
	})
}
