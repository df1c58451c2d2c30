package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/leadkit/leadkit"
)

// ErrDuplicate is returned by Enqueue and EnqueueTx for a key already
// enqueued for the same vendor (in whatever state: queued, delivered,
// failed); EnqueueMany reports such keys in its results instead. Keys are
// one namespace across vendors: a key another vendor's lead holds is a
// *leadkit.InputError naming Key, not a duplicate (the second vendor's
// lead would otherwise never be delivered by a caller that takes
// ErrDuplicate for "already enqueued").
var ErrDuplicate = errors.New("relay: a job with this idempotency key was already enqueued")

// EnqueueResult is what EnqueueMany did with one job.
type EnqueueResult struct {
	// Key is the job's idempotency key: the caller's, or the one derived
	// from the vendor and the content.
	Key string
	// Duplicate: the key was enqueued before (in whatever state), or
	// earlier in the same batch; nothing was stored for this job.
	Duplicate bool
}

// ready is a job checked and prepared for storing: the lead as it will be
// sent (marker included), its key and its JSON.
type ready struct {
	job  Job
	key  string
	body []byte
}

// ready checks job as the vendor's client would and prepares it; errors
// name the job's field as given.
func (r *core) ready(job Job) (ready, error) {
	if job == nil || reflect.ValueOf(job).Kind() == reflect.Pointer && reflect.ValueOf(job).IsNil() {
		return ready{}, leadkit.Invalid("job", "must not be nil")
	}
	// Text a database cannot store as given (NUL; invalid UTF-8, which
	// JSON would silently replace) and numbers JSON cannot carry are
	// refused with the field named.
	if err := checkText("", reflect.ValueOf(job), 0); err != nil {
		return ready{}, err
	}
	cfg := r.cfg
	if m := r.clientMaxFile.Load(); m > 0 && m < cfg.maxFile {
		cfg.maxFile = m // the cap of the datacake client this process started
	}
	j, err := job.prepare(&cfg)
	if err != nil {
		return ready{}, err
	}
	key := j.IdempotencyKey()
	body, err := json.Marshal(j)
	if err != nil {
		return ready{}, fmt.Errorf("relay: encode %s: %w", key, err)
	}
	if int64(len(body)) > r.cfg.maxJob {
		return ready{}, leadkit.Invalid("job", "is %d bytes as stored, more than the cap of %d (WithMaxJobBytes)", len(body), r.cfg.maxJob)
	}
	return ready{j, key, body}, nil
}

func (r *core) enqueue(ctx context.Context, tx any, job Job) (string, error) {
	if ctx == nil {
		return "", leadkit.Invalid("ctx", "must not be nil")
	}
	if r.closed.Load() {
		return "", ErrClosed
	}
	j, err := r.ready(job)
	if err != nil {
		return "", err
	}
	res, err := r.store(ctx, tx, []ready{j}, false)
	if err != nil {
		return "", err
	}
	if res[0].Duplicate {
		return "", fmt.Errorf("%w: %s", ErrDuplicate, j.key)
	}
	return j.key, nil
}

func (r *core) enqueueMany(ctx context.Context, tx any, jobs []Job) ([]EnqueueResult, error) {
	if ctx == nil {
		return nil, leadkit.Invalid("ctx", "must not be nil")
	}
	if r.closed.Load() {
		return nil, ErrClosed
	}
	if len(jobs) == 0 {
		return []EnqueueResult{}, nil
	}
	all := make([]ready, len(jobs))
	errs := make([]error, len(jobs))
	// A large batch is checked and encoded on every CPU.
	parts := min(runtime.GOMAXPROCS(0), max(1, len(jobs)/256))
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			for i := p; i < len(jobs); i += parts {
				j, err := r.ready(jobs[i])
				if err != nil {
					errs[i] = inJobs(i, err)
				}
				all[i] = j
			}
		})
	}
	wg.Wait()
	if errs = slices.DeleteFunc(errs, func(e error) bool { return e == nil }); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r.store(ctx, tx, all, true)
}

// inJobs puts jobs[i] before the field an input error names.
func inJobs(i int, err error) error {
	var ie *leadkit.InputError
	if errors.As(err, &ie) {
		return &leadkit.InputError{Field: fmt.Sprintf("jobs[%d].%s", i, ie.Field), Reason: ie.Reason}
	}
	return fmt.Errorf("jobs[%d]: %w", i, err)
}

