// Package weclevertest serves an in-memory WeClever API for tests and
// examples, like net/http/httptest: it issues tokens against HTTP basic
// authentication ("Autenticação"), refuses expired tokens with 401, filters
// its seeded leads by finalization date in both path forms (YYYY-MM-DD and
// YYYY-MM-DD+HH:mm:ss) and answers lead details with chats, feelings and
// CSAT, in WeClever's shapes.
//
//	srv := weclevertest.NewServer(nil)
//	defer srv.Close()
//	c, _ := weclever.NewClient(weclevertest.DefaultPlatformID, weclevertest.DefaultUser,
//		weclevertest.DefaultPassword, weclever.WithBaseURL(srv.URL))
//
// Unless Tidy is set, the sandbox also serves the quirks a real deployment
// shows: null where a text is missing, counters sent as strings, numeric
// ratings sent as numbers, and a date path segment read from the raw
// (escaped) path, so a '+' escaped as %2B is refused.
//
// For the tests of a poller of finalized leads, Options.Finalizing makes the
// sandbox finalize new leads as its clock runs, some of them late: finalized
// at a time inside a window the poller has already read, visible only after
// it read it. Finalize does the same on demand, and Finalizations reports
// every lead made either way, so a test can count that each reached its
// destination exactly once.
package weclevertest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/weclever"
)

// Default credentials of the sandbox.
const (
	DefaultPlatformID = "plataforma-demo"
	DefaultUser       = "integracao@demo.com.br"
	DefaultPassword   = "s3nha-da-sandbox"
	// DefaultLeads is how many leads are seeded.
	DefaultLeads = 300
)

// Options configures a sandbox. The zero value (or nil) uses the defaults.
type Options struct {
	// PlatformID, User and Password are the accepted credentials
	// (DefaultPlatformID, DefaultUser, DefaultPassword when empty).
	PlatformID, User, Password string
	// TokenHeader and TokenScheme say where API calls carry the token
	// ("Authorization" and "Bearer" when TokenHeader is empty).
	TokenHeader, TokenScheme string
	// TokenTTL makes tokens expire this long after they were issued (0: they
	// live until ExpireTokens).
	TokenTTL time.Duration
	// Leads is how many leads to seed (DefaultLeads when 0; -1 for none).
	Leads int

	// Seed makes the seeded data and random failures deterministic.
	Seed int64
	// Tidy serves the documented shapes only, without the quirks.
	Tidy bool
	// NoRateLimits is accepted for symmetry with the other sandboxes
	// (WeClever documents no rate limit, and the sandbox applies none).
	NoRateLimits bool
	// Latency delays every answer.
	Latency time.Duration
	// FailRate is the share of requests answered 503 with Retry-After: 1.
	FailRate float64
	// Now is the sandbox's clock (time.Now when nil). The seeded leads were
	// finalized over the 90 days up to the day the server was made.
	Now func() time.Time
	// Finalizing finalizes new leads as the clock runs, some of them late
	// (into a window already read); see Finalizing, Finalize and
	// Finalizations. The zero value finalizes none.
	Finalizing Finalizing
}

// Fault makes the sandbox misbehave; see Server.Fail.
type Fault = leadkittest.Fault

// Request is a request the sandbox received, secrets masked.
type Request = leadkittest.Request

// Lead is a lead kept by the sandbox.
type Lead struct {
	// ID is weclever_lead_id (assigned by AddLead when zero).
	ID int64
	// ClientLeadID is the CRM's id: string, number or null.
	ClientLeadID weclever.ClientLeadID
	// MappedStatus is the status mapped to the CRM.
	MappedStatus string
	// FinalizedAt is when the attendance was finalized.
	FinalizedAt time.Time
	// Details is what "Busca por informações do lead" answers.
	Details weclever.Lead
	// VisibleAt is when the API starts to show the lead (zero: at once). A
	// lead whose VisibleAt is after its FinalizedAt was finalized late: it
	// appears in windows that were read before it was visible.
	VisibleAt time.Time
}

// Server is a running (or mountable) WeClever sandbox.
type Server struct {
	*leadkittest.Server

	opts     Options
	loc      *time.Location
	from, to time.Time // the seeded leads' days

	mu       sync.Mutex
	leads    map[int64]*Lead
	nextID   int64
	tokens   map[string]time.Time // token -> issued at
	issued   int
	tokenGen int64

	// Leads finalized after the sandbox was made or reset (finalizing.go).
	start    time.Time // the clock then: Finalizing's leads count from it
	overTime int       // how many of Finalizing's leads were made
	onDemand int       // how many leads Finalize made
	produced []int64   // their ids, in the order they were made
}

// Location returns the time zone the sandbox reads path dates in and writes
// message dates in: Brasília time, UTC-03:00.
func Location() *time.Location { return time.FixedZone("-03", -3*60*60) }

// SeedRange returns the first and last day (at midnight, in Location) over
// which the seeded leads were finalized: the 90 days up to the day the
// server was made.
func (s *Server) SeedRange() (from, to time.Time) { return s.from, s.to }

