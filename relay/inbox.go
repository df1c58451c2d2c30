package relay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
)

// InboxEvent is one webhook event of an inbox, as its function gets it.
type InboxEvent struct {
	// Inbox is the inbox's name.
	Inbox string
	// ID is the event's de-duplication identity: the SHA-256 of its topic
	// and body, hex (Zenvia's calls carry no event id; every delivery of
	// one event carries the same topic and body).
	ID string
	// Event is the event, decoded as zenvia.NewWebhookHandler decodes it.
	Event zenvia.Event
	// ReceivedAt is when the first delivery of it was committed.
	ReceivedAt time.Time
	// Attempt is the attempt at handling it, from 1.
	Attempt int
}

// Inbox is a durable webhook inbox: an http.Handler for the callback URL
// of a Zenvia subscription (see ZenviaInbox).
type Inbox struct {
	name string
	h    *zenvia.WebhookHandler
}

// ServeHTTP answers one delivery of Zenvia's (see ZenviaInbox).
func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { in.h.ServeHTTP(w, r) }

// Name is the inbox's name.
func (in *Inbox) Name() string { return in.name }

// String names the inbox, never its secret.
func (in *Inbox) String() string { return "relay.Inbox(" + in.name + ")" }

// inboxReg is an inbox's function, registered on this process.
type inboxReg struct {
	name string
	fn   func(ctx context.Context, tx any, ev InboxEvent) error
}

// ZenviaInbox returns the durable inbox name: an http.Handler for the
// callback URL of a Zenvia subscription whose events are committed to the
// relay's database before they are acknowledged, and handled once each by
// fn, in a River job, inside a transaction of the relay's database (give
// it to EnqueueTx, or write your own rows in it): the event is marked
// handled in that transaction, so fn's work and the mark commit together.
//
// Hostile input is refused as zenvia.NewWebhookHandler refuses it (it is
// that handler, in its synchronous mode, without its in-memory dedup
// window): 405, 401 for a wrong secret (compared in constant time), 413
// over the body cap (zenvia.WithHandlerMaxBytes), 400 for a body it cannot
// decode; never a 5xx for bad input. Each event of a delivery is stored
// with its identity (topic and body) unique in the database, shared by
// every replica: a redelivery of a stored event is answered 200 and not
// handled again. The one 5xx is a 500 when the event could not be
// committed (the database is down), so that Zenvia delivers it again.
//
// fn runs on the processes that Start the relay, with River's retries
// (WithRetries) while it returns an error; after the last attempt the
// event is left "failed" with its error (see InboxStats). Register the
// inbox on every process that starts the relay, before Start. opts are
// the webhook handler's (secret parameter, body cap, logger).
func (r *Relay[TTx]) ZenviaInbox(name, secret string, fn func(ctx context.Context, tx TTx, ev InboxEvent) error, opts ...zenvia.HandlerOption) (*Inbox, error) {
	if err := checkName("name", name); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, leadkit.Invalid("fn", "must not be nil")
	}
	if secret == "" {
		return nil, leadkit.Invalid("secret", "must not be empty (Zenvia does not sign its calls: the secret in the callback URL is the only check)")
	}
	if r.c.closed.Load() {
		return nil, ErrClosed
	}
	r.c.red.Add(secret) // a function's error may quote the callback URL
	reg := &inboxReg{name: name, fn: func(ctx context.Context, tx any, ev InboxEvent) error { return fn(ctx, asTx[TTx](tx), ev) }}
	if err := r.c.intake.addInbox(reg); err != nil {
		return nil, err
	}
	c := r.c
	commit := func(ctx context.Context, ev zenvia.Event) error { return c.receive(ctx, name, ev) }
	all := append(append([]zenvia.HandlerOption{}, opts...), zenvia.WithHandlerDedupWindow(0))
	return &Inbox{name: name, h: zenvia.NewWebhookHandler(secret, commit, all...)}, nil
}

// eventID is an event's identity: its topic and its body.
func eventID(ev zenvia.Event) string {
	h := sha256.New()
	h.Write([]byte(ev.Topic))
	h.Write([]byte{0})
	h.Write(ev.Raw)
	return hex.EncodeToString(h.Sum(nil))
}

