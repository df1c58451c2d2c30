package zenvia

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// QuoteStatus is a quote's status. Unknown values are kept as sent.
type QuoteStatus string

// The documented quote statuses.
const (
	QuotePending  QuoteStatus = "pending"
	QuoteAccepted QuoteStatus = "accepted"
	QuoteRejected QuoteStatus = "rejected"
)

// String returns the status as Zenvia spells it.
func (s QuoteStatus) String() string { return string(s) }

// Known reports whether s is one of the documented statuses.
func (s QuoteStatus) Known() bool {
	return s == QuotePending || s == QuoteAccepted || s == QuoteRejected
}

// Quote is a quote made to a prospect ("Quote"), as the quote operations
// answer it and as the "quotes" webhook topic delivers it (Event.Quote).
// Its amounts are in the account's currency (Leads.Defaults).
type Quote struct {
	ID         string
	ProspectID string
	Status     QuoteStatus
	Items      []QuoteItem
	Total      Amount
	CreatedAt  time.Time
	AcceptedAt time.Time // zero: not accepted
	RejectedAt time.Time // zero: not rejected
	FinishedAt time.Time // zero: not finished
	// AdditionalData is the prospect's private data, as sent (only with the
	// scope prospects:readAdditionalData).
	AdditionalData json.RawMessage
}

// QuoteItem is one line of a quote ("QuoteItem"): Quantity is required;
// Price is the unit price.
type QuoteItem struct {
	Quantity float64 `json:"quantity"`
	Price    *Amount `json:"price,omitempty"`
	Concept  string  `json:"concept,omitempty"`
	Code     string  `json:"code,omitempty"`
	Product  string  `json:"product,omitempty"`
}

// QuoteCreate is the body of "New prospect quote" ("NewQuote"): at least
// one item; Status is optional (Zenvia's default is pending).
type QuoteCreate struct {
	Status QuoteStatus `json:"status,omitempty"`
	Items  []QuoteItem `json:"items"`
}

// QuoteUpdate is the body of "Update prospect quote" ("UpdateQuote"):
// the status a quote moves to, accepted or rejected.
type QuoteUpdate struct {
	Status QuoteStatus `json:"status"`
}

// QuoteListOptions filter the account's quotes (Quotes.List, All) and a
// prospect's (Prospects.Quotes). Before, After and Limit page the
// account-wide list only.
type QuoteListOptions struct {
	Before, After string // quote ids: created before or after it (exclusive), newest first
	Limit         int    // page size (0: Zenvia's default; at most MaxPageSize)
	Status        QuoteStatus
	// Each pair bounds when quotes were created, accepted or rejected (zero:
	// unset).
	CreatedAfter, CreatedBefore   time.Time
	AcceptedAfter, AcceptedBefore time.Time
	RejectedAfter, RejectedBefore time.Time
}

func (o *QuoteListOptions) values(accountWide bool) (url.Values, error) {
	v := url.Values{}
	if o == nil {
		return v, nil
	}
	if !accountWide && (o.Before != "" || o.After != "" || o.Limit != 0) {
		return nil, leadkit.Invalid("before", "before, after and limit page the account-wide list only")
	}
	if err := setCursor(v, o.Before, o.After, o.Limit); err != nil {
		return nil, err
	}
	if o.Status != "" {
		if !o.Status.Known() {
			return nil, leadkit.Invalid("status", "%q is not pending, accepted or rejected", string(o.Status))
		}
		v.Set("status", string(o.Status))
	}
	return v, setRanges(v, []timeRange{{"created", o.CreatedAfter, o.CreatedBefore},
		{"accepted", o.AcceptedAfter, o.AcceptedBefore}, {"rejected", o.RejectedAfter, o.RejectedBefore}})
}

