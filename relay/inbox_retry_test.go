package relay_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/zenvia"
)

// TestInboxRetryFailedEvent: events whose function failed on every
// attempt are listed as failed and, once retried, handled once each; two
// retries at once queue one job; a handled, a live pending and an unknown
// event are refused; a pending event whose River job ended (its failure
// never recorded) is retried like a failed one.
func TestInboxRetryFailedEvent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		sb := startSandboxes(t, nil)
		r := open(t, b, relay.WithRetries(2, 10*time.Millisecond))
		var broken atomic.Bool
		broken.Store(true)
		var handled counter
		inbox, err := r.ZenviaInbox("zenvia", inboxSecret, func(ctx context.Context, tx any, ev relay.InboxEvent) error {
			if broken.Load() {
				return errors.New("the CRM is down")
			}
			handled.add(ev.ID)
			return nil
		})
		require.NoError(t, err)
		srv := httptest.NewServer(inbox)
		t.Cleanup(srv.Close)
		vc, err := zenvia.NewClient(sbZenviaKey, zenvia.WithBaseURL(sb.urls["zenvia"]))
		require.NoError(t, err)
		_, err = vc.Notifications.Create(ctx, []string{zenvia.TopicProspects}, srv.URL+"/zenvia?secret="+inboxSecret)
		require.NoError(t, err)

		// Before Start: an event committed, its job waiting (pending, live).
		sb.zenvia.Burst(1)
		sb.zenvia.WaitDeliveries()
		waiting := sb.zenvia.Events()[0].ID
		var pendingID string
		require.Eventually(t, func() bool {
			s, err := r.InboxStats(ctx, "zenvia")
			return err == nil && s.Pending == 1
		}, 10*time.Second, 10*time.Millisecond, waiting)
		for _, id := range eventIDs(t, r, b) {
			pendingID = id
		}
		require.ErrorIs(t, r.RetryInboxEvent(ctx, "zenvia", pendingID), relay.ErrConflict)

		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		sb.zenvia.Burst(2)
		sb.zenvia.WaitDeliveries()
		require.Eventually(t, func() bool {
			s, err := r.InboxStats(ctx, "zenvia")
			return err == nil && s.Failed == 3
		}, 30*time.Second, 20*time.Millisecond)

		failed, err := r.FailedInboxEvents(ctx, "zenvia", 0)
		require.NoError(t, err)
		require.Len(t, failed, 3)
		for _, ev := range failed {
			assert.Equal(t, "zenvia", ev.Inbox)
			assert.Equal(t, zenvia.TopicProspects, ev.Topic)
			assert.Equal(t, 2, ev.Attempts, ev.ID)
			assert.Contains(t, ev.LastError, "the CRM is down")
			assert.False(t, ev.ReceivedAt.IsZero())
		}
		one, err := r.FailedInboxEvents(ctx, "zenvia", 1)
		require.NoError(t, err)
		require.Len(t, one, 1)
		assert.Equal(t, failed[0].ID, one[0].ID, "oldest first")

		// Bad input names its field; unknown events and inboxes are told.
		_, err = r.FailedInboxEvents(ctx, "zenvia", -1)
		requireInvalid(t, err, "limit")
		_, err = r.FailedInboxEvents(ctx, "zenvia", 1001)
		requireInvalid(t, err, "limit")
		requireInvalid(t, r.RetryInboxEvent(ctx, "zenvia", ""), "id")
		require.ErrorIs(t, r.RetryInboxEvent(ctx, "zenvia", strings.Repeat("0", 64)), relay.ErrUnknownEvent)
		require.ErrorIs(t, r.RetryInboxEvent(ctx, "other", failed[0].ID), relay.ErrUnknownEvent)

		// The last event's failure was never recorded: pending, its job ended.
		stranded := failed[2].ID
		runSQL(t, b, `UPDATE `+table(b, "leadkit_relay_inbox")+` SET state = 'pending' WHERE id = '`+stranded+`'`)

		broken.Store(false)
		// Two retries at once of one event: one job, the other refused.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { errs[i] = r.RetryInboxEvent(ctx, "zenvia", failed[0].ID) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				require.ErrorIs(t, err, relay.ErrConflict)
			}
		}
		assert.Equal(t, 1, ok, "%v", errs)
		require.NoError(t, r.RetryInboxEvent(ctx, "zenvia", failed[1].ID))
		require.NoError(t, r.RetryInboxEvent(ctx, "zenvia", stranded))

		require.Eventually(t, func() bool {
			s, err := r.InboxStats(ctx, "zenvia")
			return err == nil && s.Handled == 3
		}, 30*time.Second, 20*time.Millisecond)
		s, err := r.InboxStats(ctx, "zenvia")
		require.NoError(t, err)
		assert.Equal(t, relay.InboxStats{Handled: 3}, s)
		distinct, twice := handled.check()
		assert.Equal(t, 3, distinct)
		assert.Empty(t, twice)
		left, err := r.FailedInboxEvents(ctx, "zenvia", 0)
		require.NoError(t, err)
		assert.Empty(t, left)
		require.ErrorIs(t, r.RetryInboxEvent(ctx, "zenvia", failed[0].ID), relay.ErrConflict, "handled")

		require.NoError(t, closeRelay(r))
		require.ErrorIs(t, r.RetryInboxEvent(ctx, "zenvia", failed[0].ID), relay.ErrClosed)
		_, err = r.FailedInboxEvents(ctx, "zenvia", 0)
		require.ErrorIs(t, err, relay.ErrClosed)
	})
}

// eventIDs reads the ids of the inbox's events from its table.
func eventIDs(t *testing.T, r *relay.Relay[any], b backend) []string {
	t.Helper()
	var ids []string
	queryIDs(t, b, `SELECT id FROM `+table(b, "leadkit_relay_inbox"), func(id string) { ids = append(ids, id) })
	return ids
}

// table is the name of the relay's table name in b's database.
func table(b backend, name string) string {
	if b.schema == "" {
		return name
	}
	return `"` + b.schema + `".` + name
}

// queryIDs runs q (one text column) on b's database, on a connection of
// its own, calling each with every value.
func queryIDs(t *testing.T, b backend, q string, each func(string)) {
	t.Helper()
	ctx := context.Background()
	var rows interface {
		Next() bool
		Scan(...any) error
		Err() error
	}
	if b.schema == "" {
		db, err := sql.Open("sqlite", "file:"+escapePath(strings.TrimPrefix(b.dsn, "sqlite://")))
		require.NoError(t, err)
		defer db.Close()
		rs, err := db.QueryContext(ctx, q)
		require.NoError(t, err)
		defer rs.Close()
		rows = rs
	} else {
		conn, err := pgx.Connect(ctx, b.dsn)
		require.NoError(t, err)
		defer conn.Close(ctx)
		rs, err := conn.Query(ctx, q)
		require.NoError(t, err)
		defer rs.Close()
		rows = rs
	}
	for rows.Next() {
		var v string
		require.NoError(t, rows.Scan(&v))
		each(v)
	}
	require.NoError(t, rows.Err())
}

// requireInvalid requires an input error naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, field, ie.Field, err.Error())
}
