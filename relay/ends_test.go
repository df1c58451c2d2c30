package relay_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
)

// TestLookupsFailingUntilRiverGivesUp: an unknown outcome whose lookups
// fail on every attempt River allows ends in review, saying what to check,
// instead of reading "retrying" for ever while River has discarded the job
// (red before: the delivery stayed retrying).
func TestLookupsFailingUntilRiverGivesUp(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b, relay.WithRetries(3, 10*time.Millisecond))
		sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true})
		sb.salesman.Fail(leadkittest.Fault{Method: http.MethodGet, Status: http.StatusServiceUnavailable, Times: -1})
		d := deliverOne(t, r, sb, salesmanLead(1))
		assert.Equal(t, relay.StateNeedsReview, d.State, "%+v", d)
		assert.Contains(t, d.Review, "the lookup failed on every attempt River allowed (3)")
		assert.Contains(t, d.Review, "[lk:", "what to look for")
		assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""), "never sent again")
	})
}

// riverClient is a River client on the relay's database, for what an
// operator (or another program) does to River's jobs outside the relay.
func riverClient(t *testing.T, r *relay.Relay[any], schema string) func(ctx context.Context, id int64, op string) {
	t.Helper()
	if r.Pool() != nil {
		c, err := river.NewClient(riverpgxv5.New(r.Pool()), &river.Config{Schema: schema})
		require.NoError(t, err)
		return func(ctx context.Context, id int64, op string) { riverOp(t, ctx, c, id, op) }
	}
	c, err := river.NewClient(riversqlite.New(r.DB()), &river.Config{})
	require.NoError(t, err)
	return func(ctx context.Context, id int64, op string) { riverOp(t, ctx, c, id, op) }
}

func riverOp[TTx any](t *testing.T, ctx context.Context, c *river.Client[TTx], id int64, op string) {
	var err error
	switch op {
	case "cancel":
		_, err = c.JobCancel(ctx, id)
	case "delete":
		_, err = c.JobDelete(ctx, id)
	}
	require.NoError(t, err)
}

// execSQL runs q (with $1, $2 on both databases) on the relay's database,
// its tables named unqualified (PostgreSQL: in the test's schema).
func execSQL(t *testing.T, r *relay.Relay[any], schema, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if p := r.Pool(); p != nil {
		conn, err := p.Acquire(ctx)
		require.NoError(t, err)
		defer conn.Release()
		_, err = conn.Exec(ctx, `SET search_path TO "`+schema+`"`)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, q, args...)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, `RESET search_path`)
		require.NoError(t, err)
		return
	}
	_, err := r.DB().ExecContext(ctx, q, args...)
	require.NoError(t, err)
}

func jobID(t *testing.T, r *relay.Relay[any], schema, key string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	if p := r.Pool(); p != nil {
		require.NoError(t, p.QueryRow(ctx, `SELECT job_id FROM "`+schema+`".leadkit_relay_delivery WHERE key = $1`, key).Scan(&id))
		return id
	}
	require.NoError(t, r.DB().QueryRowContext(ctx, `SELECT job_id FROM leadkit_relay_delivery WHERE key = $1`, key).Scan(&id))
	return id
}

// TestStrandedDeliveriesAreSwept: River's job ended without the relay
// (deleted, cancelled outside it, discarded while an attempt was in
// doubt): the sweep ends each delivery with the truth, and the operator
// can resolve it. Red before: they read queued/retrying for ever, and
// Resend and MarkDelivered refused them.
func TestStrandedDeliveriesAreSwept(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b, relay.WithSweepInterval(200*time.Millisecond))
		ctx := context.Background()
		keys := map[string]string{}
		for name, j := range map[string]relay.Job{"deleted": salesmanLead(1), "cancelled": salesmanLead(2), "discarded": salesmanLead(3)} {
			k, err := r.Enqueue(ctx, j)
			require.NoError(t, err)
			keys[name] = k
		}
		op := riverClient(t, r, b.schema)
		op(ctx, jobID(t, r, b.schema, keys["deleted"]), "delete")
		op(ctx, jobID(t, r, b.schema, keys["cancelled"]), "cancel")
		// An attempt marked in doubt, then River discarded the job (its
		// process died on the last attempt).
		execSQL(t, r, b.schema, `UPDATE leadkit_relay_delivery SET state = 'sending', in_doubt_ms = 1, attempts = 1 WHERE key = $1`, keys["discarded"])
		execSQL(t, r, b.schema, `UPDATE river_job SET state = 'discarded', finalized_at = created_at WHERE id = $1`, jobID(t, r, b.schema, keys["discarded"]))

		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		s := waitFor(t, r, 30*time.Second, settled(3))
		assert.Equal(t, 2, s.Failed, "%+v", s)
		assert.Equal(t, 1, s.NeedsReview, "%+v", s)
		for name, want := range map[string]string{"deleted": "deleted outside the relay", "cancelled": "cancelled outside the relay"} {
			d, err := r.Status(ctx, keys[name])
			require.NoError(t, err)
			assert.Equal(t, relay.StateFailed, d.State, name)
			assert.Contains(t, d.LastError, want, name)
		}
		d, err := r.Status(ctx, keys["discarded"])
		require.NoError(t, err)
		assert.Contains(t, d.Review, "discarded")
		assert.Contains(t, d.Review, "outcome was unknown")
		assert.Zero(t, sb.salesman.Count(http.MethodPost, ""), "nothing was sent")

		require.NoError(t, r.Resend(ctx, keys["deleted"]))
		require.NoError(t, r.Resend(ctx, keys["cancelled"]))
		require.NoError(t, r.MarkDelivered(ctx, keys["discarded"], "777"))
		s = waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 3 })
		assert.Equal(t, 2, sb.salesman.Count(http.MethodPost, ""))
	})
}

