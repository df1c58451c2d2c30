package datacake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync/atomic"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// ERP is the contract seen from the ERP's side: implement it over your
// ERP's database or API and serve it with NewHandler. *Client implements it
// too.
//
// The handler validates input before calling a method: document is a valid
// CPF or CNPJ, normalized (no punctuation, upper case); ids are not empty;
// a created prospect has a name and a valid document; files are JPEG, PNG,
// GIF or PDF (ContentType set from the bytes) within the size cap.
//
// Return an error matching ErrNotFound for an unknown customer or prospect
// (answered 404) and a *leadkit.InputError (leadkit.Invalid) for input the
// ERP refuses (answered 400 with its text). Any other error is answered 500
// without its text, unless WithHandlerErrorDetails is given.
type ERP interface {
	// Customer answers "Pegar infos de clientes (GET)".
	Customer(ctx context.Context, document string) (*Customer, error)
	// Installations answers the installations of "Pegar boletos abertos/faturas (GET)".
	Installations(ctx context.Context, customerID string) ([]Installation, error)
	// OpenInvoices answers "Pegar boletos abertos/faturas (GET)", by the
	// customer's id (q.CustomerID, the seed's revision) or by its document
	// and contract (q.Document, q.ContractID, the current revision).
	OpenInvoices(ctx context.Context, q *InvoiceQuery) ([]Invoice, error)
	// Products answers "Pegar todos os produtos (GET)".
	Products(ctx context.Context) ([]Product, error)
	// Resellers answers "Pegar todos os revendedores (GET)".
	Resellers(ctx context.Context) ([]Reseller, error)
	// Employees answers "Pegar todos os funcionários (GET)".
	Employees(ctx context.Context) ([]Employee, error)
	// DueDates answers "Pegar todos os vencimentos (GET)".
	DueDates(ctx context.Context) ([]DueDate, error)
	// CommercialOrigins answers "Pegar as origens comerciáis (GET)".
	CommercialOrigins(ctx context.Context) ([]CommercialOrigin, error)
	// Cities answers "Pegar todas as cidades (GET)".
	Cities(ctx context.Context) ([]City, error)
	// ProspectStatuses answers "Pegar todos os status de prospectos (GET)".
	ProspectStatuses(ctx context.Context) ([]ProspectStatus, error)
	// CreateProspect answers "Criar prospectos (POST)"; return the new
	// prospect's id in Status.ProspectID.
	CreateProspect(ctx context.Context, p *Prospect) (*Status, error)
	// UpdateProspect answers "Edição do prospecto (PUT)"; p holds only the
	// fields that change.
	UpdateProspect(ctx context.Context, id string, p *Prospect) (*Status, error)
	// UploadFiles answers "Envio de arquivos (POST)".
	UploadFiles(ctx context.Context, prospectID string, files ...File) (*Status, error)
	// ProspectStatus answers "Status do Prospecto (GET)".
	ProspectStatus(ctx context.Context, id string) (*Status, error)
}

// Default caps of the handler.
const (
	// DefaultMaxRequestBytes caps a JSON request body other than an upload.
	DefaultMaxRequestBytes = 1 << 20
	// DefaultMaxUploadBytes caps the body of an upload (base64 is 4/3 of
	// the files' size).
	DefaultMaxUploadBytes = 64 << 20
)

type handlerConfig struct {
	routes     *Routes
	headerName string
	scheme     string
	maxBody    int64
	maxUpload  int64
	maxFile    int64
	logger     *slog.Logger
	details    bool
	revision   Revision
	err        error
}

// WithHandlerRevision makes the handler answer in the keys of revision r of
// the contract (RevisionSeed by default): the customer and the invoices are
// written in that revision's keys. Requests of both revisions are read
// either way.
func WithHandlerRevision(r Revision) HandlerOption {
	return func(c *handlerConfig) {
		if !r.valid() {
			c.err = leadkit.Invalid("Revision", "unknown revision %d", int(r))
			return
		}
		c.revision = r
	}
}

