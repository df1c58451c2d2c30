package salesmantest

import "time"

// Arrivals makes leads arrive while a client walks the list, as on a live
// account whose web forms keep sending leads: after a list page is
// answered, new leads are added before the next request. With newest first
// (the server's default order) each one shifts every later page by one, so
// the walk meets the last lead of a page again at the top of the next; with
// oldest first they land at the end, where the walk meets them. The zero
// value adds none.
//
// Everything is drawn from Options.Seed: whether leads arrive after the
// n-th page the sandbox answers, and the contents of the n-th lead that
// arrives, are the same in every run.
type Arrivals struct {
	// PerPage is how many leads arrive after a page is answered (0: none).
	PerPage int
	// Rate is the share (0..1) of pages after which they arrive (0: every
	// page).
	Rate float64
}

// AddLeads makes n new leads arrive now, as if from the account's web
// forms (open, each with its own e-mail address and phone), and returns
// their ids in order. Their contents are drawn from Options.Seed and their
// number among the arrivals. They count among Arrived.
func (s *Server) AddLeads(n int) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrive(n)
}

// Arrived returns the ids of the leads that arrived since the sandbox was
// made or reset (AddLeads and Options.Arrivals), oldest first: what a
// reader of new leads must find exactly once. Leads added through the API
// are not among them (LeadCount counts every lead).
func (s *Server) Arrived() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.arrived...)
}

// pageServed counts a list page answered and makes Options.Arrivals' leads
// arrive after it.
func (s *Server) pageServed() {
	a := s.opts.Arrivals
	if a.PerPage <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages++
	m := mixer{s: uint64(s.opts.Seed)*0x9e3779b97f4a7c15 ^ uint64(s.pages)*0xa0761d6478bd642f}
	if a.Rate > 0 && float64(m.next()>>11)/(1<<53) >= a.Rate {
		return
	}
	s.arrive(a.PerPage)
}

// arrive adds n leads from outside (s.mu held).
func (s *Server) arrive(n int) []int {
	ids := make([]int, 0, max(n, 0))
	for range n {
		k := len(s.arrived) + 1
		m := mixer{s: uint64(s.opts.Seed)*0xd1b54a32d192ed03 ^ uint64(k)*0x8bb84b93962eacc9}
		m.s = m.next()
		l := s.contact(&m, s.seeded+len(s.added)+1)
		l.datum = s.stamp()
		s.added = append(s.added, l)
		s.arrived = append(s.arrived, l.id)
		ids = append(ids, l.id)
	}
	return ids
}

// stamp is the time of a lead added now: the clock to the second, never
// before the last lead added, so the leads stay in date order (s.mu held).
func (s *Server) stamp() time.Time {
	t := s.now().In(s.loc).Truncate(time.Second)
	if last := len(s.added); last > 0 && t.Before(s.added[last-1].datum) {
		t = s.added[last-1].datum
	}
	return t
}
