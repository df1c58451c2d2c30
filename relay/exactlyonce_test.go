package relay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
)

// oldLayoutQueued turns b's database, where one SalesMan lead is queued, into
// what a relay before versioned migrations left: the delivery table of the
// first layout (no job column: the lead was only in River's job args) and no
// migration table. It returns the lead's job as River's args held it.
func oldLayoutQueued(t *testing.T, b backend, job string) {
	t.Helper()
	args := `'` + strings.ReplaceAll(job, `'`, `''`) + `'::jsonb`
	if b.schema == "" {
		args = `jsonb('` + strings.ReplaceAll(job, `'`, `''`) + `')`
	}
	stmts := []string{
		`UPDATE river_job SET args = ` + args + ` WHERE kind = 'leadkit_salesman_lead'`,
		`ALTER TABLE leadkit_relay_delivery RENAME TO leadkit_relay_delivery_new`,
		layoutNoJob,
		`INSERT INTO leadkit_relay_delivery (key, vendor, state, job_id, created_ms, updated_ms)
SELECT key, vendor, state, job_id, created_ms, updated_ms FROM leadkit_relay_delivery_new`,
		`DROP TABLE leadkit_relay_delivery_new`,
		`DROP TABLE leadkit_relay_migration`,
	}
	if b.schema != "" {
		stmts = append([]string{`SET search_path TO "` + b.schema + `"`}, stmts...)
	}
	runSQL(t, b, stmts...)
}

// TestOlderLayoutQueuedLeadDelivered: a lead queued by a relay of the first
// layout (the lead in River's job args only) is delivered once after the
// upgrade at Open, not failed for a lead "erased by retention". Red before:
// the upgraded row had an empty job, the worker read ErrErased and the
// delivery ended failed, never sent (and Resend met the same empty job).
func TestOlderLayoutQueuedLeadDelivered(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		r := open(t, b)
		key, err := r.Enqueue(ctx, salesmanLead(7))
		require.NoError(t, err)
		d, err := r.Status(ctx, key)
		require.NoError(t, err)
		require.NoError(t, closeRelay(r))
		oldLayoutQueued(t, b, string(d.Job))

		sb := startSandboxes(t, nil)
		r = open(t, b)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		waitFor(t, r, 30*time.Second, settled(1))
		got, err := r.Status(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, got.State, "last error: %s", got.LastError)
		assert.NotEmpty(t, got.Job, "the lead is kept in the delivery again")
		assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""), "sent once")
	})
}

// TestErasedDeliveredStaysDelivered: a process delivers a lead and records
// it, then dies before River records its job completed; retention (shorter
// than River's rescue) erases the delivered lead, whose River job is not
// finished and so is kept; River rescues the job and another process works
// it. The delivery stays delivered: the lead is not needed to see that.
// Red before: the worker read the erased lead first and recorded the
// delivered lead as failed ("erased by retention"), an EventFailed for a
// lead the vendor holds.
func TestErasedDeliveredStaysDelivered(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		sb := startSandboxes(t, nil)
		r := open(t, b)
		d := deliverOne(t, r, sb, salesmanLead(8))
		require.Equal(t, relay.StateDelivered, d.State)
		for !riverJobEnded(t, r, b.schema) { // River's completer is asynchronous
			time.Sleep(20 * time.Millisecond)
		}
		require.NoError(t, closeRelay(r))
		// The crash before River recorded the job's end: it is live again.
		r = open(t, b)
		execSQL(t, r, b.schema, `UPDATE river_job SET state = 'available', finalized_at = NULL WHERE kind = 'leadkit_salesman_lead'`)
		require.NoError(t, closeRelay(r))

		// Retention runs on a process that works no SalesMan job.
		r = open(t, b, relay.WithRetention(time.Second, 0), relay.WithSweepInterval(100*time.Millisecond))
		only := clientsFor(t, sb.urls, nil, nil)
		only.Salesman = nil
		require.NoError(t, r.Start(ctx, only))
		deadline := time.Now().Add(20 * time.Second)
		for {
			got, err := r.Status(ctx, d.Key)
			require.NoError(t, err)
			if len(got.Job) == 0 {
				break
			}
			require.True(t, time.Now().Before(deadline), "retention did not erase the lead")
			time.Sleep(50 * time.Millisecond)
		}
		require.NoError(t, closeRelay(r))

		r = open(t, b)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		deadline = time.Now().Add(20 * time.Second)
		for !riverJobEnded(t, r, b.schema) {
			require.True(t, time.Now().Before(deadline), "River did not work the job")
			time.Sleep(50 * time.Millisecond)
		}
		got, err := r.Status(ctx, d.Key)
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, got.State, "last error: %s", got.LastError)
		assert.Equal(t, d.VendorID, got.VendorID)
		assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""), "sent once")
	})
}

