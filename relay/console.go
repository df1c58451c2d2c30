package relay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/leadkit/leadkit"
)

// Access is what an operator of the console may do, as the authorization
// function decides for each request.
type Access struct {
	// Operator names who is asking (shown on every page, and logged with
	// every action; the CSRF token of the console's forms is bound to it,
	// so a token taken from one operator's page is refused for another's
	// request). A request whose Access names no operator is refused.
	Operator string
	// Resolve allows the actions: Resend and Mark delivered.
	Resolve bool
	// PersonalData allows seeing what may hold the lead's personal data:
	// the job as enqueued, the review note, the errors and what to check
	// for this lead. Without it a delivery's page shows the vendor's
	// general guidance only.
	PersonalData bool
}

// ConsoleOption configures Console.
type ConsoleOption func(*consoleConfig) error

type consoleConfig struct {
	authorize func(*http.Request) (Access, bool)
	loopback  bool
	secret    []byte
	riverUI   http.Handler
}

// WithAuthorize is the console's authorization: it is called for every
// request (pages, actions, River UI), and answers who asks and what they
// may do, or false to refuse the request (403). It typically reads the
// session or the identity a proxy in front of the console verified.
func WithAuthorize(fn func(*http.Request) (Access, bool)) ConsoleOption {
	return func(c *consoleConfig) error {
		if fn == nil {
			return leadkit.Invalid("authorize", "must not be nil")
		}
		c.authorize = fn
		return nil
	}
}

// WithUnauthenticatedLoopback allows a console without an authorization
// function, for an operator on the relay's own machine: every request must
// arrive on a loopback address from a loopback address, name a loopback
// host (localhost, 127.0.0.1, [::1]: a web page of another site that
// resolves its name to 127.0.0.1 is refused) and carry no proxy header
// (Forwarded, X-Forwarded-For: a proxy on the machine would make anyone
// local). Every other request is refused (403). Such an operator has full
// access.
func WithUnauthenticatedLoopback() ConsoleOption {
	return func(c *consoleConfig) error {
		c.loopback = true
		return nil
	}
}

// WithConsoleSecret sets the key of the console's CSRF tokens (at least 32
// bytes): replicas behind one address must share it, so that a form one
// serves is accepted by another. Without it each console has a random key
// of its own, and its forms outlive it only until it restarts.
func WithConsoleSecret(key []byte) ConsoleOption {
	return func(c *consoleConfig) error {
		if len(key) < 32 {
			return leadkit.Invalid("key", "must be at least 32 bytes, got %d", len(key))
		}
		c.secret = bytes.Clone(key)
		return nil
	}
}

// WithRiverUI mounts h, River UI's handler (riverqueue.com/riverui), under
// the console's riverui/ path, behind the same authorization (River UI has
// no login of its own). Build it with the prefix where it will be served:
// the console's own path followed by "riverui" (riverui.HandlerOpts'
// Prefix).
func WithRiverUI(h http.Handler) ConsoleOption {
	return func(c *consoleConfig) error {
		if h == nil {
			return leadkit.Invalid("riverUI", "must not be nil")
		}
		c.riverUI = h
		return nil
	}
}

