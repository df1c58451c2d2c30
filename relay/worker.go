package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/salesman"
)

// lease is how long a delivery stays claimed by the attempt working it:
// the job timeout (River cancels the attempt then) and a margin for the
// attempt to record its outcome.
func (c config) lease() time.Duration {
	return c.jobTimeout + min(15*time.Second, max(500*time.Millisecond, c.jobTimeout/2))
}

// Start begins delivering the jobs of the vendors whose client c holds, in
// the background, until Stop or Close. Any number of processes may Start on
// one PostgreSQL relay; River gives each job to one of them at a time.
func (r *Relay) Start(ctx context.Context, c Clients) error {
	if ctx == nil {
		return leadkit.Invalid("ctx", "must not be nil")
	}
	if r.closed.Load() {
		return errors.New("relay: closed")
	}
	workers := river.NewWorkers()
	n := 0
	if c.Salesman != nil {
		river.AddWorker(workers, &deliverer[SalesmanLead]{r: r, c: &c})
		n++
	}
	if c.Zen != nil {
		river.AddWorker(workers, &deliverer[ZenLead]{r: r, c: &c})
		n++
	}
	if c.Zenvia != nil {
		river.AddWorker(workers, &deliverer[ZenviaLead]{r: r, c: &c})
		n++
	}
	if c.Datacake != nil {
		river.AddWorker(workers, &deliverer[DatacakeProspect]{r: r, c: &c})
		n++
	}
	if n == 0 {
		return leadkit.Invalid("Clients", "holds no client: give at least one vendor's")
	}
	rescue := r.cfg.rescueAfter
	if rescue == 0 {
		rescue = r.cfg.lease() + time.Minute
	}
	if rescue <= r.cfg.lease() {
		return leadkit.Invalid("RescueAfter", "must exceed the job timeout by more than %s", r.cfg.lease()-r.cfg.jobTimeout)
	}
	cooldown := min(100*time.Millisecond, r.cfg.poll)
	return r.eng.start(ctx, &river.Config{
		Queues:               map[string]river.QueueConfig{Queue: {MaxWorkers: r.cfg.workers}},
		Workers:              workers,
		FetchOnlyKnownKinds:  true,
		JobTimeout:           r.cfg.jobTimeout,
		RescueStuckJobsAfter: rescue,
		MaxAttempts:          r.cfg.maxAttempts,
		RetryPolicy:          backoff{max: r.cfg.maxBackoff},
		Logger:               riverLogger(r.log),
		Schema:               r.cfg.schema,
		FetchPollInterval:    r.cfg.poll,
		FetchCooldown:        cooldown,
	})
}

// Stop stops delivering: jobs being worked get until ctx ends to finish,
// then they are cancelled (and, their outcome being unknown, reconciled by
// the next process).
func (r *Relay) Stop(ctx context.Context) error { return r.eng.stop(ctx) }

// backoff is exponential from one second, capped, with 10% jitter.
type backoff struct{ max time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.max
	if n := job.Attempt; n < 40 {
		d = min(b.max, time.Second<<max(n-1, 0))
	}
	d += time.Duration(rand.Int64N(int64(d)/10 + 1))
	return time.Now().Add(d)
}

type deliverer[T Job] struct {
	river.WorkerDefaults[T]
	r *Relay
	c *Clients
}

func (w *deliverer[T]) Work(ctx context.Context, j *river.Job[T]) error {
	return w.r.work(ctx, w.c, j.Args, j.JobRow)
}

// outcome names what one attempt did, in the log and in tests.
type outcome string

const (
	outDelivered   outcome = "delivered"
	outReconciled  outcome = "reconciled"
	outAbsent      outcome = "absent_resending"
	outUnknown     outcome = "outcome_unknown"
	outRateLimited outcome = "rate_limited"
	outRetry       outcome = "retry"
	outPermanent   outcome = "failed"
	outReview      outcome = "needs_review"
	outSettling    outcome = "settling"
	outLookupError outcome = "lookup_failed"
	outBusy        outcome = "leased_elsewhere"
)

// errNeedsReview cancels the River job of a delivery parked for review.
var errNeedsReview = errors.New("relay: parked for review")

