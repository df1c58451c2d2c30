package zenvia

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// MaxPageSize is the largest page Prospects.List asks for: Zenvia
// recommends multiples of 100 and at most 1000, and the live API accepts up
// to 5000.
const MaxPageSize = 5000

// validAdditionalFilter reports whether f is an additionalData[] filter of
// "List prospects". The spec writes the form "[FIELD][OPERATOR][VALUE]" and
// means the three parts written together, as its examples send them:
// "finance=1", "birthdate<01/01/2000", "birthdate>=01/01/1990",
// "style~blue". The operator is the first of = >= > <= < ~ in f; the field
// before it is not empty and holds no square bracket (the bracketed
// "[finance][=][1]" is refused); the value is any string.
func validAdditionalFilter(f string) bool {
	i := strings.IndexAny(f, "=<>~")
	return i > 0 && !strings.ContainsAny(f[:i], "[]")
}

// dateLayout is how Zenvia writes a date: ISO 8601 in UTC, to the
// millisecond ("2024-03-14T15:36:00.123Z"), as its DateTime parameters take
// it.
const dateLayout = "2006-01-02T15:04:05.000Z07:00"

// afterParam is t as the lower bound of a date filter (…After, exclusive),
// rounded down to the millisecond: Zenvia's dates have milliseconds, so it
// keeps exactly what t keeps. A date cut to the second would keep what was
// stamped in the second before t as well.
func afterParam(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format(dateLayout)
}

// beforeParam is t as the upper bound of a date filter (…Before,
// exclusive), rounded up to the millisecond, so that it keeps exactly what t
// keeps. A date cut to the second left out what was stamped between the
// second and t.
func beforeParam(t time.Time) string {
	return ceilMillis(t).UTC().Format(dateLayout)
}

// ceilMillis is t rounded up to the millisecond.
func ceilMillis(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		return r.Add(time.Millisecond)
	}
	return t
}

// MaxWindow is the longest creation-date range Zenvia accepts for a list
// (createdAfter to createdBefore). Without dates the API covers the last 31
// days.
const MaxWindow = 31 * 24 * time.Hour

// DefaultPageSize is the page size All uses when the options set none.
const DefaultPageSize = 100

// ProspectListOptions are the cursor and the filters of "List prospects".
// Zenvia answers newest first.
type ProspectListOptions struct {
	// Before and After are prospect ids: the page holds prospects created
	// before, or after, that prospect (exclusive), newest first. Set at most
	// one.
	Before, After string
	// Limit is the page size (0: Zenvia's default; at most MaxPageSize).
	Limit int
	// Search matches a phone, an e-mail or a name.
	Search      string
	PhoneNumber string
	Category    string
	Status      ProspectStatus
	Agent       string // agent id
	Group       string // group id
	// CreatedAfter and CreatedBefore bound the creation time (zero: unset),
	// both exclusive; every date bound is sent to the millisecond, Zenvia's
	// precision (an after rounded down, a before rounded up). The range they make (an open end meaning now) is at most MaxWindow;
	// without them Zenvia covers the last 31 days.
	CreatedAfter, CreatedBefore time.Time
	// ClaimedAfter/Before and TransferredAfter/Before bound when the
	// prospect was claimed or transferred (zero: unset).
	ClaimedAfter, ClaimedBefore         time.Time
	TransferredAfter, TransferredBefore time.Time
	// WithAgent keeps the prospects that have (true) or lack (false) an
	// agent (nil: unset).
	WithAgent *bool
	// AdditionalData filters on additional data, each FIELD, OPERATOR and
	// VALUE written together as the spec's examples send them ("finance=1",
	// "birthdate<01/01/2000", "style~blue"), OPERATOR one of = >= > <= < ~
	// (~: contains), the field without square brackets; sent as
	// additionalData[].
	AdditionalData []string
}

