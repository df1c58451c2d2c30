package zen

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// Totals is the answer of "Totais de Distribuição de Leads por usuários":
// the day's lead distribution per user, and the leads that were not
// distributed, by reason.
type Totals struct {
	Date   string       `json:"data"`     // the day asked for, as Zen writes it
	Users  []UserTotals `json:"usuarios"` // one entry per user
	Errors ErrorBuckets `json:"erros"`    // leads not distributed, by reason
}

// UserTotals are one user's totals for the day ("usuarios").
type UserTotals struct {
	Name                string  `json:"nome"`
	TotalLeads          int     `json:"total_lead"`
	Origins             []Count `json:"origem"`              // by origin
	Segments            []Count `json:"segmento"`            // by segment
	Automations         []Count `json:"automacao"`           // by automation
	ProductsAndServices []Count `json:"produtos_e_servicos"` // by product or service
}

// Count is the number of leads with one origin, segment, automation or
// product.
type Count struct {
	Code     string `json:"codigo"`
	Name     string `json:"nome"`
	Quantity int    `json:"quantidade"`
}

// ErrorBuckets count the day's leads that were not distributed ("erros").
type ErrorBuckets struct {
	WithError            int `json:"com_erro"`           // leads with an error
	Ungrouped            int `json:"sem_agrupamento"`    // leads that matched no grouping
	ContactLimitExceeded int `json:"limite_de_contatos"` // leads over the contact limit
	Duplicates           int `json:"duplicados"`         // duplicate leads
}

// Total returns the number of leads in all buckets.
func (b ErrorBuckets) Total() int {
	return b.WithError + b.Ungrouped + b.ContactLimitExceeded + b.Duplicates
}

type wireTotals struct {
	Date   jsonx.String             `json:"data"`
	Users  list[wireUserTotals]     `json:"usuarios"`
	Errors object[wireErrorBuckets] `json:"erros"`
}

type wireUserTotals struct {
	Name        jsonx.String    `json:"nome"`
	TotalLeads  jsonx.Int       `json:"total_lead"`
	Origins     list[wireCount] `json:"origem"`
	Segments    list[wireCount] `json:"segmento"`
	Automations list[wireCount] `json:"automacao"`
	Products    list[wireCount] `json:"produtos_e_servicos"`
}

type wireErrorBuckets struct {
	WithError            jsonx.Int `json:"com_erro"`
	Ungrouped            jsonx.Int `json:"sem_agrupamento"`
	ContactLimitExceeded jsonx.Int `json:"limite_de_contatos"`
	Duplicates           jsonx.Int `json:"duplicados"`
}

func convCount(w wireCount) Count {
	return Count{Code: string(w.Code), Name: string(w.Name), Quantity: int(w.Quantity)}
}

// UnmarshalJSON decodes Zen's totals tolerantly: counts as numbers or
// numeric strings, and empty, null or missing breakdowns and buckets as
// empty lists and zeros.
func (t *Totals) UnmarshalJSON(b []byte) error {
	if fast, ok := decodeTotalsFast(b); ok {
		*t = fast
		return nil
	}
	return t.decodeWire(b)
}

// decodeWire decodes b through the tolerant wire types (every shape).
func (t *Totals) decodeWire(b []byte) error {
	var w wireTotals
	if err := unmarshalObject(b, &w); err != nil {
		return err
	}
	*t = Totals{Date: string(w.Date), Users: make([]UserTotals, len(w.Users))}
	for i, u := range w.Users {
		t.Users[i] = UserTotals{
			Name:                string(u.Name),
			TotalLeads:          int(u.TotalLeads),
			Origins:             u.Origins.counts(convCount),
			Segments:            u.Segments.counts(convCount),
			Automations:         u.Automations.counts(convCount),
			ProductsAndServices: u.Products.counts(convCount),
		}
	}
	e := w.Errors.v
	t.Errors = ErrorBuckets{int(e.WithError), int(e.Ungrouped), int(e.ContactLimitExceeded), int(e.Duplicates)}
	return nil
}

// Totals calls "Totais de Distribuição de Leads por usuários" for day
// (GET ?data=YYYY-MM-DD: the calendar day of day in its own location).
// Zen allows one call every 5 minutes per token; see the package doc.
func (s *LeadsService) Totals(ctx context.Context, day time.Time) (*Totals, error) {
	c := s.c
	if day.IsZero() {
		return nil, leadkit.Invalid("data", "the day must be set")
	}
	if err := c.acquire(ctx, EndpointTotals, c.wait); err != nil {
		return nil, err
	}
	q := url.Values{"data": {jsonx.FormatDate(day)}}
	resp, err := c.tc.Do(ctx, &transport.Request{Method: http.MethodGet, URL: c.urls[EndpointTotals], Query: q})
	if err != nil {
		return nil, err
	}
	// The usual body in one pass; anything else through DecodeJSON, which
	// gives the typed errors.
	if out, ok := decodeTotalsFast(resp.Body); ok {
		return &out, nil
	}
	var out Totals
	if err := resp.DecodeJSON(&out); err != nil {
		return nil, err
	}
	return &out, nil
}
