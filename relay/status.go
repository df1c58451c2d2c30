package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
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
	VendorID   string          // the vendor's id of the delivered lead (Zen: its integration code or id)
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

// Status returns the delivery of key, with the job as enqueued (Job: the
// lead, in the vendor package's JSON form).
func (r *Relay) Status(ctx context.Context, key string) (*Delivery, error) {
	row, err := r.dial.load(ctx, r.dial.db, key)
	if errors.Is(err, errNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrUnknownKey, key)
	}
	if err != nil {
		return nil, fmt.Errorf("relay: status of %s: %w", key, err)
	}
	d := &Delivery{
		Key: row.Key, Vendor: Vendor(row.Vendor), State: State(row.State), VendorID: row.VendorID, Reconciled: row.Reconciled,
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

// Stats counts the deliveries by state, of vendor v, or of all when v is "".
func (r *Relay) Stats(ctx context.Context, v Vendor) (Stats, error) {
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

// Resend sends a delivery that needs review or failed again: the operator
// checked that the vendor does not hold the lead (or fixed what the vendor
// refused). Any other state is refused.
func (r *Relay) Resend(ctx context.Context, key string) error {
	return r.resolve(ctx, key, func(row *row) {
		row.State, row.InDoubtMS, row.Review, row.Step = string(StateQueued), 0, "", 0
		row.VendorID = ""
	}, true)
}

// MarkDelivered records that the vendor holds the lead of a delivery that
// needs review or failed (found by the operator), with its id.
func (r *Relay) MarkDelivered(ctx context.Context, key, vendorID string) error {
	return r.resolve(ctx, key, func(row *row) {
		row.State, row.InDoubtMS, row.VendorID = string(StateDelivered), 0, vendorID
	}, false)
}

func (r *Relay) resolve(ctx context.Context, key string, change func(*row), retry bool) error {
	row, err := r.dial.load(ctx, r.dial.db, key)
	if errors.Is(err, errNoRows) {
		return fmt.Errorf("%w: %s", ErrUnknownKey, key)
	}
	if err != nil {
		return fmt.Errorf("relay: load %s: %w", key, err)
	}
	if s := State(row.State); s != StateNeedsReview && s != StateFailed {
		return fmt.Errorf("relay: %s is %s; only a delivery that needs review or failed can be resolved", key, s)
	}
	change(row)
	if err := r.dial.save(ctx, row, time.Now().UnixMilli(), true); err != nil {
		return fmt.Errorf("relay: record %s: %w", key, err)
	}
	if !retry {
		return nil
	}
	err = r.eng.jobRetry(ctx, row.JobID)
	if errors.Is(err, rivertype.ErrNotFound) {
		// River deleted the finished job (its retention, 24 hours by
		// default): enqueue it again from the relay's own copy.
		err = r.reinsert(ctx, row)
	}
	if err != nil {
		return fmt.Errorf("relay: retry the job of %s: %w", key, err)
	}
	return nil
}

func (r *Relay) reinsert(ctx context.Context, row *row) error {
	j, err := decodeJob(Vendor(row.Vendor), row.Job)
	if err != nil {
		return err
	}
	return r.eng.inTx(ctx, nil, func(st store, insert func(river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error)) error {
		res, err := insert(j, r.insertOpts())
		if err != nil {
			return err
		}
		if res.UniqueSkippedAsDuplicate {
			return fmt.Errorf("%w: %s (River still holds a job of this key)", ErrDuplicate, row.Key)
		}
		return r.dial.setJob(ctx, st, row.Key, res.Job.ID)
	})
}
