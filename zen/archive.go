package zen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
)

// LeadStatus is a lead's status in the archive ("status_lead"). Unknown
// values are kept as they came.
type LeadStatus string

// The statuses Zen documents.
const (
	StatusInProgress LeadStatus = "Andamento"  // in progress
	StatusFinished   LeadStatus = "Finalizado" // finished (won)
	StatusCancelled  LeadStatus = "Cancelado"  // cancelled
)

// String returns the status as Zen writes it.
func (s LeadStatus) String() string { return string(s) }

// English returns an English label ("in progress", "finished",
// "cancelled"), or the value itself when it is unknown.
func (s LeadStatus) English() string {
	switch s {
	case StatusInProgress:
		return "in progress"
	case StatusFinished:
		return "finished"
	case StatusCancelled:
		return "cancelled"
	}
	return string(s)
}

// Known reports whether s is one of the documented statuses.
func (s LeadStatus) Known() bool {
	return s == StatusInProgress || s == StatusFinished || s == StatusCancelled
}

// Classification is a lead's classification in the archive
// ("classificacao_lead"). Unknown values are kept as they came.
type Classification string

// The classifications Zen documents.
const (
	ClassProspecting  Classification = "Prospectando"    // prospecting
	ClassQualified    Classification = "Qualificado"     // qualified
	ClassNotQualified Classification = "Não Qualificado" // not qualified
)

// String returns the classification as Zen writes it.
func (c Classification) String() string { return string(c) }

// English returns an English label, or the value itself when unknown.
func (c Classification) English() string {
	switch c {
	case ClassProspecting:
		return "prospecting"
	case ClassQualified:
		return "qualified"
	case ClassNotQualified:
		return "not qualified"
	}
	return string(c)
}

// Known reports whether c is one of the documented classifications.
func (c Classification) Known() bool {
	return c == ClassProspecting || c == ClassQualified || c == ClassNotQualified
}

// fold lowercases s and strips its accents, for tolerant matching.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		if r >= 0x300 && r <= 0x36f {
			continue
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func parseStatus(s string) LeadStatus {
	for _, k := range []LeadStatus{StatusInProgress, StatusFinished, StatusCancelled} {
		if fold(s) == fold(string(k)) {
			return k
		}
	}
	return LeadStatus(s)
}

func parseClassification(s string) Classification {
	for _, k := range []Classification{ClassProspecting, ClassQualified, ClassNotQualified} {
		if fold(s) == fold(string(k)) {
			return k
		}
	}
	return Classification(s)
}

// Archive is the answer of "Arquivo de Lead": the leads (deals) created or
// changed on one day.
type Archive struct {
	Date  string         `json:"data"`
	Leads []ArchivedLead `json:"leads"`
}

// ArchivedLead is one lead of the archive.
type ArchivedLead struct {
	IntegrationCode string         `json:"integracao_lead"`           // the lead's (contact's) integration code
	Created         time.Time      `json:"data_criacao_lead"`         // when the deal was created
	Status          LeadStatus     `json:"status_lead"`               // Andamento, Finalizado or Cancelado
	StatusAt        time.Time      `json:"data_status_lead"`          // when the status was set
	Stage           string         `json:"etapa_lead"`                // the funnel stage
	StageAt         time.Time      `json:"data_etapa_lead"`           // when the stage was set
	Classification  Classification `json:"classificacao_lead"`        // Prospectando, Qualificado or Não Qualificado
	ClassifiedAt    time.Time      `json:"data_classificacao_lead"`   // when it was classified
	OwnerName       string         `json:"nome_usuario_responsavel"`  // the responsible user
	OwnerEmail      string         `json:"email_usuario_responsavel"` // the responsible user's e-mail
}