// HandlerOption configures NewHandler.
type HandlerOption func(*handlerConfig)

// WithHandlerRoutes replaces paths of the route table the handler serves;
// empty fields keep DefaultRoutes.
func WithHandlerRoutes(r Routes) HandlerOption {
	return func(c *handlerConfig) {
		if _, err := compileRoutes(&r); err != nil {
			c.err = err
			return
		}
		c.routes = &r
	}
}

// WithHandlerAuthHeader reads the token from header name, after scheme
// (matched without regard to case) when scheme is not empty. The default is
// ("Authorization", "Bearer"). A name or scheme that is not an RFC 9110
// token, or a scheme that holds the token itself, is a misconfiguration:
// the handler answers 500 to every request, quoting neither.
func WithHandlerAuthHeader(name, scheme string) HandlerOption {
	return func(c *handlerConfig) {
		if err := checkHeaderName(name); err != nil {
			c.err = err
			return
		}
		if err := transport.CheckAuthScheme("AuthScheme", scheme); err != nil {
			c.err = err
			return
		}
		c.headerName, c.scheme = name, scheme
	}
}

// WithHandlerMaxBytes sets the caps: request is a JSON body other than an
// upload (default 1 MiB), upload the body of an upload (default 64 MiB),
// file one decoded file (default 10 MiB). Larger requests are answered 413.
// A value of zero keeps the default.
func WithHandlerMaxBytes(request, upload, file int64) HandlerOption {
	return func(c *handlerConfig) {
		if request < 0 || upload < 0 || file < 0 {
			c.err = leadkit.Invalid("MaxBytes", "caps must not be negative")
			return
		}
		if request > 0 {
			c.maxBody = request
		}
		if upload > 0 {
			c.maxUpload = upload
		}
		if file > 0 {
			c.maxFile = file
		}
	}
}

// WithHandlerLogger logs each ERP failure (with its full text) and each
// refused request at debug level. The token never reaches the log.
func WithHandlerLogger(l *slog.Logger) HandlerOption {
	return func(c *handlerConfig) { c.logger = l }
}

// WithHandlerErrorDetails puts the text of the ERP's errors in 500 answers.
// Off by default: an ERP's error may hold SQL, hosts or credentials.
func WithHandlerErrorDetails() HandlerOption {
	return func(c *handlerConfig) { c.details = true }
}

type handler struct {
	erp ERP
	// digest holds the token's SHA-256 (nil: refuse everything) where fmt
	// cannot reach it (an atomic.Pointer prints as an address with every
	// verb): printed, it would be an offline test of guesses at the token.
	digest atomic.Pointer[[sha256.Size]byte]
	// red masks the token (in every form) and the known credential
	// patterns in what the handler logs and answers.
	red    *transport.Redactor
	cfg    handlerConfig
	routes routeTable
	mux    *http.ServeMux // the routes, one handler per operation
}

