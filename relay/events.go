package relay

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadkit/leadkit"
)

// EventKind is what happened to a delivery.
type EventKind string

// The kinds of Event: the states in which the relay stops working a
// delivery until a person acts (or for good).
const (
	// EventDelivered: the vendor answered with the lead's id.
	EventDelivered EventKind = "delivered"
	// EventReconciled: delivered, proved by a lookup after an attempt
	// whose outcome was unknown (MarkDelivered is EventDelivered).
	EventReconciled EventKind = "reconciled"
	// EventFailed: the vendor refused the lead, or the attempts ran out.
	EventFailed EventKind = "failed"
	// EventNeedsReview: a person must decide (Delivery.Review).
	EventNeedsReview EventKind = "needs_review"
)

// Event is a delivery that reached a state of EventKind, as committed in
// the database. It carries no lead field: read Status(Key) for more.
type Event struct {
	Kind     EventKind
	Key      string
	Vendor   Vendor
	VendorID string    // delivered and reconciled: the vendor's id
	At       time.Time // when the delivery reached the state (Delivery.Updated): resume from it
}

// EventLookback is how far back of the newest event it has seen a
// subscription reads again, for the changes that were committed late
// (a write's timestamp is taken just before its statement, which may wait
// for a lock: on SQLite up to its 30-second busy timeout). Resuming after
// a crash, subscribe from the At of the last event handled minus
// EventLookback.
const EventLookback = 2 * time.Minute

// eventPoll is how often a subscription reads the database when nothing
// nudged it; eventBuffer is its channel's default capacity, eventPage the
// rows one read takes.
const (
	eventPoll   = time.Second
	eventBuffer = 256
	eventPage   = 500
)

// SubscribeConfig chooses what a subscription sends (like River's
// SubscribeConfig).
type SubscribeConfig struct {
	// Since is the earliest Event.At sent; the zero time: from now.
	Since time.Time
	// Kinds are the kinds sent; all when empty.
	Kinds []EventKind
	// ChanSize is the channel's capacity (default 256).
	ChanSize int
}

// Subscribe sends, on the channel it returns, an Event for every delivery
// that reaches delivered, failed or needs_review (see EventKind), on any
// process sharing the database, until ctx ends or the relay closes (then
// the channel is closed).
//
// Events are read from the database by the subscription's own goroutine,
// so delivery never waits for a subscriber: one that does not keep up only
// holds back its own reads once its channel is full, and catches up from
// the database when it reads again.
//
// They are sent at least once: every change into one of these states that
// is committed at or after cfg.Since is sent, once per subscription in the
// normal case, and again to a subscription that starts from an earlier
// Since. To resume after a crash, subscribe from the At of the last event
// handled minus EventLookback, and handle events idempotently (by Key and
// Kind). An event is the delivery's committed state, not a log of each
// transition: a delivery that moves from one of these states to another
// between two reads (needs_review, then marked delivered within a second)
// is sent in its newer state only; one deleted by retention is not sent.
func (r *Relay[TTx]) Subscribe(ctx context.Context, cfg SubscribeConfig) (<-chan Event, error) {
	return r.c.subscribe(ctx, cfg)
}

// eventHub wakes the process's subscriptions when one of its attempts
// ended, so that they need not wait for their next poll.
type eventHub struct {
	n    atomic.Int32
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

func (h *eventHub) add() chan struct{} {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[chan struct{}]struct{}{}
	}
	h.subs[c] = struct{}{}
	h.n.Add(1)
	return c
}

func (h *eventHub) remove(c chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, c)
	h.n.Add(-1)
}