// store enqueues jobs in one transaction (tx's, when not nil): River's
// jobs in one statement, then the deliveries in one. A key River or the delivery table already
// holds, or one earlier in jobs, is a duplicate, and nothing of it is
// stored. A key that another vendor's lead holds is an input error
// (crossVendor), and nothing is stored.
func (r *core) store(ctx context.Context, tx any, jobs []ready, batch bool) ([]EnqueueResult, error) {
	out := make([]EnqueueResult, len(jobs))
	seen := make(map[string]bool, len(jobs))
	var fresh []int // the jobs whose key is first in the batch
	for i, j := range jobs {
		out[i] = EnqueueResult{Key: j.key, Duplicate: seen[j.key]}
		if !seen[j.key] {
			seen[j.key] = true
			fresh = append(fresh, i)
		}
	}
	if len(fresh) == 0 {
		return out, nil
	}
	err := r.eng.inTx(ctx, tx, func(t txn) (err error) {
		// One statement for River's jobs of the batch (InsertManyTx)...
		params := make([]river.InsertManyParams, len(fresh))
		for n, i := range fresh {
			params[n] = river.InsertManyParams{Args: refOf(jobs[i].job), InsertOpts: r.insertOpts(jobs[i].job.vendor())}
		}
		res, err := t.insertMany(params)
		if err != nil {
			return fmt.Errorf("relay: enqueue: %w", err)
		}
		if len(res) != len(fresh) {
			return fmt.Errorf("relay: enqueue: River answered %d results for %d jobs", len(res), len(fresh))
		}
		// ...and one for the deliveries, of the jobs River took.
		var rows []newDelivery
		var ids []int64
		for n, i := range fresh {
			if res[n].UniqueSkippedAsDuplicate {
				out[i].Duplicate = true
				continue
			}
			j := jobs[i]
			rows = append(rows, newDelivery{Key: j.key, Vendor: string(j.job.vendor()), Ident: j.job.ident(), Job: string(j.body), JobID: res[n].Job.ID})
			ids = append(ids, res[n].Job.ID)
		}
		if len(rows) == 0 {
			return r.crossVendor(ctx, t, jobs, out, batch)
		}
		stored, err := r.dial.insertMany(ctx, t.st, rows, time.Now().UnixMilli())
		if err != nil {
			return fmt.Errorf("relay: store the deliveries: %w", err)
		}
		// A key another vendor's lead holds refuses the batch: what this
		// call stored is taken out again, so that a caller's transaction
		// holds nothing of it either.
		defer func() {
			if !errors.Is(err, leadkit.ErrInvalidInput) {
				return
			}
			var keys []string
			for k, ok := range stored {
				if ok {
					keys = append(keys, k)
				}
			}
			if e := r.dial.deleteDeliveries(ctx, t.st, keys); e != nil {
				err = fmt.Errorf("relay: store: %w", e)
			} else if e := r.dial.deleteJobs(ctx, t.st, ids); e != nil {
				err = fmt.Errorf("relay: store: %w", e)
			}
		}()
		if len(stored) == len(rows) {
			return r.crossVendor(ctx, t, jobs, out, batch)
		}
		// A key whose River job is gone (River's retention) while its
		// delivery is not: the River job just inserted is not wanted.
		var unwanted []int64
		byKey := make(map[string]int, len(fresh))
		for _, i := range fresh {
			byKey[jobs[i].key] = i
		}
		for n, d := range rows {
			if !stored[d.Key] {
				out[byKey[d.Key]].Duplicate = true
				unwanted = append(unwanted, ids[n])
			}
		}
		if err := r.dial.deleteJobs(ctx, t.st, unwanted); err != nil {
			return fmt.Errorf("relay: store: %w", err)
		}
		return r.crossVendor(ctx, t, jobs, out, batch)
	})
	if err != nil {
		for i := range out {
			out[i].Duplicate = false
		}
		return nil, err
	}
	return out, nil
}

// crossVendor refuses a duplicate key that another vendor's lead holds
// (earlier in the batch, or stored): keys are one namespace, and a caller
// who sends one lead to two vendors under one key, then takes ErrDuplicate
// for "already enqueued", would never deliver the second. Its error names
// the key's field (Key, or jobs[i].Key for EnqueueMany); the transaction
// is rolled back.
//
// The vendors of the stored keys are read in one statement (a batch sent
// again has all its keys stored).
func (r *core) crossVendor(ctx context.Context, t txn, jobs []ready, out []EnqueueResult, batch bool) error {
	var held []string // the keys stored before, by their first job
	firsts := make(map[string]bool, len(jobs))
	for i, j := range jobs {
		if !firsts[j.key] {
			firsts[j.key] = true
			if out[i].Duplicate {
				held = append(held, j.key)
			}
		}
	}
	holders, err := r.dial.vendorsOf(ctx, t.st, held)
	if err != nil {
		return fmt.Errorf("relay: read the deliveries' vendors: %w", err)
	}
	first := make(map[string]Vendor, len(jobs))
	for i, j := range jobs {
		v := j.job.vendor()
		holder, ok := first[j.key]
		if !ok {
			first[j.key] = v
			if holder, ok = holders[j.key]; !ok {
				continue // stored by this call, or no delivery holds it
			}
		}
		if holder != v {
			field := "Key"
			if batch {
				field = fmt.Sprintf("jobs[%d].Key", i)
			}
			return leadkit.Invalid(field, "%q is the key of a %s lead; keys are one namespace across vendors: give each vendor's lead its own key", j.key, holder)
		}
	}
	return nil
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

// jobRef is what River's job of a delivery holds: the job's kind and key.
// The job itself (the lead) is kept once, in the delivery row, which the
// claim of every attempt reads; River's job stays small to insert and to
// fetch (River indexes its args). Its JSON is a job's with only the key,
// so the workers decode it as the job's type, and River's unique key (the
// fields tagged unique: the key) is the same as a whole job's, which
// relays before it enqueued.
type jobRef struct {
	kind string
	Key  string `json:"key" river:"unique"`
}

// Kind implements river.JobArgs.
func (j jobRef) Kind() string { return j.kind }

func refOf(j Job) jobRef { return jobRef{kind: j.Kind(), Key: j.IdempotencyKey()} }

// insertOpts are the River options of a job of vendor v: its vendor's
// queue and the relay's attempts. A key is unique by the delivery table's
// primary key, in the same transaction (River's unique jobs would check it
// again, at a cost, and only while River keeps the job).
func (r *core) insertOpts(v Vendor) *river.InsertOpts {
	return &river.InsertOpts{
		Queue:       QueueOf(v),
		MaxAttempts: r.cfg.maxAttempts,
	}
}

// decodeJob rebuilds a job of vendor v from its JSON as stored (each
// vendor has one job kind).
func decodeJob(v Vendor, body string) (Job, error) {
	if body == "" {
		return nil, ErrErased
	}
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