func (o *ProspectListOptions) values() (url.Values, error) {
	v := url.Values{}
	if o == nil {
		return v, nil
	}
	if o.Before != "" && o.After != "" {
		return nil, leadkit.Invalid("before", "set before or after, not both")
	}
	if o.Before != "" {
		if err := checkID("before", o.Before); err != nil {
			return nil, err
		}
		v.Set("before", o.Before)
	}
	if o.After != "" {
		if err := checkID("after", o.After); err != nil {
			return nil, err
		}
		v.Set("after", o.After)
	}
	if o.Limit < 0 || o.Limit > MaxPageSize {
		return nil, leadkit.Invalid("limit", "must be between 1 and %d, got %d", MaxPageSize, o.Limit)
	}
	if o.Limit > 0 {
		v.Set("limit", strconv.Itoa(o.Limit))
	}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("search", o.Search)
	set("phoneNumber", o.PhoneNumber)
	set("category", o.Category)
	set("status", string(o.Status))
	if o.Agent != "" {
		if err := checkID("agent", o.Agent); err != nil {
			return nil, err
		}
		v.Set("agent", o.Agent)
	}
	if o.Group != "" {
		if err := checkID("group", o.Group); err != nil {
			return nil, err
		}
		v.Set("group", o.Group)
	}
	if !o.CreatedAfter.IsZero() {
		v.Set("createdAfter", afterParam(o.CreatedAfter))
	}
	if !o.CreatedBefore.IsZero() {
		v.Set("createdBefore", beforeParam(o.CreatedBefore))
	}
	if !o.CreatedAfter.IsZero() && !o.CreatedBefore.IsZero() && o.CreatedBefore.Before(o.CreatedAfter) {
		return nil, leadkit.Invalid("createdBefore", "is before createdAfter")
	}
	for _, t := range []struct {
		k      string
		v      time.Time
		format func(time.Time) string
	}{{"claimedAfter", o.ClaimedAfter, afterParam}, {"claimedBefore", o.ClaimedBefore, beforeParam},
		{"transferredAfter", o.TransferredAfter, afterParam}, {"transferredBefore", o.TransferredBefore, beforeParam}} {
		if !t.v.IsZero() {
			v.Set(t.k, t.format(t.v))
		}
	}
	if o.WithAgent != nil {
		v.Set("withAgent", strconv.FormatBool(*o.WithAgent))
	}
	for i, f := range o.AdditionalData {
		if !validAdditionalFilter(f) {
			return nil, leadkit.Invalid(indexed("additionalData", i), "%q is not FIELD, OPERATOR and VALUE written together (\"finance=1\", \"style~blue\"), OPERATOR one of = >= > <= < ~, the field without brackets", f)
		}
		v.Add("additionalData[]", f)
	}
	if !o.CreatedAfter.IsZero() {
		end := o.CreatedBefore
		if end.IsZero() {
			end = time.Now()
		}
		// The range as sent: the bounds rounded to the millisecond.
		if ceilMillis(end).Sub(o.CreatedAfter.Truncate(time.Millisecond)) > MaxWindow {
			return nil, leadkit.Invalid("createdAfter", "the range to %s is longer than Zenvia's 31 days", end.UTC().Format(time.RFC3339))
		}
	}
	return v, nil
}

// ProspectsService reads and changes prospects. Reach it through
// Client.Prospects.
type ProspectsService struct{ c *Client }

// Get returns one prospect: Zenvia's "Get prospect" (GET /prospect/{id}).
// An unknown id matches ErrNotFound.
func (s *ProspectsService) Get(ctx context.Context, id string) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	resp, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodGet, Path: []string{"prospect", id}})
	if err != nil {
		return nil, err
	}
	if p, ok := decodeProspectFast(resp.Body); ok {
		resp.MaskRaw(p) // JSON kept as sent, masked as DecodeJSON masks it
		return p, nil   // the usual shape, read in one pass
	}
	return decodeProspectWire(resp.DecodeJSON)
}

// decodeProspectWire decodes one prospect with the wire type through decode
// (resp.DecodeJSON; json.Unmarshal of the same body in tests).
func decodeProspectWire(decode func(any) error) (*Prospect, error) {
	var w prospectWire
	if err := decode(&w); err != nil {
		return nil, err
	}
	p := w.prospect()
	return &p, nil
}

// prospectPage decodes a page of prospects: a bare array, or an object
// holding it under "prospects", "data" or "items".
type prospectPage []prospectWire

