package relay

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/leadkit/leadkit"
)

// Item is one thing a source found: its identity within the source (a
// lead id), the value handed to the route's function, and the cursor to
// store once it is handled ("" keeps the cursor where it is).
type Item[T any] struct {
	ID     string
	Value  T
	Cursor string
}

// Page is what one read of a source found: the items, in the order to
// handle them, the cursor to store once all of them are handled (Next; ""
// keeps the cursor), and whether to read again at once (More).
type Page[T any] struct {
	Items []Item[T]
	Next  string
	More  bool
}

// Source is where a route polls for new items. Poll reads from cursor (""
// the first time) and returns what it found. It may return items handled
// before: the route hands each item (by its ID) to its function once and
// skips the repeats, so a source reads windows that overlap instead of
// risking a gap. Name is the source's identity in the database (its
// cursor and the items it handled): keep it stable.
type Source[T any] interface {
	Name() string
	Poll(ctx context.Context, cursor string) (Page[T], error)
}

// Enricher is a Source that completes each new item before it is handed
// on (a lead's details fetched from the vendor), outside the item's
// transaction, so no database transaction waits on the vendor. Enrich is
// called only for items the route has not handled yet. An error matching
// *leadkit.InputError parks the item in review; any other fails the poll,
// which is retried from the cursor.
type Enricher[T any] interface {
	Enrich(ctx context.Context, item T) (T, error)
}

// RouteOption configures a route.
type RouteOption func(*routeConfig) error

type routeConfig struct {
	every    time.Duration
	maxPages int
	timeout  time.Duration
}