// NewHandler returns an http.Handler that serves erp on the contract's
// route table, for Datacake and other front ends to call.
//
// Every request must carry token ("Authorization: Bearer <token>" unless
// WithHandlerAuthHeader says otherwise); it is compared in constant time.
// An empty token, or an invalid option, makes the handler refuse every
// request (401, or 500 naming the misconfiguration), never serve openly.
//
// GET parameters (cnpj_cpf, id_cliente, id_prospecto) are read from the
// query string or from a JSON body, as the contract page shows them.
// Bodies are capped (WithHandlerMaxBytes). Errors are JSON {"error": "..."}:
// 400 bad input, 401 token missing or wrong, 404 unknown path, customer or
// prospect, 405 wrong method (with Allow), 413 body or file too large, 500
// an ERP failure (its text hidden unless WithHandlerErrorDetails). Uploads
// are base64 decoded, and each file's type is told from its bytes and must
// be JPEG, PNG, GIF or PDF.
//
// Serve it with timeouts, since uploads are large and clients slow:
//
//	srv := &http.Server{
//		Addr:              ":8080",
//		Handler:           datacake.NewHandler(erp, token),
//		ReadHeaderTimeout: 10 * time.Second,
//		ReadTimeout:       2 * time.Minute, // a 64 MiB upload on a slow link
//		WriteTimeout:      2 * time.Minute,
//		IdleTimeout:       2 * time.Minute,
//		MaxHeaderBytes:    64 << 10,
//	}
func NewHandler(erp ERP, token string, opts ...HandlerOption) http.Handler {
	h := &handler{erp: erp, red: transport.NewRedactor(token), cfg: handlerConfig{
		headerName: "Authorization", scheme: "Bearer",
		maxBody: DefaultMaxRequestBytes, maxUpload: DefaultMaxUploadBytes, maxFile: DefaultMaxFileBytes,
	}}
	for _, o := range opts {
		if o != nil {
			o(&h.cfg)
		}
	}
	// The token passed as the scheme (every 401 would name it in
	// WWW-Authenticate) or as the header's name: a misconfiguration, and
	// neither is kept (the handler, printed, would show it).
	if err := transport.CheckNotHolding("AuthScheme", h.cfg.scheme, token); err != nil {
		h.cfg.scheme = ""
		if h.cfg.err == nil {
			h.cfg.err = err
		}
	}
	if err := transport.CheckNotHolding("AuthHeader", h.cfg.headerName, token); err != nil {
		h.cfg.headerName = ""
		if h.cfg.err == nil {
			h.cfg.err = err
		}
	}
	if erp == nil && h.cfg.err == nil {
		h.cfg.err = leadkit.Invalid("erp", "must not be nil")
	}
	if h.cfg.err == nil {
		h.routes, h.cfg.err = compileRoutes(h.cfg.routes)
	}
	if h.cfg.err == nil {
		h.mux, h.cfg.err = h.newMux()
	}
	if token != "" {
		sum := sha256.Sum256([]byte(token))
		h.digest.Store(&sum)
	}
	return h
}

// httpError is an answer with a status and a message safe to show.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func fail(status int, format string, args ...any) error {
	return &httpError{status: status, msg: fmt.Sprintf(format, args...)}
}

func (h *handler) writeJSON(w http.ResponseWriter, status int, v any) {
	// What the ERP answered is checked as a client's body is: a NaN price
	// or coordinate, or a name that is not UTF-8 (a Latin-1 table), is
	// refused (500, logged naming it), never sent as "NaN" or with U+FFFD
	// in place of its letters.
	b, err := transport.MarshalJSON("", v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal error: encoding the answer"}`)
		h.log("encoding answer", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (h *handler) log(msg string, err error) {
	if h.cfg.logger != nil {
		h.cfg.logger.Debug("datacake handler: "+msg, slog.String("error", h.red.Redact(err.Error())))
	}
}

func (h *handler) writeError(w http.ResponseWriter, err error) {
	var he *httpError
	var ie *leadkit.InputError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &he):
	case errors.As(err, &mb):
		he = &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", mb.Limit)}
	case errors.As(err, &ie):
		he = &httpError{http.StatusBadRequest, ie.Error()}
	case errors.Is(err, ErrNotFound):
		he = &httpError{http.StatusNotFound, "not found"}
	default:
		h.log("ERP failure", err)
		msg := "internal error"
		if h.cfg.details {
			msg = "internal error: " + err.Error()
		}
		he = &httpError{http.StatusInternalServerError, msg}
	}
	if he.status == http.StatusUnauthorized {
		if h.cfg.scheme != "" {
			w.Header().Set("WWW-Authenticate", h.red.Redact(h.cfg.scheme)+` realm="datacake"`)
		}
	}
	if he.status != http.StatusInternalServerError {
		h.log("refused", he)
	}
	h.writeJSON(w, he.status, map[string]string{"error": h.red.Redact(he.msg)})
}

func (h *handler) authorized(r *http.Request) bool {
	v := r.Header.Get(h.cfg.headerName)
	if h.cfg.scheme != "" {
		if len(v) <= len(h.cfg.scheme) || !strings.EqualFold(v[:len(h.cfg.scheme)], h.cfg.scheme) || v[len(h.cfg.scheme)] != ' ' {
			return false
		}
		v = v[len(h.cfg.scheme)+1:]
	}
	v = strings.TrimSpace(v)
	digest := h.digest.Load()
	if v == "" || digest == nil {
		return false
	}
	got := sha256.Sum256([]byte(v))
	return subtle.ConstantTimeCompare(got[:], digest[:]) == 1
}

// ServeHTTP implements http.Handler: the token is checked first, then the
// request goes to its operation's route.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.writeError(w, fmt.Errorf("panic in ERP: %v", v))
		}
	}()
	if h.cfg.err != nil {
		h.writeJSON(w, http.StatusInternalServerError, map[string]string{"error": h.red.Redact("datacake handler misconfigured: " + h.cfg.err.Error())})
		return
	}
	if !h.authorized(r) {
		h.writeError(w, fail(http.StatusUnauthorized, "missing or invalid token"))
		return
	}
	h.mux.ServeHTTP(w, cleanPath(r))
}