func (p *prospectPage) UnmarshalJSON(b []byte) error {
	t := trimSpace(b)
	if len(t) > 0 && t[0] == '{' {
		var o struct {
			Prospects []prospectWire `json:"prospects"`
			Data      []prospectWire `json:"data"`
			Items     []prospectWire `json:"items"`
		}
		if err := json.Unmarshal(t, &o); err != nil {
			return err
		}
		switch {
		case o.Prospects != nil:
			*p = o.Prospects
		case o.Data != nil:
			*p = o.Data
		default:
			*p = o.Items
		}
		return nil
	}
	return json.Unmarshal(t, (*[]prospectWire)(p))
}

// List returns one page of prospects: Zenvia's "List prospects"
// (GET /prospects) with the cursor (before/after), limit and filters of opts
// (nil: the first page with Zenvia's defaults). An empty page is an empty,
// non-nil slice.
func (s *ProspectsService) List(ctx context.Context, opts *ProspectListOptions) ([]Prospect, error) {
	q, err := opts.values()
	if err != nil {
		return nil, err
	}
	resp, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodGet, Path: []string{"prospects"}, Query: q})
	if err != nil {
		return nil, err
	}
	limit := 0
	if opts != nil {
		limit = opts.Limit
	}
	return decodeProspectPage(resp, limit)
}

func decodeProspectPage(resp *transport.Response, limit int) ([]Prospect, error) {
	if out, ok := decodeProspectsFast(resp.Body, limit); ok {
		resp.MaskRaw(out) // JSON kept as sent, masked as DecodeJSON masks it
		return out, nil   // the usual shape, read in one pass
	}
	return decodeProspectPageWire(resp.Body, resp.DecodeJSON)
}

// decodeProspectPageWire decodes a page with the wire types through decode
// (resp.DecodeJSON; json.Unmarshal of the same body in tests): every shape,
// every tolerated quirk, the exact error.
func decodeProspectPageWire(body []byte, decode func(any) error) ([]Prospect, error) {
	var page []prospectWire
	var err error
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		err = decode(&page)
	} else {
		err = decode((*prospectPage)(&page))
	}
	if err != nil {
		return nil, err
	}
	out := make([]Prospect, len(page))
	for i := range page {
		out[i] = page[i].prospect()
	}
	return out, nil
}

// ErrPagingIgnored is returned by All when the server answers a page that
// does not move past the cursor (it ignores "after"): All stops instead of
// looping forever.
var ErrPagingIgnored = errors.New("zenvia: the server ignored the paging cursor")

// All iterates over every prospect that matches opts, newest first as
// Zenvia answers, fetching pages of opts.Limit (DefaultPageSize when 0)
// lazily and walking back with the "before" cursor (the last id of each
// page), from opts.Before when it is set. It keeps one page in memory at a
// time, stops when the caller stops, and yields ErrPagingIgnored instead of
// looping when the server answers a page that does not move back. An error
// is yielded once, as the last element. opts.After is an input error (All
// walks back; List reads the prospects after an id).
func (s *ProspectsService) All(ctx context.Context, opts *ProspectListOptions) iter.Seq2[Prospect, error] {
	return func(yield func(Prospect, error) bool) {
		var o ProspectListOptions
		if opts != nil {
			o = *opts
		}
		if o.After != "" {
			yield(Prospect{}, leadkit.Invalid("after", "All walks back from the newest with before; use List for the prospects after an id"))
			return
		}
		if o.Limit == 0 {
			o.Limit = DefaultPageSize
		}
		walkBack(o.Before, o.Limit, func(before string) ([]Prospect, error) {
			o.Before = before
			return s.List(ctx, &o)
		}, func(p *Prospect) string { return p.ID }, yield)
	}
}

// ProspectUpdate is the body of "Update prospect" (PATCH /prospect/{id}):
// only the fields set are sent. Phone and Email are added to the
// prospect's phones and e-mails (Zenvia keeps the ones it has). Additional
// data has its own call, UpdateAdditionalData.
type ProspectUpdate struct {
	ArchivingReason *string `json:"archivingReason,omitempty"`
	FirstName       *string `json:"firstName,omitempty"`
	LastName        *string `json:"lastName,omitempty"`
	Phone           *string `json:"phone,omitempty"` // added to the prospect's phones
	Email           *string `json:"email,omitempty"` // added to the prospect's e-mails
	Label           *string `json:"label,omitempty"`
}

