package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

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
	if job == nil || reflect.ValueOf(job).Kind() == reflect.Pointer && reflect.ValueOf(job).IsNil() {
		return "", leadkit.Invalid("job", "must not be nil")
	}
	if r.closed.Load() {
		return "", errors.New("relay: closed")
	}
	// Text a database cannot store as given (NUL; invalid UTF-8, which
	// JSON would silently replace) and numbers JSON cannot carry are
	// refused with the field named.
	if err := checkText("", reflect.ValueOf(job), 0); err != nil {
		return "", err
	}
	j, err := job.prepare(&r.cfg)
	if err != nil {
		return "", err
	}
	key := j.IdempotencyKey()
	body, err := json.Marshal(j)
	if err != nil {
		return "", fmt.Errorf("relay: encode %s: %w", key, err)
	}
	if int64(len(body)) > r.cfg.maxJob {
		return "", leadkit.Invalid("job", "is %d bytes as stored, more than the cap of %d (WithMaxJobBytes)", len(body), r.cfg.maxJob)
	}
	err = r.eng.inTx(ctx, tx, func(t txn) error {
		ok, err := r.dial.insert(ctx, t.st, key, j.vendor(), j.ident(), string(body), time.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("relay: store %s: %w", key, err)
		}
		if !ok {
			return fmt.Errorf("%w: %s", ErrDuplicate, key)
		}
		res, err := t.insert(j, r.insertOpts())
		if err != nil {
			return fmt.Errorf("relay: enqueue %s: %w", key, err)
		}
		if res.UniqueSkippedAsDuplicate {
			return fmt.Errorf("%w: %s", ErrDuplicate, key)
		}
		return r.dial.setJob(ctx, t.st, key, res.Job.ID)
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// checkText walks v (a job and what it holds) and refuses a string with a
// NUL or invalid UTF-8, or a number that is not finite, naming its field
// (Go's names, dotted: Lead.Title). Bytes ([]byte, a file's content) are
// not text.
func checkText(path string, v reflect.Value, depth int) error {
	if depth > 32 || (v.IsValid() && v.Type().Implements(readerType)) {
		return nil // a file's Reader is read later, through the cap
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if strings.ContainsRune(s, 0) {
			return leadkit.Invalid(path, "holds a NUL character, which the database cannot store")
		}
		if !utf8.ValidString(s) {
			return leadkit.Invalid(path, "is not valid UTF-8")
		}
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return leadkit.Invalid(path, "is %v, which JSON cannot carry", f)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkText(path, v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() {
				if err := checkText(join(path, f.Name), v.Field(i), depth+1); err != nil {
					return err
				}
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := checkText(fmt.Sprintf("%s[%d]", path, i), v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := fmt.Sprint(it.Key().Interface())
			if err := checkText(path+"[key]", it.Key(), depth+1); err != nil {
				return err
			}
			if err := checkText(fmt.Sprintf("%s[%q]", path, k), it.Value(), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

var readerType = reflect.TypeFor[io.Reader]()

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
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
