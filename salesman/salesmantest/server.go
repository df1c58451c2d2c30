// Package salesmantest is an in-memory SalesMan CRM for tests, like
// net/http/httptest: NewServer starts a loopback server that speaks the lead
// API ("leads": add, stat, info, list) in all three versions, checks login
// and apikey the way the vendor does, keeps state (a lead added shows up in
// list, info and stat) and answers with the real servers' quirks: errors with
// HTTP 200, codes as strings (v1, v2) or numbers (v3), numbers as strings and
// Content-Type text/html on v1, raw and \u-escaped Cyrillic, "/" as "\/",
// 200-row pages, v1's ignored paging and v2/v3's stub record for a missing id,
// v1 info answered under "result" and v1 lists with the user's name in
// "user" beside the placeholder "Не определен" in "userName", and on v2/v3 a
// JSON body that replaces the query (the v2 action must be in it). A fault
// with AfterVendor stores the lead and then fails, as v1 add does when its
// logging query fails after the insert. As on the real server, no list row
// carries a title (info does), list rows return the description as content
// on every version, v2/v3 adds store per-lead uids (returned in v2/v3 list
// rows and in info, never in v1 list rows; one over 100 characters stores
// the lead without them and answers a PHP fatal error with HTTP 200, as a
// server whose MySQL runs in strict mode does: in non-strict mode the real
// one cuts it to 100), v3's list searches with word (a LIKE over title,
// e-mail, phone and description that ignores case, % and _ wildcards, /
// searched as -), and input loses tags and \ ` « » < > (v1 also " and ';
// v2/v3 turn them into ” and &acute;).
// Options.Tidy serves the documented shapes instead.
//
// For the tests of a reader of new leads, Options.Arrivals makes leads arrive
// while a client walks the list (between its pages, shifting a newest-first
// walk's later pages as the real server's offset paging does); AddLeads adds
// some on demand, and Arrived reports every one, so a test can count that
// each reached its destination exactly once.
//
// The seeded leads are generated on demand from the seed, so Options.Leads
// can be 100,000 at no memory cost.
package salesmantest

import (
	"sync"
	"time"

	"github.com/leadkit/leadkit/leadkittest"
)

// Default credentials of a sandbox. DefaultLogin is the account's first user.
const (
	DefaultLogin  = "ivan.adminov@salesman.test"
	DefaultAPIKey = "sandbox-aMgiCQyj8bCToNc47BZZYrRICoWSIl"
	// DefaultLeads is how many leads a sandbox is seeded with.
	DefaultLeads = 300
)

// Options configure a sandbox. The zero value (or nil) gives the defaults.
type Options struct {
	// Login and APIKey are the credentials the sandbox accepts
	// (DefaultLogin, DefaultAPIKey when empty).
	Login, APIKey string
	// Seed makes the seeded leads deterministic.
	Seed int64
	// Tidy serves the documented shapes: application/json, v1 paging and
	// filters honoured, ids instead of names, no escaped "/" or Cyrillic.
	Tidy bool
	// NoRateLimits is accepted for symmetry: SalesMan documents no limits.
	NoRateLimits bool
	// Latency delays every answer.
	Latency time.Duration
	// FailRate is the share of requests answered 503 with Retry-After: 1.
	FailRate float64
	// Leads is how many leads are seeded (DefaultLeads when 0; negative for
	// none). They are generated on demand: 100,000 costs nothing up front.
	Leads int
	// TimeZone is the account's zone, in which dates are written
	// (Europe/Moscow when nil).
	TimeZone *time.Location
	// Now is the sandbox's clock (time.Now when nil). The seeded leads end
	// at the time the server was made and reach 90 days back.
	Now func() time.Time
	// Arrivals makes new leads arrive while a client walks the list (see
	// Arrivals, AddLeads and Arrived). The zero value adds none.
	Arrivals Arrivals
}

// Fault makes the sandbox misbehave for matching requests (see Server.Fail).
type Fault = leadkittest.Fault

// Request is one request the sandbox received, secrets masked.
type Request = leadkittest.Request

// Server is a running (or mountable) SalesMan sandbox. URL, Start, Close,
// Fail, Requests, Count and Reset come from the embedded server.
type Server struct {
	*leadkittest.Server

	opts   Options
	loc    *time.Location
	now    func() time.Time
	anchor time.Time
	seeded int
	users  []user
	paths  []clientPath
	tables *tables

	mu      sync.Mutex
	added   []lead // added through the API or arrived, oldest first
	arrived []int  // the ids of the leads that arrived (arrivals.go)
	pages   int    // list pages answered, for Options.Arrivals
}

// NewServer starts a sandbox on 127.0.0.1; nil opts gives the defaults.
// Close it when done.
func NewServer(opts *Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a sandbox that is not listening yet: call
// Start, or mount it as an http.Handler (also under a prefix, with
// http.StripPrefix).
func NewUnstartedServer(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Login == "" {
		o.Login = DefaultLogin
	}
	if o.APIKey == "" {
		o.APIKey = DefaultAPIKey
	}
	s := &Server{opts: o, loc: o.TimeZone, now: o.Now, seeded: o.Leads}
	if s.loc == nil {
		s.loc = moscow()
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch {
	case s.seeded == 0:
		s.seeded = DefaultLeads
	case s.seeded < 0:
		s.seeded = 0
	}
	s.anchor = s.now().In(s.loc).Truncate(time.Minute)
	s.users = users(o.Login)
	s.paths = clientPaths()
	s.tables = newTables()
	cfg := leadkittest.Config{Seed: o.Seed, Tidy: o.Tidy, NoRateLimits: o.NoRateLimits, Latency: o.Latency, FailRate: o.FailRate}
	s.Server = leadkittest.New(s.routes(), cfg,
		func() []string { return []string{o.APIKey} },
		func() {
			s.mu.Lock()
			s.added, s.arrived, s.pages = nil, nil, 0
			s.mu.Unlock()
		})
	return s
}

// Credentials returns the environment the examples read:
// SALESMAN_URL, SALESMAN_LOGIN and SALESMAN_APIKEY.
func (s *Server) Credentials() map[string]string {
	return map[string]string{
		"SALESMAN_URL":    s.URL,
		"SALESMAN_LOGIN":  s.opts.Login,
		"SALESMAN_APIKEY": s.opts.APIKey,
	}
}

// LeadCount returns how many leads the sandbox holds (seeded and added): a
// test can check whether a request whose outcome was unknown took effect.
func (s *Server) LeadCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seeded + len(s.added)
}

// Users returns the logins of the account's users, DefaultLogin first.
func (s *Server) Users() []string {
	out := make([]string, len(s.users))
	for i, u := range s.users {
		out[i] = u.login
	}
	return out
}

func moscow() *time.Location {
	if loc, err := time.LoadLocation("Europe/Moscow"); err == nil {
		return loc
	}
	return time.FixedZone("MSK", 3*60*60)
}

// leadAt returns lead index i of all (0 the oldest seeded, then the added).
func (s *Server) leadAt(i int, added []lead) lead {
	if i < s.seeded {
		return s.gen(i)
	}
	return added[i-s.seeded]
}

// snapshot returns the added leads (the slice only grows, so it can be read
// without the lock afterwards).
func (s *Server) snapshot() []lead {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.added[:len(s.added):len(s.added)]
}