// Console returns the relay's review console, an http.Handler serving
// server-rendered pages (no JavaScript): the counts by vendor and state,
// the lists of deliveries (needs_review and failed first), and each
// delivery's page with its attempts, its review note, what to check at the
// vendor, the job as enqueued (to operators allowed personal data), and the
// actions Resend and Mark delivered, which call Resend and MarkDelivered.
// Serve it at the root of a path ending in "/" (http.StripPrefix for a
// sub-path): its links are relative.
//
// It refuses to be built without WithAuthorize, unless
// WithUnauthenticatedLoopback is given. Every action is a POST carrying a
// CSRF token bound to the operator; every answer forbids scripts, frames
// and other sites' forms (Content-Security-Policy), sniffing and caching,
// and everything shown is escaped.
func Console[TTx any](r *Relay[TTx], opts ...ConsoleOption) (http.Handler, error) {
	if r == nil || r.c == nil {
		return nil, leadkit.Invalid("relay", "must not be nil")
	}
	var cfg consoleConfig
	for i, o := range opts {
		if o == nil {
			return nil, leadkit.Invalid(fmt.Sprintf("opts[%d]", i), "must not be nil")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.authorize == nil && !cfg.loopback {
		return nil, leadkit.Invalid("authorize", "the console needs an authorization function (WithAuthorize), or WithUnauthenticatedLoopback to serve operators on this machine only")
	}
	if cfg.authorize != nil && cfg.loopback {
		return nil, leadkit.Invalid("authorize", "WithAuthorize and WithUnauthenticatedLoopback exclude each other")
	}
	if cfg.secret == nil {
		cfg.secret = make([]byte, 32)
		if _, err := rand.Read(cfg.secret); err != nil {
			return nil, fmt.Errorf("relay: console secret: %w", err)
		}
	}
	return &console{c: r.c, cfg: cfg}, nil
}

type console struct {
	c   *core
	cfg consoleConfig
}

// consoleCSP allows the console's own style sheet and nothing else: no
// script, no frame, no form posting elsewhere.
const consoleCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (h *console) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", consoleCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	// same-origin: keys in URLs go to no other site, and the browser
	// sends this site's Origin with the console's own POSTs.
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	acc, ok := h.access(req)
	if !ok {
		h.fail(w, req, http.StatusForbidden, "Forbidden: this console did not authorize the request.")
		return
	}
	path := "/" + strings.TrimPrefix(req.URL.Path, "/")
	if h.cfg.riverUI != nil && (path == "/riverui" || strings.HasPrefix(path, "/riverui/")) {
		h.riverUI(w, req, acc)
		return
	}
	switch path {
	case "/", "/list", "/delivery", "/console.css":
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			hd.Set("Allow", "GET, HEAD")
			h.fail(w, req, http.StatusMethodNotAllowed, "Method not allowed.")
			return
		}
	case "/resend", "/mark":
		if req.Method != http.MethodPost {
			hd.Set("Allow", "POST")
			h.fail(w, req, http.StatusMethodNotAllowed, "Method not allowed: actions are POSTs.")
			return
		}
		h.act(w, req, acc, path[1:])
		return
	default:
		h.fail(w, req, http.StatusNotFound, "Not found.")
		return
	}
	switch path {
	case "/":
		h.overview(w, req, acc)
	case "/list":
		h.list(w, req, acc)
	case "/delivery":
		h.delivery(w, req, acc, "", http.StatusOK)
	case "/console.css":
		hd.Set("Content-Type", "text/css; charset=utf-8")
		hd.Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(consoleCSS))
	}
}

// riverUICSP lets River UI's own scripts, styles and API calls run, from
// this site only.
const riverUICSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// riverUI serves River UI to operators allowed personal data (it shows
// every job's arguments, the leads); its actions (retry, cancel, delete
// River's jobs) need Resolve and must come from this site.
func (h *console) riverUI(w http.ResponseWriter, req *http.Request, acc Access) {
	if !acc.PersonalData {
		h.fail(w, req, http.StatusForbidden, "Forbidden: River UI shows the jobs' arguments (the leads' personal data), which your access does not include.")
		return
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		if !acc.Resolve {
			h.fail(w, req, http.StatusForbidden, "Forbidden: River UI's actions need the Resolve access.")
			return
		}
		if !sameOrigin(req) || req.Header.Get("Origin") == "" && req.Header.Get("Sec-Fetch-Site") == "" {
			h.fail(w, req, http.StatusForbidden, "Forbidden: River UI's actions must come from its own page.")
			return
		}
	}
	w.Header().Set("Content-Security-Policy", riverUICSP)
	h.cfg.riverUI.ServeHTTP(w, req)
}

// access authorizes req: the function's answer, or, on loopback, full
// access for a request that is local from end to end.
func (h *console) access(req *http.Request) (Access, bool) {
	if h.cfg.authorize != nil {
		acc, ok := h.cfg.authorize(req)
		return acc, ok && acc.Operator != ""
	}
	if !localRequest(req) {
		return Access{}, false
	}
	return Access{Operator: "local operator", Resolve: true, PersonalData: true}, true
}

