package datacaketest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

// DefaultCustomers is how many customers a MemoryERP is seeded with.
const DefaultCustomers = 300

// MemoryERP is an in-memory ERP implementing datacake.ERP (and the optional
// FiscalNoteLister and StatementLister), seeded with customers (CPF and
// CNPJ, numeric and alphanumeric, each with a contract id), their
// installations, open invoices, fiscal notes and financial statements, and
// the catalogues. Prospects created in it can be
// updated, receive files and report their status. It is safe for
// concurrent use.
//
// The "status" of every prospect answer is the prospect's status code
// (StatusInitial for a new one), with its name in Status.Name and the
// prospect's id in Status.ProspectID.
type MemoryERP struct {
	seed int64
	n    int
	now  func() time.Time // the ERP's clock: invoices are dated around its day

	mu        sync.Mutex
	customers []customerData
	byDoc     map[string]int
	byID      map[string]int
	products  []datacake.Product
	resellers []datacake.Reseller
	employees []datacake.Employee
	dueDates  []datacake.DueDate
	origins   []datacake.CommercialOrigin
	cities    []datacake.City
	statuses  []datacake.ProspectStatus
	prospects map[string]*StoredProspect
	nextID    int
}

// StoredProspect is a prospect as the MemoryERP keeps it.
type StoredProspect struct {
	ID       string
	Prospect datacake.Prospect
	StatusID string
	Files    []datacake.File
	Updates  int // how many UpdateProspect calls it received
}

var (
	_ datacake.ERP              = (*MemoryERP)(nil)
	_ datacake.FiscalNoteLister = (*MemoryERP)(nil)
	_ datacake.StatementLister  = (*MemoryERP)(nil)
)

// NewMemoryERP returns an ERP seeded deterministically from seed with
// customers customers (DefaultCustomers when customers <= 0; at least the
// three fixed example customers). Open invoices fall due around the day it
// is made (or reset): this month's and the overdue ones of the months
// before; the fiscal notes and statements are of the three months before.
func NewMemoryERP(seed int64, customers int) *MemoryERP {
	return newMemoryERP(seed, customers, time.Now)
}

func newMemoryERP(seed int64, customers int, now func() time.Time) *MemoryERP {
	if customers <= 0 {
		customers = DefaultCustomers
	}
	customers = max(customers, 3)
	e := &MemoryERP{seed: seed, n: customers, now: now}
	e.Reset()
	return e
}

// Reset restores the seeded state: prospects and their files are dropped.
func (e *MemoryERP) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.products = seedProducts()
	e.resellers = seedResellers()
	e.employees = seedEmployees()
	e.dueDates = seedDueDates()
	e.origins = seedOrigins()
	e.cities = seedCities()
	e.statuses = seedStatuses()
	e.customers = seedCustomers(e.seed, e.n, e.products, e.now())
	e.byDoc = make(map[string]int, len(e.customers))
	e.byID = make(map[string]int, len(e.customers))
	for i, c := range e.customers {
		e.byDoc[datacake.NormalizeDocument(c.c.Document)] = i
		e.byID[c.c.ID] = i
	}
	e.prospects = map[string]*StoredProspect{}
	e.nextID = 5001
}

// Customers returns the seeded customers, in id order.
func (e *MemoryERP) Customers() []datacake.Customer {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]datacake.Customer, len(e.customers))
	for i, c := range e.customers {
		out[i] = c.c
	}
	return out
}

// SetProducts replaces the products catalogue (to test a large one).
func (e *MemoryERP) SetProducts(p []datacake.Product) {
	e.mu.Lock()
	e.products = slices.Clone(p)
	e.mu.Unlock()
}

// Prospect returns a copy of the stored prospect id.
func (e *MemoryERP) Prospect(id string) (StoredProspect, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.prospects[id]
	if !ok {
		return StoredProspect{}, false
	}
	cp := *p
	cp.Files = slices.Clone(p.Files)
	return cp, true
}

// ProspectCount returns how many prospects were created since the last Reset.
func (e *MemoryERP) ProspectCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.prospects)
}

// SetProspectStatus moves a prospect to status (as the ERP's staff would).
func (e *MemoryERP) SetProspectStatus(id, status string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.prospects[id]
	if !ok {
		return datacake.ErrNotFound
	}
	if e.statusName(status) == "" {
		return leadkit.Invalid("status_prospeccao", "unknown status %q", status)
	}
	p.StatusID = status
	return nil
}

func (e *MemoryERP) statusName(id string) string {
	for _, s := range e.statuses {
		if s.ID == id {
			return s.Name
		}
	}
	return ""
}

func (e *MemoryERP) status(p *StoredProspect) *datacake.Status {
	return &datacake.Status{Status: p.StatusID, ProspectID: p.ID, Name: e.statusName(p.StatusID)}
}