// WithPollTimeout sets how long one poll may run (default: the relay's
// WithJobTimeout). A poll of Zen waits for Zen's window (one call a minute)
// between pages: give it more than a minute, or read one page a poll
// (WithMaxPages(1)). A poll whose process died is taken up again after
// the longer of this and WithRescueAfter.
func WithPollTimeout(d time.Duration) RouteOption {
	return func(c *routeConfig) error {
		if d < time.Second {
			return leadkit.Invalid("PollTimeout", "must be at least 1s, got %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithPollEvery sets how often a route polls its source (default 30
// seconds; at least 10 milliseconds). One poll runs at a time across every
// process sharing the database.
func WithPollEvery(d time.Duration) RouteOption {
	return func(c *routeConfig) error {
		if d < 10*time.Millisecond {
			return leadkit.Invalid("PollEvery", "must be at least 10ms, got %s", d)
		}
		c.every = d
		return nil
	}
}

// WithMaxPages bounds how many pages one poll reads while the source
// says there is more (default 50); the next poll goes on from the cursor.
func WithMaxPages(n int) RouteOption {
	return func(c *routeConfig) error {
		if n < 1 {
			return leadkit.Invalid("MaxPages", "must be at least 1, got %d", n)
		}
		c.maxPages = n
		return nil
	}
}

// routeReg is a route registered on this process, its types erased.
type routeReg struct {
	name   string
	cfg    routeConfig
	poll   func(ctx context.Context, cursor string) (Page[any], error)
	enrich func(ctx context.Context, item any) (any, error) // nil: the source is no Enricher
	handle func(ctx context.Context, tx any, item any) error
}

// Route registers a route from src: River polls src every WithPollEvery
// (one poll at a time across all processes sharing the database), and
// each new item is handed to fn once, inside a transaction of the relay's
// database in which the source's cursor advances and the item is marked
// handled: fn's writes (an EnqueueTx of a delivery) commit with them, or
// none does. While fn returns an error the poll fails and is retried from
// the same cursor; an error matching *leadkit.InputError (a lead the
// destination would refuse) parks the item in review with the error as its
// note instead, and the route goes on (see RouteStats).
//
// Register every route on every process that Starts the relay, before
// Start: the processes share the polls.
func Route[TTx, T any](r *Relay[TTx], src Source[T], fn func(ctx context.Context, tx TTx, item T) error, opts ...RouteOption) error {
	if r == nil {
		return leadkit.Invalid("r", "must not be nil")
	}
	if isNil(src) {
		return leadkit.Invalid("src", "must not be nil")
	}
	if fn == nil {
		return leadkit.Invalid("fn", "must not be nil")
	}
	if r.c.closed.Load() {
		return ErrClosed
	}
	cfg := routeConfig{every: 30 * time.Second, maxPages: 50}
	for i, o := range opts {
		if o == nil {
			return leadkit.Invalid(fmt.Sprintf("opts[%d]", i), "must not be nil")
		}
		if err := o(&cfg); err != nil {
			return err
		}
	}
	name := src.Name()
	if err := checkName("source", name); err != nil {
		return err
	}
	reg := &routeReg{
		name: name,
		cfg:  cfg,
		poll: func(ctx context.Context, cursor string) (Page[any], error) {
			p, err := src.Poll(ctx, cursor)
			if err != nil {
				return Page[any]{}, err
			}
			out := Page[any]{Next: p.Next, More: p.More, Items: make([]Item[any], len(p.Items))}
			for i, it := range p.Items {
				out.Items[i] = Item[any]{ID: it.ID, Value: it.Value, Cursor: it.Cursor}
			}
			return out, nil
		},
		handle: func(ctx context.Context, tx any, item any) error { return fn(ctx, asTx[TTx](tx), item.(T)) },
	}
	if e, ok := src.(Enricher[T]); ok {
		reg.enrich = func(ctx context.Context, item any) (any, error) { return e.Enrich(ctx, item.(T)) }
	}
	if err := r.c.intake.addRoute(reg); err != nil {
		return err
	}
	if s, ok := src.(redacting); ok { // a built-in source: its client's credentials
		r.c.red.Include(s.redact)
	}
	return nil
}

// RouteJobs is Route with a function from an item to the delivery job that
// carries it to its destination: the job is enqueued (EnqueueTx) in the
// item's transaction, so each item is enqueued once. An item whose job is
// a duplicate (its idempotency key was enqueued before for the same
// vendor) counts as handled; one whose key another vendor's lead holds is
// an input error, and the item is parked for review; job returning nil
// skips the item (marked handled, nothing enqueued).
func RouteJobs[TTx, T any](r *Relay[TTx], src Source[T], job func(item T) (Job, error), opts ...RouteOption) error {
	if job == nil {
		return leadkit.Invalid("job", "must not be nil")
	}
	if r == nil {
		return leadkit.Invalid("r", "must not be nil")
	}
	return Route(r, src, func(ctx context.Context, tx TTx, item T) error {
		j, err := job(item)
		if err != nil || j == nil {
			return err
		}
		_, err = r.EnqueueTx(ctx, tx, j)
		if errors.Is(err, ErrDuplicate) {
			return nil
		}
		return err
	}, opts...)
}

// pollArgs is the River job of one poll of a route's source.
type pollArgs struct {
	Source string `json:"source"`
}

// Kind is the River job kind of the routes' polls.
func (pollArgs) Kind() string { return "leadkit_relay_poll" }

// liveStates are the states of a poll job that keep another from being
// inserted: one poll of a source at a time.
var liveStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// pollJob is the periodic job of a route: River's leader inserts it every
// interval, once per interval (a poll left running by a process that died
// does not hold back the next until River rescues it). One poll of a
// source runs at a time all the same: each takes the cursor's lease first
// (see poll).
func pollJob(reg *routeReg) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(reg.cfg.every), func() (river.JobArgs, *river.InsertOpts) {
		opts := &river.InsertOpts{Queue: Queue, MaxAttempts: 3}
		if reg.cfg.every >= time.Second { // River's least period
			opts.UniqueOpts = river.UniqueOpts{ByArgs: true, ByPeriod: reg.cfg.every, ByState: liveStates}
		}
		return pollArgs{Source: reg.name}, opts
	}, &river.PeriodicJobOpts{RunOnStart: true, ID: "leadkit_relay_poll:" + reg.name})
}

// errMoved stops a poll whose cursor another poll moved meanwhile.
var errMoved = errors.New("relay: the source's cursor moved (another poll ran)")

// pollWorker runs the polls of the routes.
type pollWorker struct {
	river.WorkerDefaults[pollArgs]
	r *core
}

// Timeout lets a poll run as long as the relay's job timeout allows, at
// least a minute (a poll reads up to MaxPages pages).
func (w *pollWorker) Timeout(*river.Job[pollArgs]) time.Duration {
	return max(time.Minute, w.r.cfg.jobTimeout)
}

func (w *pollWorker) Work(ctx context.Context, j *river.Job[pollArgs]) error {
	r := w.r
	reg := r.intake.route(j.Args.Source)
	if reg == nil {
		return fmt.Errorf("relay: no route from %q is registered on this process (register it before Start on every process)", j.Args.Source)
	}
	err := r.poll(ctx, reg)
	if errors.Is(err, errMoved) {
		return nil
	}
	if err != nil {
		bg, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer stop()
		d := r.dial
		_, _ = d.db.exec(bg, d.ti(`UPDATE {cu} SET last_error = $2 WHERE source = $1`), reg.name, r.stored(err.Error()))
	}
	return err
}

// cursor returns the source's cursor and its version, making its row the
// first time.
func (r *core) cursor(ctx context.Context, name string) (string, int64, error) {
	d := r.dial
	if _, err := d.db.exec(ctx, d.ti(`INSERT INTO {cu} (source, updated_ms) VALUES ($1, {now}) ON CONFLICT (source) DO NOTHING`), name); err != nil {
		return "", 0, fmt.Errorf("relay: cursor of %s: %w", name, err)
	}
	var pos string
	var ver int64
	if err := d.db.queryRow(ctx, d.ti(`SELECT pos, version FROM {cu} WHERE source = $1`), name).Scan(&pos, &ver); err != nil {
		return "", 0, fmt.Errorf("relay: cursor of %s: %w", name, err)
	}
	return pos, ver, nil
}

// poll reads the source from its cursor, page after page while it says
// there is more (up to MaxPages), and hands each new item to the route's
// function in a transaction that also advances the cursor.
func (r *core) poll(ctx context.Context, reg *routeReg) error {
	pos, ver, err := r.cursor(ctx, reg.name)
	if err != nil {
		return err
	}
	// The cursor's lease: one poll of the source at a time; a poll whose
	// process died holds it until its timeout has passed.
	timeout := reg.cfg.timeout
	if timeout <= 0 {
		timeout = r.cfg.jobTimeout
	}
	d := r.dial
	holder := strconv.FormatUint(rand.Uint64(), 36)
	n, err := d.db.exec(ctx, d.ti(`UPDATE {cu} SET lease_ms = {now} + $2, holder = $3 WHERE source = $1 AND lease_ms < {now}`),
		reg.name, (timeout + time.Second).Milliseconds(), holder)
	if err != nil {
		return fmt.Errorf("relay: lease the cursor of %s: %w", reg.name, err)
	}
	if n == 0 {
		return nil // another poll is live
	}
	defer func() {
		bg, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer stop()
		_, _ = d.db.exec(bg, d.ti(`UPDATE {cu} SET lease_ms = 0 WHERE source = $1 AND holder = $2`), reg.name, holder)
	}()
	for range reg.cfg.maxPages {
		page, err := reg.poll(ctx, pos)
		if err != nil {
			return fmt.Errorf("relay: poll %s: %w", reg.name, err)
		}
		seen, err := r.seenOf(ctx, reg.name, page.Items)
		if err != nil {
			return err
		}
		for i, it := range page.Items {
			next := it.Cursor
			if i == len(page.Items)-1 && page.Next != "" {
				next = page.Next // the page's end commits with its last item
			}
			if seen[it.ID] {
				// Handled before (windows overlap): no transaction, unless
				// the cursor moves.
				if next != "" && next != pos {
					if err := r.advance(ctx, reg.name, next, ver); err != nil {
						return err
					}
					ver++
					pos = next
				}
				continue
			}
			if err := r.handleItem(ctx, reg, it, pos, next, ver); err != nil {
				return err
			}
			ver++
			if next != "" {
				pos = next
			}
		}
		if len(page.Items) == 0 {
			if err := r.advance(ctx, reg.name, page.Next, ver); err != nil {
				return err
			}
			ver++
			if page.Next != "" {
				pos = page.Next
			}
		}
		if !page.More {
			return nil
		}
	}
	return nil
}

// seenOf returns which of items the route handled before (by their IDs).
func (r *core) seenOf(ctx context.Context, name string, items []Item[any]) (map[string]bool, error) {
	d := r.dial
	seen := map[string]bool{}
	for start := 0; start < len(items); start += 500 {
		chunk := items[start:min(start+500, len(items))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, name)
		var in strings.Builder
		for i, it := range chunk {
			if i > 0 {
				in.WriteString(", ")
			}
			fmt.Fprintf(&in, "$%d", i+2)
			args = append(args, it.ID)
		}
		err := d.db.query(ctx, d.ti(`SELECT item FROM {se} WHERE source = $1 AND item IN (`+in.String()+`)`), func(sc scanner) error {
			var id string
			if err := sc.Scan(&id); err != nil {
				return err
			}
			seen[id] = true
			return nil
		}, args...)
		if err != nil {
			return nil, fmt.Errorf("relay: read what %s handled: %w", name, err)
		}
	}
	return seen, nil
}

// advance stores the cursor of a page without new items.
func (r *core) advance(ctx context.Context, name, next string, ver int64) error {
	d := r.dial
	n, err := d.db.exec(ctx, d.ti(`UPDATE {cu} SET pos = CASE WHEN $3 = '' THEN pos ELSE $3 END, version = version + 1,
polls = polls + 1, last_error = '', updated_ms = {now} WHERE source = $1 AND version = $2`), name, ver, next)
	if err != nil {
		return fmt.Errorf("relay: advance the cursor of %s: %w", name, err)
	}
	if n == 0 {
		return errMoved
	}
	return nil
}

// handleItem hands one item to the route's function, in the transaction
// that marks it seen and moves the cursor to next (if not ""), under the
// cursor's version ver (the row lock that keeps two polls apart).
func (r *core) handleItem(ctx context.Context, reg *routeReg, it Item[any], pos, next string, ver int64) error {
	if it.ID == "" {
		return fmt.Errorf("relay: source %s gave an item without an ID", reg.name)
	}
	d := r.dial
	var review error
	if reg.enrich != nil { // the item was not seen when its page was read
		v, err := reg.enrich(ctx, it.Value)
		var ie *leadkit.InputError
		switch {
		case errors.As(err, &ie):
			review = err
		case err != nil:
			return fmt.Errorf("relay: route from %s, complete item %s: %w", reg.name, it.ID, err)
		default:
			it.Value = v
		}
	}
	mark := func(t txn, state, note string) (bool, error) {
		if next == "" {
			next = pos
		}
		n, err := t.st.exec(ctx, d.ti(`UPDATE {cu} SET pos = $3, version = version + 1, items = items + 1, last_error = '', updated_ms = {now}
WHERE source = $1 AND version = $2`), reg.name, ver, next)
		if err != nil {
			return false, fmt.Errorf("relay: advance the cursor of %s: %w", reg.name, err)
		}
		if n == 0 {
			return false, errMoved
		}
		n, err = t.st.exec(ctx, d.ti(`INSERT INTO {se} (source, item, state, note, seen_ms) VALUES ($1, $2, $3, $4, {now})
ON CONFLICT (source, item) DO NOTHING`), reg.name, it.ID, state, r.stored(note))
		if err != nil {
			return false, fmt.Errorf("relay: mark %s of %s: %w", it.ID, reg.name, err)
		}
		return n == 1, nil
	}
	err := r.userTx(ctx, func(tx any, t txn) error {
		if review != nil {
			return review
		}
		isNew, err := mark(t, "handled", "")
		if err != nil || !isNew {
			return err
		}
		if err := reg.handle(ctx, tx, it.Value); err != nil {
			var ie *leadkit.InputError
			if errors.As(err, &ie) {
				review = err
				return err
			}
			return fmt.Errorf("relay: route from %s, item %s: %w", reg.name, it.ID, err)
		}
		return nil
	})
	if review == nil {
		return err
	}
	// The function refused the item: it is parked for review, in a
	// transaction of its own (the function's writes are rolled back).
	return r.userTx(ctx, func(_ any, t txn) error {
		_, err := mark(t, "needs_review", review.Error())
		return err
	})
}

// RouteStats is what a route did.
type RouteStats struct {
	// Cursor is the source's cursor as stored.
	Cursor string
	// Handled items were handed to the function once; Review items were
	// refused by it (see their notes in the table leadkit_relay_seen).
	Handled, Review int
	// LastError is the last poll's error ("" after a poll that worked).
	LastError string
}

// RouteStats returns what the route from the source name did.
func (r *Relay[TTx]) RouteStats(ctx context.Context, name string) (RouteStats, error) {
	var s RouteStats
	if r.c.closed.Load() {
		return s, ErrClosed
	}
	d := r.c.dial
	err := d.db.queryRow(ctx, d.ti(`SELECT pos, last_error FROM {cu} WHERE source = $1`), name).Scan(&s.Cursor, &s.LastError)
	if err != nil && !errors.Is(err, errNoRows) {
		return s, fmt.Errorf("relay: route stats: %w", err)
	}
	err = d.db.query(ctx, d.ti(`SELECT state, COUNT(*) FROM {se} WHERE source = $1 GROUP BY state`), func(sc scanner) error {
		var state string
		var n int
		if err := sc.Scan(&state, &n); err != nil {
			return err
		}
		switch state {
		case "handled":
			s.Handled = n
		case "needs_review":
			s.Review = n
		}
		return nil
	}, name)
	if err != nil {
		return s, fmt.Errorf("relay: route stats: %w", err)
	}
	return s, nil
}
