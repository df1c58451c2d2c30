// Package zenviatest is an in-memory fake of Zenvia's Sales API for tests
// and examples, like net/http/httptest: NewServer starts it on a loopback
// port, seeded with groups, agents and a few hundred prospects.
//
// It checks the API key (api-key query parameter or x-api-key header) as
// Zenvia does, keeps state (a lead sent can be read back as a prospect),
// merges leads into prospects by phone digits and lower-cased e-mail as
// Zenvia does (so "(51) 98765-4321" and "+55 51 98765-4321" stay two
// prospects unless the client normalises phones), pages prospects with the
// before/after cursor, stores webhook subscriptions and POSTs events to the
// subscribed callbacks: the prospect on topic "prospects" when a lead creates
// or merges into it or it is changed, the interaction on topic
// "interactions" when an interaction is added or a message sent, the quote
// on topic "quotes" when one is made or changes. Callbacks must be loopback
// URLs unless Options.AllowRemoteCallbacks is set.
//
// It serves all 59 operations of the spec ("Sirena API 1.10.0"), each a
// Go 1.22 ServeMux pattern (routes.go) under /, /api/v1 and /v1, with the
// validation the spec states (required fields, enumerations): quotes are
// kept and listed; messages, templates and files to a prospect become its
// interactions, a message or a file only within Window of the prospect's
// last lead or message (WhatsApp's rule); catalogue orders and contact
// selections are seeded (SelectionIDs); ratings and custom apps' events and
// notifications are kept (Ratings, AppEvents, AppNotifications).
//
// Webhooks are delivered as Zenvia delivers them: again while the callback
// fails (a connection error, no answer within Options.DeliveryTimeout, a
// 5xx; a 4xx is final), sometimes again after an acknowledgement
// (Options.RedeliverRate), or again on demand (Redeliver); every delivery
// of an event repeats its topic and body byte for byte. Burst makes many
// leads come in at once, their events delivered concurrently. Events
// reports every event with its deliveries, so a test can count that each
// was handled exactly once.
//
// Unless Options.Tidy is set it answers with Zenvia's real quirks: a 404 with
// an empty body, lead priorities as strings, agent phones as numbers and
// null instead of empty lists.
package zenviatest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/leadkittest"
)

// DefaultAPIKey is the sandbox's API key when Options.APIKey is empty.
const DefaultAPIKey = "zvsbx_4f1d2c9a7e6b5a3c8d0e1f2a"

// DefaultProspects is how many prospects are seeded when Options.Prospects is 0.
const DefaultProspects = 300

// Options configure the sandbox. The zero value (or nil) gives the defaults.
type Options struct {
	// APIKey is the key the sandbox accepts (DefaultAPIKey when empty).
	APIKey string
	// Seed makes the seeded data deterministic.
	Seed int64
	// Tidy answers the documented shapes instead of the real quirks.
	Tidy bool
	// NoRateLimits is accepted for uniformity; Zenvia documents no rate limit.
	NoRateLimits bool
	// Latency delays every answer.
	Latency time.Duration
	// FailRate is the share of requests answered 503 with Retry-After: 1.
	FailRate float64
	// Prospects is how many prospects are seeded (0: DefaultProspects;
	// negative: none).
	Prospects int
	// Async answers lead creation with 202 Accepted, as the asynchronous
	// leads service does; the result then comes only by webhook.
	Async bool
	// NoIntegrationUser makes the as-user routes answer 409, as Zenvia does
	// when the integration has no user configured.
	NoIntegrationUser bool
	// MaxSubscriptions is how many subscriptions stay active at once (0:
	// one, Zenvia's rule: a new subscription deactivates the previous one).
	// Tests that hold many at a time raise it.
	MaxSubscriptions int
	// AllowRemoteCallbacks lets subscriptions use non-loopback callback URLs.
	AllowRemoteCallbacks bool
	// DeliveryAttempts is how many times a webhook is sent while the
	// callback fails (default 3); DeliveryBackoff is the wait between
	// attempts (default 100ms).
	DeliveryAttempts int
	DeliveryBackoff  time.Duration
	// DeliveryTimeout is how long the sandbox waits for a callback's answer
	// (default 5s): a receiver that takes longer has its connection closed
	// and the event delivered again, as Zenvia does with slow receivers.
	DeliveryTimeout time.Duration
	// RedeliverRate is the share (0..1) of acknowledged events that the
	// sandbox delivers again on its own, once, RedeliverAfter after the
	// acknowledgement (default DeliveryBackoff), as Zenvia sometimes does.
	// Which events are drawn from Seed and the event's number.
	RedeliverRate  float64
	RedeliverAfter time.Duration
	// Now is the sandbox's clock (time.Now when nil). The seeded prospects
	// spread over the year that ends the day before Now, so the API's
	// 31-day windows find recent ones, as on a real account.
	Now func() time.Time
}

// Fault makes the sandbox misbehave for matching requests.
type Fault = leadkittest.Fault

// Request is one request the sandbox received, with secrets masked.
type Request = leadkittest.Request

// Delivery is one webhook call the sandbox made (after its retries).
type Delivery struct {
	Topic       string `json:"topic"`
	CallbackURL string `json:"callbackUrl"` // secrets masked
	Attempts    int    `json:"attempts"`
	Status      int    `json:"status"` // last HTTP status (0 when it never answered)
	Error       string `json:"error,omitempty"`
	Body        string `json:"body"`
	// Event is the ID of the WebhookEvent delivered; Redelivery reports a
	// delivery after the first (Options.RedeliverRate, or Redeliver).
	Event      string `json:"event"`
	Redelivery bool   `json:"redelivery,omitempty"`
}

// Server is the sandbox. URL, Start, Close, Fail, Requests, Count and Reset
// come from the shared sandbox machinery.
type Server struct {
	*leadkittest.Server

	opts      Options
	mu        sync.Mutex
	st        *state
	hc        *http.Client
	wg        sync.WaitGroup
	dmu       sync.Mutex // guards the deliveries and the events (webhooks.go)
	dlv       []Delivery
	events    []*event
	eventByID map[string]*event
	eventSeq  int
	closed    chan struct{}
	once      sync.Once
}

