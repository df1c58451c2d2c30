package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// State is where a delivery stands.
type State string

// The states of a delivery.
const (
	// StateQueued: enqueued, not attempted yet.
	StateQueued State = "queued"
	// StateRetrying: attempted and to be attempted again (the vendor was
	// down or rate limited, or the outcome is unknown and is being
	// reconciled).
	StateRetrying State = "retrying"
	// StateDelivered: the vendor holds the lead (Delivery.VendorID).
	StateDelivered State = "delivered"
	// StateNeedsReview: an attempt's outcome is unknown and the vendor
	// cannot tell whether the lead arrived; Delivery.Review says what to
	// check. Nothing is sent until MarkDelivered or Resend.
	StateNeedsReview State = "needs_review"
	// StateFailed: the vendor refused the lead (Delivery.LastError), or
	// the attempts ran out. Resend starts it again.
	StateFailed State = "failed"

	stateSending State = "sending" // an attempt is under way (Stats counts it as retrying)
)

// Delivery is the record of one enqueued job.
type Delivery struct {
	Key        string
	Vendor     Vendor
	State      State
	VendorID   string          // the vendor's id of the delivered lead (Zen: its integration code; Zenvia: its prospect's id)
	VendorRef  string          // the vendor record only this delivery holds (a SalesMan lead id; Zenvia: "<prospect id>/<lead created>"; "" when none is known)
	Reconciled bool            // delivered, proved by a lookup after an attempt whose outcome was unknown
	Attempts   int             // requests sent to the vendor's create
	LastError  string          // the last failure, as the client reported it (secrets masked)
	Review     string          // for StateNeedsReview: what could not be proved and what to check
	Job        json.RawMessage // the job as enqueued (its lead), kept as long as the delivery
	Enqueued   time.Time
	Updated    time.Time
}

// ErrUnknownKey is returned by Status, Resend and MarkDelivered for a key
// that was never enqueued.
var ErrUnknownKey = errors.New("relay: no job with this idempotency key")

// status is Relay.Status.
func (r *core) status(ctx context.Context, key string) (*Delivery, error) {
	if r.closed.Load() {
		return nil, ErrClosed
	}
	row, _, err := r.dial.load(ctx, r.dial.db, key)
	if errors.Is(err, errNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownKey, key)
	}
	if err != nil {
		return nil, fmt.Errorf("relay: status of %s: %w", key, err)
	}
	d := &Delivery{
		Key: row.Key, Vendor: Vendor(row.Vendor), State: State(row.State), VendorID: row.VendorID, VendorRef: row.VendorRef, Reconciled: row.Reconciled,
		Attempts: row.Attempts, LastError: row.LastError, Review: row.Review,
		Enqueued: time.UnixMilli(row.CreatedMS), Updated: time.UnixMilli(row.UpdatedMS),
	}
	if d.State == stateSending {
		d.State = StateRetrying
	}
	if row.Job != "" {
		d.Job = json.RawMessage(row.Job)
	}
	return d, nil
}

// Stats counts the deliveries by state, for dashboards.
type Stats struct {
	Queued      int
	Retrying    int // attempted, to be attempted again (including being attempted now)
	Delivered   int // Reconciled included
	Reconciled  int // delivered, proved by a lookup after an unknown outcome
	NeedsReview int
	Failed      int
}

// Total is the number of deliveries enqueued.
func (s Stats) Total() int { return s.Queued + s.Retrying + s.Delivered + s.NeedsReview + s.Failed }

// stats is Relay.Stats.
func (r *core) stats(ctx context.Context, v Vendor) (Stats, error) {
	if r.closed.Load() {
		return Stats{}, ErrClosed
	}
	var s Stats
	err := r.dial.db.query(ctx, r.dial.t(`SELECT state, reconciled, count(*) FROM {d} WHERE $1 = '' OR vendor = $1 GROUP BY state, reconciled`),
		func(sc scanner) error {
			var state string
			var rec, n int
			if err := sc.Scan(&state, &rec, &n); err != nil {
				return err
			}
			switch State(state) {
			case StateQueued:
				s.Queued += n
			case StateRetrying, stateSending:
				s.Retrying += n
			case StateDelivered:
				s.Delivered += n
				if rec != 0 {
					s.Reconciled += n
				}
			case StateNeedsReview:
				s.NeedsReview += n
			case StateFailed:
				s.Failed += n
			}
			return nil
		}, string(v))
	if err != nil {
		return Stats{}, fmt.Errorf("relay: stats: %w", err)
	}
	return s, nil
}

// ErrConflict is returned by Resend and MarkDelivered when the delivery
// changed while they acted (another replica's Resend won, an attempt
// claimed it), when it is delivered (a delivered lead is never sent
// again), or when its River job is still live (being delivered): read its
// Status and decide again.
var ErrConflict = errors.New("relay: the delivery changed or is being worked; nothing was done")