// localRequest reports a request that arrived on a loopback address, from
// one, for a loopback host name, not through a proxy.
func localRequest(req *http.Request) bool {
	la, _ := req.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if la == nil || !loopbackHostPort(la.String()) || !loopbackHostPort(req.RemoteAddr) {
		return false
	}
	if req.Header.Get("Forwarded") != "" || req.Header.Get("X-Forwarded-For") != "" || req.Header.Get("X-Real-Ip") != "" {
		return false
	}
	host := req.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.EqualFold(host, "localhost") || loopbackIP(host)
}

func loopbackHostPort(hp string) bool {
	h, _, err := net.SplitHostPort(hp)
	return err == nil && loopbackIP(h)
}

func loopbackIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Unmap().IsLoopback()
}

// token is the CSRF token of the operator's forms.
func (h *console) token(acc Access) string {
	m := hmac.New(sha256.New, h.cfg.secret)
	m.Write([]byte("leadkit relay console csrf\x00"))
	m.Write([]byte(acc.Operator))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// maxForm bounds an action's body.
const maxForm = 16 << 10

// act runs an action (resend, mark) after checking the request came from
// the console's own form: a token bound to the operator, and, when the
// browser says where the form was, this site.
func (h *console) act(w http.ResponseWriter, req *http.Request, acc Access, action string) {
	req.Body = http.MaxBytesReader(w, req.Body, maxForm)
	if err := req.ParseForm(); err != nil {
		h.fail(w, req, http.StatusBadRequest, "Bad request: the form could not be read.")
		return
	}
	if !hmac.Equal([]byte(req.PostForm.Get("csrf")), []byte(h.token(acc))) || !sameOrigin(req) {
		h.fail(w, req, http.StatusForbidden, "Forbidden: the form's CSRF token is missing or wrong (reload the page and try again).")
		return
	}
	if !acc.Resolve {
		h.fail(w, req, http.StatusForbidden, "Forbidden: your access does not include resolving deliveries.")
		return
	}
	key := req.PostForm.Get("key")
	if key == "" {
		h.fail(w, req, http.StatusBadRequest, "Bad request: no delivery key.")
		return
	}
	var err error
	done := ""
	switch action {
	case "resend":
		err, done = h.c.resend(req.Context(), key), "resent"
	case "mark":
		id := strings.TrimSpace(req.PostForm.Get("vendor_id"))
		if id == "" || len(id) > 200 {
			h.delivery(w, req, acc, "Mark delivered needs the vendor's id of the lead (at most 200 characters).", http.StatusBadRequest)
			return
		}
		err, done = h.c.markDelivered(req.Context(), key, id), "marked"
	}
	h.c.log.InfoContext(req.Context(), "relay: console action", "operator", acc.Operator, "action", action, "key", key,
		"vendor_id", req.PostForm.Get("vendor_id"), "ok", err == nil)
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrConflict), errors.Is(err, ErrDuplicate), errors.Is(err, errRefTaken):
			status = http.StatusConflict
		case errors.Is(err, ErrUnknownKey):
			status = http.StatusNotFound
		}
		h.delivery(w, req, acc, err.Error(), status)
		return
	}
	// Post/redirect/get, relative to the action's own URL (whatever prefix
	// the console is served under).
	w.Header().Set("Location", "delivery?"+url.Values{"key": {key}, "done": {done}}.Encode())
	w.WriteHeader(http.StatusSeeOther)
}

// refTakenError is MarkDelivered's refusal of a vendor record another
// delivery holds (errors.Is matches errRefTaken).
type refTakenError string

func (e refTakenError) Error() string { return string(e) }

func (refTakenError) Is(target error) bool { return target == errRefTaken }

// sameOrigin refuses a POST a browser says came from another site, or
// from an opaque origin ("null": a sandboxed frame, a data: URL).
func sameOrigin(req *http.Request) bool {
	switch req.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	if o := req.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, req.Host) {
			return false
		}
	}
	return true
}

// consoleVendors are the vendors in the console's order.
var consoleVendors = []Vendor{VendorSalesman, VendorZen, VendorZenvia, VendorDatacake}

// consoleStates are the states in the console's order: those that wait
// for a person first.
var consoleStates = []State{StateNeedsReview, StateFailed, StateRetrying, StateQueued, StateDelivered}

