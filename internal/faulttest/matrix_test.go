package faulttest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/internal/transport"
)

// Retry settings every client of the matrix is built with. The maximum wait
// (1.1s) is above the one second that "Retry-After: 1" and the HTTP date one
// second ahead ask for, so those are honoured and the call succeeds after one
// retry; the date one hour ahead is past it, so that 429 comes back at once
// as a *leadkit.RateLimitError. The minimum (1ms) keeps the exponential
// backoff of the other retries short.
const (
	maxRetries   = 2
	retryWaitMin = time.Millisecond
	retryWaitMax = 1100 * time.Millisecond
)

// opClass is how the retry rules of docs/reliability.md treat an operation.
type opClass int

const (
	classRead   opClass = iota // GET: retried on connection errors, 429, 500, 502-504
	classIdem                  // PUT, DELETE: retried like a GET, except on 500
	classCreate                // creates: retried only when provably not sent, or on 429/503
)

func (c opClass) String() string { return [...]string{"read", "idempotent write", "create"}[c] }

// errConnRefused names the connection-refused cause.
var errConnRefused error = syscall.ECONNREFUSED

// expect is the expected outcome of one cell.
type expect struct {
	ok     bool    // the call succeeds (after retries when count > 1)
	is     []error // errors.Is must hold for each; leadkit.ErrOutcomeUnknown must match exactly when listed
	rate   bool    // a *leadkit.RateLimitError carrying the server's (one hour) Retry-After
	vend   bool    // the vendor's own *Error (with the vendor's message)
	count  int     // requests of the operation that reached the server
	atMost bool    // count is a bound: a request cut off by the deadline may or may not have reached the handler
	// unknownIfSent: leadkit.ErrOutcomeUnknown must match when the server saw
	// the request; when it did not, the error may say either.
	unknownIfSent bool
	why           string // for overrides: the reason the cell differs from its class
	// other is how many requests the other host of a cross-host redirect
	// must receive (checked on those cells only).
	other int
}

func ok(n int) expect                   { return expect{ok: true, count: n} }
func fail(n int, kinds ...error) expect { return expect{is: kinds, count: n} }
func slow(kinds ...error) expect        { return expect{is: kinds, count: 1, atMost: true} }
func slowCreate() expect {
	return expect{is: []error{errDeadline}, count: 1, atMost: true, unknownIfSent: true}
}
func (e expect) because(s string) expect { e.why = s; return e }

var (
	errUnknown  = leadkit.ErrOutcomeUnknown
	errStatus   = leadkit.ErrHTTPStatus
	errDeadline = context.DeadlineExceeded
	errRedirect = leadkit.ErrRedirect
)

// classExpect is the matrix's expectation for each class of operation and
// each fault: the retry rules of docs/reliability.md written down as data. Vendors and
// operations override single cells (with a reason) where the vendor's
// contract differs.
var classExpect = map[opClass][numFaults]expect{
	classRead: {
		fNone:        ok(1),
		fRefused:     fail(0, errConnRefused),
		fResetBefore: ok(2),
		fResetMid:    ok(2),
		fSlow:        slow(errDeadline),
		f500:         ok(2),
		f502HTML:     ok(2),
		f503:         ok(2),
		f429Date:     ok(2),
		f429Far:      {rate: true, is: []error{errStatus}, count: 1},
		fEcho:        {vend: true, is: []error{errStatus}, count: 1},
		fEmpty:       fail(1, leadkit.ErrEmptyBody),
		fTruncated:   fail(1, leadkit.ErrTruncatedBody),
		fHuge:        fail(1, leadkit.ErrBodyTooLarge),
		fBadUTF8:     ok(1),
		fHTMLType:    ok(1),
	},
	classIdem: {
		fNone:        ok(1),
		fRefused:     fail(0, errConnRefused),
		fResetBefore: ok(2),
		fResetMid:    ok(2),
		fSlow:        slow(errDeadline),
		f500:         fail(1, errStatus),
		f502HTML:     ok(2),
		f503:         ok(2),
		f429Date:     ok(2),
		f429Far:      {rate: true, is: []error{errStatus}, count: 1},
		fEcho:        {vend: true, is: []error{errStatus}, count: 1},
		fEmpty:       fail(1, leadkit.ErrEmptyBody),
		fTruncated:   fail(1, leadkit.ErrTruncatedBody),
		fHuge:        fail(1, leadkit.ErrBodyTooLarge),
		fBadUTF8:     ok(1),
		fHTMLType:    ok(1),
	},
	classCreate: {
		fNone:        ok(1),
		fRefused:     fail(0, errConnRefused),
		fResetBefore: fail(1, errUnknown),
		fResetMid:    fail(1, errUnknown),
		fSlow:        slowCreate(),
		// Any 5xx but 503 may come after the create was stored.
		f500:     fail(1, errUnknown, errStatus),
		f502HTML: fail(1, errUnknown, errStatus),
		f503:     ok(2),
		f429Date: ok(2),
		f429Far:  {rate: true, is: []error{errStatus}, count: 1},
		fEcho:    {vend: true, is: []error{errStatus}, count: 1},
		// A 2xx whose body cannot be read: the create was most likely
		// processed, its answer is lost: outcome unknown, not resent.
		fEmpty:     fail(1, errUnknown, leadkit.ErrEmptyBody),
		fTruncated: fail(1, errUnknown, leadkit.ErrTruncatedBody),
		fHuge:      fail(1, errUnknown, leadkit.ErrBodyTooLarge),
		fBadUTF8:   ok(1),
		fHTMLType:  ok(1),
	},
}