// NewServer starts a sandbox on 127.0.0.1 (nil opts: defaults).
func NewServer(opts *Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a sandbox that is not listening: call Start, or
// mount it as an http.Handler (it works under a path prefix with
// http.StripPrefix).
func NewUnstartedServer(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.APIKey == "" {
		o.APIKey = DefaultAPIKey
	}
	if o.DeliveryAttempts <= 0 {
		o.DeliveryAttempts = 3
	}
	if o.DeliveryBackoff <= 0 {
		o.DeliveryBackoff = 100 * time.Millisecond
	}
	if o.DeliveryTimeout <= 0 {
		o.DeliveryTimeout = 5 * time.Second
	}
	if o.RedeliverAfter <= 0 {
		o.RedeliverAfter = o.DeliveryBackoff
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{
		opts: o,
		st:   newState(&o),
		// Deliveries never follow a redirect: a loopback-only callback
		// must not become a delivery to any host (the 3xx is recorded).
		hc: &http.Client{Timeout: o.DeliveryTimeout, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		eventByID: map[string]*event{},
		closed:    make(chan struct{}),
	}
	s.Server = leadkittest.New(s.routes(), leadkittest.Config{
		Seed: o.Seed, Tidy: o.Tidy, NoRateLimits: o.NoRateLimits, Latency: o.Latency, FailRate: o.FailRate,
	}, func() []string { return []string{o.APIKey} }, s.reset)
	return s
}

// Close stops delivering webhooks, waits for deliveries in flight and stops
// the server.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closed) })
	s.wg.Wait()
	s.Server.Close()
}

// Credentials returns the environment the examples read.
func (s *Server) Credentials() map[string]string {
	return map[string]string{"ZENVIA_URL": s.URL, "ZENVIA_API_KEY": s.opts.APIKey}
}

// Deliveries returns the webhook deliveries made so far (at most the first
// 10,000), each with its retries; Events sums them up by event.
func (s *Server) Deliveries() []Delivery {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	return append([]Delivery(nil), s.dlv...)
}

// WaitDeliveries waits until no webhook delivery is in flight.
func (s *Server) WaitDeliveries() { s.wg.Wait() }

// GroupIDs returns the ids of the seeded leaf groups (the ones that hold
// agents), in order.
func (s *Server) GroupIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, g := range s.st.leafGroups {
		out = append(out, g.ID)
	}
	return out
}

// RootGroupID returns the id of the root of the group tree.
func (s *Server) RootGroupID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.groups[0].ID
}

// ProspectCount returns how many prospects the sandbox holds.
func (s *Server) ProspectCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.prospects)
}

// ProspectIDs returns every prospect id, in list order.
func (s *Server) ProspectIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.st.prospects))
	for i, p := range s.st.prospects {
		out[i] = p.ID
	}
	return out
}

func (s *Server) reset() {
	s.mu.Lock()
	s.st = newState(&s.opts)
	s.mu.Unlock()
	s.dmu.Lock()
	s.dlv, s.events, s.eventByID, s.eventSeq = nil, nil, map[string]*event{}, 0
	s.dmu.Unlock()
}

// ---- HTTP ----

type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Summary string `json:"summary,omitempty"`
}

func (s *Server) fail(w http.ResponseWriter, status int, code, msg, summary string) {
	leadkittest.WriteJSON(w, status, "", apiError{Code: code, Message: msg, Summary: summary})
}

func (s *Server) notFound(w http.ResponseWriter, what string) {
	if !s.opts.Tidy {
		w.WriteHeader(http.StatusNotFound) // Zenvia's 404 often has no body
		return
	}
	s.fail(w, http.StatusNotFound, "NOT_FOUND", what+" not found", "NotFoundError")
}

// answer writes out with 200 when found, else the 404 for what.
func (s *Server) answer(w http.ResponseWriter, what string, found bool, out any) {
	if !found {
		s.notFound(w, what)
		return
	}
	s.ok(w, http.StatusOK, out)
}

func (s *Server) invalid(w http.ResponseWriter, msg string) {
	s.fail(w, http.StatusBadRequest, "UNEXPECTED_ERROR", msg, "ValidationError")
}

func (s *Server) ok(w http.ResponseWriter, status int, v any) {
	leadkittest.WriteJSON(w, status, "", v)
}

func (s *Server) authorized(r *http.Request) bool {
	k := r.URL.Query().Get("api-key")
	if k == "" {
		k = r.Header.Get("x-api-key")
	}
	return k != "" && k == s.opts.APIKey
}