// resend is Relay.Resend.
func (r *core) resend(ctx context.Context, key string) error {
	return r.resolve(ctx, key, func(row *row) {
		if State(row.State) == StateNeedsReview {
			// The review note told the operator what to check: the doubt
			// is theirs to clear. A delivery River ended without it while
			// an attempt was in doubt (not swept yet) keeps its doubt, and
			// is looked up first, as its next attempt would have.
			row.InDoubtMS, row.DoubtEndMS = 0, 0
		}
		row.State, row.Review = string(StateQueued), ""
		if Vendor(row.Vendor) != VendorDatacake || row.Step == 0 {
			row.Step, row.VendorID, row.VendorRef = 0, "", ""
		}
	}, true)
}

// markDelivered is Relay.MarkDelivered.
func (r *core) markDelivered(ctx context.Context, key, vendorID string) error {
	return r.resolve(ctx, key, func(row *row) {
		row.State, row.InDoubtMS, row.DoubtEndMS, row.VendorID, row.Review = string(StateDelivered), 0, 0, vendorID, ""
		row.VendorRef = ""
		if v := Vendor(row.Vendor); v == VendorSalesman || v == VendorDatacake {
			row.VendorRef = vendorID // the id of one record (Zen's code and Zenvia's prospect are the person's)
		}
	}, false)
}

// resolveWait bounds how long resolve waits for River to record the end of
// the attempt that just parked a delivery.
const resolveWait = 10 * time.Second

func (r *core) resolve(ctx context.Context, key string, change func(*row), retry bool) error {
	if r.closed.Load() {
		return ErrClosed
	}
	deadline := time.Now().Add(resolveWait)
	for {
		err := r.eng.inTx(ctx, nil, func(t txn) error { return r.resolveTx(ctx, t, key, change, retry) })
		if !errors.Is(err, errStillRunning) || time.Now().After(deadline) {
			if errors.Is(err, errStillRunning) {
				err = fmt.Errorf("%w: %s: its River job is still running", ErrConflict, key)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// errStillRunning: the attempt that ended the delivery has not had River
// record its job's end yet.
var errStillRunning = errors.New("relay: the job is still running")

func (r *core) resolveTx(ctx context.Context, t txn, key string, change func(*row), retry bool) error {
	row, now, err := r.dial.load(ctx, t.st, key)
	if errors.Is(err, errNoRows) {
		return fmt.Errorf("%w: %s", ErrUnknownKey, key)
	}
	if err != nil {
		return fmt.Errorf("relay: load %s: %w", key, err)
	}
	if State(row.State) == StateDelivered {
		return fmt.Errorf("%w: %s is delivered (%s); a delivered lead is never sent again", ErrConflict, key, row.VendorID)
	}
	j, err := t.get(row.JobID)
	missing := errors.Is(err, rivertype.ErrNotFound)
	if err != nil && !missing {
		return fmt.Errorf("relay: read the job of %s: %w", key, err)
	}
	if !missing && !final(j.State) {
		parked := State(row.State) == StateNeedsReview || State(row.State) == StateFailed
		if parked && j.State == rivertype.JobStateRunning {
			return errStillRunning
		}
		// A parked delivery whose job River will run again (its process
		// died after the attempt parked it, and River's rescuer made the
		// job retryable) is the operator's now: that run would only end
		// the job. The write below is fenced against a run that starts
		// meanwhile, and Resend makes the job available at once.
		if !parked {
			return fmt.Errorf("%w: %s is %s and its River job is %s (being delivered)", ErrConflict, key, row.State, j.State)
		}
	}
	change(row)
	row.LeaseMS = 0
	if err := r.dial.write(ctx, t.st, row, now, true, true); err != nil {
		if errors.Is(err, errFenced) {
			return fmt.Errorf("%w: %s", ErrConflict, key)
		}
		if errors.Is(err, errRefTaken) {
			return refTakenError("relay: another delivery of " + row.Vendor + " already holds " + row.VendorRef)
		}
		return fmt.Errorf("relay: record %s: %w", key, err)
	}
	if !retry {
		return nil
	}
	if !missing {
		if _, err := t.retry(row.JobID); err != nil {
			return fmt.Errorf("relay: retry the job of %s: %w", key, err)
		}
		// River's retry of a job whose attempts ran out allows it one
		// more: the delivery starts over with the attempts WithRetries
		// gives, as a job enqueued now would.
		if _, err := t.st.exec(ctx, r.dial.t(`UPDATE {j} SET max_attempts = attempt + $2 WHERE id = $1`), row.JobID, r.cfg.maxAttempts); err != nil {
			return fmt.Errorf("relay: retry the job of %s: %w", key, err)
		}
		return nil
	}
	// River deleted the finished job (its retention, 24 hours by default):
	// enqueue it again from the relay's own copy.
	job, err := decodeJob(Vendor(row.Vendor), row.Job)
	if err != nil {
		return err
	}
	res, err := t.insert(refOf(job), r.insertOpts(job.vendor()))
	if err != nil {
		return fmt.Errorf("relay: enqueue %s again: %w", key, err)
	}
	if res.UniqueSkippedAsDuplicate {
		return fmt.Errorf("%w: %s (River still holds a job of this key)", ErrDuplicate, key)
	}
	return r.dial.setJob(ctx, t.st, key, res.Job.ID)
}
