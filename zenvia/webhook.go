package zenvia

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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
)

// Event is one webhook call from Zenvia, decoded. Zenvia does not document
// an envelope: the body is a prospect, an interaction, a quote or an agent
// object (or an object under "data", "prospect", "interaction", "quote" or
// "agent" next to a "topic"). The handler tells them apart by the topic,
// when known, and by their fields. Exactly one of Prospect, Interaction,
// Quote and Agent is set for those topics (a quote decoded as the quote
// operations decode it); for other topics only Raw is.
type Event struct {
	// Topic is "prospects", "interactions", "quotes", "agents", another
	// topic named by the envelope or the callback URL, or "" when it cannot
	// be told.
	Topic       string
	Prospect    *Prospect
	Interaction *Interaction
	Quote       *Quote
	Agent       *Agent
	// Raw is the body as received.
	Raw json.RawMessage
}

// Defaults of the webhook handler.
const (
	DefaultWebhookSecretParam = "secret"
	DefaultWebhookMaxBody     = 1 << 20
	DefaultDedupWindow        = 10 * time.Minute
	// dedupMaxEntries bounds the memory of the dedup window.
	dedupMaxEntries = 100_000
)

type webhookConfig struct {
	param   string
	maxBody int64
	window  time.Duration
	now     func() time.Time
	logger  *slog.Logger
	async   int // queue size of the asynchronous mode; 0: synchronous
}

// WithHandlerAsync makes the handler acknowledge a delivery at once (200
// "accepted") and run fn afterwards on one goroutine, with at most queue
// deliveries waiting; a full queue answers 503 with Retry-After, so Zenvia
// delivers again. Zenvia closes slow deliveries and sends them again,
// sometimes with stale payloads, so this mode suits an fn that is slow.
//
// It trades durability for latency: an event acknowledged is not delivered
// again, and until fn has run it lives only in this process's memory. If fn
// fails (returns an error or panics) it is logged and lost; a crash loses every event waiting. Call
// WebhookHandler.Shutdown before the process exits: it stops accepting,
// runs what is queued and hands back what it could not. Where no event may
// be lost, keep the synchronous mode (fn stores the event before the 200),
// or let fn only commit the event to a durable inbox (the relay module's
// intake, or a table of your own) and return. Every delivery may be stale:
// re-read the prospect before acting on it.
func WithHandlerAsync(queue int) HandlerOption {
	return func(c *webhookConfig) {
		if queue < 1 {
			queue = 1
		}
		c.async = queue
	}
}

// HandlerOption configures NewWebhookHandler.
type HandlerOption func(*webhookConfig)

// WithHandlerSecretParam names the callback URL's query parameter that carries the
// secret (default "secret"). A name that holds the secret itself is a
// misconfiguration: the handler answers 500 to every delivery.
func WithHandlerSecretParam(name string) HandlerOption {
	return func(c *webhookConfig) {
		if name != "" {
			c.param = name
		}
	}
}

