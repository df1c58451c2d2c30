package salesman

import (
	"context"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Find tells whether the server holds lead, sent with Create since since
// (whole days in the client's zone), and answers one of three. It is how a
// caller reconciles a Create that failed with leadkit.ErrOutcomeUnknown
// before sending the lead again.
//
//   - The lead, when one carries what identifies this lead and no other:
//     its marker (leadkit.Marker, put in Description: the server stores the
//     description in the same INSERT as the lead and every version's list
//     rows return it, as content), or one of its UIDs (V2 and V3): give
//     only uids that are this lead's own, never the person's (a customer
//     id is on every lead of the person, and would make Find answer another
//     of them).
//   - An error matching ErrNotFound, when the server proves it holds no
//     such lead: V3 searches every lead's description for the marker
//     (word); V2 lists every lead from the day before since to the day
//     after (the server's clock may run ahead of the caller's); V1 lists only
//     its newest 200 leads, which prove an absence when they reach back to
//     the day before since. Without a marker, the absence of every lead of
//     the same e-mail and phone is the proof.
//   - A *leadkit.CannotTellError (errors.Is leadkit.ErrCannotTell)
//     otherwise, with the ids of what could be the lead: a lead of the same
//     e-mail or phone may be this one or another of the same person (no
//     list row carries a title, on any version, to tell them apart); uids
//     are written after the server's webhooks, so a lead can be stored
//     without them and their absence proves nothing; a V1 list that does
//     not reach back far enough proves nothing either.
//
// Find never answers a lead of the same person as this lead.
func (s *LeadsService) Find(ctx context.Context, lead *NewLead, since time.Time) (*Lead, error) {
	if lead == nil {
		return nil, leadkit.Invalid("lead", "must not be nil")
	}
	if since.IsZero() {
		return nil, leadkit.Invalid("dateStart", "Find needs the time the lead was sent")
	}
	m := newMatcher(lead)
	if !m.marked && len(lead.UIDs) == 0 && !m.person {
		return nil, leadkit.Invalid("description", "Find needs the lead's marker (leadkit.Marker in Description), its uids, or its e-mail or phone")
	}
	rows, complete := s.findRows(ctx, m, since)
	var found *Lead
	var candidates []string
	for l, err := range rows {
		if err != nil {
			return nil, err
		}
		switch {
		case m.is(&l):
			if found == nil || l.ID < found.ID { // stored twice: the first
				found = &l
			}
		case m.samePerson(&l):
			candidates = append(candidates, strconv.Itoa(l.ID))
		}
	}
	if found != nil {
		return found, nil
	}
	day := since.In(s.c.loc).Format(time.DateOnly)
	switch {
	case !*complete:
		return nil, &leadkit.CannotTellError{Vendor: "salesman", Candidates: candidates,
			Check: "a V1 server lists only its newest 200 leads, and they do not reach back to " + day + ": look the lead up in the CRM"}
	case m.marked:
		return nil, m.notFound(s.c.version, day)
	case len(candidates) > 0:
		return nil, &leadkit.CannotTellError{Vendor: "salesman", Candidates: candidates,
			Check: "leads of the same e-mail or phone since " + day + " may be this lead or another of the same person (put leadkit.Marker in Description to tell them apart): open them in the CRM"}
	case len(lead.UIDs) > 0 && !m.person:
		return nil, &leadkit.CannotTellError{Vendor: "salesman",
			Check: "no lead carries its uids, which the server writes after its webhooks (an add that died in between stores the lead without them): look the lead up in the CRM"}
	}
	return nil, m.notFound(s.c.version, day)
}

// findRows returns the rows Find looks through, and (once they are read)
// whether they cover every lead created since since.
func (s *LeadsService) findRows(ctx context.Context, m *matcher, since time.Time) (iter.Seq2[Lead, error], *bool) {
	complete := true
	if s.c.version == V1 {
		// A V1 server ignores paging and filters: its newest 200 leads.
		return func(yield func(Lead, error) bool) {
			page, err := s.List(ctx, nil)
			if err != nil {
				yield(Lead{}, err)
				return
			}
			if len(page) >= PageSize {
				oldest := page[len(page)-1].Created
				complete = !oldest.IsZero() && oldest.Before(since.Add(-24*time.Hour))
			}
			for _, l := range page {
				if !yield(l, nil) {
					return
				}
			}
		}, &complete
	}
	if s.c.version == V3 && m.marked {
		// A LIKE over every lead's description: no date bound needed.
		return s.All(ctx, &ListOptions{Word: m.token}), &complete
	}
	// Whole days in the client's zone, a day either side: the server's
	// clock (which dates the lead) may differ from since's and from this
	// process's, and a lead sent just before midnight is stored on the
	// next day when it runs ahead.
	from := since.Add(-24 * time.Hour)
	to := time.Now()
	if since.After(to) {
		to = since
	}
	to = to.Add(24 * time.Hour)
	return func(yield func(Lead, error) bool) {
		for l, err := range s.All(ctx, &ListOptions{Newest: true, DateStart: from, DateEnd: to}) {
			if err == nil && !l.Created.IsZero() && l.Created.Before(from) {
				return
			}
			if !yield(l, err) || err != nil {
				return
			}
		}
	}, &complete
}

// matcher tells a row that is the lead from one of the same person.
type matcher struct {
	lead          *NewLead
	marker, token string
	marked        bool // the lead carries a marker
	person        bool // the lead has an e-mail or a phone
}

func newMatcher(lead *NewLead) *matcher {
	m := &matcher{lead: lead}
	m.marker, m.token, m.marked = leadkit.FindMarker(lead.Description)
	m.person = strings.TrimSpace(lead.Email) != "" || transport.Digits(lead.Phone) != ""
	return m
}

// is reports a row that carries the lead's marker or one of its uids.
func (m *matcher) is(l *Lead) bool {
	if m.marked && (strings.Contains(l.Content, m.marker) || strings.Contains(l.Description, m.marker)) {
		return true
	}
	for name, value := range m.lead.UIDs {
		if got, ok := l.UIDs[name]; ok && value != "" && got == value {
			return true
		}
	}
	return false
}

// samePerson reports a row with the lead's e-mail or phone.
func (m *matcher) samePerson(l *Lead) bool {
	return transport.SameEmail(l.Email, m.lead.Email) || transport.SamePhone(l.Phone, m.lead.Phone)
}

func (m *matcher) notFound(v APIVersion, day string) error {
	what := "no lead of this e-mail or phone"
	if m.marked {
		what = "no lead carries marker " + m.marker
	}
	return &Error{Code: "404", CodeNumber: 404, Message: what + " since " + day, Version: v}
}