// String returns a pointer to s, for the optional fields of ProspectUpdate.
func String(s string) *string { return &s }

// Update changes a prospect's basic data: Zenvia's "Update prospect"
// (PATCH /prospect/{id} with {archivingReason, firstName, lastName, phone,
// email, label}). It returns the prospect as Zenvia answers it (nil when
// Zenvia answers without a body).
func (s *ProspectsService) Update(ctx context.Context, id string, u *ProspectUpdate) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if u == nil || (u.ArchivingReason == nil && u.FirstName == nil && u.LastName == nil && u.Phone == nil &&
		u.Email == nil && u.Label == nil) {
		return nil, leadkit.Invalid("update", "sets no field")
	}
	if u.Email != nil {
		if err := transport.CheckEmail("email", *u.Email); err != nil {
			return nil, err
		}
	}
	if u.Phone != nil && strings.TrimSpace(*u.Phone) == "" {
		return nil, leadkit.Invalid("phone", "must not be empty")
	}
	return s.patch(ctx, []string{"prospect", id}, u)
}

// UpdateAdditionalData sets fields of a prospect's additional data:
// Zenvia's "Update prospect additional data" (PATCH
// /prospect/{id}/additionalData with a flat {key: value} object). It returns
// the prospect as Zenvia answers it.
func (s *ProspectsService) UpdateAdditionalData(ctx context.Context, id string, data map[string]any) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, leadkit.Invalid("additionalData", "sets no field")
	}
	if err := transport.CheckEncodable("additionalData", data); err != nil {
		return nil, err // a NaN, a channel, a func: additionalData["score"]
	}
	for _, k := range slices.Sorted(maps.Keys(data)) {
		if strings.TrimSpace(k) == "" {
			return nil, leadkit.Invalid("additionalData", "has an empty key")
		}
		// Flat: a value of any Go type that encodes as an object or an
		// array (a []string, a struct, a json.RawMessage) is refused.
		b, err := json.Marshal(data[k])
		if err != nil {
			return nil, leadkit.Invalid("additionalData."+k, "%v", err)
		}
		if t := trimSpace(b); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			return nil, leadkit.Invalid("additionalData."+k, "must be a plain value (the object is flat)")
		}
	}
	return s.patch(ctx, []string{"prospect", id, "additionalData"}, data)
}

func (s *ProspectsService) patch(ctx context.Context, path []string, body any) (*Prospect, error) {
	return s.patchLike(ctx, http.MethodPatch, path, body)
}

// patchLike sends body with method and reads the prospect Zenvia may answer
// (nil for no body, or a body that is not a prospect).
func (s *ProspectsService) patchLike(ctx context.Context, method string, path []string, body any) (*Prospect, error) {
	var w *prospectWire
	if err := s.c.send(ctx, method, path, body, &w); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, nil
	}
	p := w.prospect()
	return &p, nil
}

// Delete removes a prospect: Zenvia's "Delete prospect"
// (DELETE /prospect/{id}), which answers the deleted prospect (nil when
// Zenvia answers without a body, or when a retried DELETE found it already
// gone, or the answer cannot be read: the deletion is done either way).
func (s *ProspectsService) Delete(ctx context.Context, id string) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	resp, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodDelete, Path: []string{"prospect", id}})
	if err != nil || resp.Gone || len(trimSpace(resp.Body)) == 0 {
		return nil, err
	}
	var w prospectWire
	if json.Unmarshal(resp.Body, &w) != nil || w.ID == "" {
		return nil, nil
	}
	p := w.prospect()
	return &p, nil
}

// Transfer names the target of a prospect transfer: a group or a user
// (agent), not both. Build it with ToGroup or ToUser.
type Transfer struct {
	Group string `json:"group,omitempty"`
	User  string `json:"user,omitempty"`
}

// ToGroup transfers to a group.
func ToGroup(groupID string) *Transfer { return &Transfer{Group: groupID} }

// ToUser transfers to a user (an agent).
func ToUser(userID string) *Transfer { return &Transfer{User: userID} }

