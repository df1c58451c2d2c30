package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type stateKey struct{}

// callState follows one logical call across its attempts and redirect hops.
type callState struct {
	idempotent bool
	maxBody    int64
	maxWait    time.Duration
	auth       Auth     // re-applied on a redirect to the same host
	origin     *url.URL // the call's URL: a hop elsewhere carries no credential

	mu       sync.Mutex
	attempts int
	// notSent is positive proof that the current attempt was not processed:
	// our dialer or the TLS handshake failed before a connection was handed
	// to the request (attemptTrace.provesNotSent), or the server answered
	// 429 or 503. Without it a create's failure has an unknown outcome.
	notSent bool
	// reachedBefore: an earlier attempt may have been processed (it failed
	// after a connection, or met a gateway error), so a retried DELETE that
	// finds nothing has done its job.
	reachedBefore bool
	// redirectStop says why a redirect was not followed ("" when none was
	// refused).
	redirectStop string
	body         []byte
	tooLarge     bool
}

func stateOf(ctx interface{ Value(any) any }) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

func (st *callState) provedNotSent() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.notSent
}

func (st *callState) set(f func(st *callState)) {
	st.mu.Lock()
	f(st)
	st.mu.Unlock()
}

// readBody reads the final response's body inside the retry loop, so that a
// GET whose connection breaks mid-body is retried like any other failure.
func (st *callState) readBody(resp *http.Response) error {
	defer resp.Body.Close()
	var buf []byte
	if n := resp.ContentLength; n >= 0 && n <= st.maxBody {
		// One allocation when the size is known (+1 to see EOF without growing).
		buf = make([]byte, 0, n+1)
	}
	b, err := readLimited(resp.Body, buf, st.maxBody+1)
	if err != nil {
		return err
	}
	if int64(len(b)) > st.maxBody {
		st.tooLarge = true
		b = b[:st.maxBody]
		// Drain a little more so a slightly large body keeps its connection;
		// past that, closing is cheaper than reading.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 256<<10))
	}
	st.body = b
	return nil
}

// readLimited appends at most limit bytes of r to buf, like io.ReadAll over
// an io.LimitReader but into a buffer the caller sized.
func readLimited(r io.Reader, buf []byte, limit int64) ([]byte, error) {
	if buf == nil {
		buf = make([]byte, 0, 512)
	}
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			// Double (append grows large slices by only 1.25x, which for a
			// chunked 100 KB body allocates several times its size).
			n := max(int64(2*cap(buf)), 512)
			nb := make([]byte, len(buf), min(n, limit))
			copy(nb, buf)
			buf = nb
		}
		room := buf[len(buf):min(int64(cap(buf)), limit)]
		n, err := r.Read(room)
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// attemptTransport wraps the caller's transport: it counts attempts, notes
// positive proof that an attempt never left (attemptTrace), makes creates
// unreplayable so that no transport below resends them (net/http's HTTP/1
// and HTTP/2 clients resend a request with GetBody, or without a body, after
// some connection and stream errors), closes a second connection handed to
// the same attempt of a create before anything is written on it (a
// caller's transport that resends a request by itself; see attemptTrace),
// and logs one line per attempt and redirect hop. It
// deliberately has no CloseIdleConnections, so retryablehttp's giving-up
// path does not empty the caller's connection pool.
type attemptTransport struct {
	base http.RoundTripper
	c    *Client
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := stateOf(req.Context())
	hop := req.Response != nil // a redirect hop of the same attempt
	attempt := 0
	var tr *attemptTrace
	if st != nil {
		st.mu.Lock()
		if !hop {
			st.attempts++
			st.notSent = false
		}
		attempt = st.attempts
		st.mu.Unlock()
		if !st.idempotent {
			req = unreplayable(req)
		}
		if hop && st.origin != nil && !sameOrigin(st.origin, req.URL) {
			// net/http adds a jar's cookies after CheckRedirect ran (and a
			// cookie is scoped by host name, not port): filter again here.
			r2 := *req
			r2.Header = crossOriginHeader(req.Header)
			req = &r2
		}
		if !hop {
			tr = &attemptTrace{create: !st.idempotent}
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), tr.hooks()))
			if tr.create {
				// req is WithContext's copy: its Body may be replaced.
				req.Body = &watchedBody{ReadCloser: req.Body, read: &tr.bodyRead}
			}
		}
	}
	// No attempt starts once the call's context is done, nor past its
	// deadline: a process resumed from a pause (GC, VM, SIGSTOP) runs on
	// before the runtime's timer cancels the context, and may be past a
	// lease that its caller gave the call. That is positive proof that
	// this attempt was not sent.
	if err := contextDone(req.Context()); err != nil {
		if st != nil && !hop {
			st.set(func(st *callState) { st.notSent = true })
		}
		return nil, &notStartedError{err}
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if resp != nil && resp.Request == nil {
		// http.Client does not fill it in and a custom RoundTripper may not:
		// the retry policy reads it.
		resp.Request = req
	}
	t.log(req, st, attempt, hop, start, resp, err)
	if tr != nil && err != nil && tr.provesNotSent(err) {
		st.set(func(st *callState) { st.notSent = true })
	}
	return resp, err
}

