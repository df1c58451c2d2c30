// Package datacake speaks the Datacake ERP contract: the API that an
// internet provider's ERP exposes so that Datacake's sign-up sites, apps and
// kiosks ("APP", "TOTEM", "Boleto") can read customers and catalogues and
// create and follow prospects.
//
// It serves both sides of the contract:
//
//   - Client calls an ERP that speaks the contract (the front end's side):
//     customer lookup by CPF/CNPJ, installations and open invoices, the
//     catalogues (products, resellers, employees, due dates, commercial
//     origins, cities, prospect statuses), and prospects (create, update,
//     upload files, read status).
//   - NewHandler turns any implementation of the ERP interface into an
//     http.Handler speaking the contract (the ERP's side).
//
// The contract names no URL paths, so both sides share a route table
// (DefaultRoutes, overridden with WithRoutes and WithHandlerRoutes), and it
// recommends a token in a request header: "Authorization: Bearer <token>"
// by default (WithAuthHeader, WithHandlerAuthHeader).
//
// Two revisions of the contract are in use, the seed's (the original page)
// and Datacake's current page; the client reads both (the key table is on
// Revision), and NewHandler writes either (WithHandlerRevision). The current
// revision looks invoices up by document and contract (InvoiceQuery) and adds
// fiscal notes (FiscalNotes) and financial statements (FinancialStatements),
// optional for an ERP (FiscalNoteLister, StatementLister; without them the
// handler answers 501).
//
// The page shows GET requests with a JSON payload ({"cnpj_cpf": "..."}).
// Bodies on GET are legal HTTP but dropped by many proxies, so the client
// sends such parameters in the query string unless WithJSONBodyOnGet is
// given; the handler reads both.
//
// Lists decode from a bare JSON array (what the page's "{ [ ... ] }"
// examples mean), from an object holding one array ({"data": [...]}) and
// from the page's notation taken literally.
//
// Every amount (prices, invoice values, interest, fines, discounts) is an
// Amount: exact integer centavos, printed "R$ 79,90", read from the forms
// ERPs send ("79.90", "79,90", 79.9) and written as the contract shows them
// ("79.90"); a value that is not an amount is a decoding error naming the
// field, never a silent zero or a rounded float.
//
// CPF and CNPJ (numeric, and the alphanumeric CNPJ valid from July 2026)
// are checked with ValidateCPF, ValidateCNPJ and ValidateDocument before a
// lookup is sent or handed to the ERP.
//
// Creating a prospect and uploading files are never resent once they may
// have reached the ERP: such a failure matches leadkit.ErrOutcomeUnknown.
// Updating a prospect is a PUT and is retried like any idempotent request.
//
// The token is a secret: it never appears in an error string or a log line.
package datacake

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// config holds datacake's own client options.
type config struct {
	routes     *Routes
	headerName string
	scheme     string
	jsonGET    bool
	maxFile    int64
}

// Option configures a Client. Pass options to NewClient.
type Option struct{ apply transport.Option[config] }

// options returns the core's form of opts.
func options(opts []Option) []transport.Option[config] {
	out := make([]transport.Option[config], len(opts))
	for i, o := range opts {
		out[i] = o.apply
	}
	return out
}

// WithHTTPClient sends requests through hc (its transport, proxy, TLS and
// timeout are kept).
func WithHTTPClient(hc *http.Client) Option { return Option{transport.WithHTTPClient[config](hc)} }

// WithUserAgent puts ua in front of leadkit's User-Agent.
func WithUserAgent(ua string) Option { return Option{transport.WithUserAgent[config](ua)} }

// WithLogger logs one debug line per HTTP attempt, secrets masked. Silent by default.
func WithLogger(l *slog.Logger) Option { return Option{transport.WithLogger[config](l)} }

// WithMaxRetries sets how many times a failed request may be retried (default 3).
func WithMaxRetries(n int) Option { return Option{transport.WithMaxRetries[config](n)} }

// WithRetryWait sets the backoff bounds between retries (default 500ms to 30s). A server's
// Retry-After up to max is waited out and retried; a longer one is returned at once as the
// error's RetryAfter, for the caller to schedule.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return Option{transport.WithRetryWait[config](minWait, maxWait)}
}

