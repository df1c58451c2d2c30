// Package leadkittest is the kit every leadkit sandbox (zen/zentest,
// salesman/salesmantest, weclever/weclevertest, zenvia/zenviatest,
// datacake/datacaketest) is built on, and the documentation of what they all
// share: a loopback server like net/http/httptest (Start, Close, URL), a
// request log with secrets masked (Requests, Count), failure injection
// (Fail with a Fault, ClearFaults), latency and random 503s (Config), Reset
// to the seeded state, and the admin endpoints GET /_sandbox/requests and
// POST /_sandbox/reset for tests that talk HTTP only.
//
// Each vendor's sandbox embeds a *Server and declares the same methods, so
// a test written against one sandbox reads the same against another:
//
//	sb := zentest.NewServer(nil)
//	defer sb.Close()
//	sb.Fail(zentest.Fault{Path: "/api/lead", Status: 503, Header: http.Header{"Retry-After": {"1"}}})
//	// ... run the code under test against sb.URL ...
//	fmt.Println(sb.Count("POST", "/api/lead"))
//
// New wraps any http.Handler, for a sandbox of your own.
package leadkittest

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
)

// Config holds the behaviour switches common to every vendor sandbox.
type Config struct {
	// Seed makes the seeded data and the random failures deterministic.
	Seed int64
	// Tidy serves the documented shapes instead of the real servers' quirks.
	Tidy bool
	// NoRateLimits turns the vendor's rate limits off.
	NoRateLimits bool
	// Latency delays every answer.
	Latency time.Duration
	// FailRate is the share of requests (0..1) answered 503 with Retry-After: 1.
	FailRate float64
}

// Fault makes the sandbox misbehave for matching requests.
type Fault struct {
	// Path limits the fault to requests whose path contains it ("" = all).
	Path string
	// Method limits the fault to one method ("" = all).
	Method string
	// Times is how many requests the fault applies to; 0 means once, -1 forever.
	Times int
	// Status answers this status with Body and Header instead of the vendor.
	Status int
	Body   string
	Header http.Header
	// Delay waits before answering (the request context ends the wait).
	Delay time.Duration
	// Drop closes the connection after reading the request, without answering.
	Drop bool
	// DropMidBody lets the vendor answer, sends the headers and half the
	// body, then closes the connection.
	DropMidBody bool
	// AfterVendor lets the vendor handle the request first (a lead is
	// stored), then answers Status (or drops the connection with Drop) in
	// place of the vendor's answer: the server that failed after doing the
	// work, whose client must not take the error as "not done".
	AfterVendor bool
}

