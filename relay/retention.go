package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
)

// The default retention (WithRetention): the lead's personal data is
// erased a week after its delivery ended, the record of the delivery
// deleted after 90 days. Brazil's LGPD (art. 15 and 16) ends the
// processing, and asks for the data's elimination, once its purpose is
// met; Russia's 152-FZ (art. 21 part 4) gives 30 days from then to
// destroy it. A week leaves an operator time to look a recent delivery
// over, well inside the 30 days.
const (
	DefaultEraseAfter  = 7 * 24 * time.Hour
	DefaultDeleteAfter = 90 * 24 * time.Hour
)

// finalStates are River's job states after which a job never runs again,
// as an SQL list (the relay's queries of live and ended jobs).
const finalStates = `('completed', 'cancelled', 'discarded')`

// ErrErased is returned by Resend for a delivery whose lead retention
// erased (WithRetention): there is nothing left to send.
var ErrErased = errors.New("relay: the delivery's lead was erased by retention")

// WithRetention sets how long the lead's personal data is kept (defaults
// DefaultEraseAfter and DefaultDeleteAfter). eraseAfter after a delivery
// became delivered or failed (Delivery.Updated), its job as enqueued (the
// lead: Delivery.Job, the lookup identity, the last error and review
// texts, which may quote it) is erased, and so is River's job row of it,
// whose args hold the key (and the lead, for jobs enqueued before River's
// jobs held only the key) and whose errors may quote it; key, vendor, state, vendor id,
// attempts and timestamps stay. deleteAfter after it (0: never), the
// delivery's record is deleted (Status then answers ErrUnknownKey).
// Deliveries that need review, and those still queued or retrying, are
// never erased or deleted. River's own retention of finished jobs is
// shortened to eraseAfter when shorter than River's defaults (24 hours,
// 7 days for discarded jobs). The sweep (WithSweepInterval) does the work,
// on one process at a time, in batches.
func WithRetention(eraseAfter, deleteAfter time.Duration) Option {
	return func(c *config) error {
		if eraseAfter < time.Second {
			return leadkit.Invalid("EraseAfter", "must be at least a second (WithoutRetention keeps everything)")
		}
		if deleteAfter != 0 && deleteAfter < eraseAfter {
			return leadkit.Invalid("DeleteAfter", "must be 0 (never) or at least EraseAfter")
		}
		c.eraseAfter, c.deleteAfter = eraseAfter, deleteAfter
		return nil
	}
}

// WithoutRetention keeps every delivery and its lead for ever (the
// relay's behaviour before retention): for an application that erases
// personal data its own way. River's job rows are still deleted by
// River's cleaner after its default periods.
func WithoutRetention() Option {
	return func(c *config) error {
		c.eraseAfter, c.deleteAfter = 0, 0
		return nil
	}
}

// riverRetention is how long River keeps a finished job (def: River's
// default for its state): never longer than the relay keeps the lead.
func (c config) riverRetention(def time.Duration) time.Duration {
	if c.eraseAfter == 0 {
		return def
	}
	return min(def, c.eraseAfter)
}

// retainBatch is how many deliveries one transaction of retention
// changes; retainRounds bounds the batches of one sweep (the next sweep
// goes on).
const (
	retainBatch  = 1000
	retainRounds = 200
)

// retentionLease is retention's row in the limits table.
const retentionLease = "leadkit_relay:retention"

// The deliveries retention deletes, and those it erases (the latter
// matches the partial index leadkit_relay_delivery_erasable).
const (
	deletable = `state IN ('delivered', 'failed') AND updated_ms < $1`
	erasable  = `job <> '' AND state IN ('delivered', 'failed') AND updated_ms < $1`
)

// retain deletes and erases what retention says, oldest first, in
// batches, and returns how many deliveries it erased and deleted.
func (r *core) retain(ctx context.Context) (erased, deleted int, err error) {
	if r.cfg.eraseAfter == 0 {
		return 0, 0, nil
	}
	// One process at a time: two sweeps may overlap (one per interval,
	// each on any process), so retention takes a lease in the limits
	// table, for as long as the sweep's job may run.
	if wait, err := (dbLimiter{r}).Allow(ctx, retentionLease, r.cfg.jobTimeout); err != nil || wait > 0 {
		return 0, 0, err
	}
	defer r.dial.db.exec(context.WithoutCancel(ctx), r.dial.t(`UPDATE {l} SET next_ms = 0 WHERE key = $1`), retentionLease)
	var now int64
	if err := r.dial.db.queryRow(ctx, r.dial.t(`SELECT {now}`)).Scan(&now); err != nil {
		return 0, 0, fmt.Errorf("relay: retention: %w", err)
	}
	// Deleting first: a delivery due for both is not erased, then deleted.
	if r.cfg.deleteAfter != 0 {
		deleted, err = r.retainEach(ctx, deletable, `DELETE FROM {d}`, now-r.cfg.deleteAfter.Milliseconds())
		if err != nil {
			return 0, deleted, fmt.Errorf("relay: retention: delete: %w", err)
		}
	}
	erased, err = r.retainEach(ctx, erasable, `UPDATE {d} SET job = '', ident = '', last_error = '', review = ''`, now-r.cfg.eraseAfter.Milliseconds())
	if err != nil {
		return erased, deleted, fmt.Errorf("relay: retention: erase: %w", err)
	}
	return erased, deleted, nil
}

// retainEach applies change (a statement to which the WHERE clause is
// added) to the deliveries that cond (with $1 = before) selects, a batch
// per transaction, each with River's finished jobs of the batch deleted.
// The batches follow (updated_ms, key) on, so that none walks again over
// the rows earlier batches changed.
func (r *core) retainEach(ctx context.Context, cond, change string, before int64) (int, error) {
	total := 0
	afterMS, afterKey := int64(-1), ""
	for range retainRounds {
		var keys []any
		var jobs []any
		err := r.dial.db.query(ctx, r.dial.t(`SELECT key, job_id, updated_ms FROM {d} WHERE `+cond+`
AND (updated_ms, key) > ($2, $3) ORDER BY updated_ms, key LIMIT `+fmt.Sprint(retainBatch)),
			func(sc scanner) error {
				var key string
				var job int64
				if err := sc.Scan(&key, &job, &afterMS); err != nil {
					return err
				}
				keys, jobs, afterKey = append(keys, key), append(jobs, job), key
				return nil
			}, before, afterMS, afterKey)
		if err != nil || len(keys) == 0 {
			return total, err
		}
		var n int64
		err = r.eng.inTx(ctx, nil, func(t txn) error {
			if _, err := t.st.exec(ctx, r.dial.t(`DELETE FROM {j} WHERE state IN `+finalStates+` AND id IN (`+params(1, len(jobs))+`)`), jobs...); err != nil {
				return err
			}
			var err error
			// cond again: a delivery resent meanwhile is left alone.
			n, err = t.st.exec(ctx, r.dial.t(change+` WHERE `+cond+` AND key IN (`+params(2, len(keys))+`)`), append([]any{before}, keys...)...)
			return err
		})
		total += int(n)
		if err != nil {
			return total, err
		}
		if len(keys) < retainBatch {
			return total, nil
		}
	}
	return total, nil
}

// params is "$from, ..., $(from+n-1)".
func params(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

// retainLogged is retain for the sweep: what it did is logged.
func (r *core) retainLogged(ctx context.Context) error {
	erased, deleted, err := r.retain(ctx)
	if erased > 0 || deleted > 0 {
		r.log.InfoContext(ctx, "relay: retention", "erased", erased, "deleted", deleted)
	}
	return err
}
