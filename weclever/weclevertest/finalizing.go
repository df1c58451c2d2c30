package weclevertest

import (
	"math/rand/v2"
	"sort"
	"time"
)

// Finalizing makes the sandbox finalize new leads as its clock runs, the
// way a live account finalizes attendances all day, some of them late: a
// late lead's finalization time lies before the time it becomes visible to
// "Busca dos leads por data", so it shows up in a window that a poller may
// already have read (a poller must read its windows again, overlapping, to
// find it). The zero value finalizes nothing over time.
//
// Everything is drawn from Options.Seed and the lead's number: the n-th
// lead has the same id, details, lateness and times (relative to the clock
// when the sandbox was made or reset) in every run. The leads are made when
// the sandbox's clock has reached them, at the next request or method call,
// so a test that drives Options.Now decides exactly what each read sees.
type Finalizing struct {
	// Every is the time of the sandbox's clock between two leads becoming
	// visible: the n-th is visible from the start plus n times Every (0:
	// none are finalized over time).
	Every time.Duration
	// Limit stops after that many leads (0: no limit; a sandbox that runs
	// long on the real clock with a small Every wants one, since every lead
	// is kept).
	Limit int
	// LateRate is the share (0..1) of the leads that are late.
	LateRate float64
	// LateBy is how long before it becomes visible a late lead was
	// finalized, at most (10 minutes when 0): each late lead's lag is drawn
	// between one second and LateBy.
	LateBy time.Duration
}

// defaultLateBy is Finalizing.LateBy when it is 0.
const defaultLateBy = 10 * time.Minute

// Finalize finalizes a new lead at at (the sandbox's clock when at is zero)
// and returns it. It is visible to "Busca dos leads por data" and to "Busca
// por informações do lead" from now on; with at before the clock, it is
// late: it appears in windows that were read before it existed. An at after
// the clock makes the lead visible from at on, as if it were finalized then.
// The lead's details are drawn from Options.Seed and how many leads Finalize
// made before; it counts among Finalizations.
func (s *Server) Finalize(at time.Time) Lead {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	s.catchUp(now)
	if at.IsZero() {
		at = now
	}
	visible := now
	if at.After(now) {
		visible = at
	}
	s.onDemand++
	rng := rand.New(rand.NewPCG(uint64(s.opts.Seed), 0xf17a1<<32|uint64(s.onDemand)))
	l := s.finalizedLead(rng, 1<<40+int64(s.onDemand)*16, at, visible)
	return *l
}

// Finalizations returns the leads the sandbox finalized after it was made
// or reset (over time, as Options.Finalizing says, and by Finalize) that
// are visible by its clock, in the order they became visible. A lead is
// late when its VisibleAt is after its FinalizedAt.
func (s *Server) Finalizations() []Lead {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	s.catchUp(now)
	var out []Lead
	for _, id := range s.produced {
		if l := s.leads[id]; visible(l, now) {
			out = append(out, *l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].VisibleAt.Before(out[j].VisibleAt) })
	return out
}

// visible reports whether the API shows l at now.
func visible(l *Lead, now time.Time) bool {
	return l.VisibleAt.IsZero() || !l.VisibleAt.After(now)
}

// catchUp makes the leads of Options.Finalizing whose time has come by now
// (s.mu held).
func (s *Server) catchUp(now time.Time) {
	f := s.opts.Finalizing
	if f.Every <= 0 {
		return
	}
	lateBy := f.LateBy
	if lateBy <= 0 {
		lateBy = defaultLateBy
	}
	for f.Limit <= 0 || s.overTime < f.Limit {
		n := s.overTime + 1
		at := s.start.Add(time.Duration(n) * f.Every)
		if at.After(now) {
			return
		}
		s.overTime = n
		rng := rand.New(rand.NewPCG(uint64(s.opts.Seed), 0xf17a0<<32|uint64(n)))
		fin := at
		if rng.Float64() < f.LateRate {
			lag := time.Second + time.Duration(rng.Int64N(int64(max(lateBy-time.Second, 0))+1))
			fin = at.Add(-lag)
		}
		s.finalizedLead(rng, int64(n)*16, fin, at)
	}
}

// finalizedLead stores a new lead finalized at fin and visible from
// visible, its details drawn from rng, its chat ids the 12 after chatBase
// (s.mu held).
func (s *Server) finalizedLead(rng *rand.Rand, chatBase int64, fin, visible time.Time) *Lead {
	chatID := 7_000_000_000 + chatBase
	fin = fin.Truncate(time.Second) // the API's dates have seconds
	l := newLead(rng, -1, s.nextID, &chatID, func() time.Time { return fin })
	l.VisibleAt = visible
	s.nextID++
	s.leads[l.ID] = l
	s.produced = append(s.produced, l.ID)
	return l
}
