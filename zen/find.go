package zen

import (
	"context"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
)

// Find looks for the deal filed under integrationCode in the lead archive
// of day ("Arquivo de Lead", which lists the deals created or changed that
// day with their integracao_lead) and returns it. It is how a caller
// reconciles a Send that failed with leadkit.ErrOutcomeUnknown. It spends
// the archive's 5-minute window. day is the date it carries in its own
// location (see WithTimeZone): pass the send time in Zen's zone, and the
// next day too when the send was near midnight there.
//
// Zen describes integracao_lead as the contact's code, so a code
// identifies a lead only when it was never sent for another lead: send
// each lead with a code of its own (leadkit.Marker's token, say). Find
// answers:
//
//   - the deal, when exactly one carries the code;
//   - a *leadkit.CannotTellError (leadkit.ErrCannotTell) when several do
//     (deals of one contact);
//   - an error matching ErrNotFound when none does. That is not proof
//     that the lead is absent: a lead Zen merged into a contact it already
//     had is filed under that contact's code, a lead Zen has not
//     distributed yet is not in the archive, and Zen's read APIs carry no
//     e-mail or phone to match on. Compare the deals created since the send
//     (Archive) before sending again.
func (s *LeadsService) Find(ctx context.Context, integrationCode string, day time.Time) (*ArchivedLead, error) {
	code := strings.TrimSpace(integrationCode)
	if code == "" {
		return nil, leadkit.Invalid(FieldIntegrationCode, "Find needs the integration code the lead was sent with")
	}
	a, err := s.Archive(ctx, day)
	if err != nil {
		return nil, err
	}
	var found []*ArchivedLead
	for i := range a.Leads {
		if strings.TrimSpace(a.Leads[i].IntegrationCode) == code {
			found = append(found, &a.Leads[i])
		}
	}
	switch len(found) {
	case 0:
		return nil, &Error{StatusCode: 404, Message: "no lead with integration code " + code + " in the archive of " + day.Format(time.DateOnly)}
	case 1:
		return found[0], nil
	}
	ct := &leadkit.CannotTellError{Vendor: "zen", Check: "several deals carry integration code " + code +
		" (Zen files a contact's deals under the contact's code): open the contact in Zen"}
	for _, l := range found {
		ct.Candidates = append(ct.Candidates, code+"@"+l.Created.Format(time.DateTime))
	}
	return nil, ct
}