// vendor describes one client for the matrix.
type vendor struct {
	name    string
	backend http.Handler // the vendor's sandbox, accepting the canary credentials
	// newClient builds a client for baseURL with the canary credentials.
	newClient func(baseURL string, opts common) (any, error)
	// secrets are the canary values the client was built with (and
	// derived forms the scan should look for, such as basic-auth pairs).
	secrets []string
	// echo is the vendor's error answer carrying msg.
	echo func(msg string) (status int, body string)
	// isVendorErr reports whether err holds the vendor's own *Error.
	isVendorErr func(err error) bool
	// override changes a cell for every operation of the vendor.
	override map[fault]expect
	ops      []op
}

// common are the options every client of the matrix gets.
type common struct {
	hc     *http.Client
	logger *slog.Logger
}

// op is one operation of a client.
type op struct {
	name     string
	class    opClass
	match    func(*http.Request) bool // the operation's requests (not a token fetch)
	call     func(ctx context.Context, client any) error
	override map[fault]expect
	body     bool // an idempotent write that carries a body (PUT)
}

func (v *vendor) expect(o *op, f fault) expect {
	if e, ok := o.override[f]; ok {
		return e
	}
	if e, ok := v.override[f]; ok {
		return e
	}
	if status, cross := f.redirectStatus(); status != 0 {
		return redirectExpect(o, status, cross)
	}
	if f == fCallerRetry {
		// The caller's transport resends what failed: a read or an
		// idempotent write passes on its second try (the core sees one
		// success); a create is stopped beneath it (its second connection
		// closed before a byte was written) and is outcome unknown.
		if o.class == classCreate {
			return fail(1, errUnknown)
		}
		return ok(2)
	}
	switch f {
	case f503Bare, f503BadRetryAfter, f504:
		// No proof that the create was not processed (a 503 says so only
		// with a Retry-After that parses): outcome unknown, not resent.
		// Reads and idempotent writes are retried.
		if o.class == classCreate {
			return fail(1, errUnknown, errStatus)
		}
		return ok(2)
	case fTLSCloseNotify:
		// A clean end of the session after the request was read is no
		// more proof than a reset.
		if o.class == classCreate {
			return fail(1, errUnknown)
		}
		return ok(2)
	}
	if f == fH2Reset || f.isTLSGarbage() {
		// The stream was reset, or garbage came beneath TLS, after the
		// server read the request: reads and idempotent writes are retried;
		// a create is never replayed, neither by the retry layer nor by the
		// transport below it (only a handshake that never completed proves
		// that nothing was written).
		if o.class == classCreate {
			return fail(1, errUnknown)
		}
		return ok(2)
	}
	return classExpect[o.class][f]
}

