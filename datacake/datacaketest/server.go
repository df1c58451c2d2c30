// Package datacaketest is an in-memory ERP speaking the Datacake contract,
// for tests and examples, like net/http/httptest: datacake.NewHandler over
// a MemoryERP seeded with customers, installations, open invoices and the
// catalogues, wrapped in leadkit's sandbox machinery (request log, failure
// injection, latency, reset).
//
//	srv := datacaketest.NewServer(nil)
//	defer srv.Close()
//	c, _ := datacake.NewClient(srv.URL, datacaketest.DefaultToken)
//	cu, _ := c.Customer(ctx, datacaketest.ExampleCPF)
//
// Unless Options.Tidy is set it answers as many real ERPs do rather than as
// the page documents: lists wrapped in an object ({"registros": "3",
// "dados": [...]}) and numeric ids and amounts sent as JSON numbers.
package datacaketest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/leadkittest"
)

// DefaultToken is the token the sandbox accepts unless Options.Token is set.
const DefaultToken = "dc-sandbox-token-0123456789abcdef"

// Options configures the sandbox. The zero value (or nil) is usable.
type Options struct {
	// Token is the token the ERP accepts (DefaultToken when empty), sent as
	// "Authorization: Bearer <token>".
	Token string
	// Seed makes the seeded data and random failures deterministic.
	Seed int64
	// Tidy serves the documented shapes (bare arrays, every value a string)
	// instead of the real ERPs' quirks.
	Tidy bool
	// NoRateLimits is accepted for symmetry with the other sandboxes; the
	// contract documents no rate limit, so it changes nothing.
	NoRateLimits bool
	// Latency delays every answer.
	Latency time.Duration
	// FailRate is the share of requests (0..1) answered 503 with Retry-After.
	FailRate float64
	// Customers is how many customers to seed (DefaultCustomers when 0).
	Customers int
	// Routes replaces paths of the route table (empty fields keep
	// datacake.DefaultRoutes).
	Routes datacake.Routes
	// Revision is the revision of the contract the sandbox answers in
	// (datacake.RevisionSeed by default; datacake.RevisionCurrent for the
	// keys of Datacake's current page). It reads requests of both.
	Revision datacake.Revision
	// Now is the ERP's clock (time.Now when nil): open invoices fall due
	// around its day.
	Now func() time.Time
}

// Fault makes the sandbox misbehave for matching requests.
type Fault = leadkittest.Fault

// Request is one request the sandbox received, with secrets masked.
type Request = leadkittest.Request

// Server is the sandbox ERP. Its URL, Start, Close, Fail, Requests, Count
// and Reset come from the embedded sandbox.
type Server struct {
	*leadkittest.Server
	// ERP is the in-memory ERP behind the handler, for tests to inspect
	// (prospects created, files received) or change (a prospect's status).
	ERP   *MemoryERP
	token string
}

// NewServer starts a sandbox on 127.0.0.1. Close it when done.
func NewServer(opts *Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a sandbox that is not listening: call Start,
// or mount it as an http.Handler (also under a prefix with
// http.StripPrefix).
func NewUnstartedServer(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	erp := newMemoryERP(o.Seed, o.Customers, o.Now)
	var h http.Handler = datacake.NewHandler(erp, o.Token, datacake.WithHandlerRoutes(o.Routes), datacake.WithHandlerRevision(o.Revision))
	if !o.Tidy {
		h = quirks(h)
	}
	s := &Server{ERP: erp, token: o.Token}
	s.Server = leadkittest.New(h, leadkittest.Config{
		Seed: o.Seed, Tidy: o.Tidy, NoRateLimits: o.NoRateLimits, Latency: o.Latency, FailRate: o.FailRate,
	}, func() []string { return []string{o.Token} }, erp.Reset)
	return s
}

// Credentials returns the environment the examples read:
// DATACAKE_URL and DATACAKE_TOKEN.
func (s *Server) Credentials() map[string]string {
	return map[string]string{"DATACAKE_URL": s.URL, "DATACAKE_TOKEN": s.token}
}

// quirks rewrites successful JSON answers the way many real ERPs send them:
// a list is wrapped in {"registros": "<n>", "dados": [...]}, and ids and
// amounts that are numbers are sent as JSON numbers.
func quirks(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			if out, ok := quirkBody(body); ok {
				body = out
			}
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

func quirkBody(body []byte) ([]byte, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return nil, false
	}
	v = numbers(v, "")
	if arr, ok := v.([]any); ok {
		v = map[string]any{"registros": strconv.Itoa(len(arr)), "dados": arr}
	}
	out, err := json.Marshal(v)
	return out, err == nil
}

func numbers(v any, key string) any {
	switch x := v.(type) {
	case []any:
		for i := range x {
			x[i] = numbers(x[i], "")
		}
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e, k)
		}
	case string:
		if (strings.HasPrefix(key, "id_") || strings.HasPrefix(key, "valor")) && plainNumber(x) {
			return json.Number(x)
		}
	}
	return v
}

// plainNumber reports whether s is digits with at most one decimal point
// and no leading zero that a number would lose ("0012").
func plainNumber(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	if len(s) > 1 && s[0] == '0' && s[1] != '.' {
		return false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '.':
			dots++
		case s[i] < '0' || s[i] > '9':
			return false
		}
	}
	return dots <= 1
}