// Customer implements datacake.ERP.
func (e *MemoryERP) Customer(_ context.Context, document string) (*datacake.Customer, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i, ok := e.byDoc[datacake.NormalizeDocument(document)]
	if !ok {
		return nil, datacake.ErrNotFound
	}
	c := e.customers[i].c
	return &c, nil
}

func (e *MemoryERP) customer(id string) (*customerData, error) {
	i, ok := e.byID[id]
	if !ok {
		return nil, fmt.Errorf("customer %q: %w", id, datacake.ErrNotFound)
	}
	return &e.customers[i], nil
}

// Installations implements datacake.ERP.
func (e *MemoryERP) Installations(_ context.Context, customerID string) ([]datacake.Installation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.customer(customerID)
	if err != nil {
		return nil, err
	}
	out := make([]datacake.Installation, len(c.installations))
	for i, in := range c.installations {
		in.Services = slices.Clone(in.Services)
		out[i] = in
	}
	return out, nil
}

// byQuery returns the customer an invoice query names: by id, or by
// document and contract. e.mu is held.
func (e *MemoryERP) byQuery(q *datacake.InvoiceQuery) (*customerData, error) {
	if q == nil {
		return nil, fmt.Errorf("no query: %w", datacake.ErrNotFound)
	}
	if q.CustomerID != "" {
		return e.customer(q.CustomerID)
	}
	i, ok := e.byDoc[datacake.NormalizeDocument(q.Document)]
	if !ok || e.customers[i].c.ContractID != q.ContractID {
		return nil, fmt.Errorf("contract %q of %q: %w", q.ContractID, q.Document, datacake.ErrNotFound)
	}
	return &e.customers[i], nil
}

// OpenInvoices implements datacake.ERP.
func (e *MemoryERP) OpenInvoices(_ context.Context, q *datacake.InvoiceQuery) ([]datacake.Invoice, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.byQuery(q)
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.invoices), nil
}

// FiscalNotes implements datacake.FiscalNoteLister.
func (e *MemoryERP) FiscalNotes(_ context.Context, q *datacake.InvoiceQuery) ([]datacake.FiscalNote, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.byQuery(q)
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.notes), nil
}

// FinancialStatements implements datacake.StatementLister.
func (e *MemoryERP) FinancialStatements(_ context.Context, q *datacake.InvoiceQuery) ([]datacake.StatementEntry, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.byQuery(q)
	if err != nil {
		return nil, err
	}
	return slices.Clone(c.statements), nil
}

func locked[T any](e *MemoryERP, f func() []T) ([]T, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(f()), nil
}

// Products implements datacake.ERP.
func (e *MemoryERP) Products(context.Context) ([]datacake.Product, error) {
	return locked(e, func() []datacake.Product { return e.products })
}

// Resellers implements datacake.ERP.
func (e *MemoryERP) Resellers(context.Context) ([]datacake.Reseller, error) {
	return locked(e, func() []datacake.Reseller { return e.resellers })
}

// Employees implements datacake.ERP.
func (e *MemoryERP) Employees(context.Context) ([]datacake.Employee, error) {
	return locked(e, func() []datacake.Employee { return e.employees })
}

// DueDates implements datacake.ERP.
func (e *MemoryERP) DueDates(context.Context) ([]datacake.DueDate, error) {
	return locked(e, func() []datacake.DueDate { return e.dueDates })
}

// CommercialOrigins implements datacake.ERP.
func (e *MemoryERP) CommercialOrigins(context.Context) ([]datacake.CommercialOrigin, error) {
	return locked(e, func() []datacake.CommercialOrigin { return e.origins })
}

// Cities implements datacake.ERP.
func (e *MemoryERP) Cities(context.Context) ([]datacake.City, error) {
	return locked(e, func() []datacake.City { return e.cities })
}

// ProspectStatuses implements datacake.ERP.
func (e *MemoryERP) ProspectStatuses(context.Context) ([]datacake.ProspectStatus, error) {
	return locked(e, func() []datacake.ProspectStatus { return e.statuses })
}

// checkLinks refuses links to ids the catalogues do not hold, as an ERP's
// foreign keys would.
func (e *MemoryERP) checkLinks(p *datacake.Prospect) error {
	has := func(n int, id func(int) string, want string) bool {
		for i := 0; i < n; i++ {
			if id(i) == want {
				return true
			}
		}
		return false
	}
	for _, pid := range p.ProductIDs {
		if !has(len(e.products), func(i int) string { return e.products[i].ID }, pid) {
			return leadkit.Invalid("id_servico", "unknown product %q", pid)
		}
	}
	checks := []struct {
		field, v string
		n        int
		id       func(int) string
	}{
		{"id_revendedor", p.ResellerID, len(e.resellers), func(i int) string { return e.resellers[i].ID }},
		{"id_departamento", p.DepartmentID, len(e.employees), func(i int) string { return e.employees[i].DepartmentID }},
		{"id_vencimento", p.DueDateID, len(e.dueDates), func(i int) string { return e.dueDates[i].ID }},
		{"id_origem", p.OriginID, len(e.origins), func(i int) string { return e.origins[i].ID }},
		{"id_cidade", p.CityID, len(e.cities), func(i int) string { return e.cities[i].ID }},
		{"status_prospeccao", p.StatusID, len(e.statuses), func(i int) string { return e.statuses[i].ID }},
	}
	for _, c := range checks {
		if c.v != "" && !has(c.n, c.id, c.v) {
			return leadkit.Invalid(c.field, "unknown id %q", c.v)
		}
	}
	if p.CustomerID != "" {
		if _, ok := e.byID[p.CustomerID]; !ok {
			return leadkit.Invalid("id_cliente", "unknown customer %q", p.CustomerID)
		}
	}
	return nil
}

