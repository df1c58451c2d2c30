package zen

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Action is what lead entry does with the lead ("acao").
type Action string

// The actions Zen accepts.
const (
	ActionInsert   Action = "Inserir"  // create a lead and distribute it
	ActionEdit     Action = "Editar"   // change the lead with this integration code
	ActionDelete   Action = "Excluir"  // delete the lead with this integration code
	ActionEditByID Action = "EditarId" // change the lead with this Zen id
)

// String returns the action as Zen spells it.
func (a Action) String() string { return string(a) }

func (a Action) valid() bool {
	switch a {
	case ActionInsert, ActionEdit, ActionDelete, ActionEditByID:
		return true
	}
	return false
}

// LeadEntry is one lead for "Distribuição de Lead (Entrada)".
//
// Zen's documentation copy we work from lists the actions but not the field
// model. The action and its values are documented; the names of the typed
// fields below follow the names Zen uses in its other APIs (integracao_lead,
// nome, email) and are marked where inferred. Anything else goes in Extra,
// sent as given: a field is never dropped, and a key of Extra that repeats a
// typed field is refused rather than silently overriding it.
type LeadEntry struct {
	Action          Action            // "acao" (documented): Inserir, Editar, Excluir or EditarId
	IntegrationCode string            // "integracao" (inferred from the archive's integracao_lead): your id for the contact
	ID              string            // "id" (inferred): Zen's id, required by EditarId
	Name            string            // "nome" (inferred)
	Email           string            // "email" (inferred)
	Phone           string            // "telefone" (inferred)
	Company         string            // "empresa" (inferred)
	Origin          string            // "origem" (inferred; the totals group leads by origem)
	Segment         string            // "segmento" (inferred)
	Product         string            // "produtos_e_servicos" (inferred)
	Notes           string            // "observacao" (inferred)
	Extra           map[string]string // further fields, sent as given
}

// Form field names of the typed fields.
const (
	FieldAction          = "acao"
	FieldIntegrationCode = "integracao"
	FieldID              = "id"
	FieldName            = "nome"
	FieldEmail           = "email"
	FieldPhone           = "telefone"
	FieldCompany         = "empresa"
	FieldOrigin          = "origem"
	FieldSegment         = "segmento"
	FieldProduct         = "produtos_e_servicos"
	FieldNotes           = "observacao"
)

// Validate checks the entry as Send does before anything is sent (it is
// Form's check), and returns an *leadkit.InputError naming the field.
func (e *LeadEntry) Validate() error {
	_, err := e.Form()
	return err
}

// Form validates the entry and returns the form it is sent as.
func (e *LeadEntry) Form() (url.Values, error) {
	if e == nil {
		return nil, leadkit.Invalid("LeadEntry", "must not be nil")
	}
	if !e.Action.valid() {
		return nil, leadkit.Invalid(FieldAction, "must be Inserir, Editar, Excluir or EditarId, got %q", string(e.Action))
	}
	switch e.Action {
	case ActionInsert:
		if strings.TrimSpace(e.Name) == "" && strings.TrimSpace(e.Email) == "" && strings.TrimSpace(e.Phone) == "" {
			return nil, leadkit.Invalid(FieldName, "an Inserir needs a name, an e-mail or a phone")
		}
	case ActionEdit, ActionDelete:
		if strings.TrimSpace(e.IntegrationCode) == "" {
			return nil, leadkit.Invalid(FieldIntegrationCode, "%s needs the integration code", e.Action)
		}
	case ActionEditByID:
		if strings.TrimSpace(e.ID) == "" {
			return nil, leadkit.Invalid(FieldID, "EditarId needs Zen's id")
		}
	}
	if e.Email != "" {
		if err := transport.CheckEmail(FieldEmail, e.Email); err != nil {
			return nil, err
		}
	}
	v := url.Values{}
	for _, f := range []struct{ k, v string }{
		{FieldAction, string(e.Action)}, {FieldIntegrationCode, e.IntegrationCode}, {FieldID, e.ID},
		{FieldName, e.Name}, {FieldEmail, e.Email}, {FieldPhone, e.Phone}, {FieldCompany, e.Company},
		{FieldOrigin, e.Origin}, {FieldSegment, e.Segment}, {FieldProduct, e.Product}, {FieldNotes, e.Notes},
	} {
		if f.v != "" {
			v.Set(f.k, f.v)
		}
	}
	keys := make([]string, 0, len(e.Extra))
	for k := range e.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case strings.TrimSpace(k) == "":
			return nil, leadkit.Invalid("Extra", "a field name is empty")
		case k == "token":
			return nil, leadkit.Invalid("Extra", "the token is added by the client, not a field")
		case isTyped(k):
			return nil, leadkit.Invalid("Extra", "field %q is a typed field of LeadEntry: set it there", k)
		}
		v.Set(k, e.Extra[k])
	}
	return v, nil
}

func isTyped(k string) bool {
	switch k {
	case FieldAction, FieldIntegrationCode, FieldID, FieldName, FieldEmail, FieldPhone, FieldCompany,
		FieldOrigin, FieldSegment, FieldProduct, FieldNotes:
		return true
	}
	return false
}

// Send calls "Distribuição de Lead (Entrada)": a form-encoded POST with
// the token in the query string, as Zen documents. A lead is sent at most
// once per call: when the outcome is unknown (a timeout or a connection lost
// after the request may have reached Zen) the error matches
// leadkit.ErrOutcomeUnknown and nothing is resent; check before sending it
// again (Zen advises keeping a queue and retrying). Zen's errors
// ({"Erro", "Mensagem"}) come back as *Error.
func (s *LeadsService) Send(ctx context.Context, lead *LeadEntry) error {
	c := s.c
	form, err := lead.Form()
	if err != nil {
		return err
	}
	resp, err := c.tc.Do(ctx, &transport.Request{
		Method: http.MethodPost,
		URL:    c.urls[EndpointLeadEntry],
		Form:   form,
		Auth:   transport.QueryKey("token", c.token.Value()),
		Create: true,
	})
	if err != nil {
		return err
	}
	// Some servers answer an error with HTTP 200.
	if code, msg, ok := parseErrorBody(resp.Body); ok && code != "" {
		return &Error{StatusCode: resp.StatusCode, Code: resp.Redact(code), Message: resp.Redact(msg),
			Response: resp.ResponseError(leadkit.ErrHTTPStatus, nil)}
	}
	return nil
}