// setCursor sets the cursor of a list that pages newest first: before or
// after (ids, at most one of them) and limit (1 to MaxPageSize; 0 unset).
func setCursor(v url.Values, before, after string, limit int) error {
	if before != "" && after != "" {
		return leadkit.Invalid("before", "set before or after, not both")
	}
	for _, c := range []struct{ k, id string }{{"before", before}, {"after", after}} {
		if c.id != "" {
			if err := checkID(c.k, c.id); err != nil {
				return err
			}
			v.Set(c.k, c.id)
		}
	}
	if limit < 0 || limit > MaxPageSize {
		return leadkit.Invalid("limit", "must be between 1 and %d, got %d", MaxPageSize, limit)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	return nil
}

// timeRange is a pair of <name>After and <name>Before parameters.
type timeRange struct {
	name          string
	after, before time.Time
}

// setRanges sets the parameters of each range that are not zero, and
// refuses a range that ends before it starts.
func setRanges(v url.Values, rs []timeRange) error {
	for _, r := range rs {
		if !r.after.IsZero() {
			v.Set(r.name+"After", afterParam(r.after))
		}
		if !r.before.IsZero() {
			v.Set(r.name+"Before", beforeParam(r.before))
		}
		if !r.after.IsZero() && !r.before.IsZero() && r.before.Before(r.after) {
			return leadkit.Invalid(r.name+"Before", "is before %sAfter", r.name)
		}
	}
	return nil
}

// QuotesService reads, creates and changes quotes. Reach it through
// Client.Quotes.
type QuotesService struct{ c *Client }

// List returns one page of the account's quotes, newest first: Zenvia's
// "Get quotes" (GET /prospects/quotes).
func (s *QuotesService) List(ctx context.Context, opts *QuoteListOptions) ([]Quote, error) {
	q, err := opts.values(true)
	if err != nil {
		return nil, err
	}
	return s.c.quotes(ctx, []string{"prospects", "quotes"}, q)
}

// All iterates over the account's quotes matching opts, newest first,
// walking back with the "before" cursor; it stops when the caller stops,
// and yields ErrPagingIgnored instead of looping on a server that ignores
// the cursor. opts.After is an input error.
func (s *QuotesService) All(ctx context.Context, opts *QuoteListOptions) iter.Seq2[Quote, error] {
	var o QuoteListOptions
	if opts != nil {
		o = *opts
	}
	return allBefore(o.After, o.Before, o.Limit, func(before string, limit int) ([]Quote, error) {
		page := o
		page.Before, page.Limit = before, limit
		return s.List(ctx, &page)
	}, func(q *Quote) string { return q.ID })
}

// Get returns one quote of a prospect: Zenvia's "Get quote by id"
// (GET /prospect/{id}/quote/{quoteId}).
func (s *QuotesService) Get(ctx context.Context, prospectID, quoteID string) (*Quote, error) {
	if err := checkIDs("id", prospectID, "quoteId", quoteID); err != nil {
		return nil, err
	}
	return s.c.quote(ctx, &transport.Request{Method: http.MethodGet, Path: []string{"prospect", prospectID, "quote", quoteID}})
}

// Create makes a quote for a prospect: Zenvia's "New prospect quote"
// (POST /prospect/{id}/quotes), which answers the quote. Like every
// create, it is never resent once it may have reached Zenvia: such a
// failure matches leadkit.ErrOutcomeUnknown (list the prospect's quotes
// before sending it again).
func (s *QuotesService) Create(ctx context.Context, prospectID string, in *QuoteCreate) (*Quote, error) {
	if err := checkID("id", prospectID); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	return s.c.quote(ctx, &transport.Request{Method: http.MethodPost,
		Path: []string{"prospect", prospectID, "quotes"}, JSON: in, Create: true})
}

// Update moves a quote to accepted or rejected: Zenvia's "Update prospect
// quote" (PUT /prospect/{id}/quote/{quoteId}), which answers the quote.
// As a PUT it is retried like a read: the same status set twice is the
// same quote.
func (s *QuotesService) Update(ctx context.Context, prospectID, quoteID string, u *QuoteUpdate) (*Quote, error) {
	if err := checkIDs("id", prospectID, "quoteId", quoteID); err != nil {
		return nil, err
	}
	if u == nil || (u.Status != QuoteAccepted && u.Status != QuoteRejected) {
		got := ""
		if u != nil {
			got = string(u.Status)
		}
		return nil, leadkit.Invalid("status", "%q is not accepted or rejected", got)
	}
	return s.c.quote(ctx, &transport.Request{Method: http.MethodPut,
		Path: []string{"prospect", prospectID, "quote", quoteID}, JSON: u})
}

// quote sends req and decodes the quote Zenvia answers.
func (c *Client) quote(ctx context.Context, req *transport.Request) (*Quote, error) {
	resp, err := c.t.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	var w quoteWire
	if err := resp.DecodeJSON(&w); err != nil {
		return nil, err
	}
	q := w.quote()
	return &q, nil
}

// Quotes lists a prospect's quotes: Zenvia's "Get prospect quotes"
// (GET /prospect/{id}/quotes), with the status and date filters of opts.
func (s *ProspectsService) Quotes(ctx context.Context, id string, opts *QuoteListOptions) ([]Quote, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	q, err := opts.values(false)
	if err != nil {
		return nil, err
	}
	return s.c.quotes(ctx, []string{"prospect", id, "quotes"}, q)
}

// check validates a new quote.
func (in *QuoteCreate) check() error {
	if in == nil {
		return leadkit.Invalid("quote", "must not be nil")
	}
	if in.Status != "" && !in.Status.Known() {
		return leadkit.Invalid("status", "%q is not pending, accepted or rejected", string(in.Status))
	}
	if len(in.Items) == 0 {
		return leadkit.Invalid("items", "a quote needs at least one item")
	}
	for i, it := range in.Items {
		if !(it.Quantity > 0) {
			return leadkit.Invalid(indexed("items", i)+".quantity", "must be more than 0, got %v", it.Quantity)
		}
		if it.Price != nil && *it.Price < 0 {
			return leadkit.Invalid(indexed("items", i)+".price", "must not be negative")
		}
	}
	return nil
}

// checkIDs checks two ids, each named by its field.
func checkIDs(f1, id1, f2, id2 string) error {
	if err := checkID(f1, id1); err != nil {
		return err
	}
	return checkID(f2, id2)
}

func (c *Client) quotes(ctx context.Context, path []string, q url.Values) ([]Quote, error) {
	var ws []quoteWire
	if err := c.get(ctx, path, q, &ws); err != nil {
		return nil, err
	}
	out := make([]Quote, len(ws))
	for i := range ws {
		out[i] = ws[i].quote()
	}
	return out, nil
}

// quoteWire is a quote on the wire: every scalar read tolerantly.
type quoteWire struct {
	ID             string          `json:"id"`
	ProspectID     string          `json:"prospectId"`
	Status         QuoteStatus     `json:"status"`
	Items          []quoteItemWire `json:"items"`
	Total          Amount          `json:"total"`
	CreatedAt      wireTime        `json:"createdAt"`
	AcceptedAt     wireTime        `json:"acceptedAt"`
	RejectedAt     wireTime        `json:"rejectedAt"`
	FinishedAt     wireTime        `json:"finishedAt"`
	AdditionalData json.RawMessage `json:"additionalData"`
}

type quoteItemWire struct {
	Quantity jsonx.Float  `json:"quantity"`
	Price    *Amount      `json:"price"`
	Concept  jsonx.String `json:"concept"`
	Code     jsonx.String `json:"code"`
	Product  jsonx.String `json:"product"`
}

func (w *quoteWire) quote() Quote {
	q := Quote{ID: w.ID, ProspectID: w.ProspectID, Status: w.Status, Total: w.Total,
		CreatedAt: time.Time(w.CreatedAt), AcceptedAt: time.Time(w.AcceptedAt), RejectedAt: time.Time(w.RejectedAt),
		FinishedAt: time.Time(w.FinishedAt), AdditionalData: nullToNil(w.AdditionalData)}
	q.Items = make([]QuoteItem, len(w.Items))
	for i, it := range w.Items {
		q.Items[i] = QuoteItem{Quantity: float64(it.Quantity), Price: it.Price, Concept: string(it.Concept),
			Code: string(it.Code), Product: string(it.Product)}
	}
	return q
}