// NewServer starts a sandbox on 127.0.0.1. Close it when done.
func NewServer(opts *Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a sandbox that is not listening: call Start, or
// mount it as an http.Handler (it works under a prefix with http.StripPrefix).
func NewUnstartedServer(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.PlatformID == "" {
		o.PlatformID = DefaultPlatformID
	}
	if o.User == "" {
		o.User = DefaultUser
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.TokenHeader == "" {
		o.TokenHeader, o.TokenScheme = weclever.DefaultTokenHeader, weclever.DefaultTokenScheme
	}
	if o.Leads == 0 {
		o.Leads = DefaultLeads
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{opts: o, loc: Location()}
	s.from, s.to = seedRange(o.Now())
	s.reset()
	s.Server = leadkittest.New(s.routes(), leadkittest.Config{
		Seed: o.Seed, Tidy: o.Tidy, NoRateLimits: o.NoRateLimits, Latency: o.Latency, FailRate: o.FailRate,
	}, s.secrets, s.reset)
	return s
}

// Credentials returns the environment the examples read to reach this
// sandbox.
func (s *Server) Credentials() map[string]string {
	return map[string]string{
		"WECLEVER_URL":         s.URL,
		"WECLEVER_PLATFORM_ID": s.opts.PlatformID,
		"WECLEVER_USER":        s.opts.User,
		"WECLEVER_PASSWORD":    s.opts.Password,
	}
}

func (s *Server) secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{s.opts.Password, s.opts.User + ":" + s.opts.Password}
	for t := range s.tokens {
		out = append(out, t)
	}
	return out
}

func (s *Server) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leads = map[int64]*Lead{}
	s.tokens = map[string]time.Time{}
	s.issued = 0
	s.nextID = 100001
	s.start, s.overTime, s.onDemand, s.produced = s.opts.Now(), 0, 0, nil
	if s.opts.Leads > 0 {
		for _, l := range seedLeads(s.opts.Seed, s.opts.Leads, s.nextID, s.from, s.to) {
			s.leads[l.ID] = l
		}
		s.nextID += int64(s.opts.Leads)
	}
}

// ExpireTokens makes every token issued so far invalid, so that the next
// API call is answered 401 and the client must fetch a new token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.tokens = map[string]time.Time{}
	s.mu.Unlock()
}

// TokensIssued returns how many tokens the sandbox has issued since the
// last reset.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// AddLead stores l (assigning an ID when l.ID is zero) and returns its ID.
// The API shows it from l.VisibleAt on (at once when zero).
func (s *Server) AddLead(l Lead) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catchUp(s.opts.Now())
	if l.ID == 0 {
		l.ID = s.nextID
	}
	if l.ID >= s.nextID {
		s.nextID = l.ID + 1
	}
	if l.Details.Chats.Messages == nil {
		l.Details.Chats.Messages = []weclever.Message{}
	}
	s.leads[l.ID] = &l
	return l.ID
}

// Lead returns the stored lead id (visible yet or not).
func (s *Server) Lead(id int64) (Lead, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catchUp(s.opts.Now())
	l, ok := s.leads[id]
	if !ok {
		return Lead{}, false
	}
	return *l, true
}

// Leads returns every stored lead (visible yet or not), by ID.
func (s *Server) Leads() []Lead {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catchUp(s.opts.Now())
	out := make([]Lead, 0, len(s.leads))
	for _, l := range s.leads {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// routes is the API by route, one handler per operation. Any other method
// is answered 405 and any other path 404, in WeClever's JSON.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /solution/token/basic/{platform}", s.token)
	mux.HandleFunc("GET /lead/find/finalized/{first}/{last}", s.authorized(s.finalized))
	mux.HandleFunc("GET /lead/find/weclever_id/{id}", s.authorized(s.lead))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "Method not allowed"})
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Not Found"})
	})
	return mux
}

// rawSegments returns the last n segments of the request's escaped path:
// the dates are read from it, as a server that reads its raw path does.
func rawSegments(r *http.Request, n int) []string {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	return segs[max(len(segs)-n, 0):]
}