type wireArchive struct {
	Date  jsonx.String `json:"data"`
	Leads list[struct {
		IntegrationCode jsonx.String `json:"integracao_lead"`
		Created         jsonx.String `json:"data_criacao_lead"`
		Status          jsonx.String `json:"status_lead"`
		StatusAt        jsonx.String `json:"data_status_lead"`
		Stage           jsonx.String `json:"etapa_lead"`
		StageAt         jsonx.String `json:"data_etapa_lead"`
		Classification  jsonx.String `json:"classificacao_lead"`
		ClassifiedAt    jsonx.String `json:"data_classificacao_lead"`
		OwnerName       jsonx.String `json:"nome_usuario_responsavel"`
		OwnerEmail      jsonx.String `json:"email_usuario_responsavel"`
	}] `json:"leads"`
}

// UnmarshalJSON lets an empty answer ([] or null) decode as an empty archive.
func (w *wireArchive) UnmarshalJSON(b []byte) error {
	type plain wireArchive
	return unmarshalObject(b, (*plain)(w))
}

func (w *wireArchive) archive(loc *time.Location) (*Archive, error) {
	out := &Archive{Date: string(w.Date), Leads: make([]ArchivedLead, len(w.Leads))}
	for i, l := range w.Leads {
		var times [4]time.Time
		for k, f := range []struct {
			name string
			v    jsonx.String
		}{{"data_criacao_lead", l.Created}, {"data_status_lead", l.StatusAt}, {"data_etapa_lead", l.StageAt}, {"data_classificacao_lead", l.ClassifiedAt}} {
			t, err := jsonx.ParseTime(string(f.v), loc)
			if err != nil {
				return nil, leadkit.Invalid(f.name, "%v", err)
			}
			times[k] = t
		}
		out.Leads[i] = ArchivedLead{
			IntegrationCode: string(l.IntegrationCode), Created: times[0],
			Status: parseStatus(string(l.Status)), StatusAt: times[1],
			Stage: string(l.Stage), StageAt: times[2],
			Classification: parseClassification(string(l.Classification)), ClassifiedAt: times[3],
			OwnerName: string(l.OwnerName), OwnerEmail: string(l.OwnerEmail),
		}
	}
	return out, nil
}

// IsNothingChanged reports whether err is Zen's HTTP 400 that means "no deal
// was created or changed on that day" (which Leads.Archive already turns into
// an empty archive), as opposed to a real bad request.
func IsNothingChanged(err error) bool {
	var ze *Error
	if !errors.As(err, &ze) || ze.StatusCode != http.StatusBadRequest {
		return false
	}
	m := fold(ze.Message)
	if strings.Contains(m, "nenhum") || strings.Contains(m, "nao ha") || strings.Contains(m, "sem lead") ||
		strings.Contains(m, "sem negocio") || strings.Contains(m, "no deal") || strings.Contains(m, "no lead") {
		return !strings.Contains(m, "token") && !strings.Contains(m, "invalid") && !strings.Contains(m, "formato")
	}
	return false
}

// Archive calls "Arquivo de Lead": the leads created or changed on day
// (GET ?data=YYYY-MM-DD; a zero day asks for the server's default,
// yesterday). Zen answers HTTP 400 when nothing was created or changed that
// day: that answer becomes an empty archive, while any other 400 stays an
// error matching ErrBadRequest. Zen allows one call every 5 minutes per
// token; see the package doc.
func (s *LeadsService) Archive(ctx context.Context, day time.Time) (*Archive, error) {
	c := s.c
	if err := c.acquire(ctx, EndpointArchive, c.wait); err != nil {
		return nil, err
	}
	q := url.Values{}
	if !day.IsZero() {
		q.Set("data", jsonx.FormatDate(day))
	}
	var w wireArchive
	if err := c.get(ctx, EndpointArchive, q, &w); err != nil {
		if IsNothingChanged(err) {
			a := &Archive{Leads: []ArchivedLead{}}
			if !day.IsZero() {
				a.Date = jsonx.FormatDate(day)
			}
			return a, nil
		}
		return nil, err
	}
	a, err := w.archive(c.loc)
	if err != nil {
		// The error quotes a value of the body: mask the secrets in it.
		return nil, fmt.Errorf("zen: lead archive: %w: %s", leadkit.ErrDecode, c.tc.Redactor().Redact(err.Error()))
	}
	return a, nil
}