type countRow struct {
	Vendor Vendor
	Counts []int // by consoleStates
	Total  int
}

func statsCounts(s Stats) []int {
	return []int{s.NeedsReview, s.Failed, s.Retrying, s.Queued, s.Delivered}
}

func (h *console) overview(w http.ResponseWriter, req *http.Request, acc Access) {
	var rows []countRow
	for _, v := range append(consoleVendors, "") {
		s, err := h.c.stats(req.Context(), v)
		if err != nil {
			h.internal(w, req, err)
			return
		}
		rows = append(rows, countRow{Vendor: v, Counts: statsCounts(s), Total: s.Total()})
	}
	h.render(w, http.StatusOK, "overview", map[string]any{
		"Title": "Relay console", "Access": acc, "States": consoleStates, "Rows": rows,
		"Review": rows[len(rows)-1].Counts[0], "Failed": rows[len(rows)-1].Counts[1],
	})
}

// listPage is how many deliveries a list page shows.
const listPage = 50

func (h *console) list(w http.ResponseWriter, req *http.Request, acc Access) {
	q := req.URL.Query()
	o := ListOptions{Vendor: Vendor(q.Get("vendor")), After: q.Get("after"), Newest: q.Get("order") == "newest", PageSize: listPage + 1}
	if s := q.Get("state"); s != "" {
		o.States = []State{State(s)}
	}
	var page []Delivery
	for d, err := range h.c.deliveries(req.Context(), &o) {
		if err != nil {
			var ie *leadkit.InputError
			if errors.As(err, &ie) || errors.Is(err, ErrUnknownKey) {
				h.fail(w, req, http.StatusBadRequest, "Bad request: "+err.Error())
				return
			}
			h.internal(w, req, err)
			return
		}
		if len(page) == listPage {
			break
		}
		page = append(page, d)
	}
	next := ""
	if len(page) == listPage {
		v := url.Values{"after": {page[len(page)-1].Key}}
		for _, k := range []string{"state", "vendor", "order"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		next = "list?" + v.Encode()
	}
	title := "Deliveries"
	if len(o.States) == 1 {
		title += " " + string(o.States[0])
	}
	if o.Vendor != "" {
		title += " of " + string(o.Vendor)
	}
	h.render(w, http.StatusOK, "list", map[string]any{
		"Title": title, "Access": acc, "Page": page, "Next": next, "State": q.Get("state"), "Vendor": q.Get("vendor"),
		"Newest": o.Newest, "Resumed": o.After != "", "States": consoleStates, "Vendors": consoleVendors,
	})
}

// attemptView is one of River's recorded attempt failures.
type attemptView struct {
	N     int
	At    time.Time
	Error string
}

// details reads what a delivery's page shows beyond Status: River's record
// of the attempts (while River keeps the job) and what to check for this
// lead.
func (h *console) details(ctx context.Context, key string) (att []attemptView, river string, check string, err error) {
	row, _, err := h.c.dial.load(ctx, h.c.dial.db, key)
	if err != nil {
		return nil, "", "", err
	}
	if row.Job != "" {
		if j, derr := decodeJob(Vendor(row.Vendor), row.Job); derr == nil {
			check = safeCheck(j)
		}
	}
	var jr *rivertype.JobRow
	err = h.c.eng.inTx(ctx, nil, func(t txn) error {
		var gerr error
		jr, gerr = t.get(row.JobID)
		return gerr
	})
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil, "gone (River deleted it after its retention)", check, nil
	}
	if err != nil {
		return nil, "", check, err
	}
	for _, e := range jr.Errors {
		att = append(att, attemptView{N: e.Attempt, At: e.At, Error: e.Error})
	}
	return att, fmt.Sprintf("%s, attempt %d of %d", jr.State, jr.Attempt, jr.MaxAttempts), check, nil
}

// safeCheck is the job's check, or nothing when its lead is malformed.
func safeCheck(j Job) (s string) {
	defer func() {
		if recover() != nil {
			s = ""
		}
	}()
	return j.check()
}

// readableJob is the job's JSON indented, with its text as written (not
// \u003c for <: the page escapes it), and a long string (a file's
// content) replaced by its length.
func readableJob(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	v = trimLong(v, 0)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if enc.Encode(v) != nil {
		return string(raw)
	}
	return b.String()
}