// redirectExpect is the redirect policy of the core written down as data.
func redirectExpect(o *op, status int, cross bool) expect {
	changesMethod := status != 307 && status != 308 // net/http turns a non-GET into a GET on 301-303
	switch {
	case o.class == classCreate:
		// Never followed: the 3xx is the create's answer, outcome unknown.
		return fail(1, errUnknown, errRedirect, errStatus)
	case o.class == classIdem && changesMethod:
		// Following would turn the write into a GET that "succeeds".
		return fail(1, errRedirect, errStatus)
	case !cross:
		return ok(2) // followed, the client's credentials applied again
	case o.body:
		// A body may hold keys: not sent to another host.
		return fail(1, errRedirect, errStatus)
	}
	// Followed to the other host without any credential; it answers 404.
	e := fail(1, errStatus)
	e.other = 1
	return e
}

// pathHas matches requests whose path contains s (and method m when not empty).
func pathHas(m, s string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return (m == "" || r.Method == m) && strings.Contains(r.URL.Path, s)
	}
}

// cell is the observed outcome of one operation under one fault.
type cell struct {
	v        *vendor
	op       *op
	f        fault
	err      error
	setupErr error
	count    int
	attempts int // "leadkit http attempt" log lines
	elapsed  time.Duration
	settled  bool // no handler still running shortly after the call returned
	logs     string
	creds    []string
	other    int    // requests the other host of a cross-host redirect received
	otherGot string // everything it received
}