// WithHandlerMaxBytes caps the body size (default 1 MiB); larger bodies are
// answered 413. Values <= 0 keep the default.
func WithHandlerMaxBytes(n int64) HandlerOption {
	return func(c *webhookConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithHandlerDedupWindow sets how long a delivery is remembered, so that the same
// event delivered again within the window is answered 200 without calling
// fn again (default 10 minutes; 0 or less turns deduplication off).
func WithHandlerDedupWindow(d time.Duration) HandlerOption {
	return func(c *webhookConfig) { c.window = max(d, 0) }
}

// WithHandlerClock replaces time.Now for the dedup window (for tests).
func WithHandlerClock(now func() time.Time) HandlerOption {
	return func(c *webhookConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithHandlerLogger reports every refused delivery (wrong secret, too
// large, unparseable, fn failed) as a warning. The secret and the URL's
// query are never logged.
func WithHandlerLogger(l *slog.Logger) HandlerOption {
	return func(c *webhookConfig) { c.logger = l }
}

// NewWebhookHandler returns an http.Handler for the callback URL of a
// Zenvia subscription (Notifications.Create). Zenvia does not sign its
// calls, so subscribe with a callback URL that carries a long random secret
// of your own, such as https://example.com/zenvia?secret=..., and pass the
// same secret here. The handler answers:
//
//   - 405 to anything but POST;
//   - 401 when the secret in the query does not match (compared in constant
//     time; an empty configured secret refuses every call);
//   - 413 when the body is larger than the cap (WithHandlerMaxBytes);
//   - 400 when the body is not a JSON object it can decode;
//   - 200 without calling fn for a duplicate of a delivery that fn handled
//     within the dedup window (WithHandlerDedupWindow);
//   - 503 with Retry-After for a duplicate that arrives while fn is still
//     handling the first delivery: an event counts as seen only once fn
//     succeeded, so if the first run fails, the redelivery is not lost;
//   - 500 only when fn returns an error (or panics), so that Zenvia
//     delivers again;
//   - 200 otherwise.
//
// Bad input never gets a 5xx, so Zenvia does not retry garbage forever.
// fn runs with the request's context; a nil fn fails every delivery (500).
// Once Shutdown was called every delivery gets 503 with Retry-After, so
// Zenvia delivers it again later (to this process's successor).
//
// Serve it with timeouts, since webhook senders may be slow or hostile:
//
//	srv := &http.Server{
//		Addr:              ":8443",
//		Handler:           mux,
//		ReadHeaderTimeout: 5 * time.Second,  // headers of a slow client
//		ReadTimeout:       15 * time.Second, // the whole (capped) body
//		WriteTimeout:      30 * time.Second, // fn's work plus the answer
//		IdleTimeout:       120 * time.Second,
//		MaxHeaderBytes:    16 << 10,
//	}
func NewWebhookHandler(secret string, fn func(context.Context, Event) error, opts ...HandlerOption) *WebhookHandler {
	cfg := webhookConfig{
		param:   DefaultWebhookSecretParam,
		maxBody: DefaultWebhookMaxBody,
		window:  DefaultDedupWindow,
		now:     time.Now,
	}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	h := &WebhookHandler{cfg: cfg, fn: fn, seen: map[[32]byte]seenEntry{}, red: transport.NewRedactor(secret),
		wake: make(chan struct{}, 1), idle: make(chan struct{})}
	if cfg.param != DefaultWebhookSecretParam && transport.CheckNotHolding("secretParam", cfg.param, secret) != nil {
		// The secret given as the parameter's name (WithHandlerSecretParam
		// read as "the handler's secret"): not kept, since the handler
		// printed would show it; every delivery gets 500, so that Zenvia
		// delivers it again once the handler is fixed.
		h.cfg.param, h.misconfigured = DefaultWebhookSecretParam, true
	}
	if cfg.async > 0 && fn != nil {
		go h.work()
	} else {
		close(h.idle)
	}
	if secret != "" {
		sum := sha256.Sum256([]byte(secret))
		h.secret.Store(&sum)
	}
	return h
}

// WebhookHandler is the http.Handler NewWebhookHandler returns. Shutdown
// ends it.
type WebhookHandler struct {
	cfg webhookConfig
	// secret holds the secret's SHA-256 (nil refuses everything) where fmt
	// cannot reach it (an atomic.Pointer prints as an address with every
	// verb): printed, it would be an offline test of guesses at the secret.
	secret atomic.Pointer[[sha256.Size]byte]
	// red masks the secret (in every form, under any parameter name) and
	// the known credential patterns in what the handler logs.
	red *transport.Redactor
	fn  func(context.Context, Event) error

	mu    sync.Mutex
	seen  map[[32]byte]seenEntry
	order []dedupEntry // insertion order, for expiry

	qmu      sync.Mutex
	queue    []queued       // asynchronous mode: acknowledged, fn not run yet
	running  *queued        // the delivery fn is running for (asynchronous mode)
	failed   []Event        // events fn failed on since Shutdown began
	closed   bool           // Shutdown began: every delivery gets 503
	stopped  bool           // Shutdown's ctx ended: the worker starts nothing more
	active   sync.WaitGroup // synchronous fn calls in flight
	wake     chan struct{}  // a delivery was queued, or Shutdown began
	idle     chan struct{}  // the worker ended (closed at once in synchronous mode)
	shutOnce sync.Once
	// misconfigured: WithHandlerSecretParam was given the secret itself.
	misconfigured bool
}

type dedupEntry struct {
	key    [32]byte
	expiry time.Time
}

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed", nil)
		return
	}
	if h.misconfigured {
		h.refuse(w, r, http.StatusInternalServerError, "misconfigured: the secret parameter's name holds the secret (WithHandlerSecretParam takes the name, such as \"secret\")", nil)
		return
	}
	got := sha256.Sum256([]byte(r.URL.Query().Get(h.cfg.param)))
	if want := h.secret.Load(); want == nil || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		h.refuse(w, r, http.StatusUnauthorized, "wrong or missing secret", nil)
		return
	}
	if !h.enter() {
		w.Header().Set("Retry-After", "30")
		h.refuse(w, r, http.StatusServiceUnavailable, "shutting down", nil)
		return
	}
	defer h.active.Done()
	if r.ContentLength > h.cfg.maxBody {
		h.refuse(w, r, http.StatusRequestEntityTooLarge, "body too large", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.refuse(w, r, http.StatusRequestEntityTooLarge, "body too large", nil)
			return
		}
		h.refuse(w, r, http.StatusBadRequest, "body could not be read", err)
		return
	}
	evs, err := ParseEvents(body, r.URL.Query().Get("topic"))
	if err != nil {
		// Logged with the body (masked and bounded), so a shape nobody
		// foresaw is seen, not silently dropped.
		h.refuseBody(w, r, http.StatusBadRequest, "unparseable payload", err, body)
		return
	}
	topic := ""
	if len(evs) > 0 {
		topic = evs[0].Topic
	}
	key := sha256.Sum256(append([]byte(topic+"\x00"), body...))
	switch h.claim(key) {
	case claimDone:
		writeStatus(w, http.StatusOK, "duplicate")
		return
	case claimInFlight:
		// Not 2xx: the first delivery may still fail, and Zenvia must then
		// still have this one to deliver again.
		w.Header().Set("Retry-After", "10")
		h.refuse(w, r, http.StatusServiceUnavailable, "the same event is being handled", nil)
		return
	}
	h.handle(w, r, key, evs)
}

// handle hands a new delivery's events to fn, now or (asynchronous mode)
// through the queue, and answers.
func (h *WebhookHandler) handle(w http.ResponseWriter, r *http.Request, key [32]byte, evs []Event) {
	if h.fn == nil {
		h.release(key)
		h.refuse(w, r, http.StatusInternalServerError, "no handler function", nil)
		return
	}
	if h.cfg.async > 0 {
		// Acknowledge at once, run fn later: Zenvia closes slow deliveries
		// and sends them again.
		if why := h.enqueue(queued{key: key, evs: evs}); why != "" {
			h.release(key)
			w.Header().Set("Retry-After", "10")
			h.refuse(w, r, http.StatusServiceUnavailable, why, nil)
			return
		}
		writeStatus(w, http.StatusOK, "accepted")
		return
	}
	for _, ev := range evs {
		if err := h.call(r.Context(), ev); err != nil {
			h.release(key) // let Zenvia's redelivery through
			h.refuse(w, r, http.StatusInternalServerError, "handler failed", err)
			return
		}
	}
	h.done(key)
	writeStatus(w, http.StatusOK, "ok")
}

// queued is a delivery accepted in asynchronous mode.
type queued struct {
	key [32]byte
	evs []Event
}

// refuseBody is refuse with an excerpt of the body in the log line.
func (h *WebhookHandler) refuseBody(w http.ResponseWriter, r *http.Request, status int, reason string, err error, body []byte) {
	if l := h.cfg.logger; l != nil {
		b := h.red.Excerpt(string(body), 1024)
		l.LogAttrs(r.Context(), slog.LevelWarn, "zenvia webhook body not understood", slog.String("body", b))
	}
	h.refuse(w, r, status, reason, err)
}

// claim outcomes.
type claimResult int

const (
	claimNew      claimResult = iota // first delivery: run fn
	claimInFlight                    // fn is running for the same event
	claimDone                        // fn succeeded for it within the window
)

// seenEntry is one event the handler met.
type seenEntry struct {
	expiry time.Time
	done   bool // fn succeeded; until then the event is in flight
}

// claim records key as in flight, unless it is already in flight or done
// within the window.
func (h *WebhookHandler) claim(key [32]byte) claimResult {
	if h.cfg.window <= 0 {
		return claimNew
	}
	now := h.cfg.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	// Expire in insertion order; the window is the same for every entry.
	for len(h.order) > 0 && (!h.order[0].expiry.After(now) || len(h.order) >= dedupMaxEntries) {
		e := h.order[0]
		if cur, ok := h.seen[e.key]; ok && cur.expiry.Equal(e.expiry) {
			delete(h.seen, e.key)
		}
		h.order[0] = dedupEntry{}
		h.order = h.order[1:]
	}
	if cur, ok := h.seen[key]; ok && cur.expiry.After(now) {
		if cur.done {
			return claimDone
		}
		return claimInFlight
	}
	exp := now.Add(h.cfg.window)
	h.seen[key] = seenEntry{expiry: exp}
	h.order = append(h.order, dedupEntry{key, exp})
	return claimNew
}

// done marks key as handled: from now on a redelivery is a duplicate.
func (h *WebhookHandler) done(key [32]byte) {
	if h.cfg.window <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if cur, ok := h.seen[key]; ok {
		cur.done = true
		h.seen[key] = cur
	}
}

// release forgets key after fn failed, so a redelivery is processed.
func (h *WebhookHandler) release(key [32]byte) {
	if h.cfg.window <= 0 {
		return
	}
	h.mu.Lock()
	delete(h.seen, key)
	h.mu.Unlock()
}

func (h *WebhookHandler) refuse(w http.ResponseWriter, r *http.Request, status int, reason string, err error) {
	if l := h.cfg.logger; l != nil {
		attrs := []slog.Attr{
			slog.Int("status", status),
			slog.String("reason", reason),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path), // never the query: it holds the secret
			slog.String("remote", r.RemoteAddr),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", h.red.Redact(err.Error())))
		}
		l.LogAttrs(r.Context(), slog.LevelWarn, "zenvia webhook refused", attrs...)
	}
	writeStatus(w, status, reason)
}

func writeStatus(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Status string `json:"status"`
	}{msg})
	_, _ = w.Write(b)
}

