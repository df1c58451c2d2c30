package salesman

import (
	"context"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
)

// Find looks for a lead like lead among the leads created since since
// (whole days in the client's zone), newest first, and returns the newest
// match, or an error matching ErrNotFound. It is how a caller reconciles a
// Create that failed with leadkit.ErrOutcomeUnknown before sending it again.
//
// A lead matches when its e-mail (case and spaces aside) or its phone
// (digits only, the last 10 compared) equals the lead's, and, where the
// server sends a title (V1 lists and Get), when the title agrees too. What it
// cannot prove: V2/V3 lists carry no title, so two leads of one person are
// told apart by time only; a V1 server answers only the newest 200 leads, so
// an older lead is not found there; the server rewrites some characters on
// the way in (quotes, «»), which the comparison ignores.
func (s *LeadsService) Find(ctx context.Context, lead *NewLead, since time.Time) (*Lead, error) {
	if lead == nil {
		return nil, leadkit.Invalid("lead", "must not be nil")
	}
	email, phone := normEmail(lead.Email), lastDigits(lead.Phone)
	if email == "" && phone == "" {
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
		if (email != "" && normEmail(l.Email) == email) || (phone != "" && lastDigits(l.Phone) == phone) {
			if l.Title != "" && lead.Title != "" && normText(l.Title) != normText(lead.Title) {
				continue
			}
			return &l, nil
		}
	}
	return nil, &Error{Code: "404", CodeNumber: 404, Message: "no lead like this one since " + since.Format(time.DateOnly), Version: s.c.version}
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// lastDigits keeps the last 10 digits of a phone, so "+7 916 123-45-67" and
// "89161234567" compare equal.
func lastDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}

// normText compares titles as the server stores them: without the
// characters it strips, case and spaces aside.
func normText(s string) string {
	s = strings.NewReplacer("«", "", "»", "", `"`, "", "'", "", "<", "", ">", "", "”", "", "&acute;", "").Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
