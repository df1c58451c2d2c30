package salesman

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// PageSize is the number of leads a list page holds (fixed by the server).
const PageSize = 200

// LeadsService holds the operations of the vendor's method "leads"
// ("Заявки"). Reach it as Client.Leads.
type LeadsService struct{ c *Client }

// NewLead is a lead to add (запрос "add"). Title and at least one of Email
// or Phone are required.
type NewLead struct {
	Title       string // title: the visitor's name (required)
	Email       string // email
	Phone       string // phone
	Company     string // company: the company's name
	Description string // description: free text
	IP          string // ip: the visitor's IP address (V2 and V3 do not store it)
	Country     string // country
	City        string // city
	Path        string // path: the client source (sent as clientpath too on V2/V3)
	Partner     string // partner: the partner's site, registered in the CRM
	User        string // user: login of the employee made responsible
	UTMSource   string // utm_source: traffic source
	UTMMedium   string // utm_medium: traffic type
	UTMCampaign string // utm_campaign: campaign
	UTMTerm     string // utm_term: key phrase
	UTMContent  string // utm_content: content

	// UIDs are external ids stored with the lead (uids[name]=value; V2 and
	// V3 only, a V1 server ignores them), returned in V2/V3 list rows and
	// info (Lead.UIDs). Names and values are at most 100 characters: the
	// server stores a longer one's lead without any of them and answers
	// with a PHP error. They are written after the server's own webhooks in
	// the same request, so a lead can be stored without them: their absence
	// proves nothing.
	UIDs map[string]string
}

// addForm is what Add sends, as a form or (WithJSONBody) as JSON.
type addForm struct {
	Login       string  `url:"login,omitempty" json:"-"`
	APIKey      string  `url:"apikey,omitempty" json:"-"`
	Action      string  `url:"action,omitempty" json:"action,omitempty"` // in a V2 JSON body, which replaces the query
	Title       string  `url:"title" json:"title"`
	Email       string  `url:"email,omitempty" json:"email,omitempty"`
	Phone       string  `url:"phone,omitempty" json:"phone,omitempty"`
	Company     string  `url:"company,omitempty" json:"company,omitempty"`
	Description string  `url:"description,omitempty" json:"description,omitempty"`
	IP          string  `url:"ip,omitempty" json:"ip,omitempty"`
	Country     string  `url:"country,omitempty" json:"country,omitempty"`
	City        string  `url:"city,omitempty" json:"city,omitempty"`
	Path        string  `url:"path,omitempty" json:"path,omitempty"`
	ClientPath  string  `url:"clientpath,omitempty" json:"clientpath,omitempty"`
	Partner     string  `url:"partner,omitempty" json:"partner,omitempty"`
	User        string  `url:"user,omitempty" json:"user,omitempty"`
	UTMSource   string  `url:"utm_source,omitempty" json:"utm_source,omitempty"`
	UTMMedium   string  `url:"utm_medium,omitempty" json:"utm_medium,omitempty"`
	UTMCampaign string  `url:"utm_campaign,omitempty" json:"utm_campaign,omitempty"`
	UTMTerm     string  `url:"utm_term,omitempty" json:"utm_term,omitempty"`
	UTMContent  string  `url:"utm_content,omitempty" json:"utm_content,omitempty"`
	UIDs        uidForm `url:"uids,omitempty" json:"uids,omitempty"`
}

// uidForm is NewLead.UIDs on the wire: uids[name]=value in a form, an
// object in JSON.
type uidForm map[string]string

// EncodeValues implements go-querystring's Encoder: key[name]=value.
func (u uidForm) EncodeValues(key string, v *url.Values) error {
	for name, value := range u {
		v.Set(key+"["+name+"]", value)
	}
	return nil
}

// maxUID is the longest uid name or value the server stores (VARCHAR(100)).
const maxUID = 100

// maxDescription is the most the server's description column holds (TEXT).
const maxDescription = 65535

