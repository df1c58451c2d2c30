package zenvia

import (
	"context"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Find looks for the prospect a lead was merged into: by each of its phones
// (phoneNumber), then each of its e-mails (search), and returns the first
// prospect that really holds one of them, or an error matching ErrNotFound.
// It is how a caller reconciles a Leads.Create that failed with
// leadkit.ErrOutcomeUnknown before sending it again: Zenvia merges leads by
// phone and e-mail, so a lead that arrived is in such a prospect.
//
// Zenvia's filters are loose (phoneNumber matches by suffix, search is free
// text that also matches digits inside phones), so each candidate is checked
// here, as every lookup compares them (transport.SamePhone, SameEmail):
// phones by their digits, the last 10 when both have as many; e-mails case
// and spaces aside. What it cannot prove: whether that prospect holds
// this lead or an earlier one of the same person (compare Prospect.Leads'
// created times and utmSource), and anything older than Zenvia's 31-day
// window.
func (s *ProspectsService) Find(ctx context.Context, lead *Lead) (*Prospect, error) {
	if lead == nil {
		return nil, leadkit.Invalid("lead", "must not be nil")
	}
	if len(lead.Phones) == 0 && len(lead.Emails) == 0 {
		return nil, leadkit.Invalid("phones", "Find needs a phone or an e-mail")
	}
	phones := make([]string, 0, len(lead.Phones))
	for _, ph := range lead.Phones {
		if s.c.cfg.phoneRegion != "" {
			if n, err := NormalizePhone(ph, s.c.cfg.phoneRegion); err == nil {
				ph = n
			}
		}
		phones = append(phones, ph)
	}
	holds := func(p *Prospect) bool {
		for _, want := range phones {
			for _, got := range p.Phones {
				if transport.SamePhone(want, got) {
					return true
				}
			}
		}
		for _, want := range lead.Emails {
			for _, got := range p.Emails {
				if transport.SameEmail(want, got) {
					return true
				}
			}
		}
		return false
	}
	try := func(o *ProspectListOptions) (*Prospect, error) {
		page, err := s.List(ctx, o)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if holds(&page[i]) {
				return &page[i], nil
			}
		}
		return nil, nil
	}
	for _, ph := range phones {
		if p, err := try(&ProspectListOptions{PhoneNumber: ph, Limit: findCandidates}); p != nil || err != nil {
			return p, err
		}
	}
	for _, e := range lead.Emails {
		if p, err := try(&ProspectListOptions{Search: e, Limit: findCandidates}); p != nil || err != nil {
			return p, err
		}
	}
	return nil, &Error{StatusCode: 404, Code: "NOT_FOUND", Message: "no prospect with the lead's phones or e-mails"}
}

// findCandidates is how many prospects of a loose match Find checks.
const findCandidates = 100