func (s *Server) methodNotAllowed(w http.ResponseWriter) {
	s.fail(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed", "")
}

// categories is GET /leads/categories.
func (s *Server) categories(w http.ResponseWriter, _ *http.Request) {
	var out []map[string]any
	for _, ind := range []string{"retail", "insurance", "vehicle", "savingPlan", "realEstate"} {
		for i, name := range []string{"Default", "Premium"} {
			out = append(out, map[string]any{"id": fmt.Sprintf("%s-%d", ind, i), "name": name, "industry": ind, "default": i == 0})
		}
	}
	s.ok(w, http.StatusOK, out)
}

// defaults is GET /leads/defaults.
func (s *Server) defaults(w http.ResponseWriter, _ *http.Request) {
	s.ok(w, http.StatusOK, map[string]any{"currency": "BRL", "distance": "km"})
}

// listGroups is GET /groups: the tree.
func (s *Server) listGroups(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := make([]any, len(s.st.groups))
	for i, g := range s.st.groups {
		out[i] = groupJSON(g)
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// getGroup is GET /group/{id}.
func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g := s.st.groupByID[r.PathValue("id")]
	var out any
	if g != nil {
		out = groupNodeJSON(g)
	}
	s.mu.Unlock()
	s.answer(w, "Group", g != nil, out)
}

// topics is GET /notifications/topics.
func (s *Server) topics(w http.ResponseWriter, _ *http.Request) {
	s.ok(w, http.StatusOK, []map[string]string{
		{"name": "prospects", "description": "A prospect was created or changed"},
		{"name": "interactions", "description": "An interaction was created or changed"},
		{"name": "quotes", "description": "A quote was created or changed"},
		{"name": "agents", "description": "An agent was created or changed"},
	})
}

// listSubscriptions is GET /notifications/subscriptions.
func (s *Server) listSubscriptions(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := append([]*subscription{}, s.st.subs...)
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// unsubscribeAll is DELETE /notifications/subscriptions.
func (s *Server) unsubscribeAll(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	n := len(s.st.subs)
	s.st.subs = nil
	s.mu.Unlock()
	s.ok(w, http.StatusOK, map[string]int{"modified": n})
}

// getSubscription is GET /notifications/subscription/{id}.
func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	var found *subscription
	for _, sub := range s.st.subs {
		if sub.ID == id {
			cp := *sub
			found = &cp
		}
	}
	s.mu.Unlock()
	s.answer(w, "Subscription", found != nil, found)
}

// ---- JSON shapes ----

func (s *Server) agentJSON(a *agent) map[string]any {
	m := map[string]any{"id": a.ID, "firstName": a.FirstName, "lastName": a.LastName, "email": a.Email,
		"phone": a.Phone, "legacyId": a.LegacyID, "externalId": map[string]any{"crm": "ext-" + a.ID[len(a.ID)-6:]},
		"appFields": map[string]any{}}
	if !s.opts.Tidy {
		n, _ := strconv.ParseInt(a.Phone, 10, 64)
		m["phone"] = n // Zenvia sends some phones as numbers
		m["appFields"] = nil
	}
	return m
}

func groupJSON(g *group) map[string]any {
	kids := make([]any, len(g.Children))
	for i, c := range g.Children {
		kids[i] = groupJSON(c)
	}
	return map[string]any{"id": g.ID, "name": g.Name, "children": kids}
}

// groupNodeJSON is GET /group/{id}: the spec's GroupNode, {id, displayName,
// name, parent, ancestors, descendants, type, timezone, countryCode}.
func groupNodeJSON(g *group) map[string]any {
	var parent any
	var ancestors []string
	for a := g.parent; a != nil; a = a.parent {
		ancestors = append([]string{a.ID}, ancestors...)
	}
	if g.parent != nil {
		parent = g.parent.ID
	}
	descendants := []string{}
	var walk func(*group)
	walk = func(x *group) {
		for _, c := range x.Children {
			descendants = append(descendants, c.ID)
			walk(c)
		}
	}
	walk(g)
	typ, tz, cc := []string{"sales"}, "America/Sao_Paulo", "BR"
	switch {
	case strings.Contains(g.Name, "Buenos Aires"):
		tz, cc = "America/Argentina/Buenos_Aires", "AR"
	case strings.Contains(g.Name, "México"):
		tz, cc = "America/Mexico_City", "MX"
	}
	if ancestors == nil {
		ancestors = []string{}
	}
	return map[string]any{"id": g.ID, "displayName": g.Name, "name": g.Name, "parent": parent,
		"ancestors": ancestors, "descendants": descendants, "type": typ, "timezone": tz, "countryCode": cc}
}

const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func jsTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// prospectJSON is a snapshot of p taken under s.mu: it owns its collections,
// so it can be encoded after the lock is released while another request
// changes p (UpdateAdditionalData writes p.AdditionalData in place).
func (s *Server) prospectJSON(p *prospect) map[string]any {
	st := s.st
	g := st.groupByID[p.GroupID]
	gname := ""
	if g != nil {
		gname = g.Name
	}
	leads := make([]any, len(p.Leads))
	for i, l := range p.Leads {
		var prio any = l.Priority
		if !s.opts.Tidy {
			prio = strconv.FormatFloat(l.Priority, 'f', -1, 64) // sent as a string by the live API
		}
		lm := map[string]any{"priority": prio, "created": jsTime(l.Created), "createdBy": "API", "source": l.Source,
			"utmSource": l.UTMSource, "comments": l.Comments, "company": l.Company, "store": l.Store, "agent": l.Agent, "type": l.Type}
		if l.Product != nil {
			lm["product"] = l.Product
		}
		leads[i] = lm
	}
	var ag any
	if a := st.agentByID[p.AgentID]; a != nil {
		ag = s.agentJSON(a)
	}
	m := map[string]any{
		"id": p.ID, "created": jsTime(p.Created), "account": "Sandbox", "accountId": "000000000000000000000001",
		"group": gname, "groupId": p.GroupID, "initialGroup": gname, "initialGroupId": p.GroupID,
		"absenceMessage": false, "sentWorkingHourMessage": p.AgentID != "", "facebookDueAt": nil, "instagramDueAt": nil, "whatsAppDueAt": nil,
		"firstName": p.FirstName, "lastName": p.LastName, "category": p.Category, "status": p.Status, "archivingReason": nilIfEmpty(p.ArchivingReason), "label": nilIfEmpty(p.Label),
		"phones": nonNil(slices.Clone(p.Phones)), "emails": nonNil(slices.Clone(p.Emails)), "nin": p.NIN, "leads": leads, "agent": ag,
		"assigned": jsTime(p.Assigned), "merged": p.Merged, "userMade": false, "additionalData": maps.Clone(p.AdditionalData),
	}
	if s.opts.Tidy {
		if p.NIN == nil {
			m["nin"] = []nin{}
		}
	} else {
		if len(p.Emails) == 0 {
			m["emails"] = nil
		}
		if len(p.AdditionalData) == 0 {
			m["additionalData"] = nil
		}
	}
	return m
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (s *Server) interactionJSON(in *interaction) map[string]any {
	m := map[string]any{"id": in.ID, "agentId": in.AgentID, "bot": in.Bot, "prospectId": in.ProspectID,
		"createdAt": jsTime(in.CreatedAt), "dueAt": nil, "startedAt": nil, "finishedAt": nil,
		"status": in.Status, "proactive": in.Proactive, "via": in.Via, "output": nil}
	if in.AgentID == "" {
		m["agentId"] = nil
	}
	if in.Type == "note" {
		// As the live API writes a note.
		m["output"], m["via"] = map[string]any{"comment": in.Content}, "other"
	} else if in.Output != nil {
		m["output"] = in.Output // never changed once recorded
	}
	if a := s.st.agentByID[in.AgentID]; a != nil {
		m["agent"] = s.agentJSON(a)
	}
	return m
}

// ---- leads ----

type leadIn struct {
	Priority    json.RawMessage  `json:"priority"`
	UTMSource   string           `json:"utmSource"`
	FirstName   string           `json:"firstName"`
	LastName    string           `json:"lastName"`
	Phones      []string         `json:"phones"`
	Emails      []string         `json:"emails"`
	Category    string           `json:"category"`
	NIN         []nin            `json:"nin"`
	Comments    string           `json:"comments"`
	Company     string           `json:"company"`
	Store       string           `json:"store"`
	Agent       string           `json:"agent"`
	History     []map[string]any `json:"history"`
	Product     map[string]any   `json:"product"`
	LeadID      json.RawMessage  `json:"leadId"`
	Source      json.RawMessage  `json:"source"`
	Medium      json.RawMessage  `json:"medium"`
	Campaign    json.RawMessage  `json:"campaign"`
	UTMMedium   string           `json:"utmMedium"`
	UTMCampaign string           `json:"utmCampaign"`
}

// ninTypes are the NIN types of the spec's enumeration, the only ones a
// lead may send.
var ninTypes = []string{"CUIT", "CUIL", "DNI", "CPF", "RUN", "RUT", "CURP", "RFC", "IMSS", "DNIC", "RUC", "CE"}

// productEnums are the enumerations of the spec's products, by LeadData
// type and field.
var productEnums = map[string]map[string][]string{
	"realEstate": {"type": {"residential", "commercial", "industrial", "land"}},
	"vehicle": {"condition": {"used", "new"},
		"fuelType": {"gasoline", "diesel", "flex", "hybrid", "electric", "hydrogen", "naturalGas", "propane"}},
	"savingPlan": {"goodType": {"vehicle", "property", "loan", "other"}, "condition": {"used", "new"}},
}

// checkProduct checks a lead's product of type typ as the spec types it:
// its enumerations, a price (MoneyAmount: amount a number, required) and a
// saving plan's estimates (MoneyAmountEstimate: upperEstimate a number,
// required; lowerEstimate a number). The message is "" for a valid one.
func checkProduct(typ string, p map[string]any) string {
	for field, values := range productEnums[typ] {
		if v, ok := p[field]; ok && v != nil {
			if s, isStr := v.(string); !isStr || !slices.Contains(values, s) {
				return "product." + field + " must be one of " + strings.Join(values, ", ")
			}
		}
	}
	money := [][3]string{{"price", "amount", ""}}
	if typ == "savingPlan" {
		money = append(money, [3]string{"monthlyPaymentsEstimate", "upperEstimate", "lowerEstimate"},
			[3]string{"creditAmountEstimate", "upperEstimate", "lowerEstimate"})
	}
	for _, m := range money {
		v, ok := p[m[0]]
		if !ok || v == nil {
			continue
		}
		o, isObj := v.(map[string]any)
		if !isObj {
			return "product." + m[0] + " must be an object"
		}
		if _, isNum := o[m[1]].(float64); !isNum {
			return "product." + m[0] + "." + m[1] + " is required and must be a number"
		}
		if x, set := o[m[2]]; m[2] != "" && set && x != nil {
			if _, isNum := x.(float64); !isNum {
				return "product." + m[0] + "." + m[2] + " must be a number"
			}
		}
	}
	return ""
}

// createLead is POST /lead/{industry} (and /v2/leads/{industry}).
func (s *Server) createLead(w http.ResponseWriter, r *http.Request) {
	typ, ok := industryType[r.PathValue("industry")]
	if !ok {
		s.notFound(w, "Industry")
		return
	}
	in, msg := decodeLead(r, typ)
	if msg != "" {
		s.invalid(w, msg)
		return
	}
	s.mu.Lock()
	isNew, ia, body, event := s.takeLead(&in, typ, s.opts.Now().UTC())
	s.mu.Unlock()

	s.deliver("prospects", event)
	if s.opts.Async {
		s.ok(w, http.StatusAccepted, map[string]any{"id": ia.ID, "status": "accepted"})
		return
	}
	status := http.StatusOK
	if isNew && s.opts.Tidy {
		status = http.StatusCreated
	}
	s.ok(w, status, body)
}

// takeLead merges a lead of type typ into its prospect (a new one when
// none shares a phone or an e-mail) with its pending interaction, and
// returns them as the create answers them and as the event to deliver
// (s.mu held).
func (s *Server) takeLead(in *leadIn, typ string, now time.Time) (isNew bool, ia *interaction, body, event map[string]any) {
	p, isNew := s.st.mergeLead(in, now)
	p.Leads = append(p.Leads, leadData{Priority: in.priority(), Created: now, Source: "API", UTMSource: in.UTMSource,
		Comments: in.Comments, Company: in.Company, Store: in.Store, Agent: in.Agent, Type: typ, Product: in.Product})
	ia = &interaction{ID: s.st.newID(now), ProspectID: p.ID, AgentID: p.AgentID, CreatedAt: now, Status: "pending", Via: "lead"}
	s.st.interactions[p.ID] = append(s.st.interactions[p.ID], ia)
	body = s.prospectJSON(p)
	body["interactions"] = []any{s.interactionJSON(ia)}
	return isNew, ia, body, s.prospectJSON(p)
}

// decodeLead reads and checks a lead as Zenvia does; the message is "" for
// a valid one.
func decodeLead(r *http.Request, typ string) (leadIn, string) {
	var in leadIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return in, "body is not a valid lead: " + err.Error()
	}
	if in.LeadID != nil || in.Source != nil || in.Medium != nil || in.Campaign != nil {
		return in, "deprecated fields leadId, source, medium and campaign are not accepted by the sandbox"
	}
	if strings.TrimSpace(in.UTMSource) == "" {
		return in, "utmSource is required"
	}
	if len(in.Phones) == 0 && len(in.Emails) == 0 {
		return in, "a lead needs a phone or an email"
	}
	if len(in.Priority) > 0 && string(in.Priority) != "null" {
		var n float64
		if err := json.Unmarshal(in.Priority, &n); err != nil {
			return in, "priority must be a number"
		}
	}
	if msg := checkProduct(typ, in.Product); msg != "" {
		return in, msg
	}
	for i, n := range in.NIN {
		if !slices.Contains(ninTypes, n.Type) {
			return in, fmt.Sprintf("nin[%d].type must be one of %s", i, strings.Join(ninTypes, ", "))
		}
	}
	for i, h := range in.History {
		if msg := checkEvent(fmt.Sprintf("history[%d]", i), h); msg != "" {
			return in, msg
		}
	}
	return in, ""
}

// priority is the lead's priority (a number or a string), 1 by default.
func (in *leadIn) priority() float64 {
	if len(in.Priority) > 0 {
		if n, err := strconv.ParseFloat(strings.Trim(string(in.Priority), `"`), 64); err == nil {
			return n
		}
	}
	return 1
}

// mergeLead returns the prospect a lead with in's phones and e-mails
// merges into, created (assigned to the next agent in turn) when none
// shares one, with in's phones and e-mails added and indexed.
func (st *state) mergeLead(in *leadIn, now time.Time) (p *prospect, isNew bool) {
	p = st.match(in.Phones, in.Emails)
	isNew = p == nil
	if isNew {
		g := st.leafGroups[st.nextAgent%len(st.leafGroups)]
		p = &prospect{ID: st.newID(now), Created: now, GroupID: g.ID, FirstName: in.FirstName, LastName: in.LastName,
			Category: in.Category, Status: "new", NIN: in.NIN, AdditionalData: map[string]any{}}
		if p.Category == "" {
			p.Category = "Default"
		}
		ags := st.agentsOf(g.ID, true)
		a := ags[(st.nextAgent/len(st.leafGroups))%len(ags)]
		st.nextAgent++
		p.AgentID, p.Assigned = a.ID, now
	} else {
		p.Merged = true
		if p.FirstName == "" {
			p.FirstName = in.FirstName
		}
		if p.LastName == "" {
			p.LastName = in.LastName
		}
		if p.Status == "archived" {
			p.Status = "new"
		}
	}
	for _, ph := range in.Phones {
		if !contains(p.Phones, ph, transport.Digits) {
			p.Phones = append(p.Phones, ph)
		}
	}
	for _, e := range in.Emails {
		if !contains(p.Emails, e, emailKey) {
			p.Emails = append(p.Emails, e)
		}
	}
	if isNew {
		st.insert(p)
	} else {
		st.index(p)
	}
	return p, isNew
}

// ---- prospects ----

func parseTimeParam(v string) (time.Time, error) {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date", v)
}

// listProspects is GET /prospects.
func (s *Server) listProspects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := s.limit(w, q)
	if !ok {
		return
	}
	f, msg := parseProspectFilter(q, s.opts.Now())
	if msg != "" {
		s.invalid(w, msg)
		return
	}
	s.mu.Lock()
	ps := s.st.prospects
	page := make([]any, 0, min(limit, 100))
	// Newest first, as Zenvia answers: before=<id> and after=<id> keep the
	// prospects created before or after that one (exclusive).
	hi, lo := len(ps)-1, 0
	if c := q.Get("before"); c != "" {
		hi = sort.Search(len(ps), func(i int) bool { return ps[i].ID >= c }) - 1
	}
	if c := q.Get("after"); c != "" {
		lo = sort.Search(len(ps), func(i int) bool { return ps[i].ID > c })
	}
	for i := hi; i >= lo && len(page) < limit; i-- {
		if f.keep(ps[i]) {
			page = append(page, s.prospectJSON(ps[i]))
		}
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, page)
}

// prospectFilter holds the filters of GET /prospects.
type prospectFilter struct {
	q             url.Values
	after, before time.Time            // created
	times         map[string]time.Time // claimedAfter, claimedBefore, transferredAfter, transferredBefore
	search, phone string
	ads           []adFilter
}

// adFilter is one additionalData[] filter: FIELD, OPERATOR and VALUE
// written together, as the spec's examples send them ("finance=1",
// "birthdate<01/01/2000", "style~blue").
type adFilter struct{ field, op, value string }

// parseProspectFilter reads the filters of q; the message is "" when they
// are valid.
func parseProspectFilter(q url.Values, now time.Time) (*prospectFilter, string) {
	f := &prospectFilter{q: q, times: map[string]time.Time{}, search: strings.ToLower(q.Get("search")),
		phone: transport.Digits(q.Get("phoneNumber"))}
	for _, k := range []string{"createdAfter", "createdBefore", "claimedAfter", "claimedBefore", "transferredAfter", "transferredBefore"} {
		if v := q.Get(k); v != "" {
			t, err := parseTimeParam(v)
			if err != nil {
				return nil, k + ": " + err.Error()
			}
			f.times[k] = t
		}
	}
	f.after, f.before = f.times["createdAfter"], f.times["createdBefore"]
	if !f.after.IsZero() {
		end := f.before
		if end.IsZero() {
			end = now
		}
		if end.Sub(f.after) > 31*24*time.Hour {
			return nil, "the createdAfter to createdBefore range must not exceed 31 days"
		}
	}
	if v := q.Get("withAgent"); v != "" && v != "true" && v != "false" {
		return nil, "withAgent must be true or false"
	}
	if q.Get("phoneNumber") != "" && f.phone == "" {
		return nil, "phoneNumber has no digits"
	}
	for _, v := range q["additionalData[]"] {
		a, ok := parseAdFilter(v)
		if !ok {
			return nil, "additionalData[] must be FIELD, OPERATOR (= >= > <= < ~) and VALUE written together, as finance=1, got " + strconv.Quote(v)
		}
		f.ads = append(f.ads, a)
	}
	return f, ""
}

// inRange reports whether t is inside the range of the after and before
// parameters (a zero t is outside any range).
func (f *prospectFilter) inRange(t time.Time, after, before string) bool {
	if a, ok := f.times[after]; ok && (t.IsZero() || !t.After(a)) {
		return false
	}
	if b, ok := f.times[before]; ok && (t.IsZero() || !t.Before(b)) {
		return false
	}
	return true
}

// keep reports whether p passes every filter.
func (f *prospectFilter) keep(p *prospect) bool {
	q := f.q
	for k, v := range map[string]string{"category": p.Category, "status": p.Status, "agent": p.AgentID, "group": p.GroupID} {
		if want := q.Get(k); want != "" && v != want {
			return false
		}
	}
	if v := q.Get("withAgent"); v != "" && (p.AgentID != "") != (v == "true") {
		return false
	}
	if !f.inRange(p.Created, "createdAfter", "createdBefore") || !f.inRange(p.Assigned, "claimedAfter", "claimedBefore") ||
		!f.inRange(p.Transferred, "transferredAfter", "transferredBefore") {
		return false
	}
	for _, a := range f.ads {
		if !matchAdditional(p.AdditionalData[a.field], a.op, a.value) {
			return false
		}
	}
	return f.matchesText(p)
}

// matchesText applies phoneNumber (a suffix of a phone's digits, either
// way) and search (a name, an e-mail or a phone, also by digits).
func (f *prospectFilter) matchesText(p *prospect) bool {
	if f.phone != "" && !containsFunc(p.Phones, func(x string) bool {
		return strings.HasSuffix(transport.Digits(x), f.phone) || strings.HasSuffix(f.phone, transport.Digits(x))
	}) {
		return false
	}
	if f.search == "" {
		return true
	}
	hay := strings.ToLower(p.FirstName + " " + p.LastName + " " + strings.Join(p.Emails, " ") + " " + strings.Join(p.Phones, " "))
	d := transport.Digits(f.search)
	return strings.Contains(hay, f.search) || (d != "" && strings.Contains(transport.Digits(strings.Join(p.Phones, " ")), d))
}

func containsFunc(xs []string, f func(string) bool) bool {
	for _, x := range xs {
		if f(x) {
			return true
		}
	}
	return false
}

// getProspect is GET /prospect/{id}.
func (s *Server) getProspect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.st.byID[r.PathValue("id")]
	var out map[string]any
	if p != nil {
		out = s.prospectJSON(p)
	}
	s.mu.Unlock()
	s.answer(w, "Prospect", p != nil, out)
}