// Validate checks l as Create does before anything is sent, and returns an
// *leadkit.InputError naming the field (as the server spells it) for what
// the server would refuse or store otherwise than sent.
func (l *NewLead) Validate() error {
	if l == nil {
		return leadkit.Invalid("lead", "must not be nil")
	}
	if strings.TrimSpace(l.Title) == "" {
		return leadkit.Invalid("title", "must not be empty")
	}
	if strings.TrimSpace(l.Email) == "" && strings.TrimSpace(l.Phone) == "" {
		return leadkit.Invalid("email", "an e-mail or a phone is required")
	}
	if strings.TrimSpace(l.Email) != "" {
		if err := transport.CheckEmail("email", l.Email); err != nil {
			return err
		}
	}
	if p := strings.TrimSpace(l.Phone); p != "" && !strings.ContainsAny(p, "0123456789") {
		return leadkit.Invalid("phone", "%q has no digits", p)
	}
	if ip := strings.TrimSpace(l.IP); ip != "" {
		if _, err := netip.ParseAddr(ip); err != nil {
			return leadkit.Invalid("ip", "%q is not an IP address", ip)
		}
	}
	for _, f := range []struct{ name, v string }{
		{"title", l.Title}, {"email", l.Email}, {"phone", l.Phone}, {"company", l.Company},
		{"country", l.Country}, {"city", l.City}, {"path", l.Path}, {"partner", l.Partner},
		{"user", l.User}, {"utm_source", l.UTMSource}, {"utm_medium", l.UTMMedium},
		{"utm_campaign", l.UTMCampaign}, {"utm_term", l.UTMTerm}, {"utm_content", l.UTMContent},
	} {
		if strings.ContainsAny(f.v, "\x00\r\n") {
			return leadkit.Invalid(f.name, "must not contain line breaks or NUL")
		}
	}
	if strings.ContainsRune(l.Description, 0) {
		return leadkit.Invalid("description", "must not contain NUL")
	}
	if len(l.Description) > maxDescription {
		return leadkit.Invalid("description", "has %d bytes, more than the %d the server stores", len(l.Description), maxDescription)
	}
	return validateUIDs(l.UIDs)
}

func validateUIDs(uids map[string]string) error {
	for name, value := range uids {
		field := "uids[" + name + "]"
		switch {
		case strings.TrimSpace(name) == "":
			return leadkit.Invalid("uids", "a uid name is empty")
		case utf8.RuneCountInString(name) > maxUID:
			return leadkit.Invalid("uids", "uid name %.20q... is longer than %d characters", name, maxUID)
		case utf8.RuneCountInString(value) > maxUID:
			return leadkit.Invalid(field, "is longer than %d characters (the server would store the lead without it)", maxUID)
		case strings.ContainsAny(name, "[]\x00\r\n") || strings.ContainsAny(value, "\x00\r\n"):
			return leadkit.Invalid(field, "must not contain brackets (in the name), line breaks or NUL")
		}
	}
	return nil
}

// addResult is "result" of an add answer: {"text":"Success","id":940} on V1,
// "Success" (with the id beside it) on V2 and V3.
type addResult struct {
	Text string
	ID   int64
}

