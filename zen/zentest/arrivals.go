package zentest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Arrivals makes leads arrive while a client walks "Consulta de Leads por
// Usuário", as on a live account: after a page is answered, new leads are
// entered before the next request. The sandbox answers a range's leads in
// the order they entered, 50 a page (Zen does not document its order), so a
// lead entered now lands at the end of a walk whose range reaches today,
// where the walk meets it; a backdated one (Backdated) lands among the
// leads the walk has read and shifts its later pages by one, so the walk
// meets the lead at a page boundary again, as offset paging over any other
// order would make it. The zero value adds none.
//
// Everything is drawn from Options.Seed: whether leads arrive after the
// n-th page the sandbox answers, whether each is backdated and when, and
// the contents of the n-th lead that arrives.
type Arrivals struct {
	// PerPage is how many leads arrive after a page is answered (0: none).
	PerPage int
	// Rate is the share (0..1) of pages after which they arrive (0: every
	// page).
	Rate float64
	// Backdated is the share (0..1) of them entered at a time drawn inside
	// the range the walk reads (up to the clock) instead of at the clock.
	Backdated float64
}

// AddLeads makes n new leads arrive now, entered at the sandbox's clock,
// and returns their record ids (id_registro) in order. Their contents are
// drawn from Options.Seed and their number among the arrivals. They count
// among Arrived.
func (s *Server) AddLeads(n int) []string {
	now := s.opts.Now().In(s.opts.Location)
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, max(n, 0))
	for range n {
		ids = append(ids, s.arrive(now))
	}
	return ids
}

// AddLeadAt makes one new lead arrive now, entered at at (the clock when at
// is zero; a backdated lead when at is before the clock: it lands among the
// leads of at's day that a walk may have read), and returns its record id.
// It counts among Arrived.
func (s *Server) AddLeadAt(at time.Time) string {
	if at.IsZero() {
		at = s.opts.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrive(at.In(s.opts.Location))
}

// Arrived returns the record ids (id_registro) of the leads that arrived
// since the sandbox was made or reset (AddLeads, AddLeadAt and
// Options.Arrivals), in the order they arrived: what a reader of new leads
// must find exactly once. Leads sent through "Entrada de Leads" are not
// among them.
func (s *Server) Arrived() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.arrived...)
}

// pageServed counts a page of leads per user answered for the days
// from..to and makes Options.Arrivals' leads arrive after it.
func (s *Server) pageServed(from, to time.Time) {
	a := s.opts.Arrivals
	if a.PerPage <= 0 {
		return
	}
	now := s.opts.Now().In(s.opts.Location)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages++
	page := rand.New(rand.NewPCG(uint64(s.opts.Seed), 0xa221<<32|uint64(s.pages)))
	if a.Rate > 0 && page.Float64() >= a.Rate {
		return
	}
	end := to.AddDate(0, 0, 1) // the end of the range's last day, or the clock
	if now.Before(end) {
		end = now
	}
	for range a.PerPage {
		at := now
		if page.Float64() < a.Backdated && end.After(from) {
			at = from.Add(time.Duration(page.Int64N(max(int64(end.Sub(from)/time.Second), 1))) * time.Second)
		}
		s.arrive(at)
	}
}

// arrive enters a lead from outside at at (s.mu held).
func (s *Server) arrive(at time.Time) string {
	k := len(s.arrived) + 1
	rng := rand.New(rand.NewPCG(uint64(s.opts.Seed), 0xa221e<<32|uint64(k)))
	l := newLead(rng, s.nextID, strconv.Itoa(900000+s.nextID), fmt.Sprintf("ENT-%06d", s.nextID), at.Truncate(time.Second))
	// Just in: open, with no history yet.
	l.status, l.class, l.stage, l.changed, l.redistributed = "Andamento", "Prospectando", stages[0], l.entered, time.Time{}
	s.nextID++
	s.entered = append(s.entered, l)
	s.arrived = append(s.arrived, l.id)
	return l.id
}