func runCell(v *vendor, o *op, f fault) (c cell) {
	c = cell{v: v, op: o, f: f}
	logs := &testutil.SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fr := &front{backend: v.backend, match: o.match, fault: f, echo: v.echo}
	if _, cross := f.redirectStatus(); cross {
		fr.other = newOtherHost()
		defer func() {
			fr.other.Close()
			c.other = int(fr.other.hits.Load())
			c.otherGot = fr.other.received()
		}()
	}
	tr := transport.NewDefaultTransport()
	defer tr.CloseIdleConnections()
	var base string
	switch f {
	case fH2Reset:
		srv := httptest.NewUnstartedServer(fr)
		srv.EnableHTTP2 = true
		srv.StartTLS()
		defer srv.Close()
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		base = srv.URL
	case fTLSGarbled, fTLSPlaintext, fTLSOversized, fTLSCloseNotify:
		srv := httptest.NewUnstartedServer(fr)
		srv.StartTLS() // HTTP/1.1: the handler can reach the raw connection
		defer srv.Close()
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		base = srv.URL
	case fRefused:
		u, release, err := closedPort()
		if err != nil {
			c.setupErr = err
			return c
		}
		defer release()
		base = u
	default:
		srv := httptest.NewServer(fr)
		defer srv.Close()
		base = srv.URL
	}
	hc := &http.Client{Transport: tr}
	if f == fCallerRetry {
		hc.Transport = retryingTransport{tr}
	}
	client, err := v.newClient(base, common{hc: hc, logger: logger})
	if err != nil {
		c.setupErr = err
		return c
	}
	timeout := 20 * time.Second
	if f == fSlow {
		timeout = cellDeadline
		// Open the connection before the deadline starts, so that the
		// request is written before it ends even on a loaded machine: a
		// create that never got a connection is (rightly) not "unknown".
		if resp, err := hc.Get(base + "/_faulttest/warm-up"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	start := time.Now()
	c.err = o.call(ctx, client)
	c.elapsed = time.Since(start)
	cancel()
	deadline := time.Now().Add(2 * time.Second)
	for fr.inflight.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	c.settled = fr.inflight.Load() == 0
	c.count = int(fr.hits.Load())
	c.logs = logs.String()
	c.attempts = strings.Count(c.logs, "leadkit http attempt")
	c.creds = fr.seenCreds()
	return c
}

// label names an observed outcome for the summary table.
func (c *cell) label() string {
	if c.setupErr != nil {
		return "setup error"
	}
	n := fmt.Sprint(c.count)
	if e := c.v.expect(c.op, c.f); e.atMost {
		n = "≤" + fmt.Sprint(e.count) // the deadline may cut the request off before the handler counts it
	}
	if c.err == nil {
		return "ok·" + n
	}
	var parts []string
	var rl *leadkit.RateLimitError
	if errors.As(c.err, &rl) {
		parts = append(parts, "rate-limited "+rl.RetryAfter.Round(time.Minute).String())
	}
	for _, k := range []struct {
		err  error
		name string
	}{
		{errUnknown, "unknown"}, {errDeadline, "deadline"}, {errConnRefused, "refused"},
		{leadkit.ErrEmptyBody, "empty"}, {leadkit.ErrTruncatedBody, "truncated"},
		{leadkit.ErrBodyTooLarge, "too large"}, {leadkit.ErrNotJSON, "not JSON"}, {leadkit.ErrDecode, "decode"},
		{errRedirect, "redirect"},
	} {
		if errors.Is(c.err, k.err) {
			parts = append(parts, k.name)
		}
	}
	if rl == nil && errors.Is(c.err, errStatus) {
		parts = append(parts, "status")
	}
	if len(parts) == 0 && c.v.isVendorErr(c.err) {
		parts = append(parts, "vendor error")
	}
	if len(parts) == 0 {
		parts = append(parts, "other error")
	}
	if e := c.v.expect(c.op, c.f); e.unknownIfSent && c.count == 0 && parts[0] == "deadline" {
		// The deadline ended the call before the request was written (a
		// loaded machine): check accepts it, and the table shows the rule,
		// so that the generated doc does not depend on the machine's load.
		parts = append([]string{"unknown"}, parts...)
	}
	return strings.Join(parts, "+") + "·" + n
}

// check asserts one cell against its expectation.
func check(t *testing.T, c *cell) {
	t.Helper()
	require.NoError(t, c.setupErr)
	e := c.v.expect(c.op, c.f)
	if e.ok {
		require.NoError(t, c.err, "expected success")
	} else {
		require.Error(t, c.err, "expected an error")
		for _, k := range e.is {
			assert.ErrorIs(t, c.err, k)
		}
		wantUnknown := false
		for _, k := range e.is {
			wantUnknown = wantUnknown || k == errUnknown
		}
		switch {
		case e.unknownIfSent && c.count == 0:
			// The deadline ended the call before the server saw the request:
			// "unknown" (the request was written) and "not sent" (it was not
			// even written yet) are both true answers.
		case e.unknownIfSent:
			assert.True(t, errors.Is(c.err, errUnknown), "the server saw the request: the outcome is unknown: %v", c.err)
		default:
			assert.Equal(t, wantUnknown, errors.Is(c.err, errUnknown), "outcome unknown only where the request may have reached the server and was not resent: %v", c.err)
		}
		var rl *leadkit.RateLimitError
		assert.Equal(t, e.rate, errors.As(c.err, &rl), "rate limit error: %v", c.err)
		if e.rate {
			assert.Greater(t, rl.RetryAfter, 50*time.Minute, "the server's Retry-After reaches the caller")
			assert.False(t, rl.ClientSide)
		}
		if e.vend {
			assert.True(t, c.v.isVendorErr(c.err), "the vendor's *Error: %v", c.err)
		}
	}
	if e.atMost {
		assert.LessOrEqual(t, c.count, e.count, "requests that reached the server (%s)", c.label())
	} else {
		assert.Equal(t, e.count, c.count, "requests that reached the server (%s)", c.label())
	}
	assert.True(t, c.settled, "a server handler was still running after the call returned")
	switch c.f {
	case fRefused:
		// Nothing was sent, so every operation, creates too, was retried.
		assert.Equal(t, 1+maxRetries, c.attempts, "attempts against a closed port")
	case fSlow:
		// The server would take slowDelay (10s); the call ends with the
		// caller's 100ms deadline (the bound leaves room for a loaded machine).
		assert.Less(t, c.elapsed, 5*time.Second, "the call ends with the caller's deadline")
	}
	if _, cross := c.f.redirectStatus(); cross {
		assert.Equal(t, e.other, c.other, "requests that reached the other host")
		secrets := append(append([]string(nil), c.v.secrets...), c.creds...)
		if hits := leaks(map[string]string{"the other host": c.otherGot}, secrets); len(hits) > 0 {
			t.Errorf("credentials reached the other host:\n%s", strings.Join(hits, "\n"))
		}
	}
	if c.f == fEcho {
		// The echo (with the credentials in it, masked) reached the error,
		// so the scan below has something to find.
		var all strings.Builder
		for _, s := range errorTexts(c.err) {
			all.WriteString(s)
		}
		assert.Contains(t, all.String(), "bad request: ", "the vendor's message reaches the error")
	}
	scanCell(t, c)
}

// vendors returns the clients of the matrix.
func vendors(t *testing.T) []*vendor {
	return []*vendor{zenVendor(t), salesmanVendor(t), wecleverVendor(t), zenviaVendor(t), zenviaSubscriptionsVendor(t), datacakeVendor(t)}
}

// TestFaultMatrix drives every operation of every client through every fault.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	vs := vendors(t)
	type job struct {
		v *vendor
		o *op
		f fault
	}
	var jobs []job
	for _, v := range vs {
		for i := range v.ops {
			for f := range numFaults {
				jobs = append(jobs, job{v, &v.ops[i], f})
			}
		}
	}
	// The cells run concurrently (most of them wait on a loopback socket or
	// on a one-second Retry-After), the 12 MiB ones a few at a time.
	results := make([]cell, len(jobs))
	sem := make(chan struct{}, 64)
	huge := make(chan struct{}, 3)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if j.f == fHuge {
				huge <- struct{}{}
				defer func() { <-huge }()
			}
			results[i] = runCell(j.v, j.o, j.f)
		}()
	}
	wg.Wait()
	for i := range results {
		c := &results[i]
		t.Run(fmt.Sprintf("%s/%s/%s", c.v.name, c.op.name, c.f), func(t *testing.T) { check(t, c) })
	}
	table := summary(vs, results)
	t.Log("\n" + table)
	if path := os.Getenv("FAULTTEST_SUMMARY"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(table), 0o644))
	}
	if !t.Failed() {
		checkReliabilityDoc(t, table)
	}
}