// Transfer moves a prospect to a group or to a user: Zenvia's "Transfer
// prospect" (POST /prospect/{id}/transfer). It returns the prospect when
// Zenvia answers with it.
func (s *ProspectsService) Transfer(ctx context.Context, id string, to *Transfer) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := to.check(); err != nil {
		return nil, err
	}
	return s.patchLike(ctx, http.MethodPost, []string{"prospect", id, "transfer"}, to.body())
}

// check validates a transfer's target.
func (to *Transfer) check() error {
	if to == nil {
		return leadkit.Invalid("transfer", "needs a group or a user")
	}
	switch {
	case to.Group != "" && to.User != "":
		return leadkit.Invalid("transfer", "set group or user, not both")
	case to.Group != "":
		return checkID("group", to.Group)
	case to.User != "":
		return checkID("user", to.User)
	}
	return leadkit.Invalid("transfer", "needs a group or a user")
}

// body is the transfer as Zenvia reads it.
func (to *Transfer) body() any { return to }

// Interactions lists a prospect's interactions: Zenvia's "Get prospect
// interactions" (GET /prospect/{id}/interactions).
func (s *ProspectsService) Interactions(ctx context.Context, id string, opts *InteractionListOptions) ([]Interaction, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	q, err := opts.values(false)
	if err != nil {
		return nil, err
	}
	return s.c.interactions(ctx, []string{"prospect", id, "interactions"}, q)
}

// CreateNote adds a note to a prospect: Zenvia's "Create prospect interaction"
// (POST /prospect/{id}/interactions with {"type":"note","content":text}),
// which answers a list of the interactions created; the first is returned,
// its text in Content (Zenvia's output.comment). Like every create, it is not
// resent once it may have reached Zenvia. CreateInteraction records calls,
// messages and questions too.
func (s *ProspectsService) CreateNote(ctx context.Context, id, text string) (*Interaction, error) {
	if strings.TrimSpace(text) == "" {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return nil, leadkit.Invalid("content", "a note needs text")
	}
	ins, err := s.CreateInteraction(ctx, id, &HistoryEvent{Type: HistoryNote, Content: text})
	if err != nil || len(ins) == 0 {
		return nil, err
	}
	return &ins[0], nil
}

// interactionList is the answer of "Create prospect interaction": a list,
// or (older servers) one object.
type interactionList []interactionWire

func (l *interactionList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var w interactionWire
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		*l = interactionList{w}
		return nil
	}
	var ws []interactionWire
	if err := json.Unmarshal(b, &ws); err != nil {
		return err
	}
	*l = ws
	return nil
}

// allBefore is the All of a list that pages newest first with the
// "before" cursor: after is an input error (All walks back), limit 0 is
// DefaultPageSize, and list (given the cursor and the page size) is called
// lazily from before.
func allBefore[T any](after, before string, limit int, list func(before string, limit int) ([]T, error), id func(*T) string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if after != "" {
			var zero T
			yield(zero, leadkit.Invalid("after", "All walks back from the newest with before"))
			return
		}
		if limit == 0 {
			limit = DefaultPageSize
		}
		walkBack(before, limit, func(b string) ([]T, error) { return list(b, limit) }, id, yield)
	}
}

// walkBack yields every item of the pages list returns, newest first,
// asking each next page with before=<the last id of the previous one>
// (from before). It stops after a short or empty page, when yield stops,
// after yielding an error once, and with ErrPagingIgnored when a page does
// not move back (ids grow with time), so it never loops.
func walkBack[T any](before string, limit int, list func(before string) ([]T, error), id func(*T) string, yield func(T, error) bool) {
	var zero T
	for {
		page, err := list(before)
		if err != nil {
			yield(zero, err)
			return
		}
		if len(page) == 0 {
			return
		}
		for i := range page {
			if before != "" && id(&page[i]) >= before {
				yield(zero, ErrPagingIgnored)
				return
			}
		}
		last := id(&page[len(page)-1])
		if last == "" {
			yield(zero, ErrPagingIgnored)
			return
		}
		for i := range page {
			if !yield(page[i], nil) {
				return
			}
		}
		if len(page) < limit {
			return
		}
		before = last
	}
}