// envelopeProbe holds the keys that tell an envelope and the kinds of
// object apart. Only presence matters, so RawMessage keeps it cheap.
type envelopeProbe struct {
	Topic       string          `json:"topic"`
	Event       string          `json:"event"`
	Data        json.RawMessage `json:"data"`
	Prospect    json.RawMessage `json:"prospect"`
	Interaction json.RawMessage `json:"interaction"`
	Quote       json.RawMessage `json:"quote"`
	Agent       json.RawMessage `json:"agent"`

	ProspectID json.RawMessage `json:"prospectId"`
	Via        json.RawMessage `json:"via"`
	Proactive  json.RawMessage `json:"proactive"`
	AgentID    json.RawMessage `json:"agentId"`
	Leads      json.RawMessage `json:"leads"`
	Phones     json.RawMessage `json:"phones"`
	Status     json.RawMessage `json:"status"`
	GroupID    json.RawMessage `json:"groupId"`
	Email      json.RawMessage `json:"email"`
	LegacyID   json.RawMessage `json:"legacyId"`
	AppFields  json.RawMessage `json:"appFields"`
	Items      json.RawMessage `json:"items"`
	Total      json.RawMessage `json:"total"`
	AcceptedAt json.RawMessage `json:"acceptedAt"`
	RejectedAt json.RawMessage `json:"rejectedAt"`
}