// unreplayable returns a create as no transport below may replay it:
// without GetBody, and with a body even when it has none. Go's HTTP/2 client
// resends a request whose Body is nil or http.NoBody after a stream reset
// (PROTOCOL_ERROR, REFUSED_STREAM) or a GOAWAY, whatever its method, and
// one it can rewind with GetBody; HTTP/1 one it can rewind, or one without a
// body that carries an Idempotency-Key. An empty body goes out as such
// (HTTP/1: chunked, a zero-length chunk; HTTP/2: an empty DATA frame that
// ends the stream).
func unreplayable(req *http.Request) *http.Request {
	if req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
		return req
	}
	r2 := *req
	r2.GetBody = nil
	if r2.Body == nil || r2.Body == http.NoBody {
		r2.Body, r2.ContentLength = emptyBody{}, 0
	}
	return &r2
}

// watchedBody notes that a create's body was read: from then on a second
// connection handed to the attempt carries a resend (attemptTrace).
type watchedBody struct {
	io.ReadCloser
	read *atomic.Bool
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.read.Store(true)
	return b.ReadCloser.Read(p)
}

// emptyBody is a request body of no bytes that net/http cannot tell from
// any other body, so it never counts the request as safe to replay.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// log writes the attempt's debug line (masked), when a logger wants it.
func (t *attemptTransport) log(req *http.Request, st *callState, attempt int, hop bool, start time.Time, resp *http.Response, err error) {
	l := t.c.logger
	if l == nil || !l.Enabled(req.Context(), slog.LevelDebug) {
		return
	}
	red := t.c.redactor
	attrs := []slog.Attr{
		slog.String("vendor", t.c.vendor),
		slog.String("method", req.Method),
		slog.String("url", red.RedactURL(req.URL)),
		slog.Int("attempt", attempt),
		slog.Duration("duration", time.Since(start)),
	}
	if hop {
		attrs = append(attrs, slog.Bool("redirect", true))
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", red.Redact(err.Error())))
	}
	l.LogAttrs(req.Context(), slog.LevelDebug, "leadkit http attempt", attrs...)
}

// attemptTrace follows one attempt through net/http's client trace: whether
// a connection was handed to the request (from then on its bytes may have
// been written), and the errors of TLS handshakes that failed.
type attemptTrace struct {
	create     bool        // the request is a create: nothing below may resend it
	bodyRead   atomic.Bool // its body was read (written, or kept by a transport to resend)
	mu         sync.Mutex
	asked      bool   // net/http's Transport asked for a connection for it
	host       string // the address of the last connection asked for
	first      string // the address of the first connection handed over
	connected  bool
	wrote      bool // the headers were written on a connection handed over
	dnsFailed  bool // a lookup for this attempt failed
	dialFailed bool // a dial for this attempt failed
	handshake  []error
}

