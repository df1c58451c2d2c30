package zenvia

import (
	"context"
	"strings"

	"github.com/leadkit/leadkit"
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
// here: a phone matches when its digits equal the lead's (or one ends with
// the other's last 10 digits, for country and area prefixes), an e-mail when
// it is equal case aside. What it cannot prove: whether that prospect holds
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
				if samePhone(want, got) {
					return true
				}
			}
		}
		for _, want := range lead.Emails {
			for _, got := range p.Emails {
				if strings.EqualFold(strings.TrimSpace(want), strings.TrimSpace(got)) {
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

// samePhone compares two phones by their digits: equal, or, when both have
// at least 10, equal in their last 10 (one written with the country code,
// the other without).
func samePhone(a, b string) bool {
	da, db := digits(a), digits(b)
	if da == "" || db == "" {
		return false
	}
	if da == db {
		return true
	}
	if len(da) < 10 || len(db) < 10 {
		return false
	}
	return da[len(da)-10:] == db[len(db)-10:]
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
