package zen

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
)

// LeadsByUserPage is one page of "Consulta de Leads por Usuário" (50 leads a
// page), grouped by user.
type LeadsByUserPage struct {
	Page         int         `json:"pagina_atual"`                  // this page, from 1
	TotalPages   int         `json:"total_paginas"`                 // pages in the whole query
	TotalRecords int         `json:"quantidade_registros_consulta"` // leads in the whole query
	PerPage      int         `json:"limite_registros_por_pagina"`   // leads per page (50)
	Users        []UserLeads `json:"usuarios"`
}

// UserLeads are the leads of one user on a page.
type UserLeads struct {
	Name  string `json:"nome"`
	Email string `json:"email"`
	Leads []Lead `json:"leads"`
}

// Lead is one lead distributed to a user.
type Lead struct {
	RecordID            string    `json:"id_registro"`         // Zen's record id
	Code                string    `json:"codigo"`              // the lead's code
	Entered             time.Time `json:"data_entrada"`        // when it entered Zen
	Redistributed       time.Time `json:"data_redistribuicao"` // when it was redistributed (zero if never)
	Origins             []Tag     `json:"origem"`
	Segments            []Tag     `json:"segmento"`
	Automations         []Tag     `json:"automacao"`
	ProductsAndServices []Tag     `json:"produtos_e_servicos"`
}

// Tag is an origin, segment, automation or product of a lead.
type Tag struct {
	Code string `json:"codigo"`
	Name string `json:"nome"`
}

// UserLead is a lead with the name and e-mail of its user, as
// Leads.AllByUser yields them.
type UserLead struct {
	UserName  string `json:"nome_usuario"`
	UserEmail string `json:"email_usuario"`
	Lead
}

type wireLeadsPage struct {
	Paging object[struct {
		Page         jsonx.Int `json:"pagina_atual"`
		TotalPages   jsonx.Int `json:"total_paginas"`
		TotalRecords jsonx.Int `json:"quantidade_registros_consulta"`
		PerPage      jsonx.Int `json:"limite_registros_por_pagina"`
	}] `json:"paginacao"`
	Users list[struct {
		Name  jsonx.String   `json:"nome"`
		Email jsonx.String   `json:"email"`
		Leads list[wireLead] `json:"leads"`
	}] `json:"usuarios"`
}

type wireTag struct {
	Code jsonx.String `json:"codigo"`
	Name jsonx.String `json:"nome"`
}

type wireLead struct {
	RecordID      jsonx.String  `json:"id_registro"`
	Code          jsonx.String  `json:"codigo"`
	Entered       jsonx.String  `json:"data_entrada"`
	Redistributed jsonx.String  `json:"data_redistribuicao"`
	Origins       list[wireTag] `json:"origem"`
	Segments      list[wireTag] `json:"segmento"`
	Automations   list[wireTag] `json:"automacao"`
	Products      list[wireTag] `json:"produtos_e_servicos"`
}

func tags(l list[wireTag]) []Tag {
	out := make([]Tag, len(l))
	for i, t := range l {
		out[i] = Tag{Code: string(t.Code), Name: string(t.Name)}
	}
	return out
}

// UnmarshalJSON lets an empty answer ([] or null) decode as an empty page.
func (w *wireLeadsPage) UnmarshalJSON(b []byte) error {
	type plain wireLeadsPage
	return unmarshalObject(b, (*plain)(w))
}

// decodeLeadsPage decodes a page, reading date-times in loc.
func decodeLeadsPage(b []byte, loc *time.Location) (*LeadsByUserPage, error) {
	var w wireLeadsPage
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	return w.page(loc)
}

