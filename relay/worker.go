package relay

import (
	"context"
	"encoding/json"
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
// the job timeout (the attempt's requests end by then) and a margin for
// the attempt to record its outcome.
func (c config) lease() time.Duration {
	return c.jobTimeout + min(15*time.Second, max(500*time.Millisecond, c.jobTimeout/2))
}

// outcomeTimeout bounds the recording of an attempt's outcome, which
// goes on after the attempt's context ended.
const outcomeTimeout = 30 * time.Second

// start is Relay.Start.
func (r *core) start(ctx context.Context, c Clients) error {
	if ctx == nil {
		return leadkit.Invalid("ctx", "must not be nil")
	}
	if r.closed.Load() {
		return ErrClosed
	}
	r.red.Include(redactors(c)...)
	workers := river.NewWorkers()
	// A queue per vendor whose client is given, with workers of its own;
	// the shared queue keeps the sweep and the jobs enqueued before.
	queues := map[string]river.QueueConfig{Queue: {MaxWorkers: r.cfg.workers}}
	if c.Salesman != nil {
		river.AddWorker(workers, &deliverer[SalesmanLead]{r: r, c: &c})
		queues[QueueOf(VendorSalesman)] = river.QueueConfig{MaxWorkers: r.cfg.workersOf(VendorSalesman)}
	}
	if c.Zen != nil {
		river.AddWorker(workers, &deliverer[ZenLead]{r: r, c: &c})
		queues[QueueOf(VendorZen)] = river.QueueConfig{MaxWorkers: r.cfg.workersOf(VendorZen)}
	}
	if c.Zenvia != nil {
		river.AddWorker(workers, &deliverer[ZenviaLead]{r: r, c: &c})
		queues[QueueOf(VendorZenvia)] = river.QueueConfig{MaxWorkers: r.cfg.workersOf(VendorZenvia)}
	}
	if c.Datacake != nil {
		river.AddWorker(workers, &deliverer[DatacakeProspect]{r: r, c: &c})
		r.clientMaxFile.Store(c.Datacake.MaxFileBytes())
		queues[QueueOf(VendorDatacake)] = river.QueueConfig{MaxWorkers: r.cfg.workersOf(VendorDatacake)}
	}
	periodic := []*river.PeriodicJob{sweepJob(r.cfg.sweepEvery)}
	k, jobs := r.intake.register(r, workers)
	periodic = append(periodic, jobs...)
	if len(queues) == 1 && k == 0 {
		return leadkit.Invalid("Clients", "holds no client: give at least one vendor's (or register an inbox or a route)")
	}
	river.AddWorker(workers, &sweeper{r: r})
	rescue := r.cfg.rescueAfter
	if rescue == 0 {
		rescue = r.cfg.lease() + time.Minute
	}
	if rescue <= r.cfg.lease() {
		return leadkit.Invalid("RescueAfter", "must exceed the job timeout by more than %s", r.cfg.lease()-r.cfg.jobTimeout)
	}
	cooldown := r.cfg.cooldown
	if cooldown == 0 {
		cooldown = min(100*time.Millisecond, r.cfg.poll)
	}
	var outs *outcomes
	var cls *claims
	if !r.dial.sqlite { // one connection on SQLite: nothing to batch
		outs, cls = newOutcomes(r.dial), newClaims(r.dial, r.cfg.lease().Milliseconds())
		if !r.outs.CompareAndSwap(nil, outs) {
			outs.close()
			outs = nil
		}
		if !r.claims.CompareAndSwap(nil, cls) {
			cls.close()
			cls = nil
		}
	}
	err := r.eng.start(ctx, &river.Config{
		Queues:               queues,
		Workers:              workers,
		PeriodicJobs:         periodic,
		FetchOnlyKnownKinds:  true,
		JobTimeout:           r.cfg.jobTimeout,
		RescueStuckJobsAfter: rescue,
		MaxAttempts:          r.cfg.maxAttempts,
		RetryPolicy:          backoff{max: r.cfg.maxBackoff},
		Logger:               riverLogger(r.log),
		Schema:               r.cfg.schema,
		FetchPollInterval:    r.cfg.poll,
		FetchCooldown:        cooldown,
		Plugins:              r.cfg.riverPlugins(),
		Middleware:           []rivertype.Middleware{&maskWork{red: r.red}}, // inside the plugins' (redact.go)
		// River's job rows (older ones' args hold the lead, any one's
		// errors may quote it): never kept past the relay's erasure.
		CompletedJobRetentionPeriod: r.cfg.riverRetention(24 * time.Hour),
		CancelledJobRetentionPeriod: r.cfg.riverRetention(24 * time.Hour),
		DiscardedJobRetentionPeriod: r.cfg.riverRetention(7 * 24 * time.Hour),
	})
	if err != nil && outs != nil {
		r.outs.CompareAndSwap(outs, nil)
		outs.close()
	}
	if err != nil && cls != nil {
		r.claims.CompareAndSwap(cls, nil)
		cls.close()
	}
	return err
}

// claim is dialect.claim, in a batch with other workers' while started on
// PostgreSQL.
func (r *core) claim(ctx context.Context, key string) (*row, int64, bool, error) {
	if c := r.claims.Load(); c != nil {
		return c.claim(ctx, key)
	}
	return r.dial.claim(ctx, key, r.cfg.lease().Milliseconds())
}

// writeOutcome records an attempt's end (dialect.write, no new fence), in
// a batch with other workers' while started on PostgreSQL.
func (r *core) writeOutcome(ctx context.Context, row *row, now int64) error {
	if o := r.outs.Load(); o != nil {
		return o.write(ctx, row, now)
	}
	return r.dial.write(ctx, r.dial.db, row, now, false, false)
}

// stopOutcomes ends the batching of claims and outcomes once the workers
// stopped.
func (r *core) stopOutcomes() {
	if o := r.outs.Swap(nil); o != nil {
		o.close()
	}
	if c := r.claims.Swap(nil); c != nil {
		c.close()
	}
}

// stop is Relay.Stop.
func (r *core) stop(ctx context.Context) error {
	if r.closed.Load() {
		return ErrClosed
	}
	err := r.eng.stop(ctx)
	r.stopOutcomes()
	return err
}

// backoff is exponential from one second, capped, with 10% jitter.
type backoff struct{ max time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := max(b.max, 0)
	// A second doubled per attempt: past 2^30 s (34 years) every cap is
	// reached, and the shift must stop before int64 overflows (a second
	// shifted by 34 is negative, and rand.Int64N panics on it).
	if n := job.Attempt; n <= 31 {
		d = min(d, time.Second<<max(n-1, 0))
	}
	d += time.Duration(rand.Int64N(int64(d)/10 + 1))
	return time.Now().Add(d)
}

type deliverer[T Job] struct {
	river.WorkerDefaults[T]
	r *core
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
	outFenced      outcome = "taken_over"
)

// errNeedsReview cancels the River job of a delivery parked for review.
var errNeedsReview = errors.New("relay: parked for review")

// attempt is one delivery attempt: the delivery as claimed (under its
// fence), and what the job's send and lookup see of it.
type attempt struct {
	r   *core
	c   *Clients
	job Job
	jr  *rivertype.JobRow
	row *row
	// dbNow is the database's clock when the delivery was claimed, local
	// the process's monotonic clock then: now() runs on the database's.
	dbNow int64
	local time.Time
	bg    context.Context // records outcomes after the attempt's ctx ended

	inDoubt  time.Time                  // when the attempt in doubt began
	marked   bool                       // the claim recorded the send (see dialect.claim)
	zen      *zenArchives               // the process's Zen archive reads
	progress func(id, ref string) error // records a finished step (datacake) and marks the next in doubt
}

func (a *attempt) now() int64 { return a.dbNow + time.Since(a.local).Milliseconds() }

// doubtBegan is when the attempt in doubt began, on the earlier of two
// clocks: the database's, which recorded it, and this process's. The
// vendor dates the lead by a third; a lookup window (created since the
// attempt, less the allowed skew) that starts by a clock running ahead
// misses the lead and proves it absent.
func (a *attempt) doubtBegan() time.Time {
	db := time.UnixMilli(a.row.InDoubtMS)
	if local := a.localTime(a.row.InDoubtMS).Round(0); local.Before(db) {
		return local
	}
	return db
}

// localTime is the process's time at the database's ms.
func (a *attempt) localTime(ms int64) time.Time {
	return a.local.Add(time.Duration(ms-a.dbNow) * time.Millisecond)
}

// work runs one attempt of the delivery of ref's key. ref is River's job:
// its key (and, for jobs enqueued before River's jobs held only the key,
// the job again); the job sent is the delivery's own copy, which the claim
// reads.
func (r *core) work(ctx context.Context, c *Clients, ref Job, jr *rivertype.JobRow) error {
	key := ref.IdempotencyKey()
	start := time.Now()
	ctx, end := r.startAttempt(ctx, key, ref.vendor(), jr.Attempt)
	defer end()
	row, dbNow, marked, err := r.claim(ctx, key)
	if err != nil {
		return fmt.Errorf("relay: claim %s: %w", key, err)
	}
	if row == nil {
		return r.leasedElsewhere(ctx, ref, jr)
	}
	job, err := decodeJob(ref.vendor(), row.Job)
	if err != nil {
		// Nothing to send can be read: this attempt sends nothing (the
		// claim's record of its send is undone); an earlier attempt's
		// doubt stays, for review.
		a := &attempt{r: r, c: c, job: ref, jr: jr, row: row, dbNow: dbNow, local: start, bg: context.WithoutCancel(ctx)}
		if State(row.State) == StateDelivered {
			// Nothing is sent for it: a job of a delivered delivery whose
			// lead retention erased (River's job outlived the outcome it
			// recorded) ends as delivered.
			return a.finish(StateDelivered, outDelivered, nil, nil)
		}
		if marked {
			row.InDoubtMS, row.DoubtEndMS = 0, 0
			row.Attempts--
		}
		if row.InDoubtMS != 0 {
			row.Review = fmt.Sprintf("the delivery's job could not be read (%v) while an attempt's outcome was unknown. Look the lead up at %s, then MarkDelivered or Resend", err, ref.vendor())
			return a.finish(StateNeedsReview, outReview, err, river.JobCancel(errNeedsReview))
		}
		return a.finish(StateFailed, outPermanent, err, river.JobCancel(err))
	}
	// Outcomes are recorded even when the attempt's ctx ended.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), outcomeTimeout)
	defer cancel()
	a := &attempt{r: r, c: c, job: job, jr: jr, row: row, dbNow: dbNow, local: start, bg: bg, zen: &r.zenCache, marked: marked}
	// The attempt's requests end before its lease does: a process paused
	// past it (and so possibly taken over) starts none after (the HTTP
	// core checks the deadline before every attempt).
	actx, stop := context.WithDeadline(ctx, start.Add(r.cfg.jobTimeout))
	defer stop()
	return a.run(actx)
}

// leasedElsewhere waits for another attempt's live lease (its process may
// be slow, not dead) instead of racing it.
func (r *core) leasedElsewhere(ctx context.Context, job Job, jr *rivertype.JobRow) error {
	key := job.IdempotencyKey()
	held, now, err := r.dial.load(ctx, r.dial.db, key)
	if errors.Is(err, errNoRows) {
		return river.JobCancel(fmt.Errorf("relay: %s has no delivery record (was the relay's table emptied?)", key))
	}
	if err != nil {
		return fmt.Errorf("relay: load %s: %w", key, err)
	}
	r.logAttempt(ctx, key, job.vendor(), jr.Attempt, outBusy, "", nil)
	return river.JobSnooze(max(time.Duration(held.LeaseMS-now)*time.Millisecond, 10*time.Millisecond))
}

func (a *attempt) run(ctx context.Context) error {
	row := a.row
	if a.marked {
		return a.send(ctx) // claimed fresh, and recorded as being sent
	}
	switch State(row.State) {
	case StateDelivered:
		return a.finish(StateDelivered, outDelivered, nil, nil)
	case StateNeedsReview, StateFailed:
		return a.finish(State(row.State), outcome(row.State), nil, river.JobCancel(fmt.Errorf("relay: %s is %s", row.Key, row.State)))
	}
	if row.InDoubtMS != 0 {
		if done, err := a.reconcile(ctx); done {
			return err
		}
	}
	return a.send(ctx)
}

// last reports the job's last attempt: River discards it when it fails.
func (a *attempt) last() bool { return a.jr.Attempt >= a.jr.MaxAttempts }

// reconcile asks the vendor whether the attempt in doubt delivered the
// lead; done is false when the lead is proved absent (send it again).
func (a *attempt) reconcile(ctx context.Context) (done bool, err error) {
	row, v := a.row, a.job.vendor()
	a.inDoubt = a.doubtBegan()
	// Not before the attempt's request can no longer be in flight (its
	// answer came, or its lease ended) and the vendor's settle time passed.
	settled := max(row.DoubtEndMS, row.InDoubtMS) + a.r.cfg.settle[v].Milliseconds()
	if wait := settled - a.now(); wait > 0 {
		return true, a.finish(StateRetrying, outSettling, nil, river.JobSnooze(time.Duration(wait)*time.Millisecond))
	}
	vd, err := a.job.lookup(ctx, a.c, a)
	a.r.reconciled(ctx, v, vd, err)
	if err != nil {
		if d, ok := rateLimited(err); ok {
			return true, a.finish(StateRetrying, outRateLimited, err, river.JobSnooze(a.vendorWait(d)))
		}
		if d, ok := unavailableFor(err); ok { // the vendor's "come back later", not a failed lookup
			return true, a.finish(StateRetrying, outRetry, err, river.JobSnooze(a.vendorWait(d)))
		}
		if a.last() {
			row.Review = fmt.Sprintf("the lookup failed on every attempt River allowed (%d); the last: %s. %s, then MarkDelivered or Resend",
				a.jr.Attempt, transport.Clip(err.Error(), 500), a.job.check())
			return true, a.finish(StateNeedsReview, outReview, err, river.JobCancel(errNeedsReview))
		}
		return true, a.finish(StateRetrying, outLookupError, err, fmt.Errorf("relay: look %s up: %w", row.Key, err))
	}
	switch vd.f {
	case found:
		holder, err := a.r.dial.refHolder(ctx, v, vd.ref, row.Key)
		if err != nil {
			return true, a.finish(StateRetrying, outLookupError, err, err)
		}
		if holder != "" {
			row.Review = fmt.Sprintf("the lookup found %s, which delivery %s holds: only one of them can be it. %s", vd.ref, holder, a.job.check())
			return true, a.finish(StateNeedsReview, outReview, nil, river.JobCancel(errNeedsReview))
		}
		row.VendorID, row.VendorRef, row.Reconciled, row.InDoubtMS, row.DoubtEndMS = vd.id, vd.ref, true, 0, 0
		return true, a.finish(StateDelivered, outReconciled, nil, nil)
	case undecidable:
		row.Review = vd.note
		return true, a.finish(StateNeedsReview, outReview, nil, river.JobCancel(errNeedsReview))
	}
	row.InDoubtMS, row.DoubtEndMS = 0, 0 // proved absent: send again
	a.r.logAttempt(ctx, row.Key, v, a.jr.Attempt, outAbsent, "", nil)
	return false, nil
}

// mark records, under the fence, that a request is about to go out: in
// doubt until its answer, or until this attempt's lease ends.
func (a *attempt) mark(ctx context.Context) error {
	row := a.row
	row.InDoubtMS, row.DoubtEndMS = a.now(), row.LeaseMS
	row.State = string(stateSending)
	row.Attempts++
	return a.r.dial.write(ctx, a.r.dial.db, row, a.now(), false, false)
}

func (a *attempt) send(ctx context.Context) error {
	row, v := a.row, a.job.vendor()
	if a.marked {
		a.marked = false // the claim recorded this send
	} else if err := a.mark(ctx); err != nil {
		if errors.Is(err, errFenced) {
			return a.stop(ctx)
		}
		return fmt.Errorf("relay: record the attempt of %s: %w", row.Key, err)
	}
	a.progress = func(id, ref string) error {
		row.Step++
		row.VendorID, row.VendorRef = id, ref
		return a.mark(ctx)
	}
	res, err := a.job.send(ctx, a.c, a)
	switch {
	case err == nil:
		row.VendorID, row.VendorRef, row.InDoubtMS, row.DoubtEndMS, row.LastError = res.id, res.ref, 0, 0, ""
		return a.finish(StateDelivered, outDelivered, nil, nil)
	case errors.Is(err, errFenced):
		return a.stop(ctx)
	case errors.Is(err, leadkit.ErrOutcomeUnknown) || errors.Is(err, errNoProspectID):
		// Kept in doubt: the next attempt reconciles before anything else,
		// once the vendor's settle time has passed since this answer.
		row.DoubtEndMS = a.now()
		return a.finish(StateRetrying, outUnknown, err, river.JobSnooze(a.r.cfg.settle[v]))
	}
	row.InDoubtMS, row.DoubtEndMS = 0, 0 // the client proved the request was not processed
	if d, ok := rateLimited(err); ok {
		return a.finish(StateRetrying, outRateLimited, err, river.JobSnooze(a.vendorWait(d)))
	}
	if d, ok := unavailableFor(err); ok {
		// The vendor said when to come back (503 Retry-After): wait that
		// long (an hour at most) instead of guessing, without spending an
		// attempt: the vendor is down, not refusing the lead.
		return a.finish(StateRetrying, outRetry, err, river.JobSnooze(a.vendorWait(d)))
	}
	if permanent(err) {
		return a.finish(StateFailed, outPermanent, err, river.JobCancel(err))
	}
	if a.last() {
		return a.finish(StateFailed, outPermanent, err, err)
	}
	return a.finish(StateRetrying, outRetry, err, err)
}

// stop ends an attempt whose delivery was taken over: nothing is sent or
// written; the job is looked at again once the new holder's lease ends.
func (a *attempt) stop(ctx context.Context) error {
	a.r.logAttempt(ctx, a.row.Key, a.job.vendor(), a.jr.Attempt, outFenced, "", nil)
	return river.JobSnooze(a.r.cfg.lease())
}

// finish records the attempt's end under the fence (releasing the lease)
// and returns ret to River. A write the fence refuses stops the attempt.
func (a *attempt) finish(state State, out outcome, lastErr error, ret error) error {
	row := a.row
	row.State, row.LeaseMS = string(state), 0
	if lastErr != nil {
		row.LastError = transport.Clip(lastErr.Error(), maxErrorText)
	}
	err := a.r.writeOutcome(a.bg, row, a.now())
	if errors.Is(err, errRefTaken) {
		holder, _ := a.r.dial.refHolder(a.bg, a.job.vendor(), row.VendorRef, row.Key)
		row.Review = fmt.Sprintf("the vendor answered %s, which delivery %s holds: only one of them can be it. %s", row.VendorRef, holder, a.job.check())
		row.VendorRef, row.State, out, ret = "", string(StateNeedsReview), outReview, river.JobCancel(errNeedsReview)
		err = a.r.dial.write(a.bg, a.r.dial.db, row, a.now(), false, false)
	}
	if errors.Is(err, errFenced) {
		return a.stop(a.bg)
	}
	if err != nil {
		a.r.log.ErrorContext(a.bg, "relay: record outcome", "key", row.Key, "error", err)
		if ret == nil || isSnooze(ret) {
			return fmt.Errorf("relay: record %s: %w", row.Key, err)
		}
	}
	a.r.logAttempt(a.bg, row.Key, a.job.vendor(), a.jr.Attempt, out, row.VendorID, lastErr)
	a.r.ended(a.bg, row, out, a.now())
	return ret
}

func isSnooze(err error) bool {
	var s *rivertype.JobSnoozeError
	return errors.As(err, &s)
}

// rateLimited reports a *RateLimitError (HTTP 429 or a client-side window)
// and how long it says to wait (0: it does not say).
func rateLimited(err error) (time.Duration, bool) {
	var rl *leadkit.RateLimitError
	if !errors.As(err, &rl) {
		return 0, false
	}
	return rl.RetryAfter, true
}

// maxVendorWait caps how long one Retry-After (429 or 503) holds a
// delivery: a vendor asking for a day is asked again in an hour.
const maxVendorWait = time.Hour

// vendorWait is how long to snooze when the vendor is busy or down: what it
// said (at least 100 ms, at most maxVendorWait), or, when it did not say,
// the relay's backoff by the job's snoozes so far (River counts them; a
// snooze spends no attempt), so a vendor that answers 429 for ever without
// Retry-After is not asked every 100 ms.
func (a *attempt) vendorWait(said time.Duration) time.Duration {
	if said > 0 {
		return min(max(said, 100*time.Millisecond), maxVendorWait)
	}
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(a.jr.Metadata, &meta)
	return min(a.r.cfg.maxBackoff, time.Second<<min(max(meta.Snoozes, 0), 30))
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

func (r *core) logAttempt(ctx context.Context, key string, v Vendor, n int, out outcome, vendorID string, err error) {
	level := slog.LevelInfo
	switch out {
	case outRetry, outUnknown, outLookupError, outRateLimited, outFenced:
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
	r.attempted(ctx, v, out)
}