// ParseEvents decodes a webhook body that may carry several events: the
// topic's bare object, an array of them, or an envelope ({"data": …},
// {"interaction": …}, {"topic": …, "data": …}), as production receivers of
// Zenvia's webhooks meet them (the body shape is not documented). Each
// element of an array is read as ParseEvent reads an object.
func ParseEvents(body []byte, topic string) ([]Event, error) {
	t := trimSpace(body)
	if len(t) > 0 && t[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return nil, err
		}
		out := make([]Event, 0, len(items))
		for i, it := range items {
			ev, err := ParseEvent(it, topic)
			if err != nil {
				return nil, fmt.Errorf("zenvia: webhook element %d: %w", i, err)
			}
			out = append(out, ev)
		}
		return out, nil
	}
	ev, err := ParseEvent(body, topic)
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

// ParseEvent decodes a webhook body as NewWebhookHandler does. topic is the
// topic known from elsewhere (the callback URL's "topic" parameter, say), or
// "". It fails for a body that is not a JSON object, or whose object does
// not decode as the kind its topic names.
func ParseEvent(body []byte, topic string) (Event, error) {
	ev := Event{Topic: topic, Raw: json.RawMessage(body)}
	t := trimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return Event{}, errors.New("zenvia: webhook body is not a JSON object")
	}
	var p envelopeProbe
	if err := json.Unmarshal(t, &p); err != nil {
		return Event{}, err
	}
	obj, err := unwrap(t, &p, &ev)
	if err != nil {
		return Event{}, err
	}
	kind := strings.ToLower(ev.Topic)
	if kind == "" {
		kind = p.kind()
		ev.Topic = kind
	}
	if err := decodeEvent(&ev, kind, obj); err != nil {
		return Event{}, err
	}
	return ev, nil
}