func (a *attemptTrace) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(hostPort string) {
			a.mu.Lock()
			a.asked = true
			a.host = hostPort
			a.mu.Unlock()
		},
		GotConn: func(info httptrace.GotConnInfo) {
			a.mu.Lock()
			if !a.connected {
				a.first = a.host
			}
			resend := a.create && a.connected && a.bodyRead.Load() && a.host == a.first && (a.wrote || !isH2(info.Conn))
			a.connected = true
			a.mu.Unlock()
			if resend && info.Conn != nil {
				// A transport beneath ours (a caller's that retries by
				// itself) is sending this create again, to the same
				// address, on a second connection: close it before a
				// byte of it is written. net/http's own clients never
				// resend a create (see unreplayable); HTTP/2's retry on
				// a connection found unusable before the stream started
				// writes nothing first, and is let through; so is a
				// request of the caller's transport's own made with this
				// context before the create's body was read (a token
				// fetch), or to another address.
				_ = info.Conn.Close()
			}
		},
		WroteHeaders: func() {
			a.mu.Lock()
			a.wrote = true
			a.mu.Unlock()
		},
		DNSDone: func(info httptrace.DNSDoneInfo) {
			if info.Err != nil {
				a.mu.Lock()
				a.dnsFailed = true
				a.mu.Unlock()
			}
		},
		ConnectDone: func(_, _ string, err error) {
			if err != nil {
				a.mu.Lock()
				a.dialFailed = true
				a.mu.Unlock()
			}
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				a.mu.Lock()
				a.handshake = append(a.handshake, err)
				a.mu.Unlock()
			}
		},
	}
}

// provesNotSent reports positive proof that the attempt that failed with
// err never wrote a byte of its request: no connection was handed to it,
// and either net/http's Transport had asked for one for it (it writes a
// request only on a connection it handed over, after the TLS handshake
// and any proxy CONNECT: whatever ended the attempt before, a deadline, a
// refused CONNECT, came before any byte of it), or err is the failure of a
// lookup, a dial (refused, unreachable, timed out) or a TLS handshake that
// was traced failing for this attempt (another transport on net's
// dialer). A TLS record error or alert after the handshake, a garbled or
// plaintext answer, a reset: anything after a connection was handed over
// is no proof, and neither is the absence of any signal, nor a dial error
// nobody traced (a caller's transport that rebuilt the request without
// its context may have sent it elsewhere before its last dial failed), nor
// any of these once a create's body was read (net/http reads it only on a
// connection it handed over: read without one, it went by a path the trace
// cannot see).
func (a *attemptTrace) provesNotSent(err error) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.connected || a.bodyRead.Load() {
		// A create's body read while no connection was handed over was
		// read by a path the trace does not see (a caller's transport
		// writing it on a connection of its own before falling back to
		// net/http): it may have left that way.
		return false
	}
	if a.asked {
		return true
	}
	var dnsErr *net.DNSError
	if a.dnsFailed && errors.As(err, &dnsErr) {
		return true
	}
	if a.dialFailed && dialError(err) {
		return true
	}
	for _, h := range a.handshake {
		if errors.Is(err, h) {
			return true
		}
	}
	return false
}

// isH2 reports whether conn speaks HTTP/2 (negotiated over TLS): net/http
// hands one connection to many requests then, and retries a request by
// itself on a connection it found unusable before writing anything.
func isH2(conn net.Conn) bool {
	tc, ok := conn.(*tls.Conn)
	return ok && tc.ConnectionState().NegotiatedProtocol == "h2"
}

// dialError reports whether err holds a *net.OpError of a dial, also under
// net/http's "proxyconnect" one (a proxy that could not be reached was sent
// nothing).
func dialError(err error) bool {
	var op *net.OpError
	for errors.As(err, &op) {
		if op.Op == "dial" {
			return true
		}
		if op.Op != "proxyconnect" {
			return false
		}
		err = op.Err
	}
	return false
}