// TestResendAcceptsAStrandedDelivery: a delivery whose River job ended
// without it can be resolved before the sweep gets to it.
func TestResendAcceptsAStrandedDelivery(t *testing.T) {
	sb := startSandboxes(t, nil)
	b := sqliteBackend(t)
	r := open(t, b, relay.WithSweepInterval(time.Hour))
	ctx := context.Background()
	key, err := r.Enqueue(ctx, zenviaLead(4))
	require.NoError(t, err)
	assert.ErrorIs(t, r.Resend(ctx, key), relay.ErrConflict, "its job is live: being delivered")
	riverClient(t, r, "")(ctx, jobID(t, r, "", key), "cancel")
	require.NoError(t, r.Resend(ctx, key))
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 1 })
}

// TestDatacakeResendResumes: the prospect was created and the upload's
// outcome is unknown; Resend uploads the files again and never creates a
// second prospect (red before: Resend started over with the create).
func TestDatacakeResendResumes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "arquivo", Drop: true, AfterVendor: true})
		d := deliverOne(t, r, sb, datacakeWithFile(6))
		require.Equal(t, relay.StateNeedsReview, d.State)
		require.NoError(t, r.Resend(ctx, d.Key))
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 1 })
		got, err := r.Status(ctx, d.Key)
		require.NoError(t, err)
		assert.Equal(t, d.VendorID, got.VendorID, "the same prospect")
		prospects := sb.datacake.Count(http.MethodPost, "prospecto") - sb.datacake.Count(http.MethodPost, "arquivos")
		assert.Equal(t, 1, prospects, "one prospect created")
		assert.Equal(t, 2, sb.datacake.Count(http.MethodPost, "arquivos"), "the upload, then again")
	})
}

// TestConcurrentResends: two replicas press Resend on one delivery at once:
// exactly one wins (the other gets ErrConflict), and the lead is sent
// once more, not twice (red before: both returned nil).
func TestConcurrentResends(t *testing.T) {
	b := postgresBackend(t)
	sb := startSandboxes(t, nil)
	r1, r2 := open(t, b), open(t, b)
	ctx := context.Background()
	const n = 6
	for i := range n {
		sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "prospecto", Status: http.StatusBadGateway, AfterVendor: true})
		_, err := r1.Enqueue(ctx, datacakeProspect(20+i))
		require.NoError(t, err)
	}
	require.NoError(t, r1.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	waitFor(t, r1, 30*time.Second, func(s relay.Stats) bool { return s.NeedsReview == n })
	wins := 0
	for i := range n {
		key, err := r1.Enqueue(ctx, datacakeProspect(20+i))
		require.ErrorIs(t, err, relay.ErrDuplicate)
		key = errKey(err)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k, r := range []*relay.Relay[any]{r1, r2} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[k] = r.Resend(ctx, key) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				assert.ErrorIs(t, err, relay.ErrConflict)
			}
		}
	}
	assert.Equal(t, n, wins, "one Resend wins per delivery")
	waitFor(t, r1, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == n })
	assert.Equal(t, 2*n, sb.datacake.Count(http.MethodPost, "prospecto"), "each lead sent once more")
}

// errKey is the key an ErrDuplicate names.
func errKey(err error) string {
	msg := err.Error()
	for i := len(msg) - 1; i >= 0; i-- {
		if msg[i] == ' ' {
			return msg[i+1:]
		}
	}
	return ""
}

var _ = errors.Is
