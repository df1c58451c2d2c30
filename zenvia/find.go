package zenvia

import (
	"context"

	"github.com/leadkit/leadkit"
)

// Find looks for the prospect a lead was merged into: by each of its phones
// (phoneNumber), then each of its e-mails (search), and returns the first
// match, or an error matching ErrNotFound. It is how a caller reconciles a
// Leads.Create that failed with leadkit.ErrOutcomeUnknown before sending it
// again: Zenvia merges leads by phone and e-mail, so a lead that arrived is
// in such a prospect. What it cannot prove: whether that prospect holds this
// lead or an earlier one of the same person (compare Prospect.Leads'
// created times and utmSource), and anything older than Zenvia's 31-day
// window.
func (s *ProspectsService) Find(ctx context.Context, lead *Lead) (*Prospect, error) {
	if lead == nil {
		return nil, leadkit.Invalid("lead", "must not be nil")
	}
	if len(lead.Phones) == 0 && len(lead.Emails) == 0 {
		return nil, leadkit.Invalid("phones", "Find needs a phone or an e-mail")
	}
	try := func(o *ProspectListOptions) (*Prospect, error) {
		page, err := s.List(ctx, o)
		if err != nil || len(page) == 0 {
			return nil, err
		}
		return &page[0], nil
	}
	for _, ph := range lead.Phones {
		if s.c.cfg.phoneRegion != "" {
			if n, err := NormalizePhone(ph, s.c.cfg.phoneRegion); err == nil {
				ph = n
			}
		}
		if p, err := try(&ProspectListOptions{PhoneNumber: ph, Limit: 1}); p != nil || err != nil {
			return p, err
		}
	}
	for _, e := range lead.Emails {
		if p, err := try(&ProspectListOptions{Search: e, Limit: 1}); p != nil || err != nil {
			return p, err
		}
	}
	return nil, &Error{StatusCode: 404, Code: "NOT_FOUND", Message: "no prospect with the lead's phones or e-mails"}
}