// Request is one request the sandbox received, with secrets masked.
type Request struct {
	Time   time.Time         `json:"time"`
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Query  string            `json:"query,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
	Status int               `json:"status"`
}

// Server wraps a vendor handler with the common machinery. It is an
// http.Handler, so it can be mounted under a prefix; Start serves it on a
// loopback port.
type Server struct {
	// URL is the base URL once started (http://127.0.0.1:port).
	URL string

	vendor   http.Handler
	cfg      Config
	secrets  func() []string
	onReset  func()
	mu       sync.Mutex
	faults   []*Fault
	requests []Request
	dropped  int // requests dropped from the front of the log, or by Reset
	rng      *rand.Rand
	hs       *httptest.Server
}

// maxLogged bounds the request log: when it is full the oldest tenth is
// dropped, so a long-running sandbox keeps logging the latest requests.
const maxLogged = 10000

// New wraps vendor. secrets returns the values to mask in the request log
// (the sandbox's credentials); onReset restores the vendor's seeded state.
func New(vendor http.Handler, cfg Config, secrets func() []string, onReset func()) *Server {
	return &Server{
		vendor:  vendor,
		cfg:     cfg,
		secrets: secrets,
		onReset: onReset,
		rng:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed)),
	}
}

// Start serves s on a new 127.0.0.1 port and sets URL.
func (s *Server) Start() {
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL
}

// Close stops the server started by Start.
func (s *Server) Close() {
	if s.hs != nil {
		s.hs.Close()
	}
}

// Fail queues a fault.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// Requests returns the requests received so far (admin calls excluded).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many received requests have a path containing path
// and, when method is not empty, that method.
func (s *Server) Count(method, path string) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, path) && (method == "" || r.Method == method) {
			n++
		}
	}
	return n
}

// Reset clears the request log and the faults and restores the seed data.
func (s *Server) Reset() {
	s.mu.Lock()
	s.dropped += len(s.requests) // requests in flight keep their status off the new log
	s.requests, s.faults = nil, nil
	s.mu.Unlock()
	if s.onReset != nil {
		s.onReset()
	}
}

// Config returns the configuration the sandbox runs with.
func (s *Server) Config() Config { return s.cfg }

func (s *Server) takeFault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Path == "" || strings.Contains(r.URL.Path, f.Path)) && (f.Method == "" || f.Method == r.Method) {
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					s.faults = append(s.faults[:i], s.faults[i+1:]...)
				}
			}
			return f
		}
	}
	return nil
}

// MaxRequestBytes caps the body of a request to a sandbox; a larger one is
// answered 413 without reaching the vendor's handler.
const MaxRequestBytes = 32 << 20

// ServeHTTP implements http.Handler: the admin routes, then every request
// is logged and goes through the latency, the random failures and the
// queued faults before it reaches the vendor.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.admin(w, r) {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
	if len(body) > MaxRequestBytes {
		// Refused, not cut: a vendor would not take half a body either.
		WriteJSON(w, http.StatusRequestEntityTooLarge, "", map[string]string{"error": "request body too large"})
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	// Logged before it is served, so that a client that sees a dropped
	// connection finds its request already counted.
	idx := s.log(r, body)
	defer func() { s.setStatus(idx, rec.status) }()

	if s.cfg.Latency > 0 && !sleep(r, s.cfg.Latency) {
		return
	}
	if s.cfg.FailRate > 0 {
		s.mu.Lock()
		fail := s.rng.Float64() < s.cfg.FailRate
		s.mu.Unlock()
		if fail {
			rec.Header().Set("Retry-After", "1")
			rec.Header().Set("Content-Type", "application/json")
			rec.WriteHeader(http.StatusServiceUnavailable)
			_, _ = rec.Write([]byte(`{"error":"sandbox: injected failure, retry later"}`))
			return
		}
	}
	if f := s.takeFault(r); f != nil && s.fault(w, rec, r, f) {
		return
	}
	s.vendor.ServeHTTP(rec, r)
}

// admin serves GET .../_sandbox/requests and POST .../_sandbox/reset (under
// any prefix, so a mounted sandbox answers its own), and reports whether r
// was one of them.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case strings.HasSuffix(r.URL.Path, "/_sandbox/requests") && r.Method == http.MethodGet:
		reqs := s.Requests()
		if reqs == nil {
			reqs = []Request{} // "requests": [] rather than null when none came
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"requests": reqs})
	case strings.HasSuffix(r.URL.Path, "/_sandbox/reset") && r.Method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		return false
	}
	return true
}

// fault applies f to r and reports whether it answered (or dropped) the
// request; false lets the vendor answer (a Fault of Delay alone).
func (s *Server) fault(w http.ResponseWriter, rec *statusRecorder, r *http.Request, f *Fault) bool {
	if f.Delay > 0 && !sleep(r, f.Delay) {
		return true
	}
	if f.AfterVendor && !f.DropMidBody { // DropMidBody lets the vendor work anyway
		s.vendor.ServeHTTP(httptest.NewRecorder(), r) // the work is done, its answer lost
	}
	switch {
	case f.Drop:
		rec.status = 0
		hijackClose(w)
	case f.DropMidBody:
		buf := httptest.NewRecorder()
		s.vendor.ServeHTTP(buf, r)
		out := buf.Body.Bytes()
		for k, vs := range buf.Header() {
			rec.Header()[k] = vs
		}
		rec.Header().Set("Content-Length", strconv.Itoa(len(out)+1))
		rec.WriteHeader(buf.Code)
		_, _ = rec.Write(out[:len(out)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		hijackClose(w)
	case f.Status != 0:
		for k, vs := range f.Header {
			rec.Header()[k] = vs
		}
		rec.WriteHeader(f.Status)
		_, _ = io.WriteString(rec, f.Body)
	default:
		return false
	}
	return true
}

func sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// hijackClose closes the client connection without a (complete) response.
func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // a reset, not a clean close
	}
	_ = conn.Close()
}

func (s *Server) setStatus(idx, status int) {
	s.mu.Lock()
	if i := idx - s.dropped; i >= 0 && i < len(s.requests) {
		s.requests[i].Status = status
	}
	s.mu.Unlock()
}

// log records r and returns its number: its index in the log plus
// s.dropped at the time (setStatus finds it again, or not when it was
// dropped or reset meanwhile).
func (s *Server) log(r *http.Request, body []byte) int {
	red := transport.NewRedactor()
	if s.secrets != nil {
		red.Add(s.secrets()...)
	}
	hdr := map[string]string{}
	for k := range r.Header {
		v := red.Redact(k + ": " + r.Header.Get(k))
		if strings.HasPrefix(v, k+": ") {
			hdr[k] = v[len(k)+2:]
		} else {
			hdr[k] = transport.Mask
		}
	}
	// Mask first, cut after: a secret straddling the cut must not leave
	// its start in the log.
	b := red.Excerpt(string(body), 4096)
	req := Request{
		Time: time.Now(), Method: r.Method, Path: r.URL.Path,
		Query: red.Redact(r.URL.RawQuery), Header: hdr, Body: b,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxLogged {
		n := maxLogged / 10
		s.requests = append(make([]Request, 0, maxLogged), s.requests[n:]...)
		s.dropped += n
	}
	s.requests = append(s.requests, req)
	return s.dropped + len(s.requests) - 1
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// WriteJSON writes v as JSON with status and content type.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	if contentType == "" {
		contentType = "application/json; charset=utf-8"
	}
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