// inboxArgs is the River job that hands one event to its inbox's function.
type inboxArgs struct {
	Inbox string `json:"inbox"`
	ID    string `json:"id"`
}

// Kind is the River job kind of the inbox's events.
func (inboxArgs) Kind() string { return "leadkit_relay_inbox" }

// receive commits one event of inbox with its River job, unless the event
// was stored before (a redelivery).
func (r *core) receive(ctx context.Context, inbox string, ev zenvia.Event) error {
	if r.closed.Load() {
		return ErrClosed
	}
	id := eventID(ev)
	topic := strings.ToValidUTF8(strings.ReplaceAll(ev.Topic, "\x00", ""), "?")
	d := r.dial
	return r.eng.inTx(ctx, nil, func(t txn) error {
		n, err := t.st.exec(ctx, d.ti(`INSERT INTO {ib} (inbox, id, topic, body, state, received_ms) VALUES ($1, $2, $3, $4, 'pending', {now})
ON CONFLICT (inbox, id) DO NOTHING`), inbox, id, topic, []byte(ev.Raw))
		if err != nil {
			return fmt.Errorf("relay: store the event: %w", err)
		}
		if n == 0 {
			return nil // a redelivery: stored (and handled, or to be) once
		}
		if _, err := t.insert(inboxArgs{Inbox: inbox, ID: id}, &river.InsertOpts{Queue: Queue}); err != nil {
			return fmt.Errorf("relay: queue the event: %w", err)
		}
		return nil
	})
}

// errHandled rolls back the transaction of an event handled before.
var errHandled = errors.New("relay: event handled before")

// inboxWorker hands events to their inbox's function.
type inboxWorker struct {
	river.WorkerDefaults[inboxArgs]
	r *core
}

func (w *inboxWorker) Work(ctx context.Context, j *river.Job[inboxArgs]) error {
	r, a := w.r, j.Args
	reg := r.intake.inbox(a.Inbox)
	if reg == nil {
		return fmt.Errorf("relay: no inbox %q is registered on this process (register it before Start on every process)", a.Inbox)
	}
	d := r.dial
	err := r.userTx(ctx, func(tx any, t txn) error {
		var topic, state string
		var body []byte
		var received int64
		err := t.st.queryRow(ctx, d.ti(`SELECT topic, body, state, received_ms FROM {ib} WHERE inbox = $1 AND id = $2`+d.forUpdate()),
			a.Inbox, a.ID).Scan(&topic, &body, &state, &received)
		if errors.Is(err, errNoRows) {
			return river.JobCancel(fmt.Errorf("relay: inbox %q has no event %s", a.Inbox, a.ID))
		}
		if err != nil {
			return fmt.Errorf("relay: load event %s: %w", a.ID, err)
		}
		if state == "handled" {
			return errHandled
		}
		ev, err := zenvia.ParseEvent(body, topic)
		if err != nil {
			// Stored only after it parsed: a body that no longer parses is
			// a change of the zenvia package; it is kept for review.
			return river.JobCancel(fmt.Errorf("relay: event %s no longer decodes: %w", a.ID, err))
		}
		in := InboxEvent{Inbox: a.Inbox, ID: a.ID, Event: ev, ReceivedAt: time.UnixMilli(received), Attempt: j.Attempt}
		if err := reg.fn(ctx, tx, in); err != nil {
			return err
		}
		_, err = t.st.exec(ctx, d.ti(`UPDATE {ib} SET state = 'handled', attempts = attempts + 1, last_error = '', handled_ms = {now}
WHERE inbox = $1 AND id = $2`), a.Inbox, a.ID)
		return err
	})
	if err == nil || errors.Is(err, errHandled) {
		return nil
	}
	state := "pending"
	var cancel *river.JobCancelError
	if j.Attempt >= j.MaxAttempts || errors.As(err, &cancel) {
		state = "failed"
	}
	bg, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer stop()
	_, _ = d.db.exec(bg, d.ti(`UPDATE {ib} SET attempts = attempts + 1, last_error = $3, state = $4 WHERE inbox = $1 AND id = $2 AND state <> 'handled'`),
		a.Inbox, a.ID, r.stored(err.Error()), state)
	return err
}

