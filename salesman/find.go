package salesman

import (
	"context"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Find looks for a lead like lead among the leads created since since
// (whole days in the client's zone), newest first, and returns the newest
// match, or an error matching ErrNotFound. It is how a caller reconciles a
// Create that failed with leadkit.ErrOutcomeUnknown before sending it again.
//
// A lead matches when its e-mail or its phone is the lead's (compared as
// every lookup compares them: e-mails case and spaces aside, phones by their
// digits, the last 10 when both have as many), and, where the
// server sends a title (V1 lists and Get), when the title agrees too. What it
// cannot prove: V2/V3 lists carry no title, so two leads of one person are
// told apart by time only; a V1 server answers only the newest 200 leads, so
// an older lead is not found there; the server rewrites some characters on
// the way in (quotes, «»), which the comparison ignores.
func (s *LeadsService) Find(ctx context.Context, lead *NewLead, since time.Time) (*Lead, error) {
	if lead == nil {
		return nil, leadkit.Invalid("lead", "must not be nil")
	}
	if strings.TrimSpace(lead.Email) == "" && transport.Digits(lead.Phone) == "" {
		return nil, leadkit.Invalid("email", "Find needs the lead's e-mail or phone")
	}
	if since.IsZero() {
		return nil, leadkit.Invalid("dateStart", "Find needs the day to search from")
	}
	opts := &ListOptions{Newest: true, DateStart: since, DateEnd: time.Now()}
	for l, err := range s.All(ctx, opts) {
		if err != nil {
			return nil, err
		}
		if l.Created.Before(since.Add(-24 * time.Hour)) {
			break
		}
		if transport.SameEmail(l.Email, lead.Email) || transport.SamePhone(l.Phone, lead.Phone) {
			if l.Title != "" && lead.Title != "" && normText(l.Title) != normText(lead.Title) {
				continue
			}
			return &l, nil
		}
	}
	return nil, &Error{Code: "404", CodeNumber: 404, Message: "no lead like this one since " + since.Format(time.DateOnly), Version: s.c.version}
}

// normText compares titles as the server stores them: without the
// characters it strips, case and spaces aside.
func normText(s string) string {
	s = strings.NewReplacer("«", "", "»", "", `"`, "", "'", "", "<", "", ">", "", "”", "", "&acute;", "").Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