// page converts the wire form, reading date-times in loc.
func (w *wireLeadsPage) page(loc *time.Location) (*LeadsByUserPage, error) {
	p := w.Paging.v
	out := &LeadsByUserPage{
		Page: int(p.Page), TotalPages: int(p.TotalPages), TotalRecords: int(p.TotalRecords), PerPage: int(p.PerPage),
		Users: make([]UserLeads, len(w.Users)),
	}
	for i, u := range w.Users {
		ul := UserLeads{Name: string(u.Name), Email: string(u.Email), Leads: make([]Lead, len(u.Leads))}
		for j, l := range u.Leads {
			entered, err := jsonx.ParseTime(string(l.Entered), loc)
			if err != nil {
				return nil, leadkit.Invalid("data_entrada", "%v", err)
			}
			redis, err := jsonx.ParseTime(string(l.Redistributed), loc)
			if err != nil {
				return nil, leadkit.Invalid("data_redistribuicao", "%v", err)
			}
			ul.Leads[j] = Lead{
				RecordID: string(l.RecordID), Code: string(l.Code), Entered: entered, Redistributed: redis,
				Origins: tags(l.Origins), Segments: tags(l.Segments), Automations: tags(l.Automations),
				ProductsAndServices: tags(l.Products),
			}
		}
		out.Users[i] = ul
	}
	return out, nil
}

type leadsQuery struct {
	From string `url:"data_inicial"`
	To   string `url:"data_final"`
	Page int    `url:"pagina"`
}

func checkRange(from, to time.Time) error {
	if from.IsZero() {
		return leadkit.Invalid("data_inicial", "must be set")
	}
	if to.IsZero() {
		return leadkit.Invalid("data_final", "must be set")
	}
	if jsonx.FormatDate(from) > jsonx.FormatDate(to) {
		return leadkit.Invalid("data_inicial", "%s is after data_final %s", jsonx.FormatDate(from), jsonx.FormatDate(to))
	}
	return nil
}

// ByUser calls "Consulta de Leads por Usuário" for the days from..to
// (calendar days, inclusive) and returns page page (from 1).
// Zen allows one call a minute per token; see the package doc.
func (s *LeadsService) ByUser(ctx context.Context, from, to time.Time, page int) (*LeadsByUserPage, error) {
	c := s.c
	if err := checkRange(from, to); err != nil {
		return nil, err
	}
	if page < 1 {
		return nil, leadkit.Invalid("pagina", "must be 1 or more, got %d", page)
	}
	if err := c.acquire(ctx, EndpointLeadsByUser, c.wait); err != nil {
		return nil, err
	}
	return c.leadsPage(ctx, from, to, page)
}

func (c *Client) leadsPage(ctx context.Context, from, to time.Time, page int) (*LeadsByUserPage, error) {
	q := leadsQuery{From: jsonx.FormatDate(from), To: jsonx.FormatDate(to), Page: page}
	var w wireLeadsPage
	if err := c.get(ctx, EndpointLeadsByUser, q, &w); err != nil {
		return nil, err
	}
	p, err := w.page(c.loc)
	if err != nil {
		// The error quotes a value of the body: mask the secrets in it.
		return nil, fmt.Errorf("zen: leads per user: %w: %s", leadkit.ErrDecode, c.tc.Redactor().Redact(err.Error()))
	}
	return p, nil
}

// AllByUser yields every lead of the days from..to, page after page,
// each with its user's name and e-mail. It always waits out Zen's one call a
// minute between pages (honouring ctx, and logging each wait), stops when
// the caller stops, after the last page, or when the server answers another
// page than the one asked for (a server that ignores paging).
func (s *LeadsService) AllByUser(ctx context.Context, from, to time.Time) iter.Seq2[UserLead, error] {
	c := s.c
	return func(yield func(UserLead, error) bool) {
		if err := checkRange(from, to); err != nil {
			yield(UserLead{}, err)
			return
		}
		for page := 1; ; page++ {
			if err := c.acquire(ctx, EndpointLeadsByUser, true); err != nil {
				yield(UserLead{}, err)
				return
			}
			p, err := c.leadsPage(ctx, from, to, page)
			if err != nil {
				yield(UserLead{}, err)
				return
			}
			if p.Page != 0 && p.Page != page {
				return // the server ignored the page asked for: everything was seen
			}
			n := 0
			for _, u := range p.Users {
				for _, l := range u.Leads {
					n++
					if !yield(UserLead{UserName: u.Name, UserEmail: u.Email, Lead: l}, nil) {
						return
					}
				}
			}
			if n == 0 || page >= p.TotalPages {
				return
			}
		}
	}
}