// InboxStats counts an inbox's events.
type InboxStats struct {
	// Pending events are committed and not handled yet; Handled ones were
	// handled once; Failed ones used up their attempts (see their
	// LastError in the table leadkit_relay_inbox).
	Pending, Handled, Failed int
}

// InboxStats counts the events of the inbox name by state.
func (r *Relay[TTx]) InboxStats(ctx context.Context, name string) (InboxStats, error) {
	var s InboxStats
	if err := checkName("name", name); err != nil {
		return s, err
	}
	if r.c.closed.Load() {
		return s, ErrClosed
	}
	d := r.c.dial
	err := d.db.query(ctx, d.ti(`SELECT state, COUNT(*) FROM {ib} WHERE inbox = $1 GROUP BY state`), func(sc scanner) error {
		var state string
		var n int
		if err := sc.Scan(&state, &n); err != nil {
			return err
		}
		switch state {
		case "pending":
			s.Pending = n
		case "handled":
			s.Handled = n
		case "failed":
			s.Failed = n
		}
		return nil
	}, name)
	if err != nil {
		return s, fmt.Errorf("relay: inbox stats: %w", err)
	}
	return s, nil
}

// ErrUnknownEvent is returned by RetryInboxEvent for an inbox or an event
// id the relay's database does not hold.
var ErrUnknownEvent = errors.New("relay: no such inbox event")

// FailedEvent is an inbox event whose handling ended without it: its
// function failed on every attempt River allowed (WithRetries), or the
// event could not be handed to it. It waits for RetryInboxEvent.
type FailedEvent struct {
	// Inbox is the inbox's name; ID the event's identity (InboxEvent.ID).
	Inbox, ID string
	// Topic is the event's Zenvia topic.
	Topic string
	// ReceivedAt is when the event was first committed.
	ReceivedAt time.Time
	// Attempts counts the attempts at handling it, over every retry.
	Attempts int
	// LastError is the last attempt's error, clipped.
	LastError string
}

// maxFailedPage bounds one FailedInboxEvents answer.
const maxFailedPage = 1000

// FailedInboxEvents returns the failed events of the inbox name, oldest
// first, at most limit of them (0 means 100; at most 1,000): those whose
// function failed on every attempt, and the pending ones whose River job
// ended without their failure being recorded (the function panicked, the
// process that worked the job had no such inbox registered, the database
// was down; InboxStats counts these as pending). Each event retried
// (RetryInboxEvent) leaves the list, so that calling again walks on.
func (r *Relay[TTx]) FailedInboxEvents(ctx context.Context, name string, limit int) ([]FailedEvent, error) {
	if ctx == nil {
		return nil, leadkit.Invalid("ctx", "must not be nil")
	}
	if err := checkName("name", name); err != nil {
		return nil, err
	}
	switch {
	case limit < 0 || limit > maxFailedPage:
		return nil, leadkit.Invalid("limit", "must be between 0 and %d", maxFailedPage)
	case limit == 0:
		limit = 100
	}
	if r.c.closed.Load() {
		return nil, ErrClosed
	}
	d := r.c.dial
	var out []FailedEvent
	// A pending event without a live job is failed: its job ended (River
	// discarded it) without the worker recording why.
	err := d.db.query(ctx, d.ti(`SELECT e.id, e.topic, e.received_ms, e.attempts, e.last_error FROM {ib} e
WHERE e.inbox = $1 AND (e.state = 'failed' OR (e.state = 'pending' AND NOT EXISTS (SELECT 1 FROM {j} j
	WHERE j.kind = $2 AND j.args->>'inbox' = e.inbox AND j.args->>'id' = e.id AND j.state NOT IN `+finalStates+`)))
ORDER BY e.received_ms, e.id LIMIT `+fmt.Sprint(limit)), func(sc scanner) error {
		ev := FailedEvent{Inbox: name}
		var received int64
		if err := sc.Scan(&ev.ID, &ev.Topic, &received, &ev.Attempts, &ev.LastError); err != nil {
			return err
		}
		ev.ReceivedAt = time.UnixMilli(received)
		out = append(out, ev)
		return nil
	}, name, inboxArgs{}.Kind())
	if err != nil {
		return nil, fmt.Errorf("relay: failed inbox events: %w", err)
	}
	return out, nil
}

