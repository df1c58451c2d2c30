package zenvia

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Find looks for the prospect a person's leads were merged into: by each of
// the lead's phones (phoneNumber), then each of its e-mails (search), and
// returns the first prospect that really holds one of them, or an error
// matching ErrNotFound. It finds the person, not a lead: Zenvia merges
// every lead of one phone or e-mail into one prospect, so the prospect
// proves nothing about a particular lead (a repeat visitor's earlier lead
// is in it too). To reconcile a Leads.Create that failed with
// leadkit.ErrOutcomeUnknown, use FindLead.
//
// Zenvia's filters are loose (phoneNumber matches by suffix, search is free
// text that also matches digits inside phones), so each candidate is checked
// here, as every lookup compares them (transport.SamePhone, SameEmail):
// phones by their digits, the last 10 when both have as many; e-mails case
// and spaces aside. It sees Zenvia's last 31 days only.
func (s *ProspectsService) Find(ctx context.Context, lead *Lead) (*Prospect, error) {
	if err := checkFindable(lead); err != nil {
		return nil, err
	}
	phones := s.findPhones(lead)
	for _, o := range searches(phones, lead.Emails, time.Time{}, time.Time{}) {
		page, err := s.List(ctx, &o)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if holds(&page[i], phones, lead.Emails) {
				return &page[i], nil
			}
		}
	}
	return nil, &Error{StatusCode: 404, Code: "NOT_FOUND", Message: "no prospect with the lead's phones or e-mails"}
}

// FoundLead is a lead FindLead found: the prospect Zenvia merged it into,
// and the lead's own record there.
type FoundLead struct {
	Prospect *Prospect
	Lead     LeadData // Prospect.Leads[Index]
	Index    int
}

// Ref identifies the lead, not the person: the prospect's id and the
// lead's created time ("<prospect id>/<created, RFC 3339 in UTC>"). Two
// leads of one person share the prospect; each has its own created time.
func (f *FoundLead) Ref() string { return LeadRef(f.Prospect.ID, f.Lead.Created) }

// LeadRef is FoundLead.Ref for a prospect id and a lead's created time.
func LeadRef(prospectID string, created time.Time) string {
	return prospectID + "/" + created.UTC().Format(time.RFC3339Nano)
}

// FindHorizon is how far back before the send FindLead looks for the
// person's prospects, in Zenvia's 31-day windows, before it decides: a lead
// merges into the person's prospect however old, and a list sees one window
// at a time. When the person holds no prospect created in it, FindLead looks
// further back, to the account's first day (WithAccountSince).
const FindHorizon = 366 * 24 * time.Hour

// AccountSinceDefault is the first day FindLead looks back to when a
// client is not told its account's (WithAccountSince): before Zenvia's
// Sales API, then Sirena's, held any prospect.
var AccountSinceDefault = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)

// findAhead is how far past now FindLead's newest window reaches (Zenvia
// takes dates up to 31 days ahead).
const findAhead = 24 * time.Hour

// findSkew is how much earlier than since a lead's created time may read
// (clocks differ) and still be taken for a lead sent since.
const findSkew = 2 * time.Minute

// FindLead tells whether Zenvia holds lead, sent with Leads.Create at or
// after since, and answers one of three:
//
//   - the lead, when a prospect holding one of its phones or e-mails has a
//     lead whose comments carry its marker (leadkit.Marker, put in
//     Comments: each lead keeps its own comments, prospect.leads[].comments);
//   - an error matching ErrNotFound, when none does and no lead created
//     since (two minutes of clock skew allowed) could be it: every lead of
//     the person created since carries another marker, or, for a lead
//     without a marker, the person has no lead created since, in every
//     prospect back to the account's first day (below);
//   - a *leadkit.CannotTellError (leadkit.ErrCannotTell) with the
//     candidates' refs, when a lead of the person created since could be
//     this one: without a marker any such lead, with one a lead whose
//     comments carry no marker at all (its comments may have been lost).
//
// The person's prospects are looked for in every 31-day window from now
// back to FindHorizon before since. A lead merges into the person's
// prospect however old it is, so when nothing there is the lead, the
// windows go on back to the account's first day
// (WithAccountSince; AccountSinceDefault when not set): a returning
// customer's prospect of years ago is where the lead went (also when a
// newer prospect holds another of its phones or e-mails), and "not found"
// is said only when nothing the account holds could be it. That walk
// costs one list a window for each phone and e-mail (about 180 windows
// from the default); it is made before every ErrNotFound or
// CannotTellError.
// FindLead never answers a lead of the same person for this one.
func (s *ProspectsService) FindLead(ctx context.Context, lead *Lead, since time.Time) (*FoundLead, error) {
	if err := checkFindable(lead); err != nil {
		return nil, err
	}
	if since.IsZero() {
		return nil, leadkit.Invalid("createdAfter", "FindLead needs the time the lead was sent")
	}
	marker, _, marked := leadkit.FindMarker(lead.Comments)
	var found *FoundLead
	var candidates []string
	look := func(p *Prospect) {
		for i, l := range p.Leads {
			switch {
			case marked && strings.Contains(l.Comments, marker):
				if found == nil || l.Created.Before(found.Lead.Created) {
					found = &FoundLead{Prospect: p, Lead: l, Index: i}
				}
			case l.Created.Before(since.Add(-findSkew)):
			case !marked:
				candidates = append(candidates, LeadRef(p.ID, l.Created))
			default:
				if _, _, other := leadkit.FindMarker(l.Comments); !other {
					candidates = append(candidates, LeadRef(p.ID, l.Created))
				}
			}
		}
	}
	end := time.Now().Add(findAhead).Truncate(time.Millisecond)
	horizon := since.Add(-FindHorizon)
	seen := map[string]bool{}
	end, err := s.eachHolder(ctx, lead, end, horizon, seen, look)
	if err == nil && found == nil {
		// Nothing in the last year is the lead (a candidate there may
		// still be another lead of the person): it may have gone into a
		// prospect of years ago, even when a newer prospect holds one of
		// its phones or e-mails (it merges into whichever Zenvia matched,
		// the old one by the phone, say, and the new one by the e-mail).
		// Look back to the account's first day before saying not found.
		_, err = s.eachHolder(ctx, lead, end, s.c.cfg.accountSince(), seen, look)
	}
	switch {
	case err != nil:
		return nil, err
	case found != nil:
		return found, nil
	case len(candidates) > 0:
		check := "a lead of the same phone or e-mail created since the send may be this one (put leadkit.Marker in Comments to tell them apart)"
		if marked {
			check = "a lead of the same phone or e-mail created since the send carries no marker in its comments, so it may be this one with its comments lost"
		}
		return nil, &leadkit.CannotTellError{Vendor: "zenvia", Check: check + ": open the prospect in Zenvia", Candidates: candidates}
	}
	msg := "no lead of the lead's phones or e-mails created since " + since.UTC().Format(time.RFC3339)
	if marked {
		msg = "no lead carries marker " + marker
	}
	return nil, &Error{StatusCode: 404, Code: "NOT_FOUND", Message: msg}
}

