package datacake

import (
	"net/http"
	"net/url"
	"strings"
)

// The handler's operations, one per route of the table: each reads its
// request and returns the value to answer, or an error for writeError.

// operations returns the handler of each operation, by op.
func (h *handler) operations() [numOps]func(*http.Request) (any, error) {
	return [numOps]func(*http.Request) (any, error){
		opCustomer: h.customer, opInstallations: h.installations, opOpenInvoices: h.openInvoices,
		opProducts:  func(r *http.Request) (any, error) { return nonNil(h.erp.Products(r.Context())) },
		opResellers: func(r *http.Request) (any, error) { return nonNil(h.erp.Resellers(r.Context())) },
		opEmployees: func(r *http.Request) (any, error) { return nonNil(h.erp.Employees(r.Context())) },
		opDueDates:  func(r *http.Request) (any, error) { return nonNil(h.erp.DueDates(r.Context())) },
		opOrigins:   func(r *http.Request) (any, error) { return nonNil(h.erp.CommercialOrigins(r.Context())) },
		opCities:    func(r *http.Request) (any, error) { return nonNil(h.erp.Cities(r.Context())) },
		opProspectStatuses: func(r *http.Request) (any, error) {
			return nonNil(h.erp.ProspectStatuses(r.Context()))
		},
		opCreateProspect: h.createProspect, opUpdateProspect: h.updateProspect, opUploadFiles: h.uploadFiles,
		opProspectStatus: h.prospectStatus, opFiscalNotes: h.fiscalNotes, opStatements: h.statements,
	}
}

// customer serves "Pegar infos de clientes".
func (h *handler) customer(r *http.Request) (any, error) {
	doc, err := h.param(r, documentField)
	if err != nil {
		return nil, err
	}
	if err := ValidateDocument(doc); err != nil {
		return nil, err
	}
	c, err := h.erp.Customer(r.Context(), NormalizeDocument(doc))
	if err == nil && c == nil {
		err = ErrNotFound
	}
	if err == nil && h.cfg.revision == RevisionCurrent {
		return c.current(), nil
	}
	return c, err
}

// installations serves the installations of "Pegar boletos abertos/faturas".
func (h *handler) installations(r *http.Request) (any, error) {
	id, err := h.param(r, "id_cliente")
	if err != nil {
		return nil, err
	}
	return nonNil(h.erp.Installations(r.Context(), id))
}

// openInvoices serves "Pegar boletos abertos/faturas", in the keys of the
// handler's revision.
func (h *handler) openInvoices(r *http.Request) (any, error) {
	q, err := h.invoiceQuery(r)
	if err != nil {
		return nil, err
	}
	inv, err := h.erp.OpenInvoices(r.Context(), q)
	if err != nil || h.cfg.revision != RevisionCurrent {
		return nonNil(inv, err)
	}
	out := make([]invoiceCurrent, len(inv))
	for i := range inv {
		out[i] = inv[i].current()
	}
	return out, nil
}

// fiscalNotes serves "Pegar notas fiscais" (501 when the ERP has none).
func (h *handler) fiscalNotes(r *http.Request) (any, error) {
	l, ok := h.erp.(FiscalNoteLister)
	if !ok {
		return nil, fail(http.StatusNotImplemented, "this ERP does not serve fiscal notes")
	}
	q, err := h.invoiceQuery(r)
	if err != nil {
		return nil, err
	}
	return nonNil(l.FiscalNotes(r.Context(), q))
}

// statements serves "extratos financeiros" (501 when the ERP has none).
func (h *handler) statements(r *http.Request) (any, error) {
	l, ok := h.erp.(StatementLister)
	if !ok {
		return nil, fail(http.StatusNotImplemented, "this ERP does not serve financial statements")
	}
	q, err := h.invoiceQuery(r)
	if err != nil {
		return nil, err
	}
	return nonNil(l.FinancialStatements(r.Context(), q))
}

// createProspect serves "Criar prospectos".
func (h *handler) createProspect(r *http.Request) (any, error) {
	var w prospectWire
	if err := h.decodeBody(r, h.cfg.maxBody, &w); err != nil {
		return nil, err
	}
	p := w.public()
	if err := p.Validate(true); err != nil {
		return nil, err
	}
	return status(h.erp.CreateProspect(r.Context(), &p))
}

// updateProspect serves "Edição do prospecto": the id from the path, or
// from the body's id_prospecto when the route has no {id}.
func (h *handler) updateProspect(r *http.Request) (any, error) {
	var w prospectWire
	if err := h.decodeBody(r, h.cfg.maxBody, &w); err != nil {
		return nil, err
	}
	id, err := prospectID(r.PathValue("id"), string(w.ProspectID))
	if err != nil {
		return nil, err
	}
	p := w.public()
	if err := p.Validate(false); err != nil {
		return nil, err
	}
	return status(h.erp.UpdateProspect(r.Context(), id, &p))
}

// uploadFiles serves "Envio de arquivos".
func (h *handler) uploadFiles(r *http.Request) (any, error) {
	var w uploadWire
	if err := h.decodeBody(r, h.cfg.maxUpload, &w); err != nil {
		return nil, err
	}
	id, err := prospectID(r.PathValue("id"), string(w.ProspectID))
	if err != nil {
		return nil, err
	}
	files, err := h.files(w.Files)
	if err != nil {
		return nil, err
	}
	return status(h.erp.UploadFiles(r.Context(), id, files...))
}

// prospectStatus serves "Status do Prospecto": the id from the path, or
// from the parameter id_prospecto when the route has no {id}.
func (h *handler) prospectStatus(r *http.Request) (any, error) {
	id := r.PathValue("id")
	if id == "" {
		var err error
		if id, err = h.param(r, "id_prospecto"); err != nil {
			return nil, err
		}
	}
	return status(h.erp.ProspectStatus(r.Context(), id))
}

// pattern is the route as a ServeMux pattern's path: literal segments
// escaped, "{id}" a wildcard, "/" the root alone.
func (r route) pattern() string {
	if len(r.segs) == 0 {
		return "/{$}"
	}
	var b strings.Builder
	for i, s := range r.segs {
		b.WriteByte('/')
		if i == r.id {
			b.WriteString("{id}")
			continue
		}
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