// RetryInboxEvent hands the failed event id of the inbox name to its
// function again (after the operator fixed what made it fail), with a new
// River job and River's retries from the first: the event is pending
// again, and handled once, as when it came. A pending event whose River
// job ended without it (its failure could not be recorded) is taken as
// failed. It answers an error matching ErrUnknownEvent for an event the
// database does not hold, and one matching ErrConflict for one that is
// handled (once) or pending with a live job (it will be handled); of two
// retries at once, one wins and the other gets ErrConflict.
func (r *Relay[TTx]) RetryInboxEvent(ctx context.Context, name, id string) error {
	if ctx == nil {
		return leadkit.Invalid("ctx", "must not be nil")
	}
	if err := checkName("name", name); err != nil {
		return err
	}
	if err := checkEventID(id); err != nil {
		return err
	}
	c := r.c
	if c.closed.Load() {
		return ErrClosed
	}
	deadline := time.Now().Add(resolveWait)
	for {
		err := c.retryEvent(ctx, name, id)
		if err != nil && c.closed.Load() && !errors.Is(err, ErrConflict) && !errors.Is(err, ErrUnknownEvent) {
			return ErrClosed // closed while it waited (its database is gone)
		}
		if !errors.Is(err, errStillRunning) || time.Now().After(deadline) {
			if errors.Is(err, errStillRunning) {
				err = fmt.Errorf("%w: inbox %q, event %s: its River job is still running", ErrConflict, name, id)
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

// checkEventID refuses what cannot be an event's identity (InboxEvent.ID,
// eventID's 64 lowercase hex digits), without quoting it.
func checkEventID(id string) error {
	ok := len(id) == 2*sha256.Size
	for i := 0; ok && i < len(id); i++ {
		ok = '0' <= id[i] && id[i] <= '9' || 'a' <= id[i] && id[i] <= 'f'
	}
	if !ok {
		if id == "" {
			return leadkit.Invalid("id", "must not be empty")
		}
		return leadkit.Invalid("id", "must be an event's identity (InboxEvent.ID: %d lowercase hex digits), got %d bytes", 2*sha256.Size, len(id))
	}
	return nil
}

// retryEvent is one try of RetryInboxEvent: errStillRunning while the
// event's job is running (its end not recorded by River yet).
func (c *core) retryEvent(ctx context.Context, name, id string) error {
	d := c.dial
	return c.eng.inTx(ctx, nil, func(t txn) error {
		// The event's row lock keeps two retries apart: the second reads
		// the first's job once the first committed.
		var state string
		err := t.st.queryRow(ctx, d.ti(`SELECT state FROM {ib} WHERE inbox = $1 AND id = $2`+d.forUpdate()), name, id).Scan(&state)
		switch {
		case errors.Is(err, errNoRows):
			return fmt.Errorf("%w: inbox %q, event %s", ErrUnknownEvent, name, id)
		case err != nil:
			return fmt.Errorf("relay: retry inbox event: %w", err)
		case state == "handled":
			return fmt.Errorf("%w: inbox %q, event %s was handled", ErrConflict, name, id)
		}
		// A job of the event still live (a failed event's last attempt
		// whose end River has not recorded yet, or a pending one's).
		var live, running int
		err = t.st.queryRow(ctx, d.ti(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0) FROM {j}
WHERE kind = $1 AND args->>'inbox' = $2 AND args->>'id' = $3 AND state NOT IN `+finalStates),
			inboxArgs{}.Kind(), name, id).Scan(&live, &running)
		switch {
		case err != nil:
			return fmt.Errorf("relay: retry inbox event: %w", err)
		case live > 0 && live == running:
			return errStillRunning
		case live > 0:
			return fmt.Errorf("%w: inbox %q, event %s is %s: its River job will hand it to the function", ErrConflict, name, id, state)
		}
		if _, err := t.st.exec(ctx, d.ti(`UPDATE {ib} SET state = 'pending' WHERE inbox = $1 AND id = $2`), name, id); err != nil {
			return fmt.Errorf("relay: retry inbox event: %w", err)
		}
		if _, err := t.insert(inboxArgs{Inbox: name, ID: id}, &river.InsertOpts{Queue: Queue}); err != nil {
			return fmt.Errorf("relay: queue the event: %w", err)
		}
		return nil
	})
}