func (r *Relay) work(ctx context.Context, c *Clients, job Job, jr *rivertype.JobRow) error {
	key, v := job.IdempotencyKey(), job.vendor()
	now := time.Now()
	lease := now.Add(r.cfg.lease()).UnixMilli()
	row, err := r.dial.claim(ctx, key, now.UnixMilli(), lease)
	if err != nil {
		return fmt.Errorf("relay: claim %s: %w", key, err)
	}
	if row == nil {
		held, err := r.dial.load(ctx, r.dial.db, key)
		if errors.Is(err, errNoRows) {
			return river.JobCancel(fmt.Errorf("relay: %s has no delivery record (was the relay's table emptied?)", key))
		}
		if err != nil {
			return fmt.Errorf("relay: load %s: %w", key, err)
		}
		// Another attempt holds the delivery (its process may be slow, not
		// dead): wait for its lease instead of racing it.
		r.logAttempt(ctx, key, v, jr.Attempt, outBusy, "", nil)
		return river.JobSnooze(max(time.Until(time.UnixMilli(held.LeaseMS)), 10*time.Millisecond))
	}
	row.LeaseMS = lease
	// Outcomes are recorded even when the attempt's ctx ended.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	finish := func(state State, out outcome, lastErr error, ret error) error {
		row.State = string(state)
		if lastErr != nil {
			row.LastError = transport.Clip(lastErr.Error(), maxErrorText)
		}
		if err := r.dial.save(bg, row, time.Now().UnixMilli(), true); err != nil {
			r.log.ErrorContext(bg, "relay: record outcome", "key", key, "error", err)
			if ret == nil || isSnooze(ret) {
				return fmt.Errorf("relay: record %s: %w", key, err)
			}
		}
		r.logAttempt(ctx, key, v, jr.Attempt, out, row.VendorID, lastErr)
		return ret
	}
	switch State(row.State) {
	case StateDelivered:
		return finish(StateDelivered, outDelivered, nil, nil)
	case StateNeedsReview, StateFailed:
		return finish(State(row.State), outcome(row.State), nil, river.JobCancel(fmt.Errorf("relay: %s is %s", key, row.State)))
	}

	a := &attempt{row: row, zen: &r.zenCache}
	if row.InDoubtMS != 0 {
		a.inDoubt = time.UnixMilli(row.InDoubtMS)
		a.settled = a.inDoubt.Add(r.cfg.settle[v])
		if wait := time.Until(a.settled); wait > 0 {
			return finish(StateRetrying, outSettling, nil, river.JobSnooze(wait))
		}
		id, f, note, err := job.lookup(ctx, c, a)
		if err != nil {
			if d, ok := rateLimited(err); ok {
				return finish(StateRetrying, outRateLimited, err, river.JobSnooze(d))
			}
			return finish(StateRetrying, outLookupError, err, fmt.Errorf("relay: look %s up: %w", key, err))
		}
		switch f {
		case found:
			row.VendorID, row.Reconciled, row.InDoubtMS = id, true, 0
			return finish(StateDelivered, outReconciled, nil, nil)
		case undecidable:
			row.Review = note
			return finish(StateNeedsReview, outReview, nil, river.JobCancel(errNeedsReview))
		}
		row.InDoubtMS = 0 // proved absent: send again
		r.logAttempt(ctx, key, v, jr.Attempt, outAbsent, "", nil)
	}

	mark := func() error {
		row.InDoubtMS = time.Now().UnixMilli()
		row.Attempts++
		row.State = string(stateSending)
		return r.dial.save(ctx, row, time.Now().UnixMilli(), false)
	}
	if err := mark(); err != nil {
		return fmt.Errorf("relay: record the attempt of %s: %w", key, err)
	}
	a.progress = func(id string) error {
		row.Step++
		row.VendorID = id
		return mark()
	}
	id, err := job.send(ctx, c, a)
	if err == nil {
		row.VendorID, row.InDoubtMS, row.LastError = id, 0, ""
		return finish(StateDelivered, outDelivered, nil, nil)
	}
	if errors.Is(err, leadkit.ErrOutcomeUnknown) || errors.Is(err, errNoProspectID) {
		// Kept in doubt: the next attempt reconciles before anything else.
		return finish(StateRetrying, outUnknown, err, river.JobSnooze(r.cfg.settle[v]))
	}
	row.InDoubtMS = 0 // the client proved the request was not processed
	if d, ok := rateLimited(err); ok {
		return finish(StateRetrying, outRateLimited, err, river.JobSnooze(d))
	}
	if d, ok := unavailableFor(err); ok {
		// The vendor said when to come back (503 Retry-After): wait that
		// long (an hour at most) instead of guessing, without spending an
		// attempt: the vendor is down, not refusing the lead.
		return finish(StateRetrying, outRetry, err, river.JobSnooze(min(d, time.Hour)))
	}
	if permanent(err) {
		return finish(StateFailed, outPermanent, err, river.JobCancel(err))
	}
	if jr.Attempt >= jr.MaxAttempts {
		return finish(StateFailed, outPermanent, err, err)
	}
	return finish(StateRetrying, outRetry, err, err)
}

func isSnooze(err error) bool {
	var s *rivertype.JobSnoozeError
	return errors.As(err, &s)
}

// rateLimited reports a *RateLimitError (HTTP 429 or a client-side window)
// and how long to wait.
func rateLimited(err error) (time.Duration, bool) {
	var rl *leadkit.RateLimitError
	if !errors.As(err, &rl) {
		return 0, false
	}
	return max(rl.RetryAfter, 100*time.Millisecond), true
}

// unavailableFor reports a 503 whose Retry-After says when to come back.
func unavailableFor(err error) (time.Duration, bool) {
	var re *leadkit.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	d, ok := transport.ParseRetryAfter(re.Header.Get("Retry-After"), time.Now())
	return max(d, 100*time.Millisecond), ok
}

// permanent reports a failure that another attempt would meet again: an
// input the client refused, a 4xx answer other than 408, 425 and 429 (every
// vendor's *Error unwraps to the *leadkit.ResponseError of a non-2xx
// answer), or a SalesMan error code (answered with HTTP 200).
func permanent(err error) bool {
	if errors.Is(err, leadkit.ErrInvalidInput) {
		return true
	}
	var re *leadkit.ResponseError
	if errors.As(err, &re) {
		return clientStatus(re.StatusCode)
	}
	var sm *salesman.Error
	return errors.As(err, &sm)
}

// maxErrorText bounds the error text a delivery records and logs.
const maxErrorText = 2000

func clientStatus(s int) bool {
	return s >= 400 && s < 500 && s != 408 && s != 425 && s != 429
}

func (r *Relay) logAttempt(ctx context.Context, key string, v Vendor, n int, out outcome, vendorID string, err error) {
	level := slog.LevelInfo
	switch out {
	case outRetry, outUnknown, outLookupError, outRateLimited:
		level = slog.LevelWarn
	case outPermanent, outReview:
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.String("key", key), slog.String("vendor", string(v)), slog.Int("attempt", n), slog.String("outcome", string(out))}
	if vendorID != "" {
		attrs = append(attrs, slog.String("vendor_id", vendorID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", transport.Clip(err.Error(), maxErrorText)))
	}
	r.log.LogAttrs(ctx, level, "relay: attempt", attrs...)
}