// WithMaxBodyBytes caps the size of a response body (default 10 MiB).
func WithMaxBodyBytes(n int64) Option { return Option{transport.WithMaxBodyBytes[config](n)} }

// WithRoutes replaces paths of the route table; empty fields keep
// DefaultRoutes. Each path starts with "/", is relative to the base URL and
// may hold one "{id}" segment for the prospect id.
func WithRoutes(r Routes) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if _, err := compileRoutes(&r); err != nil {
			return err
		}
		c.routes = &r
		return nil
	})}
}

// WithAuthHeader sends the token in header name, after scheme and a space
// when scheme is not empty. The default is ("Authorization", "Bearer");
// ("token", "") sends "token: <token>".
func WithAuthHeader(name, scheme string) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if err := checkHeaderName(name); err != nil {
			return err
		}
		if strings.ContainsAny(scheme, " \r\n\t") {
			return leadkit.Invalid("AuthHeader", "scheme must be one word")
		}
		c.headerName, c.scheme = name, scheme
		return nil
	})}
}

func checkHeaderName(name string) error {
	return transport.CheckHeaderName("AuthHeader", name)
}

// WithJSONBodyOnGet sends the parameters of GET requests (cnpj_cpf,
// id_cliente, id_prospecto) as a JSON body, as the contract page shows,
// instead of the query string. Use it only for an ERP that reads nothing
// else: many proxies drop bodies on GET.
func WithJSONBodyOnGet() Option {
	return Option{transport.VendorOption(func(c *config) error {
		c.jsonGET = true
		return nil
	})}
}

// WithMaxFileBytes caps each file UploadFiles sends (default 10 MiB), so an
// oversized file fails before anything is sent.
func WithMaxFileBytes(n int64) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if n <= 0 {
			return leadkit.Invalid("MaxFileBytes", "must be positive, got %d", n)
		}
		c.maxFile = n
		return nil
	})}
}

// Client calls an ERP that speaks the Datacake contract. It is safe for
// concurrent use, and it implements ERP, so it can stand behind NewHandler
// (a proxy in front of a remote ERP).
type Client struct {
	// Customers reads a customer and what belongs to it: Get,
	// Installations, OpenInvoices, FiscalNotes, FinancialStatements.
	Customers *CustomersService
	// Catalogues reads the catalogues: Products, Resellers, Employees,
	// DueDates, CommercialOrigins, Cities, ProspectStatuses.
	Catalogues *CataloguesService
	// Prospects creates and follows prospects: Create, Update,
	// UploadFiles, Status.
	Prospects *ProspectsService

	tc      *transport.Client
	routes  routeTable
	jsonGET bool
	maxFile int64
}

// Redact returns s with the client's credentials masked ("REDACTED") in
// every form the SDK masks them in its own errors and log lines (raw,
// percent-, JSON- and HTML-escaped, base64, in any letter case, ...), and
// the value of any known secret parameter (token=, apikey=, password=,
// Authorization: ...) whoever's it is: for text built outside the client
// that may quote them, such as an error of your own code. The relay passes
// every text it stores or displays through it.
func (c *Client) Redact(s string) string { return c.tc.Redactor().Redact(s) }

