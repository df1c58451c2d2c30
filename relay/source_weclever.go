package relay

import (
	"context"
	"strconv"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/weclever"
)

// WeCleverFinalizedOptions configures WeCleverFinalized.
type WeCleverFinalizedOptions struct {
	// Name is the source's name (default "weclever-finalized"): give each
	// WeClever account its own.
	Name string
	// Lag is how far back each window reaches before the end of the last
	// one read (default 10 minutes): a lead finalized up to Lag before it
	// shows in the API is still found. Larger costs only repeats, which
	// the route skips.
	Lag time.Duration
	// Since is where the first window starts (default: Lag before the
	// first poll).
	Since time.Time
	// MaxWindow bounds one window (default 24 hours; more than twice Lag):
	// a source that fell behind catches up window after window.
	MaxWindow time.Duration
	// Zone is the time zone the account works in, which the API reads its
	// dates in (default UTC-03:00, Brasília).
	Zone *time.Location
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Details fetches each new lead's details ("Busca por informações do
	// lead", Leads.Get) before it is handed on, outside the item's
	// transaction, once per lead.
	Details bool
}

// WeCleverLead is a lead of WeCleverFinalized: as the finalized list
// gives it, and its details when WeCleverFinalizedOptions.Details is set.
type WeCleverLead struct {
	weclever.FinalizedLead
	Details *weclever.Lead
}

// WeCleverFinalized is the source of the leads WeClever finalized ("Busca
// dos leads por data", Leads.Finalized): each poll reads the window from
// Lag before the end of the last window read up to now, so windows overlap
// by Lag and a lead finalized late, into a window already read, is found
// by the next one; the route hands each weclever_lead_id once. Its cursor
// is the end of the last window read (RFC 3339).
//
// What it cannot see: a lead finalized more than Lag before it appears in
// the API (raise Lag); a change to a lead after it was handled (its status
// mapped again: the route has handed it on already); a lead finalized
// before Since.
func WeCleverFinalized(c *weclever.Client, o WeCleverFinalizedOptions) (Source[WeCleverLead], error) {
	if c == nil {
		return nil, leadkit.Invalid("c", "must not be nil")
	}
	if o.Name == "" {
		o.Name = "weclever-finalized"
	}
	if err := checkName("Name", o.Name); err != nil {
		return nil, err
	}
	if o.Lag == 0 {
		o.Lag = 10 * time.Minute
	}
	if o.Lag < 0 {
		return nil, leadkit.Invalid("Lag", "must not be negative, got %s", o.Lag)
	}
	if o.MaxWindow == 0 {
		o.MaxWindow = 24 * time.Hour
	}
	if o.MaxWindow <= 2*o.Lag || o.MaxWindow < 2*time.Second {
		return nil, leadkit.Invalid("MaxWindow", "must be more than twice Lag (%s) and at least 2s, got %s", o.Lag, o.MaxWindow)
	}
	if o.Zone == nil {
		o.Zone = time.FixedZone("-03", -3*60*60)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Details {
		return &weCleverDetailed{weCleverFinalized{c: c, o: o}}, nil
	}
	return &weCleverFinalized{c: c, o: o}, nil
}

// weCleverDetailed is WeCleverFinalized with Details: an Enricher.
type weCleverDetailed struct{ weCleverFinalized }

// Enrich fetches the lead's details.
func (s *weCleverDetailed) Enrich(ctx context.Context, l WeCleverLead) (WeCleverLead, error) {
	d, err := s.c.Leads.Get(ctx, l.ID)
	if err != nil {
		return l, err
	}
	l.Details = d
	return l, nil
}

type weCleverFinalized struct {
	c *weclever.Client
	o WeCleverFinalizedOptions
}

func (s *weCleverFinalized) Name() string { return s.o.Name }

// redact masks the client's credentials (see Route).
func (s *weCleverFinalized) redact(t string) string { return s.c.Redact(t) }

func (s *weCleverFinalized) Poll(ctx context.Context, cursor string) (Page[WeCleverLead], error) {
	now := s.o.Now().Truncate(time.Second)
	end := s.o.Since
	if cursor != "" {
		t, err := time.Parse(time.RFC3339, cursor)
		if err != nil {
			return Page[WeCleverLead]{}, leadkit.Invalid("cursor", "is not an RFC 3339 time: %q", cursor)
		}
		end = t
	} else if end.IsZero() {
		end = now
	}
	from := end.Add(-s.o.Lag).Truncate(time.Second)
	to, more := now, false
	if to.Sub(from) > s.o.MaxWindow {
		to, more = from.Add(s.o.MaxWindow), true
	}
	if to.Before(from) {
		to = from
	}
	// A time at midnight is read as the whole day: a second past it keeps
	// the window's own bounds.
	lo, hi := from.In(s.o.Zone), to.In(s.o.Zone)
	if lo.Hour() == 0 && lo.Minute() == 0 && lo.Second() == 0 {
		lo = lo.Add(-time.Second)
	}
	if hi.Hour() == 0 && hi.Minute() == 0 && hi.Second() == 0 {
		hi = hi.Add(time.Second)
	}
	leads, err := s.c.Leads.Finalized(ctx, lo, hi)
	if err != nil {
		return Page[WeCleverLead]{}, err
	}
	p := Page[WeCleverLead]{Next: to.UTC().Format(time.RFC3339), More: more, Items: make([]Item[WeCleverLead], len(leads))}
	for i, l := range leads {
		p.Items[i] = Item[WeCleverLead]{ID: strconv.FormatInt(l.ID, 10), Value: WeCleverLead{FinalizedLead: l}}
	}
	return p, nil
}