func (r *addResult) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var w struct {
			Text lstr `json:"text"`
			ID   lint `json:"id"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		r.Text, r.ID = string(w.Text), int64(w.ID)
		return nil
	}
	s, _ := jsonx.ParseString(b)
	r.Text = s
	return nil
}

type addWire struct {
	Result addResult `json:"result"`
	ID     lint      `json:"id"`
	Error  *errField `json:"error"`
}

func (w *addWire) errorField() *errField { return w.Error }

// CreatedLead is the answer of Create.
type CreatedLead struct {
	ID int // the new lead's id
}

// Create adds a lead from a site to the CRM (запрос "add") and returns its id.
// The lead goes as a form-encoded POST (or JSON with WithJSONBody), so the
// apikey and the visitor's data stay out of URLs and access logs.
//
// Create is never resent once it may have reached the server: after a dropped
// connection or a timeout it returns an error matching
// leadkit.ErrOutcomeUnknown; look the lead up with List before adding it
// again.
func (s *LeadsService) Create(ctx context.Context, lead *NewLead) (*CreatedLead, error) {
	if err := lead.Validate(); err != nil {
		return nil, err
	}
	c := s.c
	path, q := c.endpoint("add")
	f := addForm{
		Title: lead.Title, Email: lead.Email, Phone: lead.Phone, Company: lead.Company,
		Description: lead.Description, IP: lead.IP, Country: lead.Country, City: lead.City,
		Path: lead.Path, Partner: lead.Partner, User: lead.User,
		UTMSource: lead.UTMSource, UTMMedium: lead.UTMMedium, UTMCampaign: lead.UTMCampaign,
		UTMTerm: lead.UTMTerm, UTMContent: lead.UTMContent, UIDs: uidForm(lead.UIDs),
	}
	if c.version >= V2 {
		f.ClientPath = lead.Path // V2 and V3 set the source from clientpath only
	}
	req := &transport.Request{Method: http.MethodPost, Path: path, Query: q, Create: true}
	if c.json {
		if c.version == V2 {
			// V2 reads every parameter from a JSON body, the action too.
			f.Action = "add"
		}
		req.JSON = f
		req.Auth = headerAuth(c.login, c.apiKey.Value())
	} else {
		f.Login, f.APIKey = c.login, c.apiKey.Value()
		req.Form = f
		req.Auth = transport.NoAuth{}
	}
	var w addWire
	resp, err := c.do(ctx, req, &w)
	if err != nil {
		return nil, err
	}
	id := w.Result.ID
	if id == 0 {
		id = int64(w.ID)
	}
	if id <= 0 {
		return nil, resp.BodyError(leadkit.ErrDecode, errors.New("the answer has no lead id"))
	}
	return &CreatedLead{ID: int(id)}, nil
}

// UserStat is one user's line of Stat.
type UserStat struct {
	Login     string // the user's login (V1 calls it "title", V2/V3 "login")
	Open      int    // open leads this month
	Processed int    // processed leads this month
}

type statWire struct {
	Data []struct {
		Title     lstr `json:"title"`
		Login     lstr `json:"login"`
		Open      lint `json:"open"`
		Processed lint `json:"processed"`
	} `json:"data"`
	Error *errField `json:"error"`
}

func (w *statWire) errorField() *errField { return w.Error }

// Stat returns the open and processed leads of the current month per active
// user (запрос "stat", formerly "info").
func (s *LeadsService) Stat(ctx context.Context) ([]UserStat, error) {
	path, q := s.c.endpoint("stat")
	var w statWire
	if _, err := s.c.do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Query: q}, &w); err != nil {
		return nil, err
	}
	out := make([]UserStat, 0, len(w.Data))
	for _, r := range w.Data {
		login := string(r.Login)
		if login == "" {
			login = string(r.Title)
		}
		out = append(out, UserStat{Login: login, Open: int(r.Open), Processed: int(r.Processed)})
	}
	return out, nil
}

// infoData is "data" of an info answer: an object, or a one-element array.
type infoData struct {
	lead  wireLead
	found bool
}

func (d *infoData) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '{':
		if err := json.Unmarshal(b, &d.lead); err != nil {
			return err
		}
	case '[':
		var arr []wireLead
		if err := json.Unmarshal(b, &arr); err != nil {
			return err
		}
		if len(arr) == 0 {
			return nil
		}
		d.lead = arr[0]
	default:
		return nil // null, false, "": no lead
	}
	d.found = d.lead.ID != 0
	return nil
}

type infoWire struct {
	Data infoData `json:"data"`
	// Result holds the lead on hosted V1 installs:
	// {"result":{"data":{...},"id":"5"}}.
	Result infoResult `json:"result"`
	Error  *errField  `json:"error"`
}

// infoResult is "result" of an info answer: an object holding the lead on
// hosted V1 installs, the word "Error" beside an error; anything but an
// object is ignored.
type infoResult struct {
	Data infoData `json:"data"`
}

func (r *infoResult) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		return nil
	}
	type plain infoResult
	return json.Unmarshal(b, (*plain)(r))
}

func (w *infoWire) errorField() *errField { return w.Error }

// Get returns one lead by id (запрос "info"). A missing lead is an error
// matching ErrNotFound on every version (V2 and V3 answer it with a record
// that has no id).
func (s *LeadsService) Get(ctx context.Context, id int) (*Lead, error) {
	if id <= 0 {
		return nil, leadkit.Invalid("id", "must be positive, got %d", id)
	}
	path, q := s.c.endpoint("info")
	q.Set("id", strconv.Itoa(id))
	var w infoWire
	resp, err := s.c.do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Query: q}, &w)
	if err != nil {
		return nil, err
	}
	data := w.Data
	if !data.found {
		data = w.Result.Data
	}
	if !data.found {
		return nil, &Error{StatusCode: resp.StatusCode, Code: "404", CodeNumber: 404, Message: "lead " + strconv.Itoa(id) + " not found", Version: s.c.version}
	}
	l := data.lead.lead(s.c.loc)
	return &l, nil
}

// ListOptions filters and pages List and All. The zero value lists the
// newest leads first, from page 0.
type ListOptions struct {
	// Page is the page index ("offset"), 200 leads a page.
	Page int
	// Order is the field to sort by ("order"; the server's default is datum).
	Order string
	// Oldest lists the oldest first ("first=old"). Newest lists the newest
	// first ("first=new"). Setting neither gives each method's default: List
	// newest first (the server's default), All oldest first (new leads then
	// land at the end of the walk instead of shifting its pages).
	Oldest, Newest bool
	// DateStart and DateEnd bound the creation date ("dateStart", "dateEnd",
	// whole days in the client's time zone). When one is set both are sent,
	// the other as a far date, because V2/V3 servers match nothing on one bound.
	DateStart, DateEnd time.Time
	// Status keeps the leads with this status only ("status"; V2 and V3).
	Status *Status
	// User keeps the leads of this user's login only ("user"; V2 and V3).
	User string
	// Word keeps the leads whose title, e-mail, phone or description
	// contains it ("word"; V3 only: V1 and V2 ignore it, so asking them is
	// an error). The server matches with SQL LIKE, ignoring case: % and _
	// match any text and any character, / is searched as -, and tags and
	// " « » < > are taken out of it.
	Word string
}

// listQuery is ListOptions as the server reads it (encoded with go-querystring).
type listQuery struct {
	Action    string `url:"action,omitempty"`
	Offset    int    `url:"offset"`
	Order     string `url:"order,omitempty"`
	First     string `url:"first"`
	DateStart string `url:"dateStart,omitempty"`
	DateEnd   string `url:"dateEnd,omitempty"`
	Status    *int   `url:"status,omitempty"`
	User      string `url:"user,omitempty"`
	Word      string `url:"word,omitempty"`
}

// The bounds sent for an open side of a date range.
const (
	openStart = "2000-01-01"
	openEnd   = "2099-12-31"
)

func (c *Client) listQuery(o *ListOptions) (*listQuery, error) {
	q := &listQuery{First: "new"}
	if c.version != V3 {
		q.Action = "list"
	}
	if o == nil {
		return q, nil
	}
	if o.Page < 0 {
		return nil, leadkit.Invalid("offset", "must not be negative, got %d", o.Page)
	}
	q.Offset = o.Page
	if o.Order != "" {
		for _, r := range o.Order {
			if !(r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return nil, leadkit.Invalid("order", "%q is not a field name", o.Order)
			}
		}
		q.Order = o.Order
	}
	if o.Oldest && o.Newest {
		return nil, leadkit.Invalid("first", "Oldest and Newest cannot both be set")
	}
	if o.Oldest {
		q.First = "old"
	}
	if !o.DateStart.IsZero() || !o.DateEnd.IsZero() {
		q.DateStart, q.DateEnd = openStart, openEnd
		if !o.DateStart.IsZero() {
			q.DateStart = jsonx.FormatDate(o.DateStart.In(c.loc))
		}
		if !o.DateEnd.IsZero() {
			q.DateEnd = jsonx.FormatDate(o.DateEnd.In(c.loc))
		}
		if q.DateEnd < q.DateStart {
			return nil, leadkit.Invalid("dateEnd", "%s is before dateStart %s", q.DateEnd, q.DateStart)
		}
	}
	if o.Status != nil {
		if *o.Status < 0 {
			return nil, leadkit.Invalid("status", "must not be negative, got %d", int(*o.Status))
		}
		st := int(*o.Status)
		q.Status = &st
	}
	if o.User != "" {
		if strings.ContainsAny(o.User, "\x00\r\n") {
			return nil, leadkit.Invalid("user", "must not contain line breaks or NUL")
		}
		q.User = o.User
	}
	if o.Word != "" {
		if c.version != V3 {
			return nil, leadkit.Invalid("word", "is a V3 filter; a V%d server ignores it", int(c.version))
		}
		if strings.ContainsAny(o.Word, "\x00\r\n") {
			return nil, leadkit.Invalid("word", "must not contain line breaks or NUL")
		}
		q.Word = o.Word
	}
	return q, nil
}

type listWire struct {
	Data  []wireLead `json:"data"`
	Error *errField  `json:"error"`
}

func (w *listWire) errorField() *errField { return w.Error }

// List returns one page of leads (запрос "list"), up to 200. A page past the
// end (the server's error 404) is an empty page, not an error.
//
// A V1 server ignores the page and the filters and always answers the
// newest 200 leads; use V2 or V3 to page (All stops on a repeated page).
func (s *LeadsService) List(ctx context.Context, opts *ListOptions) ([]Lead, error) {
	q, err := s.c.listQuery(opts)
	if err != nil {
		return nil, err
	}
	path, _ := s.c.endpoint("list")
	var w listWire
	resp, err := s.c.tc.Do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Query: q})
	if err == nil {
		// The usual page in one pass; anything else the general way.
		if leads, ok := decodeListFast(resp.Body, s.c.loc); ok {
			return leads, nil
		}
		_, err = s.c.decode(resp, &w)
	}
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return []Lead{}, nil
		}
		return nil, err
	}
	out := make([]Lead, len(w.Data))
	for i := range w.Data {
		out[i] = w.Data[i].lead(s.c.loc)
	}
	return out, nil
}

// All returns every lead matching opts, fetching pages of 200 lazily from
// opts.Page on. Unless opts sets Newest, it walks oldest first, so that leads
// added during the walk land at its end. It never yields a lead twice (a
// lead added during a newest-first walk shifts every later page by one; the
// repeat is skipped), stops after a short or empty page, and also when the
// server answers the same page twice (a V1 server ignores paging and always
// answers the newest 200), so it never loops. What offset paging cannot
// guarantee: a lead deleted during the walk shifts the later pages the other
// way, and the lead that moves across the page boundary is skipped. Stop early
// by breaking out of the loop; an error is yielded once, last.
func (s *LeadsService) All(ctx context.Context, opts *ListOptions) iter.Seq2[Lead, error] {
	return func(yield func(Lead, error) bool) {
		var o ListOptions
		if opts != nil {
			o = *opts
		}
		if !o.Oldest && !o.Newest {
			o.Oldest = true
		}
		var prev []int
		seen := newRecentIDs(dedupPages * PageSize)
		for {
			page, err := s.List(ctx, &o)
			if err != nil {
				yield(Lead{}, err)
				return
			}
			if len(page) == 0 || samePage(prev, page) {
				return
			}
			for i := range page {
				if !seen.add(page[i].ID) {
					continue // shifted in from the previous page
				}
				if !yield(page[i], nil) {
					return
				}
			}
			if len(page) < PageSize {
				return
			}
			prev = prev[:0]
			for i := range page {
				prev = append(prev, page[i].ID)
			}
			o.Page++
		}
	}
}

// dedupPages is how many pages of ids All remembers: a lead shifted by up
// to that many pages' worth of leads added during one page fetch is still
// recognised, and memory stays flat however long the walk.
const dedupPages = 5

// recentIDs is a set of the last n ids added.
type recentIDs struct {
	set  map[int]struct{}
	ring []int
	next int
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{set: make(map[int]struct{}, n), ring: make([]int, 0, n)}
}

// add records id and reports whether it was new.
func (r *recentIDs) add(id int) bool {
	if _, ok := r.set[id]; ok {
		return false
	}
	if len(r.ring) < cap(r.ring) {
		r.ring = append(r.ring, id)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = id
		r.next = (r.next + 1) % len(r.ring)
	}
	r.set[id] = struct{}{}
	return true
}

func samePage(prev []int, page []Lead) bool {
	if len(prev) != len(page) {
		return false
	}
	for i := range page {
		if prev[i] != page[i].ID {
			return false
		}
	}
	return true
}

// errorCarrier is a wire answer with an "error" key.
type errorCarrier interface{ errorField() *errField }

// do sends req and decodes the answer into out, turning an "error" key into
// an *Error whatever the HTTP status, also inside a one-element array.
func (c *Client) do(ctx context.Context, req *transport.Request, out errorCarrier) (*transport.Response, error) {
	resp, err := c.tc.Do(ctx, req)
	if err != nil {
		return resp, err
	}
	return c.decode(resp, out)
}

// decode is do after the request: the body into out, or the *Error it
// carries.
func (c *Client) decode(resp *transport.Response, out errorCarrier) (*transport.Response, error) {
	b := bytes.TrimLeft(resp.Body, " \t\r\n\ufeff")
	if len(b) > 0 && b[0] == '[' {
		if e := c.bodyError(resp); e != nil {
			return resp, e
		}
	}
	if err := resp.DecodeJSON(out); err != nil {
		if e := c.bodyError(resp); e != nil {
			return resp, e
		}
		return resp, err
	}
	if f := out.errorField(); f != nil {
		return resp, c.newError(resp, f)
	}
	return resp, nil
}