// contextDone returns ctx's error, or context.DeadlineExceeded when its
// deadline has passed even though the context is not cancelled yet.
func contextDone(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

// notStartedError is an attempt the attempt layer did not start because
// the call's context was done: nothing of it was sent.
type notStartedError struct{ err error }

func (e *notStartedError) Error() string { return "attempt not started: " + e.err.Error() }
func (e *notStartedError) Unwrap() error { return e.err }

// checkRetry is the retry policy of docs/reliability.md.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var ns *notStartedError
	if errors.As(err, &ns) {
		return false, ns.err
	}
	st := stateOf(ctx)
	if st == nil {
		st = &callState{idempotent: true}
	}
	if err != nil {
		if !retryableError(err) {
			return false, nil
		}
		if st.idempotent {
			st.set(func(st *callState) { st.reachedBefore = st.reachedBefore || !st.notSent })
			return true, nil
		}
		// A create is resent only on positive proof that it never left.
		return st.provedNotSent(), nil
	}
	if resp.StatusCode == http.StatusServiceUnavailable && !saysNotProcessed(resp.Header) {
		// A bare 503 is no proof: a router (Heroku's H12/H13, Envoy's
		// "disconnect/reset before headers") answers it after the app
		// read, and maybe stored, the create, or did the DELETE (which
		// then finds nothing on its retry: done, see reachedBefore).
		if !st.idempotent {
			return false, nil
		}
		st.set(func(st *callState) { st.reachedBefore = true })
		return true, nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		// The server says it did not process the request: if the context
		// ends during the wait, a create's outcome is known (not done).
		st.set(func(st *callState) { st.notSent = true })
		// When it asks for a longer wait than we may take, retrying early
		// only earns another refusal: hand the answer back at once (a
		// *leadkit.RateLimitError carrying the server's Retry-After for 429).
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && st.maxWait > 0 && d > st.maxWait {
			return false, nil
		}
		return true, nil
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		if st.idempotent {
			st.set(func(st *callState) { st.reachedBefore = true })
		}
		return st.idempotent, nil
	case http.StatusInternalServerError:
		m := resp.Request.Method
		return st.idempotent && (m == http.MethodGet || m == http.MethodHead), nil
	}
	return false, nil
}

// saysNotProcessed reports a 503 that is the server's own "come back
// later": one that says when, with a Retry-After that parses. Only such a
// 503 (and a 429) proves that a create was not processed.
func saysNotProcessed(h http.Header) bool {
	_, ok := ParseRetryAfter(h.Get("Retry-After"), time.Now())
	return ok
}

// retryableError reports whether a transport error may pass on a new try.
func retryableError(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"stopped after", "unsupported protocol scheme", "invalid header", "net/http: invalid"} {
		if strings.Contains(msg, s) {
			return false
		}
	}
	return true
}

// backoff waits with exponential backoff and full jitter, or for the
// server's Retry-After on 429 and 503, capped at maxWait either way
// (checkRetry does not retry at all when Retry-After exceeds maxWait).
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	// A zero minimum would turn backoff off (WithRetryWait refuses it; the
	// floor guards every other path).
	ceil := max(minWait, time.Millisecond)
	for i := 0; i < attempt && ceil < maxWait; i++ {
		ceil *= 2
	}
	ceil = min(ceil, maxWait)
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil + 1)
}

// ParseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(365*24*time.Hour/time.Second) {
			n = int64(365 * 24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// DefaultMaxConnsPerHost caps the connections the default transport opens
// to one host (dialing, in use and idle).
const DefaultMaxConnsPerHost = 64

// NewDefaultTransport returns the transport a client uses when the caller
// gives none: Go's defaults, but keeping enough idle connections per host for
// a service's concurrency (Go keeps 2, so 64 goroutines would open thousands),
// and at most DefaultMaxConnsPerHost connections per host. Without the cap a
// burst still opens more connections than there are callers: a request that
// finds no idle connection dials, and the connection another caller frees a
// moment later goes to a different waiter, so the dial's connection is extra
// (64 goroutines opened 64 to 82). Past the cap a request waits for a free
// connection; no vendor API takes more parallel calls than that anyway.
func NewDefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.MaxConnsPerHost = DefaultMaxConnsPerHost
	t.IdleConnTimeout = 90 * time.Second
	return t
}
