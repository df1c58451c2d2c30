package relay

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
)

// ZenLeadsOptions configures ZenLeadsByUser.
type ZenLeadsOptions struct {
	// Name is the source's name (default "zen-leads"): give each Zen token
	// its own.
	Name string
	// OverlapDays is how many days before today each round of the walk
	// reads again (default 1: yesterday and today), for the leads that
	// entered while the walk was on an earlier page.
	OverlapDays int
	// Since is the first day the first round reads (default: OverlapDays
	// before today, as every later round: a lead that enters backdated
	// into yesterday just after midnight is read).
	Since time.Time
	// Zone is the zone of Zen's calendar days (default UTC-03:00).
	Zone *time.Location
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// ZenLeadsByUser is the source of the leads entering Zen, per user ("Consulta
// de Leads por Usuário", Leads.ByUser): rounds that walk the pages of the
// days from OverlapDays before today up to today, one page per read. Zen
// allows one call a minute per token: give c the relay's shared window
// (zen.WithLimiter(r.ZenLimiter())), so that the polls and every other
// process keep to it. Its cursor is the round's first day and the next
// page ("2026-03-02/3"); the route hands each record id once.
//
// What it cannot see: a lead that entered on a day the rounds no longer
// read (a poller down longer than OverlapDays); a change to a lead after it
// was handled (redistributed to another user: the route handed it on with
// its first user).
func ZenLeadsByUser(c *zen.Client, o ZenLeadsOptions) (Source[zen.UserLead], error) {
	if c == nil {
		return nil, leadkit.Invalid("c", "must not be nil")
	}
	if o.Name == "" {
		o.Name = "zen-leads"
	}
	if err := checkName("Name", o.Name); err != nil {
		return nil, err
	}
	if o.OverlapDays == 0 {
		o.OverlapDays = 1
	}
	if o.OverlapDays < 0 || o.OverlapDays > 31 {
		return nil, leadkit.Invalid("OverlapDays", "must be 0 to 31, got %d", o.OverlapDays)
	}
	if o.Zone == nil {
		o.Zone = time.FixedZone("-03", -3*60*60)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &zenLeads{c: c, o: o}, nil
}

type zenLeads struct {
	c *zen.Client
	o ZenLeadsOptions
}

func (s *zenLeads) Name() string { return s.o.Name }

// redact masks the client's credentials (see Route).
func (s *zenLeads) redact(t string) string { return s.c.Redact(t) }

const zenDay = "2006-01-02"

func (s *zenLeads) Poll(ctx context.Context, cursor string) (Page[zen.UserLead], error) {
	today := s.o.Now().In(s.o.Zone)
	from, page := s.o.Since, 1
	if from.IsZero() {
		from = today.AddDate(0, 0, -s.o.OverlapDays)
	}
	if cursor != "" {
		d, p, ok := strings.Cut(cursor, "/")
		t, err := time.ParseInLocation(zenDay, d, s.o.Zone)
		n, nerr := strconv.Atoi(p)
		if !ok || err != nil || nerr != nil || n < 1 {
			return Page[zen.UserLead]{}, leadkit.Invalid("cursor", "is not a day/page: %q", cursor)
		}
		from, page = t, n
	}
	from = from.In(s.o.Zone)
	res, err := s.c.Leads.ByUser(ctx, from, today, page)
	if err != nil {
		return Page[zen.UserLead]{}, err
	}
	var out Page[zen.UserLead]
	for _, u := range res.Users {
		for _, l := range u.Leads {
			id := l.RecordID
			if id == "" {
				id = "code:" + l.Code
			}
			out.Items = append(out.Items, Item[zen.UserLead]{ID: id, Value: zen.UserLead{UserName: u.Name, UserEmail: u.Email, Lead: l}})
		}
	}
	if page < res.TotalPages {
		out.Next, out.More = fmt.Sprintf("%s/%d", from.Format(zenDay), page+1), true
		return out, nil
	}
	// The round is over: the next starts OverlapDays before today.
	next := today.AddDate(0, 0, -s.o.OverlapDays)
	if next.Before(from) {
		next = from
	}
	out.Next = next.Format(zenDay) + "/1"
	return out, nil
}
