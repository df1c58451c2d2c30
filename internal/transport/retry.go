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
	"strconv"
	"strings"
	"sync"
	"time"
)

type stateKey struct{}

// callState follows one logical call across its attempts.
type callState struct {
	idempotent bool
	maxBody    int64
	maxWait    time.Duration

	mu       sync.Mutex
	attempts int
	gotConn  bool // the last attempt got a connection, so it may have been sent
	body     []byte
	tooLarge bool
}

func (st *callState) mayHaveReached() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.gotConn
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
// whether each got a connection (a request that never got one provably did
// not reach the server), and logs one line per attempt. It deliberately has
// no CloseIdleConnections, so retryablehttp's giving-up path does not empty
// the caller's connection pool.
type attemptTransport struct {
	base http.RoundTripper
	c    *Client
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st, _ := req.Context().Value(stateKey{}).(*callState)
	attempt := 0
	if st != nil {
		st.mu.Lock()
		st.attempts++
		attempt = st.attempts
		st.gotConn = false
		st.mu.Unlock()
		if !st.idempotent {
			// Only a create needs to know whether it may have been sent;
			// the trace costs a request copy and a context per attempt.
			trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) {
				st.mu.Lock()
				st.gotConn = true
				st.mu.Unlock()
			}}
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		}
	}
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	if resp != nil && resp.Request == nil {
		// http.Client does not fill it in and a custom RoundTripper may not:
		// the retry policy reads it.
		resp.Request = req
	}
	if l := t.c.logger; l != nil && l.Enabled(req.Context(), slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("vendor", t.c.vendor),
			slog.String("method", req.Method),
			slog.String("url", t.c.redactor.RedactURL(req.URL)),
			slog.Int("attempt", attempt),
			slog.Duration("duration", time.Since(start)),
		}
		if resp != nil {
			attrs = append(attrs, slog.Int("status", resp.StatusCode))
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", t.c.redactor.Redact(err.Error())))
		}
		l.LogAttrs(req.Context(), slog.LevelDebug, "leadkit http attempt", attrs...)
	}
	if st != nil && err != nil && isDialError(err) {
		st.mu.Lock()
		st.gotConn = false
		st.mu.Unlock()
	}
	return resp, err
}

// checkRetry is the retry policy of DESIGN.md.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st, _ := ctx.Value(stateKey{}).(*callState)
	idempotent := st == nil || st.idempotent
	if err != nil {
		if !retryableError(err) {
			return false, nil
		}
		if idempotent {
			return true, nil
		}
		// A create is resent only when it provably never left.
		return !st.mayHaveReached(), nil
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		// The server says it did not process the request. When it asks for a
		// longer wait than we may take, retrying early only earns another
		// refusal: hand the answer back at once (a *leadkit.RateLimitError
		// carrying the server's Retry-After for 429).
		if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && st != nil && d > st.maxWait {
			return false, nil
		}
		if st != nil {
			// Nothing was processed: if the context ends during the wait, a
			// create's outcome is known (not done), not "unknown".
			st.mu.Lock()
			st.gotConn = false
			st.mu.Unlock()
		}
		return true, nil
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return idempotent, nil
	case http.StatusInternalServerError:
		m := resp.Request.Method
		return idempotent && (m == http.MethodGet || m == http.MethodHead), nil
	}
	return false, nil
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

// isDialError reports a failure to connect at all: DNS, refused, unreachable.
func isDialError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return false
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
	ceil := minWait
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