// cleanPath returns r with its path cleaned as http.ServeMux cleans it
// ("//produtos", "/./produtos", "/x/../produtos" are "/produtos"), so that
// the mux serves it: the mux would answer an HTML redirect instead, whose
// Location misses any prefix a front mux stripped.
func cleanPath(r *http.Request) *http.Request {
	p, raw := clean(r.URL.Path), clean(r.URL.RawPath)
	if p == r.URL.Path && raw == r.URL.RawPath {
		return r
	}
	r2 := *r
	u := *r.URL
	u.Path, u.RawPath = p, raw
	r2.URL = &u
	return &r2
}

// clean is path.Clean keeping a trailing slash ("" stays "").
func clean(p string) string {
	if p == "" {
		return p
	}
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// newMux routes the table: "METHOD path" per operation (a GET route serves
// HEAD too), the path alone for the 405 of the other methods, and "/" for
// the 404. A table the ServeMux cannot tell apart is an error naming the
// route.
func (h *handler) newMux() (*http.ServeMux, error) {
	mux := http.NewServeMux()
	ops := h.operations()
	allow := map[string][]string{}
	var paths []string
	for i, rt := range h.routes {
		o, p := op(i), rt.pattern()
		if err := handle(mux, o.method()+" "+p, h.answer(ops[i])); err != nil {
			return nil, leadkit.Invalid("Routes."+opNames[i], "%v", err)
		}
		if allow[p] == nil {
			paths = append(paths, p)
		}
		allow[p] = append(allow[p], o.method())
	}
	for _, p := range paths {
		methods := strings.Join(allow[p], ", ")
		if err := handle(mux, p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", methods)
			h.writeError(w, fail(http.StatusMethodNotAllowed, "method %s not allowed here", r.Method))
		}); err != nil {
			return nil, leadkit.Invalid("Routes", "%v", err)
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		h.writeError(w, fail(http.StatusNotFound, "no such route"))
	})
	return mux, nil
}

// handle registers a pattern, returning the ServeMux's refusal of a pattern
// that conflicts with another as an error rather than a panic.
func handle(mux *http.ServeMux, pattern string, f http.HandlerFunc) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	mux.HandleFunc(pattern, f)
	return nil
}

// answer serves one operation: its value as JSON, or its error.
func (h *handler) answer(do func(r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := do(r)
		if err != nil {
			h.writeError(w, err)
			return
		}
		h.writeJSON(w, http.StatusOK, v)
	}
}