// NewClient returns a client for the ERP at baseURL (scheme, host and an
// optional path prefix to which the routes are appended), authenticating
// with token.
func NewClient(baseURL, token string, opts ...Option) (*Client, error) {
	if err := transport.RequireNonEmpty("token", token); err != nil {
		return nil, err
	}
	s := transport.DefaultSettings(baseURL)
	cfg := config{headerName: "Authorization", scheme: "Bearer", maxFile: DefaultMaxFileBytes}
	if err := transport.Apply(&s, &cfg, options(opts)); err != nil {
		return nil, err
	}
	if _, err := transport.ParseBaseURL(s.BaseURL); err != nil {
		return nil, err
	}
	for _, f := range []struct{ field, value string }{{"AuthHeader", cfg.headerName}, {"AuthScheme", cfg.scheme}} {
		if err := transport.CheckNotHolding(f.field, f.value, token); err != nil {
			return nil, err
		}
	}
	routes, err := compileRoutes(cfg.routes)
	if err != nil {
		return nil, err
	}
	tc, err := transport.New(transport.Config{
		Vendor:      "datacake",
		Settings:    s,
		Auth:        transport.HeaderAuth{Name: cfg.headerName, Scheme: cfg.scheme, Value: transport.NewSecret(token)},
		Secrets:     []string{token},
		DecodeError: decodeError,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{tc: tc, routes: routes, jsonGET: cfg.jsonGET, maxFile: cfg.maxFile}
	c.Customers, c.Catalogues, c.Prospects = &CustomersService{c}, &CataloguesService{c}, &ProspectsService{c}
	return c, nil
}

// CustomersService reads customers and what belongs to them. Reach it as
// Client.Customers.
type CustomersService struct{ c *Client }

// CataloguesService reads the ERP's catalogues. Reach it as
// Client.Catalogues.
type CataloguesService struct{ c *Client }

// ProspectsService creates and follows prospects. Reach it as
// Client.Prospects.
type ProspectsService struct{ c *Client }

// ERP returns the client as an ERP (the interface NewHandler serves), so
// that a front end can serve what it reads from one ERP, as a proxy or a
// cache. Fiscal notes and financial statements are forwarded as well.
func (c *Client) ERP() ERP { return clientERP{c} }

// clientERP adapts a Client to the ERP interface.
type clientERP struct{ c *Client }

var (
	_ ERP              = clientERP{}
	_ FiscalNoteLister = clientERP{}
	_ StatementLister  = clientERP{}
)

func (e clientERP) Customer(ctx context.Context, document string) (*Customer, error) {
	return e.c.Customers.Get(ctx, document)
}
func (e clientERP) Installations(ctx context.Context, id string) ([]Installation, error) {
	return e.c.Customers.Installations(ctx, id)
}
func (e clientERP) OpenInvoices(ctx context.Context, q *InvoiceQuery) ([]Invoice, error) {
	return e.c.Customers.OpenInvoices(ctx, q)
}
func (e clientERP) FiscalNotes(ctx context.Context, q *InvoiceQuery) ([]FiscalNote, error) {
	return e.c.Customers.FiscalNotes(ctx, q)
}
func (e clientERP) FinancialStatements(ctx context.Context, q *InvoiceQuery) ([]StatementEntry, error) {
	return e.c.Customers.FinancialStatements(ctx, q)
}
func (e clientERP) Products(ctx context.Context) ([]Product, error) {
	return e.c.Catalogues.Products(ctx)
}
func (e clientERP) Resellers(ctx context.Context) ([]Reseller, error) {
	return e.c.Catalogues.Resellers(ctx)
}
func (e clientERP) Employees(ctx context.Context) ([]Employee, error) {
	return e.c.Catalogues.Employees(ctx)
}
func (e clientERP) DueDates(ctx context.Context) ([]DueDate, error) {
	return e.c.Catalogues.DueDates(ctx)
}
func (e clientERP) CommercialOrigins(ctx context.Context) ([]CommercialOrigin, error) {
	return e.c.Catalogues.CommercialOrigins(ctx)
}
func (e clientERP) Cities(ctx context.Context) ([]City, error) { return e.c.Catalogues.Cities(ctx) }
func (e clientERP) ProspectStatuses(ctx context.Context) ([]ProspectStatus, error) {
	return e.c.Catalogues.ProspectStatuses(ctx)
}
func (e clientERP) CreateProspect(ctx context.Context, p *Prospect) (*Status, error) {
	return e.c.Prospects.Create(ctx, p)
}
func (e clientERP) UpdateProspect(ctx context.Context, id string, p *Prospect) (*Status, error) {
	return e.c.Prospects.Update(ctx, id, p)
}
func (e clientERP) UploadFiles(ctx context.Context, id string, files ...File) (*Status, error) {
	return e.c.Prospects.UploadFiles(ctx, id, files...)
}
func (e clientERP) ProspectStatus(ctx context.Context, id string) (*Status, error) {
	return e.c.Prospects.Status(ctx, id)
}

// get sends a GET of operation o with the parameters params (nil: none).
func (c *Client) get(ctx context.Context, o op, id string, params map[string]string) (*transport.Response, error) {
	rt := c.routes[o]
	if o == opProspectStatus && rt.id < 0 {
		params = map[string]string{"id_prospecto": id}
	}
	req := &transport.Request{Method: http.MethodGet, Path: rt.path(id)}
	if len(params) > 0 {
		if c.jsonGET {
			req.JSON = params
		} else {
			q := url.Values{}
			for k, v := range params {
				q.Set(k, v)
			}
			req.Query = q
		}
	}
	return c.tc.Do(ctx, req)
}

// list fetches a catalogue and decodes it into []W.
func list[W any](ctx context.Context, c *Client, o op, params map[string]string) ([]W, error) {
	resp, err := c.get(ctx, o, "", params)
	if err != nil {
		return nil, err
	}
	return decodeList[W](resp)
}

// decodeList decodes a catalogue answer into []W.
func decodeList[W any](resp *transport.Response) ([]W, error) {
	arr, err := unwrapList(resp.Body)
	if err != nil {
		// The core tells an empty, non-JSON or truncated body (a connection
		// cut mid-answer) from a body of the wrong shape.
		var raw json.RawMessage
		if derr := resp.DecodeJSON(&raw); derr != nil {
			return nil, derr
		}
		return nil, resp.ResponseError(leadkit.ErrDecode, err)
	}
	var out []W
	if arr == nil {
		return out, nil
	}
	r := *resp
	r.Body = arr
	if err := r.DecodeJSON(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// Get calls "Pegar infos de clientes (GET)": the customer whose CPF or
// CNPJ is document (punctuation allowed; the document is checked first and
// sent as given, trimmed). An unknown customer is an *Error matching
// ErrNotFound.
func (s *CustomersService) Get(ctx context.Context, document string) (*Customer, error) {
	c := s.c
	if err := ValidateDocument(document); err != nil {
		return nil, err
	}
	resp, err := c.get(ctx, opCustomer, "", map[string]string{documentField: strings.TrimSpace(document)})
	if err != nil {
		return nil, err
	}
	var w customerWire
	if err := decodeObject(resp, &w); err != nil {
		return nil, err
	}
	cu := w.public()
	return &cu, nil
}

// decodeObject decodes an object answer; an ERP that wraps it in a
// one-element array is read as well.
func decodeObject(resp *transport.Response, out any) error {
	body := resp.Body
	if arr, err := unwrapList(body); err == nil && arr != nil && bodyStartsWith(body, '[') {
		var items []json.RawMessage
		if json.Unmarshal(arr, &items) == nil && len(items) == 1 {
			r := *resp
			r.Body = items[0]
			return r.DecodeJSON(out)
		}
	}
	return resp.DecodeJSON(out)
}

func bodyStartsWith(b []byte, c byte) bool {
	for _, x := range b {
		switch x {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return x == c
	}
	return false
}

func requireID(field, id string) error {
	if err := transport.RequireNonEmpty(field, id); err != nil {
		return err
	}
	if id == "." || id == ".." || strings.TrimSpace(id) != id {
		return leadkit.Invalid(field, "%q is not an id", id)
	}
	return nil
}

// Installations calls the installations part of "Pegar boletos
// abertos/faturas (GET)": the customer's installations with their services.
func (s *CustomersService) Installations(ctx context.Context, customerID string) ([]Installation, error) {
	c := s.c
	if err := requireID("id_cliente", customerID); err != nil {
		return nil, err
	}
	ws, err := list[installationWire](ctx, c, opInstallations, map[string]string{"id_cliente": customerID})
	if err != nil {
		return nil, err
	}
	out := make([]Installation, len(ws))
	for i := range ws {
		out[i] = ws[i].public()
	}
	return out, nil
}

// OpenInvoices calls "Pegar boletos abertos/faturas (GET)": the customer's
// open invoices (boletos), by the customer's id (the seed's revision) or by
// its document and contract id (the current revision). Invoices of either
// revision decode without loss.
func (s *CustomersService) OpenInvoices(ctx context.Context, q *InvoiceQuery) ([]Invoice, error) {
	c := s.c
	params, err := q.params()
	if err != nil {
		return nil, err
	}
	ws, err := list[invoiceRead](ctx, c, opOpenInvoices, params)
	if err != nil {
		return nil, err
	}
	out := make([]Invoice, len(ws))
	for i := range ws {
		out[i] = ws[i].public()
	}
	return out, nil
}

// FiscalNotes calls "Pegar notas fiscais (GET)" (current revision): the
// customer's fiscal notes. An ERP that does not serve it answers an *Error
// matching ErrNotImplemented (or ErrNotFound).
func (s *CustomersService) FiscalNotes(ctx context.Context, q *InvoiceQuery) ([]FiscalNote, error) {
	c := s.c
	params, err := q.params()
	if err != nil {
		return nil, err
	}
	return list[FiscalNote](ctx, c, opFiscalNotes, params)
}

// FinancialStatements calls "extratos financeiros (GET)" (current
// revision): the lines of the customer's financial statement. An ERP that
// does not serve it answers an *Error matching ErrNotImplemented (or
// ErrNotFound).
func (s *CustomersService) FinancialStatements(ctx context.Context, q *InvoiceQuery) ([]StatementEntry, error) {
	c := s.c
	params, err := q.params()
	if err != nil {
		return nil, err
	}
	return list[StatementEntry](ctx, c, opStatements, params)
}

// Products calls "Pegar todos os produtos (GET)".
func (s *CataloguesService) Products(ctx context.Context) ([]Product, error) {
	c := s.c
	resp, err := c.get(ctx, opProducts, "", nil)
	if err != nil {
		return nil, err
	}
	if out, ok := decodeProductsFast(resp.Body); ok {
		return out, nil
	}
	ws, err := decodeList[productWire](resp)
	if err != nil {
		return nil, err
	}
	out := make([]Product, len(ws))
	for i := range ws {
		out[i] = ws[i].public()
	}
	return out, nil
}

// Resellers calls "Pegar todos os revendedores (GET)".
func (s *CataloguesService) Resellers(ctx context.Context) ([]Reseller, error) {
	c := s.c
	ws, err := list[resellerWire](ctx, c, opResellers, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Reseller, len(ws))
	for i, w := range ws {
		out[i] = Reseller{string(w.ID), string(w.Name), string(w.Notes)}
	}
	return out, nil
}

// Employees calls "Pegar todos os funcionários (GET)".
func (s *CataloguesService) Employees(ctx context.Context) ([]Employee, error) {
	c := s.c
	ws, err := list[employeeWire](ctx, c, opEmployees, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Employee, len(ws))
	for i, w := range ws {
		out[i] = Employee{string(w.DepartmentID), string(w.Name), string(w.Notes)}
	}
	return out, nil
}

// DueDates calls "Pegar todos os vencimentos (GET)".
func (s *CataloguesService) DueDates(ctx context.Context) ([]DueDate, error) {
	c := s.c
	ws, err := list[dueDateWire](ctx, c, opDueDates, nil)
	if err != nil {
		return nil, err
	}
	out := make([]DueDate, len(ws))
	for i, w := range ws {
		out[i] = DueDate{string(w.ID), string(w.Date), string(w.Notes)}
	}
	return out, nil
}

// CommercialOrigins calls "Pegar as origens comerciáis (GET)".
func (s *CataloguesService) CommercialOrigins(ctx context.Context) ([]CommercialOrigin, error) {
	c := s.c
	ws, err := list[originWire](ctx, c, opOrigins, nil)
	if err != nil {
		return nil, err
	}
	out := make([]CommercialOrigin, len(ws))
	for i, w := range ws {
		out[i] = CommercialOrigin{string(w.ID), string(w.Name), string(w.Notes)}
	}
	return out, nil
}

// Cities calls "Pegar todas as cidades (GET)". The id is read from
// "id_cidade" or, as the page's example keys it, "id_tipo_de_atendimento".
func (s *CataloguesService) Cities(ctx context.Context) ([]City, error) {
	c := s.c
	ws, err := list[cityWire](ctx, c, opCities, nil)
	if err != nil {
		return nil, err
	}
	out := make([]City, len(ws))
	for i := range ws {
		out[i] = ws[i].public()
	}
	return out, nil
}

// ProspectStatuses calls "Pegar todos os status de prospectos (GET)".
func (s *CataloguesService) ProspectStatuses(ctx context.Context) ([]ProspectStatus, error) {
	c := s.c
	ws, err := list[prospectStatusWire](ctx, c, opProspectStatuses, nil)
	if err != nil {
		return nil, err
	}
	out := make([]ProspectStatus, len(ws))
	for i, w := range ws {
		out[i] = ProspectStatus{string(w.ID), string(w.Name), string(w.Notes)}
	}
	return out, nil
}

func decodeStatus(resp *transport.Response) (*Status, error) {
	var w statusWire
	if err := resp.DecodeJSON(&w); err != nil {
		return nil, err
	}
	s := w.public()
	return &s, nil
}

// Create calls "Criar prospectos (POST)", the main way new
// subscriptions enter the ERP. p needs Name and a valid Document. The
// request is never resent once it may have reached the ERP: such a failure
// matches leadkit.ErrOutcomeUnknown, and the caller should look for the
// prospect before sending it again.
func (s *ProspectsService) Create(ctx context.Context, p *Prospect) (*Status, error) {
	c := s.c
	if err := p.Validate(true); err != nil {
		return nil, err
	}
	resp, err := c.tc.Do(ctx, &transport.Request{
		Method: http.MethodPost, Path: c.routes[opCreateProspect].path(""), JSON: p.wire(), Create: true,
	})
	if err != nil {
		return nil, err
	}
	return decodeStatus(resp)
}

// Update calls "Edição do prospecto (PUT)": it sends the fields of
// p that are set (not every field each time) for prospect id. As a PUT it
// is retried on connection failures and gateway errors.
func (s *ProspectsService) Update(ctx context.Context, id string, p *Prospect) (*Status, error) {
	c := s.c
	if err := requireID("id_prospecto", id); err != nil {
		return nil, err
	}
	if err := p.Validate(false); err != nil {
		return nil, err
	}
	rt := c.routes[opUpdateProspect]
	w := p.wire()
	if rt.id < 0 {
		w.ProspectID = str(id)
	}
	resp, err := c.tc.Do(ctx, &transport.Request{Method: http.MethodPut, Path: rt.path(id), JSON: w})
	if err != nil {
		return nil, err
	}
	return decodeStatus(resp)
}

// UploadFiles calls "Envio de arquivos (POST)": it sends files (JPEG, PNG,
// GIF or PDF, told from their bytes) base64 encoded, linked to the
// prospect; the caller's files are not modified. Like Prospects.Create it is
// never resent once it may have reached the ERP.
func (s *ProspectsService) UploadFiles(ctx context.Context, prospectID string, files ...File) (*Status, error) {
	c := s.c
	if err := requireID("id_prospecto", prospectID); err != nil {
		return nil, err
	}
	rt := c.routes[opUploadFiles]
	body, err := uploadBody(prospectID, rt.id < 0, files, c.maxFile)
	if err != nil {
		return nil, err
	}
	resp, err := c.tc.Do(ctx, &transport.Request{
		Method: http.MethodPost, Path: rt.path(prospectID), Body: body, ContentType: "application/json", Create: true,
	})
	if err != nil {
		return nil, err
	}
	return decodeStatus(resp)
}

// MaxFileBytes is the cap on one file UploadFiles sends (WithMaxFileBytes,
// DefaultMaxFileBytes when not set), for a caller that checks files before
// it creates the prospect they belong to (datacake.ValidateFiles).
func (c *Client) MaxFileBytes() int64 { return c.maxFile }

// Status calls "Status do Prospecto (GET)": the prospect's current
// status in the ERP.
func (s *ProspectsService) Status(ctx context.Context, id string) (*Status, error) {
	c := s.c
	if err := requireID("id_prospecto", id); err != nil {
		return nil, err
	}
	resp, err := c.get(ctx, opProspectStatus, id, nil)
	if err != nil {
		return nil, err
	}
	return decodeStatus(resp)
}
