package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/leadkit/leadkit"
)

// ErrDuplicate is returned by Enqueue and EnqueueTx for a key already
// enqueued (in whatever state: queued, delivered, failed).
var ErrDuplicate = errors.New("relay: a job with this idempotency key was already enqueued")

// allStates makes River's unique check cover every state of a job, so a key
// is refused even after its job completed or was cancelled.
var allStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStateCancelled, rivertype.JobStateCompleted, rivertype.JobStateDiscarded,
	rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// Enqueue stores job for delivery and returns its idempotency key. It
// returns an error matching ErrDuplicate when the key was enqueued before,
// and a *leadkit.InputError naming the field when the job is not valid (a
// lead the vendor would refuse is refused here, before it is stored).
func (r *Relay) Enqueue(ctx context.Context, job Job) (string, error) {
	return r.enqueue(ctx, nil, job)
}

// EnqueueTx stores job inside the caller's transaction tx, the outbox
// pattern: the lead is delivered if and only if tx commits. tx is a pgx.Tx
// on a PostgreSQL relay (begun on Pool or any pool of the same database)
// and a *sql.Tx begun on DB on a SQLite relay.
func (r *Relay) EnqueueTx(ctx context.Context, tx any, job Job) (string, error) {
	if tx == nil {
		return "", leadkit.Invalid("tx", "must not be nil (use Enqueue without a transaction)")
	}
	return r.enqueue(ctx, tx, job)
}

func (r *Relay) enqueue(ctx context.Context, tx any, job Job) (string, error) {
	if ctx == nil {
		return "", leadkit.Invalid("ctx", "must not be nil")
	}
	if job == nil {
		return "", leadkit.Invalid("job", "must not be nil")
	}
	if r.closed.Load() {
		return "", errors.New("relay: closed")
	}
	j, err := job.prepare()
	if err != nil {
		return "", err
	}
	key := j.IdempotencyKey()
	body, err := json.Marshal(j)
	if err != nil {
		return "", fmt.Errorf("relay: encode %s: %w", key, err)
	}
	err = r.eng.inTx(ctx, tx, func(st store, insert func(river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error)) error {
		ok, err := r.dial.insert(ctx, st, key, j.vendor(), string(body), time.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("relay: store %s: %w", key, err)
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrDuplicate, key)
		}
		res, err := insert(j, r.insertOpts())
		if err != nil {
			return fmt.Errorf("relay: enqueue %s: %w", key, err)
		}
		if res.UniqueSkippedAsDuplicate {
			return fmt.Errorf("%w: %s", ErrDuplicate, key)
		}
		return r.dial.setJob(ctx, st, key, res.Job.ID)
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

func (r *Relay) insertOpts() *river.InsertOpts {
	return &river.InsertOpts{
		Queue:       Queue,
		MaxAttempts: r.cfg.maxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: allStates},
	}
}

// decodeJob rebuilds a job of vendor v from its JSON as stored (each
// vendor has one job kind).
func decodeJob(v Vendor, body string) (Job, error) {
	var j Job
	var err error
	switch v {
	case VendorSalesman:
		j, err = decodeAs[SalesmanLead](body)
	case VendorZen:
		j, err = decodeAs[ZenLead](body)
	case VendorZenvia:
		j, err = decodeAs[ZenviaLead](body)
	case VendorDatacake:
		j, err = decodeAs[DatacakeProspect](body)
	default:
		return nil, fmt.Errorf("relay: unknown vendor %q", v)
	}
	if err != nil {
		return nil, fmt.Errorf("relay: decode a %s job: %w", v, err)
	}
	return j, nil
}

func decodeAs[T Job](body string) (Job, error) {
	var v T
	err := json.Unmarshal([]byte(body), &v)
	return v, err
}