// unwrap returns the object of an envelope ({"topic": …, "data": …},
// {"data": …}, {"interaction": …}, …), the body itself when it is none, and
// sets p to the probe of that object and ev.Topic to the envelope's topic.
func unwrap(t []byte, p *envelopeProbe, ev *Event) (json.RawMessage, error) {
	obj := t
	if p.Topic == "" && p.Event != "" && isObject(p.Data) {
		p.Topic = p.Event
	}
	// An envelope with no topic of its own, {"data": …} or {"interaction":
	// …}: the object it wraps is the event.
	bare := p.ProspectID == nil && p.Via == nil && p.Proactive == nil && p.AgentID == nil && p.Leads == nil &&
		p.Phones == nil && p.Status == nil && p.GroupID == nil && p.Email == nil && p.LegacyID == nil && p.Items == nil
	if p.Topic == "" && bare && (isObject(p.Data) || isObject(p.Interaction) || isObject(p.Prospect) || isObject(p.Quote)) {
		p.Topic = "-" // unwrap below; the kind is told from the wrapped object
	}
	if p.Topic == "" {
		return obj, nil
	}
	if ev.Topic == "" && p.Topic != "-" {
		ev.Topic = p.Topic
	}
	switch {
	case isObject(p.Data):
		obj = p.Data
	case isObject(p.Prospect):
		obj, ev.Topic = p.Prospect, orTopic(ev.Topic, TopicProspects)
	case isObject(p.Interaction):
		obj, ev.Topic = p.Interaction, orTopic(ev.Topic, TopicInteractions)
	case isObject(p.Quote):
		obj, ev.Topic = p.Quote, orTopic(ev.Topic, TopicQuotes)
	case isObject(p.Agent) && p.Leads == nil && p.Phones == nil:
		obj, ev.Topic = p.Agent, orTopic(ev.Topic, TopicAgents)
	}
	if !bytes.Equal(obj, t) {
		*p = envelopeProbe{}
		if err := json.Unmarshal(obj, p); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// kind tells the topic of an object from its fields ("" when it cannot).
func (p *envelopeProbe) kind() string {
	switch {
	case p.Items != nil || p.Total != nil || p.AcceptedAt != nil || p.RejectedAt != nil:
		return TopicQuotes // before interactions: a quote has a prospectId too
	case p.ProspectID != nil || p.Via != nil || p.Proactive != nil || p.AgentID != nil:
		return TopicInteractions
	case p.Leads != nil || p.Phones != nil || p.Status != nil || p.GroupID != nil:
		return TopicProspects
	case p.Email != nil || p.LegacyID != nil || p.AppFields != nil:
		return TopicAgents
	}
	return ""
}

// decodeEvent decodes obj into the field of ev that kind names (none for
// another topic).
func decodeEvent(ev *Event, kind string, obj []byte) error {
	switch kind {
	case TopicProspects, "prospect":
		var w prospectWire
		if err := json.Unmarshal(obj, &w); err != nil {
			return err
		}
		pr := w.prospect()
		ev.Prospect = &pr
	case TopicInteractions, "interaction":
		var w interactionWire
		if err := json.Unmarshal(obj, &w); err != nil {
			return err
		}
		in := w.interaction()
		ev.Interaction = &in
	case TopicQuotes, "quote":
		var w quoteWire
		if err := json.Unmarshal(obj, &w); err != nil {
			return err
		}
		q := w.quote()
		ev.Quote = &q
	case TopicAgents, "agent":
		var w agentWire
		if err := json.Unmarshal(obj, &w); err != nil {
			return err
		}
		a := w.agent()
		ev.Agent = &a
	}
	return nil
}

func orTopic(t, def string) string {
	if t == "" {
		return def
	}
	return t
}

func isObject(r json.RawMessage) bool {
	t := trimSpace(r)
	return len(t) > 0 && t[0] == '{'
}