// params reads the GET parameters from the query and from a JSON body.
func (h *handler) params(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	body, err := readBody(r, h.cfg.maxBody)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return out, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fail(http.StatusBadRequest, "body is not a JSON object")
	}
	for k, v := range raw {
		s, err := jsonx.ParseString(v)
		if err != nil {
			return nil, leadkit.Invalid(k, "must be a string")
		}
		if _, inQuery := out[k]; !inQuery {
			out[k] = s
		}
	}
	return out, nil
}

// invoiceQuery reads id_cliente, or document and id_contrato.
func (h *handler) invoiceQuery(r *http.Request) (*InvoiceQuery, error) {
	ps, err := h.params(r)
	if err != nil {
		return nil, err
	}
	q := &InvoiceQuery{CustomerID: strings.TrimSpace(ps["id_cliente"]), Document: strings.TrimSpace(ps["document"]),
		ContractID: strings.TrimSpace(ps["id_contrato"])}
	if _, err := q.params(); err != nil {
		return nil, err
	}
	if q.Document != "" {
		q.Document = NormalizeDocument(q.Document)
	}
	return q, nil
}

func (h *handler) param(r *http.Request, name string) (string, error) {
	ps, err := h.params(r)
	if err != nil {
		return "", err
	}
	v := strings.TrimSpace(ps[name])
	if v == "" {
		return "", leadkit.Invalid(name, "is required")
	}
	return v, nil
}

// readBody reads at most limit bytes of the request body. A body that
// declares more (Content-Length) is refused before a byte of it is read:
// 413 whatever the client's speed. A body that cannot be read (a client too
// slow for the server's ReadTimeout, or one that went away) is the client's
// failure: 400, not a 500 "ERP failure".
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, err
		}
		return nil, fail(http.StatusBadRequest, "request body could not be read")
	}
	return body, nil
}

func (h *handler) decodeBody(r *http.Request, limit int64, out any) error {
	body, err := readBody(r, limit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return fail(http.StatusBadRequest, "request body is empty")
	}
	if err := json.Unmarshal(body, out); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return leadkit.Invalid(te.Field, "has the wrong type")
		}
		if errors.Is(err, errNotBase64) {
			return leadkit.Invalid("base64", "file content is not base64")
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fail(http.StatusBadRequest, "request body is not valid JSON: %v", err)
		}
		return fail(http.StatusBadRequest, "request body does not fit this operation: %s", strings.TrimPrefix(err.Error(), "jsonx: "))
	}
	return nil
}

func prospectID(fromPath, fromBody string) (string, error) {
	id := fromPath
	if id == "" {
		id = strings.TrimSpace(fromBody)
	}
	if id == "" {
		return "", leadkit.Invalid("id_prospecto", "is required")
	}
	return id, nil
}

func (h *handler) files(ws []fileWire) ([]File, error) {
	if len(ws) == 0 {
		return nil, leadkit.Invalid("arquivos", "at least one file is needed")
	}
	out := make([]File, len(ws))
	for i, fw := range ws {
		field := fmt.Sprintf("arquivos[%d]", i)
		name := strings.TrimSpace(string(fw.Name))
		if name == "" {
			return nil, leadkit.Invalid(field+".nome", "must not be empty")
		}
		if len(fw.Data) == 0 {
			return nil, leadkit.Invalid(field+".base64", "file %q is empty", name)
		}
		if int64(len(fw.Data)) > h.cfg.maxFile {
			return nil, fail(http.StatusRequestEntityTooLarge, "%s: file %q has %d bytes, more than %d", field, name, len(fw.Data), h.cfg.maxFile)
		}
		ct, err := SniffContentType(fw.Data)
		if err != nil {
			return nil, leadkit.Invalid(field, "file %q: %v", name, err)
		}
		out[i] = File{Name: name, ContentType: ct, Data: fw.Data}
	}
	return out, nil
}

// nonNil turns a nil list into an empty one, so the answer is [] not null.
func nonNil[T any](v []T, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = []T{}
	}
	return v, nil
}

func status(s *Status, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if s == nil {
		s = &Status{}
	}
	return s, nil
}
