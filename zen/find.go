package zen

import (
	"context"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
)

// Find looks for a lead sent with Leads.Send by its integration code
// (LeadEntry.IntegrationCode) in the lead archive of day ("Arquivo de
// Lead", which lists the leads created or changed that day with their
// integracao_lead), and returns it, or an error matching ErrNotFound. It is
// how a caller reconciles a Send that failed with leadkit.ErrOutcomeUnknown.
// It spends the archive's 5-minute window. day is the date it carries in
// its own location (see WithTimeZone): pass the send time in Zen's zone,
// and the next day too when the send was near midnight there. What it
// cannot prove: a lead sent without an integration code (Zen's read APIs
// carry no contact data to match on), and a lead Zen has not distributed
// yet (the archive lists it once it exists): an absence is evidence, not
// proof, for a lead sent moments ago.
func (s *LeadsService) Find(ctx context.Context, integrationCode string, day time.Time) (*ArchivedLead, error) {
	code := strings.TrimSpace(integrationCode)
	if code == "" {
		return nil, leadkit.Invalid(FieldIntegrationCode, "Find needs the integration code the lead was sent with")
	}
	a, err := s.Archive(ctx, day)
	if err != nil {
		return nil, err
	}
	for i := range a.Leads {
		if strings.TrimSpace(a.Leads[i].IntegrationCode) == code {
			return &a.Leads[i], nil
		}
	}
	return nil, &Error{StatusCode: 404, Message: "no lead with integration code " + code + " in the archive of " + day.Format(time.DateOnly)}
}