// riverJobEnded reports the SalesMan River job finished (or deleted).
func riverJobEnded(t *testing.T, r *relay.Relay[any], schema string) bool {
	t.Helper()
	ctx := context.Background()
	q := `SELECT count(*) FROM river_job WHERE kind = 'leadkit_salesman_lead' AND state NOT IN ('completed', 'cancelled', 'discarded')`
	var n int
	if p := r.Pool(); p != nil {
		require.NoError(t, p.QueryRow(ctx, strings.Replace(q, "river_job", `"`+schema+`".river_job`, 1)).Scan(&n))
	} else {
		require.NoError(t, r.DB().QueryRowContext(ctx, q).Scan(&n))
	}
	return n == 0
}

// TestResendOfStrandedDoubtLooksUpFirst: the lead reached SalesMan but its
// answer was lost (outcome unknown); while the delivery waits to reconcile,
// River's job is cancelled outside the relay (River UI), and Resend, which
// accepts a delivery River ended without it, is called before the sweep
// parked it for review: nobody was shown the doubt, so nobody proved the
// lead absent. The next attempt looks it up first and finds it. Red before:
// Resend cleared the doubt and the lead was sent again (two POSTs).
//
// The settle time is an hour while the job is cancelled, so River surely
// holds it snoozed (an earlier form used 8 s and, on a loaded CI machine, saw
// the job run again before it could cancel it); the relay is then reopened
// with a short settle, as an operator restarting it would, and Resend is
// called before Start so that Start's sweep finds a live job, not a
// stranded doubt.
func TestResendOfStrandedDoubtLooksUpFirst(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		sb := startSandboxes(t, nil)
		sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Drop: true, AfterVendor: true})
		r := open(t, b, relay.WithSweepInterval(time.Hour), relay.WithSettle(relay.VendorSalesman, time.Hour))
		key, err := r.Enqueue(ctx, salesmanLead(9))
		require.NoError(t, err)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		deadline := time.Now().Add(60 * time.Second)
		for {
			d, err := r.Status(ctx, key)
			require.NoError(t, err)
			if d.Attempts == 1 && d.LastError != "" {
				break
			}
			require.True(t, time.Now().Before(deadline), "no unknown outcome: %+v", d)
			time.Sleep(20 * time.Millisecond)
		}
		for !sweptOnce(t, r, b.schema) { // the sweep run at Start is over
			require.True(t, time.Now().Before(deadline), "the sweep did not run")
			time.Sleep(20 * time.Millisecond)
		}
		id := jobID(t, r, b.schema, key)
		for st := ""; st != "scheduled"; { // River records the snooze
			st = riverJobState(t, r, b.schema, id)
			require.True(t, time.Now().Before(deadline), "the job was not snoozed: %s", st)
			time.Sleep(20 * time.Millisecond)
		}
		riverClient(t, r, b.schema)(ctx, id, "cancel")
		require.NoError(t, closeRelay(r))

		r = open(t, b, relay.WithSweepInterval(time.Hour), relay.WithSettle(relay.VendorSalesman, 200*time.Millisecond))
		require.NoError(t, r.Resend(ctx, key))
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered+s.NeedsReview+s.Failed == 1 })
		d, err := r.Status(ctx, key)
		require.NoError(t, err)
		require.Equal(t, relay.StateDelivered, d.State, "review: %s; last error: %s", d.Review, d.LastError)
		assert.True(t, d.Reconciled, "found by its marker, not sent again")
		assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""), "the lead was sent once")
	})
}

// riverJobState is the state of River's job id.
func riverJobState(t *testing.T, r *relay.Relay[any], schema string, id int64) string {
	t.Helper()
	ctx := context.Background()
	var st string
	if p := r.Pool(); p != nil {
		require.NoError(t, p.QueryRow(ctx, `SELECT state FROM "`+schema+`".river_job WHERE id = $1`, id).Scan(&st))
	} else {
		require.NoError(t, r.DB().QueryRowContext(ctx, `SELECT state FROM river_job WHERE id = $1`, id).Scan(&st))
	}
	return st
}

// sweptOnce reports the sweep River ran at Start completed.
func sweptOnce(t *testing.T, r *relay.Relay[any], schema string) bool {
	t.Helper()
	ctx := context.Background()
	q := `SELECT count(*) FROM river_job WHERE kind = 'leadkit_relay_sweep' AND state = 'completed'`
	var n int
	if p := r.Pool(); p != nil {
		require.NoError(t, p.QueryRow(ctx, strings.Replace(q, "river_job", `"`+schema+`".river_job`, 1)).Scan(&n))
	} else {
		require.NoError(t, r.DB().QueryRowContext(ctx, q).Scan(&n))
	}
	return n > 0
}