// maxShown is the longest string of a job the console shows whole.
const maxShown = 2000

func trimLong(v any, depth int) any {
	switch x := v.(type) {
	case string:
		if len(x) > maxShown {
			return fmt.Sprintf("(%d bytes, not shown)", len(x))
		}
	case map[string]any:
		if depth < 32 {
			for k, e := range x {
				x[k] = trimLong(e, depth+1)
			}
		}
	case []any:
		if depth < 32 {
			for i, e := range x {
				x[i] = trimLong(e, depth+1)
			}
		}
	}
	return v
}

func (h *console) delivery(w http.ResponseWriter, req *http.Request, acc Access, problem string, status int) {
	key := req.URL.Query().Get("key")
	if req.Method == http.MethodPost {
		key = req.PostForm.Get("key")
	}
	d, err := h.c.status(req.Context(), key)
	if errors.Is(err, ErrUnknownKey) {
		h.fail(w, req, http.StatusNotFound, "No delivery has this key.")
		return
	}
	if err != nil {
		h.internal(w, req, err)
		return
	}
	att, river, check, err := h.details(req.Context(), key)
	if err != nil {
		h.internal(w, req, err)
		return
	}
	done := map[string]string{"resent": "Resent: the delivery is queued again.", "marked": "Marked delivered."}[req.URL.Query().Get("done")]
	if req.Method == http.MethodPost {
		done = ""
	}
	h.render(w, status, "delivery", map[string]any{
		"Title": "Delivery " + d.Key, "Access": acc, "D": d, "Attempts": att, "River": river, "Check": check,
		"Guide": vendorGuide[d.Vendor], "Job": readableJob(d.Job), "Problem": problem, "Done": done, "CSRF": h.token(acc),
		"Open": d.State == StateNeedsReview || d.State == StateFailed,
	})
}

// vendorGuide is what to check at each vendor for a delivery in review,
// without the lead's personal data.
var vendorGuide = map[Vendor]string{
	VendorSalesman: "SalesMan: search the leads for the delivery's marker ([lk:…], in the description; V2 and V3 also keep it as the uid \"leadkit\"). Found: Mark delivered with that lead's id. Not there (and no lead of this person since the attempt is it): Resend.",
	VendorZen:      "Zen: look in the deal archive of the attempt's day for the integration code (the relay's own starts with \"lk\"), and for a new deal of this contact (Zen files a lead merged into an existing contact under the contact's code). Found: Mark delivered with the integration code. Not there: Resend.",
	VendorZenvia:   "Zenvia: open the prospect of the lead's phone or e-mail and look for the lead whose comments carry the delivery's marker ([lk:…]). Found: Mark delivered with the prospect's id. Not there: Resend.",
	VendorDatacake: "Datacake cannot be searched: look in the ERP for the prospect of the lead's document (CPF/CNPJ). Found: Mark delivered with the prospect's id. When the note says the prospect was created and only its files are in doubt, check its files: there, Mark delivered; missing, Resend (it uploads the files, never a second prospect). Not there at all: Resend.",
}

func (h *console) internal(w http.ResponseWriter, req *http.Request, err error) {
	h.c.log.ErrorContext(req.Context(), "relay: console", "path", req.URL.Path, "error", err)
	h.fail(w, req, http.StatusInternalServerError, "The relay could not answer; its log says why.")
}

func (h *console) fail(w http.ResponseWriter, _ *http.Request, status int, msg string) {
	h.render(w, status, "error", map[string]any{"Title": http.StatusText(status), "Message": msg})
}

func (h *console) render(w http.ResponseWriter, status int, page string, data map[string]any) {
	var b bytes.Buffer
	if err := consoleTemplates.ExecuteTemplate(&b, page, data); err != nil {
		h.c.log.Error("relay: console template", "page", page, "error", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("The console could not render this page.\n"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

var consoleTemplates = template.Must(template.New("console").Funcs(template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"label": func(s State) string { return strings.ReplaceAll(string(s), "_", " ") },
	"vendorName": func(v Vendor) string {
		if v == "" {
			return "all vendors"
		}
		return string(v)
	},
}).Parse(consoleHTML))