// reliabilityDoc holds the published copy of the matrix.
const reliabilityDoc = "../../docs/reliability.md"

// checkReliabilityDoc fails when the table in docs/reliability.md is not the
// one this run observed, so the published matrix cannot go stale;
// FAULTTEST_UPDATE=1 rewrites it.
func checkReliabilityDoc(t *testing.T, table string) {
	t.Helper()
	raw, err := os.ReadFile(reliabilityDoc)
	require.NoError(t, err)
	doc := string(raw)
	const endMark = "<!-- faulttest:end -->"
	begin := strings.Index(doc, "<!-- faulttest:begin")
	end := strings.Index(doc, endMark)
	require.True(t, begin >= 0 && end > begin, "%s lacks the faulttest markers", reliabilityDoc)
	begin += strings.Index(doc[begin:], "-->") + len("-->\n")
	if doc[begin:end] == table {
		return
	}
	if os.Getenv("FAULTTEST_UPDATE") != "" {
		require.NoError(t, os.WriteFile(reliabilityDoc, []byte(doc[:begin]+table+doc[end:]), 0o644))
		return
	}
	t.Errorf("%s is stale: regenerate it with FAULTTEST_UPDATE=1 go test -run TestFaultMatrix ./internal/faulttest/", reliabilityDoc)
}

// summary renders the clients × faults table in Markdown.
func summary(vs []*vendor, results []cell) string {
	byKey := map[string]*cell{}
	for i := range results {
		c := &results[i]
		byKey[c.v.name+"/"+c.op.name+"/"+c.f.String()] = c
	}
	var b strings.Builder
	b.WriteString("| client | operation |")
	for f := range numFaults {
		fmt.Fprintf(&b, " %s |", f)
	}
	b.WriteString("\n|---|---|")
	for range numFaults {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, v := range vs {
		for i := range v.ops {
			o := &v.ops[i]
			fmt.Fprintf(&b, "| %s | %s (%s) |", v.name, o.name, o.class)
			for f := range numFaults {
				c := byKey[v.name+"/"+o.name+"/"+f.String()]
				mark := ""
				if c.v.expect(o, f).why != "" {
					mark = "*"
				}
				fmt.Fprintf(&b, " %s%s |", c.label(), mark)
			}
			b.WriteString("\n")
		}
	}
	var notes []string
	for _, v := range vs {
		for i := range v.ops {
			for f := range numFaults {
				if why := v.expect(&v.ops[i], f).why; why != "" {
					notes = append(notes, fmt.Sprintf("- %s %s, %s: %s", v.name, v.ops[i].name, f, why))
				}
			}
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n\\* differs from its class:\n\n" + strings.Join(notes, "\n") + "\n")
	}
	return b.String()
}

// retryingTransport is a caller's transport that resends a request by
// itself, as resilience wrappers do: it keeps the body and tries again, the
// request's context and all, up to three times on any error.
type retryingTransport struct{ base http.RoundTripper }

func (rt retryingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	var err error
	for range 3 {
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		var resp *http.Response
		if resp, err = rt.base.RoundTrip(r2); err == nil {
			return resp, nil
		}
	}
	return nil, err
}