// CreateProspect implements datacake.ERP: it stores p with a new id
// ("5001", "5002", ...) in status StatusInitial unless p names one.
func (e *MemoryERP) CreateProspect(_ context.Context, p *datacake.Prospect) (*datacake.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.checkLinks(p); err != nil {
		return nil, err
	}
	sp := &StoredProspect{ID: fmt.Sprint(e.nextID), Prospect: *p, StatusID: StatusInitial}
	sp.Prospect.ProductIDs = slices.Clone(p.ProductIDs)
	if p.StatusID != "" {
		sp.StatusID = p.StatusID
	}
	e.nextID++
	e.prospects[sp.ID] = sp
	return e.status(sp), nil
}

// UpdateProspect implements datacake.ERP: the fields set in p replace the
// stored ones; a status_prospeccao moves the prospect.
func (e *MemoryERP) UpdateProspect(_ context.Context, id string, p *datacake.Prospect) (*datacake.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sp, ok := e.prospects[id]
	if !ok {
		return nil, fmt.Errorf("prospect %q: %w", id, datacake.ErrNotFound)
	}
	if err := e.checkLinks(p); err != nil {
		return nil, err
	}
	merge(&sp.Prospect, p)
	if p.StatusID != "" {
		sp.StatusID = p.StatusID
	}
	sp.Updates++
	return e.status(sp), nil
}

// merge copies the fields set in src over dst.
func merge(dst, src *datacake.Prospect) {
	set := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	set(&dst.CustomerID, src.CustomerID)
	set(&dst.Name, src.Name)
	set(&dst.TradeName, src.TradeName)
	if src.PersonType != "" {
		dst.PersonType = src.PersonType
	}
	set(&dst.Document, src.Document)
	set(&dst.IDDocument, src.IDDocument)
	set(&dst.RGIssuer, src.RGIssuer)
	set(&dst.BirthDate, src.BirthDate)
	set(&dst.MaritalStatus, src.MaritalStatus)
	if src.Sex != "" {
		dst.Sex = src.Sex
	}
	set(&dst.Occupation, src.Occupation)
	set(&dst.ZIP, src.ZIP)
	set(&dst.Street, src.Street)
	set(&dst.Number, src.Number)
	set(&dst.Complement, src.Complement)
	set(&dst.District, src.District)
	set(&dst.City, src.City)
	set(&dst.State, src.State)
	if src.Latitude != 0 || src.Longitude != 0 {
		dst.Latitude, dst.Longitude = src.Latitude, src.Longitude
	}
	set(&dst.Phone, src.Phone)
	set(&dst.MobilePhone, src.MobilePhone)
	set(&dst.WhatsApp, src.WhatsApp)
	set(&dst.Email, src.Email)
	set(&dst.Notes, src.Notes)
	if len(src.ProductIDs) > 0 {
		dst.ProductIDs = slices.Clone(src.ProductIDs)
	}
	set(&dst.ResellerID, src.ResellerID)
	set(&dst.DepartmentID, src.DepartmentID)
	set(&dst.DueDateID, src.DueDateID)
	set(&dst.OriginID, src.OriginID)
	set(&dst.CityID, src.CityID)
	set(&dst.StatusID, src.StatusID)
}

// UploadFiles implements datacake.ERP: the files are kept with the prospect.
func (e *MemoryERP) UploadFiles(_ context.Context, prospectID string, files ...datacake.File) (*datacake.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sp, ok := e.prospects[prospectID]
	if !ok {
		return nil, fmt.Errorf("prospect %q: %w", prospectID, datacake.ErrNotFound)
	}
	for _, f := range files {
		f.Data = slices.Clone(f.Data)
		f.Reader = nil
		sp.Files = append(sp.Files, f)
	}
	return e.status(sp), nil
}

// ProspectStatus implements datacake.ERP.
func (e *MemoryERP) ProspectStatus(_ context.Context, id string) (*datacake.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sp, ok := e.prospects[id]
	if !ok {
		return nil, fmt.Errorf("prospect %q: %w", id, datacake.ErrNotFound)
	}
	return e.status(sp), nil
}