// token serves "Autenticação".
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	platform := r.PathValue("platform")
	user, pass, ok := r.BasicAuth()
	if !ok || !equal(platform, s.opts.PlatformID) || !equal(user, s.opts.User) || !equal(pass, s.opts.Password) {
		w.Header().Set("WWW-Authenticate", `Basic realm="weclever"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Invalid credentials"})
		return
	}
	s.mu.Lock()
	s.tokenGen++
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d/%s", s.opts.Seed, s.tokenGen, s.opts.PlatformID))
	tok := "wc." + hex.EncodeToString(sum[:20])
	s.tokens[tok] = s.opts.Now()
	s.issued++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// authorized serves h to requests that carry a valid token, and answers
// 401 to the others.
func (s *Server) authorized(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.validToken(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Unauthorized"})
			return
		}
		h(w, r)
	}
}

// validToken reports whether r carries a token the sandbox issued and that
// has not expired.
func (s *Server) validToken(r *http.Request) bool {
	v := r.Header.Get(s.opts.TokenHeader)
	if s.opts.TokenScheme != "" {
		p := s.opts.TokenScheme + " "
		if len(v) < len(p) || !strings.EqualFold(v[:len(p)], p) {
			v = ""
		} else {
			v = strings.TrimSpace(v[len(p):])
		}
	}
	s.mu.Lock()
	issued, ok := s.tokens[v]
	if ok && s.opts.TokenTTL > 0 && s.opts.Now().Sub(issued) > s.opts.TokenTTL {
		delete(s.tokens, v)
		ok = false
	}
	s.mu.Unlock()
	return v != "" && ok
}

// parsePathDate reads a date segment from the escaped path. Outside Tidy
// mode an escaped '+' (%2B) or a space is refused, as a server that reads
// its raw path does.
func (s *Server) parsePathDate(raw string) (t time.Time, dateOnly bool, err error) {
	if !s.opts.Tidy && strings.ContainsAny(raw, "% ") {
		return time.Time{}, false, fmt.Errorf("escaped characters in %q", raw)
	}
	v, err := url.PathUnescape(raw)
	if err != nil {
		return time.Time{}, false, err
	}
	return weclever.ParseDate(v, s.loc)
}

// finalized serves "Busca dos leads por data".
func (s *Server) finalized(w http.ResponseWriter, r *http.Request) {
	raw := rawSegments(r, 2)
	first, _, err1 := s.parsePathDate(raw[0])
	last, lastDateOnly, err2 := s.parsePathDate(raw[1])
	if err1 != nil || err2 != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprint(w, "Invalid date format. Use YYYY-MM-DD or YYYY-MM-DD+HH:mm:ss")
		return
	}
	end := last
	if lastDateOnly {
		end = last.AddDate(0, 0, 1) // the whole last day
	}
	if first.After(last) && !(lastDateOnly && first.Before(end)) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "firstDate must not be after lastDate"})
		return
	}
	s.mu.Lock()
	now := s.opts.Now()
	s.catchUp(now)
	var hits []*Lead
	for _, l := range s.leads {
		f := l.FinalizedAt
		if visible(l, now) && !f.Before(first) && (f.Before(end) || (!lastDateOnly && f.Equal(end))) {
			hits = append(hits, l)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].FinalizedAt.Equal(hits[j].FinalizedAt) {
			return hits[i].FinalizedAt.Before(hits[j].FinalizedAt)
		}
		return hits[i].ID < hits[j].ID
	})
	out := make([]map[string]any, len(hits))
	for i, l := range hits {
		out[i] = map[string]any{
			"weclever_lead_id": l.ID,
			"mapped_status":    l.MappedStatus,
			"client_lead_id":   l.ClientLeadID,
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"leads": out})
}

// lead serves "Busca por informações do lead".
func (s *Server) lead(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprint(w, "id must be an integer")
		return
	}
	s.mu.Lock()
	now := s.opts.Now()
	s.catchUp(now)
	l, ok := s.leads[id]
	ok = ok && visible(l, now)
	var body map[string]any
	if ok {
		body = map[string]any{"lead": s.leadJSON(&l.Details)}
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Lead not found"})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// leadJSON renders a lead in WeClever's shape, with the quirks unless Tidy.
func (s *Server) leadJSON(d *weclever.Lead) map[string]any {
	tidy := s.opts.Tidy
	text := func(v string) any {
		if v == "" && !tidy {
			return nil
		}
		return v
	}
	count := func(n int) any {
		if tidy {
			return n
		}
		return strconv.Itoa(n)
	}
	var rating any = d.CSAT.Rating
	if n, err := strconv.Atoi(d.CSAT.Rating); err == nil && !tidy {
		rating = n
	} else if d.CSAT.Rating == "" {
		rating = text("")
	}
	return map[string]any{
		"email":    d.Email,
		"name":     d.Name,
		"phone":    d.Phone,
		"state":    d.State,
		"regional": text(d.Regional),
		"status":   d.Status,
		"chats": map[string]any{
			"metrics": map[string]any{
				"date_difference": d.Chats.Metrics.DateDifference,
				"total_messages":  count(d.Chats.Metrics.TotalMessages),
			},
			"messages": s.messagesJSON(d.Chats.Messages, text),
		},
		"feelings": map[string]any{
			"total_messages":   d.Feelings.TotalMessages,
			"positive_feeling": d.Feelings.Positive,
			"neutral_feeling":  d.Feelings.Neutral,
			"negative_feeling": d.Feelings.Negative,
		},
		"csat": map[string]any{"message": text(d.CSAT.Message), "rating": rating},
	}
}

// messagesJSON renders a lead's chat messages; text writes an optional text.
func (s *Server) messagesJSON(ms []weclever.Message, text func(string) any) []map[string]any {
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		created := ""
		if !m.Created.IsZero() {
			created = m.Created.In(s.loc).Format(time.DateTime)
		}
		out[i] = map[string]any{
			"id_chat":      m.ID,
			"body":         m.Body,
			"media_url":    text(m.MediaURL),
			"content_type": m.ContentType,
			"date_created": created,
			"sid":          m.SID,
			"message_type": m.Type,
			"direction":    m.Direction,
			"status":       m.Status,
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	leadkittest.WriteJSON(w, status, "application/json; charset=utf-8", v)
}