// nudge never blocks: a subscription already nudged stays so.
func (h *eventHub) nudge() {
	if h.n.Load() == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// ended is the worker's one notification point, after an attempt's
// outcome is committed: the latency metric and the subscriptions' nudge.
func (r *core) ended(ctx context.Context, row *row, out outcome, nowMS int64) {
	if out == outDelivered || out == outReconciled {
		r.delivered(ctx, Vendor(row.Vendor), row.CreatedMS, nowMS)
	}
	switch out {
	case outDelivered, outReconciled, outPermanent, outReview:
		r.events.nudge()
	}
}

func (r *core) subscribe(ctx context.Context, cfg SubscribeConfig) (<-chan Event, error) {
	if ctx == nil {
		return nil, leadkit.Invalid("ctx", "must not be nil")
	}
	if r.closed.Load() {
		return nil, ErrClosed
	}
	want := map[EventKind]bool{}
	for i, k := range cfg.Kinds {
		switch k {
		case EventDelivered, EventReconciled, EventFailed, EventNeedsReview:
			want[k] = true
		default:
			return nil, leadkit.Invalid(fmt.Sprintf("Kinds[%d]", i), "unknown event kind %q", string(k))
		}
	}
	size := eventBuffer
	switch {
	case cfg.ChanSize < 0:
		return nil, leadkit.Invalid("ChanSize", "must not be negative")
	case cfg.ChanSize > 0:
		size = cfg.ChanSize
	}
	from := cfg.Since.UnixMilli()
	if cfg.Since.IsZero() {
		if err := r.dial.db.queryRow(ctx, r.dial.t(`SELECT {now}`)).Scan(&from); err != nil {
			return nil, fmt.Errorf("relay: subscribe: %w", err)
		}
	}
	s := &subscription{r: r, want: want, from: from, hi: from, seen: map[string]seenState{}, out: make(chan Event, size)}
	wake := r.events.add()
	go func() {
		defer close(s.out)
		defer r.events.remove(wake)
		s.run(ctx, wake)
	}()
	return s.out, nil
}

type seenState struct {
	ms    int64
	state string
}

// subscription reads the final deliveries changed since hi-EventLookback
// (from at the earliest), in (updated_ms, key) order, and sends those it
// has not sent in that state.
type subscription struct {
	r        *core
	want     map[EventKind]bool
	from, hi int64
	seen     map[string]seenState
	out      chan Event
}

func (s *subscription) run(ctx context.Context, wake chan struct{}) {
	t := time.NewTicker(eventPoll)
	defer t.Stop()
	for {
		if err := s.read(ctx); err != nil && ctx.Err() == nil && !s.r.closed.Load() {
			s.r.log.WarnContext(ctx, "relay: events: read", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
		if s.r.closed.Load() {
			return
		}
	}
}

// read sends what changed since the last read; it returns when ctx ends
// while a send waits.
func (s *subscription) read(ctx context.Context) error {
	low := max(s.from, s.hi-EventLookback.Milliseconds())
	for k, st := range s.seen {
		if st.ms < low {
			delete(s.seen, k)
		}
	}
	type ev struct {
		Event
		state string
		ms    int64
	}
	afterMS, afterKey := low, ""
	for {
		var page []ev
		err := s.r.dial.db.query(ctx, s.r.dial.t(`SELECT key, vendor, state, reconciled, vendor_id, updated_ms FROM {d}
WHERE (updated_ms, key) > ($1, $2) AND state IN ('delivered', 'failed', 'needs_review')
ORDER BY updated_ms, key LIMIT `+fmt.Sprint(eventPage)), func(sc scanner) error {
			var e ev
			var rec int
			var v string
			if err := sc.Scan(&e.Key, &v, &e.state, &rec, &e.VendorID, &e.ms); err != nil {
				return err
			}
			e.Vendor, e.At, e.Kind = Vendor(v), time.UnixMilli(e.ms), EventKind(e.state)
			if e.Kind == EventDelivered && rec != 0 {
				e.Kind = EventReconciled
			}
			if e.Kind != EventDelivered && e.Kind != EventReconciled {
				e.VendorID = ""
			}
			page = append(page, e)
			return nil
		}, afterMS, afterKey) // (low, "") the first time: every key is longer
		if err != nil {
			return err
		}
		for _, e := range page {
			afterMS, afterKey = e.ms, e.Key
			if s.seen[e.Key] == (seenState{e.ms, e.state}) {
				continue
			}
			s.seen[e.Key] = seenState{e.ms, e.state}
			s.hi = max(s.hi, e.ms)
			if len(s.want) > 0 && !s.want[e.Kind] {
				continue
			}
			select {
			case s.out <- e.Event:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if len(page) < eventPage {
			return nil
		}
	}
}