// updateProspect is PATCH /prospect/{id}.
func (s *Server) updateProspect(w http.ResponseWriter, r *http.Request) {
	// The real body: {archivingReason, firstName, lastName, phone, email,
	// label}; a phone and an e-mail are added. Anything else (the phones,
	// emails, status or additionalData a client might send) is refused, so
	// a test meets the mistake the real API would not report.
	var in struct {
		ArchivingReason *string `json:"archivingReason"`
		FirstName       *string `json:"firstName"`
		LastName        *string `json:"lastName"`
		Phone           *string `json:"phone"`
		Email           *string `json:"email"`
		Label           *string `json:"label"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.invalid(w, "the body takes archivingReason, firstName, lastName, phone, email and label: "+err.Error())
		return
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.FirstName, in.FirstName)
	set(&p.LastName, in.LastName)
	set(&p.Label, in.Label)
	set(&p.ArchivingReason, in.ArchivingReason)
	if in.Phone != nil || in.Email != nil {
		s.st.unindex(p)
		if in.Phone != nil && !contains(p.Phones, *in.Phone, transport.Digits) {
			p.Phones = append(p.Phones, *in.Phone)
		}
		if in.Email != nil && !contains(p.Emails, *in.Email, emailKey) {
			p.Emails = append(p.Emails, *in.Email)
		}
		s.st.index(p)
	}
	out := s.prospectJSON(p)
	s.mu.Unlock()
	s.deliver("prospects", out)
	s.ok(w, http.StatusOK, out)
}

// updateAdditionalData is PATCH /prospect/{id}/additionalData.
func (s *Server) updateAdditionalData(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in) == 0 {
		s.invalid(w, "the body is a flat object of additional data")
		return
	}
	for k, v := range in {
		if strings.TrimSpace(k) == "" {
			s.invalid(w, "additionalData has an empty key")
			return
		}
		switch v.(type) {
		case map[string]any, []any:
			s.invalid(w, "additionalData."+k+" must be a plain value")
			return
		}
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	for k, v := range in {
		p.AdditionalData[k] = v
	}
	out := s.prospectJSON(p)
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// deleteProspect is DELETE /prospect/{id}.
func (s *Server) deleteProspect(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p := s.st.byID[r.PathValue("id")]
	var out map[string]any
	if p != nil {
		out = s.prospectJSON(p)
		s.st.remove(p)
	}
	s.mu.Unlock()
	s.answer(w, "Prospect", p != nil, out) // the deleted prospect, as Zenvia answers
}

// transfer is POST /prospect/{id}/transfer and /as-user/transfer.
func (s *Server) transfer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Group string `json:"group"`
		User  string `json:"user"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || (in.Group == "") == (in.User == "") {
		s.invalid(w, "transfer needs exactly one of group and user")
		return
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	now := s.opts.Now().UTC()
	if in.Group != "" {
		g := s.st.groupByID[in.Group]
		if g == nil {
			s.mu.Unlock()
			s.invalid(w, "group "+in.Group+" does not exist")
			return
		}
		p.GroupID, p.AgentID, p.Assigned, p.Status = g.ID, "", time.Time{}, "unclaimed"
		p.Transferred = now
	} else {
		a := s.st.agentByID[in.User]
		if a == nil {
			s.mu.Unlock()
			s.invalid(w, "user "+in.User+" does not exist")
			return
		}
		p.GroupID, p.AgentID, p.Assigned, p.Transferred = a.GroupID, a.ID, now, now
		if p.Status == "unclaimed" {
			p.Status = "new"
		}
	}
	out := s.prospectJSON(p)
	s.mu.Unlock()
	s.deliver("prospects", out)
	s.ok(w, http.StatusOK, out)
}

// listInteractions is GET /prospect/{id}/interactions.
func (s *Server) listInteractions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	keep, ok := s.interactionFilter(w, r.URL.Query())
	if !ok {
		return
	}
	s.mu.Lock()
	p := s.st.byID[id]
	var out []any
	if p != nil {
		out = []any{}
		for _, in := range s.st.interactions[id] {
			if keep(in) {
				out = append(out, s.interactionJSON(in))
			}
		}
	}
	s.mu.Unlock()
	s.answer(w, "Prospect", p != nil, out)
}

// interactionFilter reads status, createdAfter, createdBefore, via (or
// via[]) and agent; false when it answered a bad parameter.
func (s *Server) interactionFilter(w http.ResponseWriter, q url.Values) (func(*interaction) bool, bool) {
	var after, before time.Time
	var err error
	if v := q.Get("createdAfter"); v != "" {
		if after, err = parseTimeParam(v); err != nil {
			s.invalid(w, "createdAfter: "+err.Error())
			return nil, false
		}
	}
	if v := q.Get("createdBefore"); v != "" {
		if before, err = parseTimeParam(v); err != nil {
			s.invalid(w, "createdBefore: "+err.Error())
			return nil, false
		}
	}
	// The spec names the filter via (an array): via=a&via=b and via[]=a
	// both reach the API as one list.
	status, agent, vias := q.Get("status"), q.Get("agent"), append(slices.Clone(q["via"]), q["via[]"]...)
	return func(in *interaction) bool {
		switch {
		case status != "" && in.Status != status, agent != "" && in.AgentID != agent:
			return false
		case !after.IsZero() && !in.CreatedAt.After(after), !before.IsZero() && !in.CreatedAt.Before(before):
			return false
		case len(vias) > 0 && !slices.Contains(vias, in.Via):
			return false
		}
		return true
	}, true
}

// accountInteractions is GET /prospects/interactions: every prospect's
// interactions, newest first, with before/after/limit and the filters.
func (s *Server) accountInteractions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := s.limit(w, q)
	if !ok {
		return
	}
	keep, ok := s.interactionFilter(w, q)
	if !ok {
		return
	}
	before, after := q.Get("before"), q.Get("after")
	s.mu.Lock()
	var all []*interaction
	for _, ins := range s.st.interactions {
		all = append(all, ins...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID > all[j].ID })
	out := []any{}
	for _, in := range all {
		if len(out) == limit {
			break
		}
		if (before != "" && in.ID >= before) || (after != "" && in.ID <= after) || !keep(in) {
			continue
		}
		out = append(out, s.interactionJSON(in))
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// getInteraction is GET /prospect/{id}/interaction/{iid}.
func (s *Server) getInteraction(w http.ResponseWriter, r *http.Request) {
	s.changeInteraction(w, r, nil)
}

// updateInteraction is PUT /prospect/{id}/interaction/{iid}, with the
// spec's UpdateEvent: type (required) message {delivered, status, error} or
// question {answer, delivered, cancelReason}; anything else is refused. It
// changes the status (a message's).
func (s *Server) updateInteraction(w http.ResponseWriter, r *http.Request) {
	var upd struct {
		Type         string          `json:"type"`
		Delivered    *bool           `json:"delivered"`
		Status       *string         `json:"status"`
		Error        json.RawMessage `json:"error"`
		Answer       *string         `json:"answer"`
		CancelReason *string         `json:"cancelReason"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&upd); err != nil {
		s.invalid(w, "the body is an UpdateEvent {type, delivered, status, error} or {type, answer, delivered, cancelReason}: "+err.Error())
		return
	}
	switch {
	case upd.Type != "message" && upd.Type != "question":
		s.invalid(w, "type is required: message or question")
		return
	case upd.Type == "message" && (upd.Answer != nil || upd.CancelReason != nil):
		s.invalid(w, "answer and cancelReason are fields of a question update")
		return
	case upd.Type == "question" && (upd.Status != nil || upd.Error != nil):
		s.invalid(w, "status and error are fields of a message update")
		return
	case upd.Status != nil && !slices.Contains([]string{"pending", "sent", "received", "read", "failed", "deleted"}, *upd.Status):
		s.invalid(w, "status must be one of pending, sent, received, read, failed, deleted")
		return
	case len(upd.Error) > 0 && string(upd.Error) != "null" && upd.Error[0] != '{':
		s.invalid(w, "error must be an object")
		return
	}
	change := map[string]any{}
	if upd.Status != nil {
		change["status"] = *upd.Status
	}
	s.changeInteraction(w, r, change)
}

// changeInteraction applies upd (nil: nothing) to the interaction of the
// path and answers it.
func (s *Server) changeInteraction(w http.ResponseWriter, r *http.Request, upd map[string]any) {
	id, iid := r.PathValue("id"), r.PathValue("iid")
	s.mu.Lock()
	var found *interaction
	for _, in := range s.st.interactions[id] {
		if in.ID == iid {
			found = in
		}
	}
	var out map[string]any
	if found != nil {
		if v, ok := upd["status"].(string); ok {
			found.Status = v
		}
		out = s.interactionJSON(found)
	}
	s.mu.Unlock()
	s.answer(w, "Interaction", found != nil, out)
}

// asUserArchive is POST /prospect/{id}/as-user/archive.
func (s *Server) asUserArchive(w http.ResponseWriter, r *http.Request) { s.asUserSet(w, r, "archive") }

// asUserLabel is POST /prospect/{id}/as-user/label.
func (s *Server) asUserLabel(w http.ResponseWriter, r *http.Request) { s.asUserSet(w, r, "label") }

// labels is GET /as-user/labels: {key, name} items ("ProspectLabel").
func (s *Server) labels(w http.ResponseWriter, _ *http.Request) {
	s.ok(w, http.StatusOK, keyNames("key", asUserLabels))
}

// archivingReasons is GET /as-user/archiving-reasons: {reason, name} items
// ("ArchivingReason").
func (s *Server) archivingReasons(w http.ResponseWriter, _ *http.Request) {
	s.ok(w, http.StatusOK, keyNames("reason", archivingReasons))
}

// keyNames writes pairs as the spec's items: the key under k, and "name".
func keyNames(k string, pairs [][2]string) []map[string]string {
	out := make([]map[string]string, len(pairs))
	for i, p := range pairs {
		out[i] = map[string]string{k: p[0], "name": p[1]}
	}
	return out
}

// keysOf are the keys of pairs.
func keysOf(pairs [][2]string) []string {
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0]
	}
	return out
}

// asUserSet sets the archiving reason or the label (what) of the prospect
// of the path.
func (s *Server) asUserSet(w http.ResponseWriter, r *http.Request, what string) {
	var in map[string]string
	_ = json.NewDecoder(r.Body).Decode(&in)
	key, allowed := "archivingReason", keysOf(archivingReasons)
	if what == "label" {
		key, allowed = "label", keysOf(asUserLabels)
	}
	v := in[key]
	if !slices.Contains(allowed, v) {
		s.invalid(w, key+" must be one of "+strings.Join(allowed, ", "))
		return
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	if what == "label" {
		p.Label = v
	} else {
		p.ArchivingReason, p.Status = v, "archived"
	}
	out := s.prospectJSON(p)
	s.mu.Unlock()
	s.deliver("prospects", out)
	s.ok(w, http.StatusOK, out)
}

// agentIsWorking is GET /agents/{id}/is-working.
func (s *Server) agentIsWorking(w http.ResponseWriter, r *http.Request) {
	s.isWorking(w, "agents", r.PathValue("id"))
}

// groupIsWorking is GET /groups/{id}/is-working.
func (s *Server) groupIsWorking(w http.ResponseWriter, r *http.Request) {
	s.isWorking(w, "groups", r.PathValue("id"))
}

// isWorking answers whether an agent or a group works now: the sandbox's
// office hours are 08:00 to 20:00 UTC-3 on weekdays; an inactive agent is
// never working.
func (s *Server) isWorking(w http.ResponseWriter, kind, id string) {
	s.mu.Lock()
	exists, active := false, true
	if kind == "agents" {
		if a := s.st.agentByID[id]; a != nil {
			exists, active = true, a.Active
		}
	} else {
		exists = s.st.groupByID[id] != nil
	}
	s.mu.Unlock()
	if !exists {
		s.notFound(w, strings.TrimSuffix(strings.ToUpper(kind[:1])+kind[1:], "s"))
		return
	}
	now := s.opts.Now().In(time.FixedZone("-03", -3*3600))
	hours := now.Weekday() != time.Saturday && now.Weekday() != time.Sunday && now.Hour() >= 8 && now.Hour() < 20
	s.ok(w, http.StatusOK, map[string]bool{"isWorking": active && hours})
}

// agentResponseTime is POST /agents/{id}/response-time.
func (s *Server) agentResponseTime(w http.ResponseWriter, r *http.Request) {
	s.responseTime(w, "agents", r.PathValue("id"))
}

// groupResponseTime is POST /groups/{id}/response-time.
func (s *Server) groupResponseTime(w http.ResponseWriter, r *http.Request) {
	s.responseTime(w, "groups", r.PathValue("id"))
}

// responseTime answers an agent's or a group's average first-response time
// over its interactions.
func (s *Server) responseTime(w http.ResponseWriter, kind, id string) {
	s.mu.Lock()
	exists := (kind == "agents" && s.st.agentByID[id] != nil) || (kind == "groups" && s.st.groupByID[id] != nil)
	s.mu.Unlock()
	if !exists {
		s.notFound(w, "Resource")
		return
	}
	s.ok(w, http.StatusOK, map[string]any{"id": id, "averageSeconds": 540})
}

// The sandbox's as-user labels and archiving reasons: the key the API
// takes, and the name a person reads.
var (
	asUserLabels     = [][2]string{{"hot", "Quente"}, {"warm", "Morno"}, {"cold", "Frio"}}
	archivingReasons = [][2]string{{"notInterested", "Sem interesse"}, {"noContact", "Sem contato"},
		{"boughtElsewhere", "Comprou com outro"}, {"duplicated", "Duplicado"}, {"converted", "Venda"}}
)

// addInteraction is POST /prospect/{id}/interactions: a NewEvent, a note
// (with its text), a call, a message or a question. It answers a list, as
// the live API does.
func (s *Server) addInteraction(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.invalid(w, `an interaction is an event such as {"type":"note","content":"..."}`)
		return
	}
	if msg := checkEvent("event", in); msg != "" {
		s.invalid(w, msg)
		return
	}
	text, _ := in["content"].(string)
	if in["type"] == "note" && strings.TrimSpace(text) == "" {
		s.invalid(w, `a note needs content: {"type":"note","content":"..."}`)
		return
	}
	p := s.lockProspect(w, id)
	if p == nil {
		return
	}
	now := s.opts.Now().UTC()
	ia := &interaction{ID: s.st.newID(now), ProspectID: id, AgentID: p.AgentID, CreatedAt: now, Status: "created", Via: "other"}
	switch in["type"] {
	case "note":
		ia.Type, ia.Content = "note", text
	case "call":
		ia.Via = "phoneCall"
	}
	if ia.Type != "note" {
		delete(in, "type")
		ia.Output = in // what the event recorded
	}
	s.st.interactions[id] = append(s.st.interactions[id], ia)
	out := s.interactionJSON(ia)
	s.mu.Unlock()
	s.deliver("interactions", out)
	s.ok(w, http.StatusCreated, []any{out})
}

// ---- agents and groups ----

// listAgents is GET /agents.
func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	gid := q.Get("group")
	if gid == "" {
		s.invalid(w, "group is required")
		return
	}
	var active *bool
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.invalid(w, "active must be true or false")
			return
		}
		active = &b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.groupByID[gid]
	if g == nil {
		s.notFound(w, "Group")
		return
	}
	out := []any{}
	for _, a := range s.st.agents {
		if !inGroup(s.st, a.GroupID, g) || (active != nil && a.Active != *active) {
			continue
		}
		out = append(out, s.agentJSON(a))
	}
	s.ok(w, http.StatusOK, out)
}

// inGroup reports whether group id is g or below it.
func inGroup(st *state, id string, g *group) bool {
	for x := st.groupByID[id]; x != nil; x = x.parent {
		if x == g {
			return true
		}
	}
	return false
}

// onlineAgents is GET /group/{id}/agents/online.
func (s *Server) onlineAgents(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.st.groupByID[r.PathValue("id")]
	if g == nil {
		s.notFound(w, "Group")
		return
	}
	out := []any{}
	for _, a := range s.st.agents {
		if a.Online && a.Active && inGroup(s.st, a.GroupID, g) {
			out = append(out, s.agentJSON(a))
		}
	}
	s.ok(w, http.StatusOK, map[string]any{"officeHours": true, "agents": out})
}

// ---- notifications ----

func loopback(u *url.URL) bool {
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// subscribe is POST /notifications/subscriptions.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	var in subscription
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.invalid(w, "body is not valid: "+err.Error())
		return
	}
	if len(in.Topics) == 0 {
		s.invalid(w, "topics is required")
		return
	}
	for _, t := range in.Topics {
		switch t {
		case "prospects", "interactions", "quotes", "agents":
		default:
			s.invalid(w, "unknown topic "+strconv.Quote(t))
			return
		}
	}
	u, err := url.Parse(in.CallbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		s.invalid(w, "callbackUrl must be an absolute http(s) URL")
		return
	}
	if !s.opts.AllowRemoteCallbacks && !loopback(u) {
		s.invalid(w, "the sandbox only delivers to loopback callback URLs (127.0.0.1, ::1, localhost)")
		return
	}
	s.mu.Lock()
	in.ID = s.st.newID(s.opts.Now())
	// One subscription per group (the sandbox's key is one group): a new
	// one deactivates the previous one (unless MaxSubscriptions allows more).
	s.st.subs = append(s.st.subs, &in)
	if limit := max(s.opts.MaxSubscriptions, 1); len(s.st.subs) > limit {
		s.st.subs = append([]*subscription(nil), s.st.subs[len(s.st.subs)-limit:]...)
	}
	s.mu.Unlock()
	s.ok(w, http.StatusCreated, in)
}

// unsubscribe is DELETE /notifications/subscription/{id}.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	var found *subscription
	for i, sub := range s.st.subs {
		if sub.ID == id {
			found = sub
			s.st.subs = append(s.st.subs[:i], s.st.subs[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	s.answer(w, "Subscription", found != nil, found) // the deleted subscription, as Zenvia answers
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// parseAdFilter splits an additionalData[] filter at its operator, the
// first of = >= > <= < ~; the field before it must not be empty. A field
// with square brackets is refused: "[FIELD][OPERATOR][VALUE]" in the spec
// names the parts, and "[finance][=][1]" would look for a field
// "[finance][" that no prospect has.
func parseAdFilter(v string) (adFilter, bool) {
	i := strings.IndexAny(v, "=<>~")
	if i <= 0 || strings.ContainsAny(v[:i], "[]") {
		return adFilter{}, false
	}
	op := v[i : i+1]
	if (op == ">" || op == "<") && strings.HasPrefix(v[i+1:], "=") {
		op = v[i : i+2]
	}
	return adFilter{field: v[:i], op: op, value: v[i+len(op):]}, true
}

// matchAdditional applies one additionalData filter to a value: numbers
// compare as numbers, "~" is a case-insensitive substring.
func matchAdditional(v any, op, want string) bool {
	if v == nil {
		return false
	}
	got := fmt.Sprint(v)
	if op == "~" {
		return strings.Contains(strings.ToLower(got), strings.ToLower(want))
	}
	gf, e1 := strconv.ParseFloat(got, 64)
	wf, e2 := strconv.ParseFloat(want, 64)
	if e1 != nil || e2 != nil {
		return op == "=" && got == want
	}
	switch op {
	case "=":
		return gf == wf
	case ">=":
		return gf >= wf
	case ">":
		return gf > wf
	case "<=":
		return gf <= wf
	}
	return gf < wf
}

// limit reads a list's limit (100 by default, 1 to 5000); false when it
// answered a bad one.
func (s *Server) limit(w http.ResponseWriter, q url.Values) (int, bool) {
	v := q.Get("limit")
	if v == "" {
		return 100, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 5000 {
		s.invalid(w, "limit must be between 1 and 5000")
		return 0, false
	}
	return n, true
}

// lockProspect takes s.mu and returns prospect id, or answers 404 and
// returns nil with s.mu released.
func (s *Server) lockProspect(w http.ResponseWriter, id string) *prospect {
	s.mu.Lock()
	p := s.st.byID[id]
	if p == nil {
		s.mu.Unlock()
		s.notFound(w, "Prospect")
	}
	return p
}
