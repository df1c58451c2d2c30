package zenviatest

import (
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (rt *router) quotes() {
	s := rt.s
	rt.handle("GET /prospects/quotes", s.listQuotes)
	rt.handle("GET /prospect/{id}/quotes", s.prospectQuotes)
	rt.handle("POST /prospect/{id}/quotes", s.createQuote)
	rt.handle("GET /prospect/{id}/quote/{qid}", s.getQuote)
	rt.handle("PUT /prospect/{id}/quote/{qid}", s.updateQuote)
}

// quoteJSON is a quote as Zenvia answers it and delivers it on "quotes".
func quoteJSON(q *quote) map[string]any {
	items := make([]any, len(q.Items))
	total := new(big.Rat)
	for i, it := range q.Items {
		m := map[string]any{"quantity": json.Number(it.quantityText)}
		if it.Price != nil {
			m["price"] = json.Number(it.priceText)
			qty, _ := new(big.Rat).SetString(it.quantityText)
			total.Add(total, new(big.Rat).Mul(qty, it.Price))
		}
		for k, v := range map[string]string{"concept": it.Concept, "code": it.Code, "product": it.Product} {
			if v != "" {
				m[k] = v
			}
		}
		items[i] = m
	}
	return map[string]any{"id": q.ID, "prospectId": q.ProspectID, "status": q.Status, "items": items,
		"total": json.Number(trimZeros(total.FloatString(2))), "createdAt": jsTime(q.CreatedAt),
		"acceptedAt": jsTime(q.AcceptedAt), "rejectedAt": jsTime(q.RejectedAt), "finishedAt": jsTime(q.FinishedAt)}
}

// trimZeros drops the zero decimals of a number written with a point:
// "79.90" → "79.9", "80.00" → "80".
func trimZeros(s string) string {
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// quoteFilter reads status and the created, accepted and rejected ranges
// of q; the message is "" when they are valid.
func quoteFilter(q url.Values) (func(*quote) bool, string) {
	status := q.Get("status")
	switch status {
	case "", "pending", "accepted", "rejected":
	default:
		return nil, "status must be pending, accepted or rejected"
	}
	times := map[string]time.Time{}
	for _, k := range []string{"createdAfter", "createdBefore", "acceptedAfter", "acceptedBefore", "rejectedAfter", "rejectedBefore"} {
		if v := q.Get(k); v != "" {
			t, err := parseTimeParam(v)
			if err != nil {
				return nil, k + ": " + err.Error()
			}
			times[k] = t
		}
	}
	f := &prospectFilter{times: times}
	return func(qt *quote) bool {
		return (status == "" || qt.Status == status) && f.inRange(qt.CreatedAt, "createdAfter", "createdBefore") &&
			f.inRange(qt.AcceptedAt, "acceptedAfter", "acceptedBefore") && f.inRange(qt.RejectedAt, "rejectedAfter", "rejectedBefore")
	}, ""
}

// listQuotes is GET /prospects/quotes: every prospect's quotes, newest
// first, with before/after/limit and the filters.
func (s *Server) listQuotes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := s.limit(w, q)
	if !ok {
		return
	}
	keep, msg := quoteFilter(q)
	if msg != "" {
		s.invalid(w, msg)
		return
	}
	before, after := q.Get("before"), q.Get("after")
	s.mu.Lock()
	var all []*quote
	for _, qs := range s.st.more.quotes {
		all = append(all, qs...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID > all[j].ID })
	out := []any{}
	for _, qt := range all {
		if len(out) == limit {
			break
		}
		if (before != "" && qt.ID >= before) || (after != "" && qt.ID <= after) || !keep(qt) {
			continue
		}
		out = append(out, quoteJSON(qt))
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// prospectQuotes is GET /prospect/{id}/quotes.
func (s *Server) prospectQuotes(w http.ResponseWriter, r *http.Request) {
	keep, msg := quoteFilter(r.URL.Query())
	if msg != "" {
		s.invalid(w, msg)
		return
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	out := []any{}
	for _, qt := range s.st.more.quotes[p.ID] {
		if keep(qt) {
			out = append(out, quoteJSON(qt))
		}
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// quoteIn is the body of "New prospect quote" (NewQuote).
type quoteIn struct {
	Status *string `json:"status"`
	Items  []struct {
		Quantity number `json:"quantity"`
		Price    number `json:"price"`
		Concept  string `json:"concept"`
		Code     string `json:"code"`
		Product  string `json:"product"`
	} `json:"items"`
}

// number is a JSON value where the spec has a number: its text, and
// whether it was one. json.Number would take a string ("3") as well.
type number struct {
	text string
	ok   bool
}

// UnmarshalJSON keeps the value's text, ok only for a JSON number; null
// leaves n zero (absent).
func (n *number) UnmarshalJSON(b []byte) error {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	switch j := v.(type) {
	case nil: // null: absent
	case json.Number:
		*n = number{text: string(j), ok: true}
	default:
		*n = number{text: string(b)}
	}
	return nil
}

// decodeQuote reads a NewQuote as the spec states it: items required,
// each with a numeric quantity; status pending, accepted or rejected.
func decodeQuote(r *http.Request) ([]quoteItem, string, string) {
	var in quoteIn
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return nil, "", "the body takes status and items (quantity and price numbers): " + err.Error()
	}
	status := "pending"
	if in.Status != nil {
		status = *in.Status
	}
	if status != "pending" && status != "accepted" && status != "rejected" {
		return nil, "", "status must be pending, accepted or rejected"
	}
	if in.Items == nil {
		return nil, "", "items is required"
	}
	items := make([]quoteItem, len(in.Items))
	for i, it := range in.Items {
		qty, ok := new(big.Rat).SetString(it.Quantity.text)
		if !it.Quantity.ok || !ok {
			return nil, "", "items[" + strconv.Itoa(i) + "].quantity is required and must be a number"
		}
		f, _ := qty.Float64()
		items[i] = quoteItem{Quantity: f, quantityText: it.Quantity.text, Concept: it.Concept, Code: it.Code, Product: it.Product}
		if it.Price != (number{}) {
			if items[i].Price, ok = new(big.Rat).SetString(it.Price.text); !it.Price.ok || !ok {
				return nil, "", "items[" + strconv.Itoa(i) + "].price must be a number"
			}
			items[i].priceText = it.Price.text
		}
	}
	return items, status, ""
}

// createQuote is POST /prospect/{id}/quotes.
func (s *Server) createQuote(w http.ResponseWriter, r *http.Request) {
	items, status, msg := decodeQuote(r)
	if msg != "" {
		s.invalid(w, msg)
		return
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	now := s.opts.Now().UTC()
	qt := &quote{ID: s.st.newID(now), ProspectID: p.ID, Status: status, Items: items, CreatedAt: now}
	qt.settle(now)
	s.st.more.quotes[p.ID] = append(s.st.more.quotes[p.ID], qt)
	out := quoteJSON(qt)
	s.mu.Unlock()
	s.deliver("quotes", out)
	code := http.StatusOK
	if s.opts.Tidy {
		code = http.StatusCreated
	}
	s.ok(w, code, out)
}

// settle stamps an accepted or rejected quote as finished at now.
func (q *quote) settle(now time.Time) {
	switch q.Status {
	case "accepted":
		q.AcceptedAt, q.RejectedAt, q.FinishedAt = now, time.Time{}, now
	case "rejected":
		q.RejectedAt, q.AcceptedAt, q.FinishedAt = now, time.Time{}, now
	}
}

// lockQuote takes s.mu and returns the quote of the path, or answers 404
// and returns nil with s.mu released.
func (s *Server) lockQuote(w http.ResponseWriter, r *http.Request) *quote {
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return nil
	}
	for _, qt := range s.st.more.quotes[p.ID] {
		if qt.ID == r.PathValue("qid") {
			return qt
		}
	}
	s.mu.Unlock()
	s.notFound(w, "Quote")
	return nil
}

// getQuote is GET /prospect/{id}/quote/{qid}.
func (s *Server) getQuote(w http.ResponseWriter, r *http.Request) {
	qt := s.lockQuote(w, r)
	if qt == nil {
		return
	}
	out := quoteJSON(qt)
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// updateQuote is PUT /prospect/{id}/quote/{qid}: UpdateQuote, its status
// required, accepted or rejected.
func (s *Server) updateQuote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || (in.Status != "accepted" && in.Status != "rejected") {
		s.invalid(w, "status is required: accepted or rejected")
		return
	}
	qt := s.lockQuote(w, r)
	if qt == nil {
		return
	}
	qt.Status = in.Status
	qt.settle(s.opts.Now().UTC())
	out := quoteJSON(qt)
	s.mu.Unlock()
	s.deliver("quotes", out)
	s.ok(w, http.StatusOK, out)
}