// eachHolder calls fn once for every prospect holding one of lead's phones
// or e-mails created from horizon to end, window by window back from end.
// It returns where it stopped: the end of the next, older window.
//
// The newest window (FindLead's first call) reaches a day past this
// process's now: Zenvia dates a prospect by its own clock, which may run
// ahead, and a window ending at our now would miss the prospect just
// created. The windows start on a millisecond, so that each is sent as
// exactly MaxWindow (dates are sent to the millisecond). A prospect on
// the edge of two windows, listed by both, is handed to fn once (seen
// holds the ids already handed, across calls).
func (s *ProspectsService) eachHolder(ctx context.Context, lead *Lead, end, horizon time.Time, seen map[string]bool, fn func(*Prospect)) (time.Time, error) {
	phones := s.findPhones(lead)
	var lists []ProspectListOptions
	for ; end.After(horizon); end = end.Add(-MaxWindow) {
		lists = append(lists, searches(phones, lead.Emails, end.Add(-MaxWindow), end)...)
	}
	// The lists are read findReaders at a time (a walk back to the
	// account's first day is hundreds of them: one by one, a slow API
	// would take longer than a relay attempt may), and their prospects
	// handed to fn in the order of the lists, newest window first.
	pages := make([][]Prospect, len(lists))
	walk, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var failed error // the first list's error; the others stop
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(findReaders, len(lists)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				for p, err := range s.All(walk, &lists[i]) {
					if err != nil {
						mu.Lock()
						if failed == nil {
							failed = err
						}
						mu.Unlock()
						cancel()
						break
					}
					pages[i] = append(pages[i], p)
				}
			}
		}()
	}
feed:
	for i := range lists {
		select {
		case next <- i:
		case <-walk.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if failed != nil {
		return end, failed
	}
	if err := ctx.Err(); err != nil {
		return end, err // the caller's context ended before every list was read
	}
	for _, page := range pages {
		for i := range page {
			p := &page[i]
			if !seen[p.ID] && holds(p, phones, lead.Emails) {
				seen[p.ID] = true
				fn(p)
			}
		}
	}
	return end, nil
}

// findReaders is how many lists FindLead reads at once.
const findReaders = 8

func checkFindable(lead *Lead) error {
	if lead == nil {
		return leadkit.Invalid("lead", "must not be nil")
	}
	if len(lead.Phones) == 0 && len(lead.Emails) == 0 {
		return leadkit.Invalid("phones", "Find needs a phone or an e-mail")
	}
	return nil
}

// findPhones are the lead's phones as Create sends them.
func (s *ProspectsService) findPhones(lead *Lead) []string {
	phones := make([]string, 0, len(lead.Phones))
	for _, ph := range lead.Phones {
		if s.c.cfg.phoneRegion != "" {
			if n, err := NormalizePhone(ph, s.c.cfg.phoneRegion); err == nil {
				ph = n
			}
		}
		phones = append(phones, ph)
	}
	return phones
}

// searches are the list queries that find a person's prospects: by each
// phone, then each e-mail, created between start and end (zero: Zenvia's
// default window).
func searches(phones, emails []string, start, end time.Time) []ProspectListOptions {
	var out []ProspectListOptions
	for _, ph := range phones {
		out = append(out, ProspectListOptions{PhoneNumber: ph, Limit: findCandidates, CreatedAfter: start, CreatedBefore: end})
	}
	for _, e := range emails {
		out = append(out, ProspectListOptions{Search: e, Limit: findCandidates, CreatedAfter: start, CreatedBefore: end})
	}
	return out
}

// holds reports whether p holds one of the phones or e-mails: Zenvia's
// filters are loose, so every candidate is checked.
func holds(p *Prospect, phones, emails []string) bool {
	for _, want := range phones {
		for _, got := range p.Phones {
			if transport.SamePhone(want, got) {
				return true
			}
		}
	}
	for _, want := range emails {
		for _, got := range p.Emails {
			if transport.SameEmail(want, got) {
				return true
			}
		}
	}
	return false
}

// findCandidates is how many prospects of a loose match a page holds.
const findCandidates = 100
