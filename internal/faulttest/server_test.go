package faulttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/leadkit/leadkit/internal/testutil"
)

// fault is one column of the matrix.
type fault int

const (
	fNone             fault = iota // no fault: the sandbox answers (the success path is genuine)
	fRefused                       // connection refused: nothing listens on the port
	fResetBefore                   // the server reads the request, then resets (SO_LINGER 0) before answering
	fResetMid                      // the server sends the headers and half the body, then resets
	fSlow                          // the answer takes longer than the caller's deadline (100ms)
	f500                           // 500 with a JSON body
	f502HTML                       // 502 with nginx's HTML page
	f503                           // 503 with Retry-After: 1
	f429Date                       // 429 with Retry-After as an HTTP date one second ahead
	f429Far                        // 429 with Retry-After as an HTTP date one hour ahead (past the client's max wait)
	fEcho                          // the vendor's error answer, echoing the whole request (URL, headers, body)
	fEmpty                         // 200 with an empty body
	fTruncated                     // 200 with the sandbox's JSON cut in half (complete HTTP body)
	fHuge                          // 200 with the sandbox's JSON followed by 12 MiB of spaces
	fBadUTF8                       // 200 with invalid UTF-8 bytes inside a string of the sandbox's JSON
	fHTMLType                      // 200 with the sandbox's valid JSON labelled Content-Type: text/html
	fSame301                       // 301 to the same URL on the same host (credentials left out of the target)
	fSame302                       // 302, likewise
	fSame303                       // 303, likewise
	fSame307                       // 307, likewise
	fSame308                       // 308, likewise
	fCross301                      // 301 to another host, the target carrying the whole request URI (keys in the query too)
	fCross302                      // 302, likewise
	fCross303                      // 303, likewise
	fCross307                      // 307, likewise
	fCross308                      // 308, likewise
	fH2Reset                       // HTTP/2 over TLS: the server reads the request, then resets the stream
	fTLSGarbled                    // HTTP/1.1 over TLS: the server reads the request, then writes a garbled record
	fTLSPlaintext                  // likewise, then writes a plaintext HTTP answer beneath TLS
	fTLSOversized                  // likewise, then writes a record header announcing 64 KiB
	fCallerRetry                   // the caller's http.Client has a transport that resends by itself; the server reads, then resets
	f503Bare                       // 503 without Retry-After (a router that gave up after the app read the request)
	f503BadRetryAfter              // 503 with a Retry-After that does not parse ("soon"): no more proof than none
	f504                           // 504 with a gateway's HTML page
	fTLSCloseNotify                // HTTP/1.1 over TLS: the server reads the request, then closes cleanly (close_notify, FIN), no answer
	numFaults
)

// redirectStatus returns the status of a redirect fault and whether it
// points to another host (status 0 for other faults).
func (f fault) redirectStatus() (status int, cross bool) {
	switch {
	case f >= fSame301 && f <= fSame308:
		return [...]int{301, 302, 303, 307, 308}[f-fSame301], false
	case f >= fCross301 && f <= fCross308:
		return [...]int{301, 302, 303, 307, 308}[f-fCross301], true
	}
	return 0, false
}

// isTLSGarbage reports the faults served over TLS that answer garbage
// beneath it after the request was read.
func (f fault) isTLSGarbage() bool { return f >= fTLSGarbled && f <= fTLSOversized }

func (f fault) tlsGarbage() testutil.TLSGarbage {
	return [...]testutil.TLSGarbage{testutil.TLSGarbled, testutil.TLSPlaintext, testutil.TLSOversized}[f-fTLSGarbled]
}

var faultNames = [numFaults]string{
	"none", "refused", "reset before answer", "reset mid-body", "slower than deadline",
	"500", "502 HTML", "503 Retry-After: 1", "429 Retry-After: date +1s", "429 Retry-After: date +1h",
	"error echoing request", "200 empty", "200 truncated JSON", "200 12 MiB", "200 invalid UTF-8",
	"200 JSON as text/html",
	"301 same host", "302 same host", "303 same host", "307 same host", "308 same host",
	"301 other host", "302 other host", "303 other host", "307 other host", "308 other host",
	"HTTP/2 stream reset", "TLS garbled record", "TLS plaintext answer", "TLS oversized record",
	"reset, caller's transport retries",
	"503 without Retry-After", "503 Retry-After: soon", "504 HTML", "TLS close_notify, no answer",
}

func (f fault) String() string { return faultNames[f] }

// Timing of the matrix.
const (
	cellDeadline = 100 * time.Millisecond // the caller's deadline in the slow cells
	slowDelay    = 10 * time.Second       // how long the slow answer would take
	hugeSize     = 12 << 20
)

var hugePad = bytes.Repeat([]byte(" "), hugeSize)

const nginx504 = "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"

const nginx502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n"

// front is the fault-injecting server of one cell. It stands in front of the
// vendor's sandbox: requests of the operation under test (match) meet the
// fault the first time (later ones, the client's retries, reach the sandbox);
// every other request (a token fetch) reaches the sandbox untouched.
type front struct {
	backend http.Handler
	match   func(*http.Request) bool
	fault   fault
	echo    func(msg string) (int, string) // the vendor's error answer around msg
	other   *otherHost                     // the target of the cross-host redirects

	hits     atomic.Int32 // requests of the operation under test
	inflight atomic.Int32 // handlers running
	mu       sync.Mutex
	creds    map[string]bool // credential values the server saw
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.inflight.Add(1)
	defer f.inflight.Add(-1)
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	f.noteCreds(r, body)
	if p, ok := strings.CutPrefix(r.URL.Path, redirectedPrefix); ok {
		r.URL.Path, r.URL.RawPath = p, ""
	}
	if !f.match(r) || f.hits.Add(1) > 1 {
		f.pass(w, r)
		return
	}
	switch f.fault {
	case fNone:
		f.pass(w, r)
	case fResetBefore, fCallerRetry:
		// The request was read; whether it was processed, the client cannot
		// know. (It is not passed on, so that a retried DELETE finds its
		// object still there.)
		reset(w, nil)
	case fResetMid:
		rec := f.record(r)
		out := rec.Body.Bytes()
		copyHeader(w.Header(), rec.Header())
		w.Header().Set("Content-Length", fmt.Sprint(len(out)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out[:len(out)/2])
		w.(http.Flusher).Flush()
		reset(w, func() { time.Sleep(20 * time.Millisecond) })
	case fSlow:
		t := time.NewTimer(slowDelay)
		defer t.Stop()
		select {
		case <-t.C:
			f.pass(w, r)
		case <-r.Context().Done(): // the client left: end the handler
		}
	case f500:
		writeRaw(w, 500, "application/json", `{"error":"internal server error"}`, nil)
	case f502HTML:
		writeRaw(w, 502, "text/html", nginx502, nil)
	case f503:
		writeRaw(w, 503, "application/json", `{"error":"service unavailable"}`, http.Header{"Retry-After": {"1"}})
	case f429Date, f429Far:
		d := time.Second
		if f.fault == f429Far {
			d = time.Hour
		}
		ra := time.Now().Add(d).UTC().Format(http.TimeFormat)
		writeRaw(w, 429, "application/json", `{"error":"too many requests"}`, http.Header{"Retry-After": {ra}})
	case f503Bare:
		writeRaw(w, 503, "application/json", `{"error":"service unavailable"}`, nil)
	case f503BadRetryAfter:
		writeRaw(w, 503, "application/json", `{"error":"service unavailable"}`, http.Header{"Retry-After": {"soon"}})
	case f504:
		writeRaw(w, 504, "text/html", nginx504, nil)
	case fTLSCloseNotify:
		// The request was read; the server ends the TLS session cleanly
		// (close_notify, then FIN) without a byte of answer.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
	case fEcho:
		status, b := f.echo(dumpRequest(r, body))
		writeRaw(w, status, "application/json", b, nil)
	case fEmpty:
		writeRaw(w, 200, "application/json", "", nil)
	case fSame301, fSame302, fSame303, fSame307, fSame308:
		// Back to the same operation on this host, without the credentials
		// (the client must apply its own again).
		status, _ := f.fault.redirectStatus()
		q := r.URL.Query()
		for _, p := range credParams {
			q.Del(p)
		}
		loc := redirectedPrefix + r.URL.EscapedPath()
		if len(q) > 0 {
			loc += "?" + q.Encode()
		}
		writeRaw(w, status, "application/json", `{}`, http.Header{"Location": {loc}})
	case fCross301, fCross302, fCross303, fCross307, fCross308:
		// A careless or hostile server: to another host, with the whole
		// request URI, query keys included.
		status, _ := f.fault.redirectStatus()
		writeRaw(w, status, "application/json", `{}`, http.Header{"Location": {f.other.URL + r.URL.RequestURI()}})
	case fH2Reset:
		panic(http.ErrAbortHandler) // HTTP/2: RST_STREAM after the request was read
	case fTLSGarbled, fTLSPlaintext, fTLSOversized:
		testutil.WriteTLSGarbage(w, f.fault.tlsGarbage())
	case fTruncated, fHuge, fBadUTF8, fHTMLType:
		rec := f.record(r)
		out := rec.Body.Bytes()
		copyHeader(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		switch f.fault {
		case fTruncated:
			out = out[:len(out)/2]
		case fBadUTF8:
			out = badUTF8(out)
		case fHTMLType:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.WriteHeader(http.StatusOK) // a 204 would carry no body at all
		_, _ = w.Write(out)
		if f.fault == fHuge {
			_, _ = w.Write(hugePad)
		}
	default:
		panic("unknown fault")
	}
}

// redirectedPrefix marks the target of a same-host redirect.
const redirectedPrefix = "/_redirected"

// otherHost is the target of the cross-host redirects: it records
// everything it receives (so the cell can search it for credentials) and
// answers 404.
type otherHost struct {
	*httptest.Server
	hits  atomic.Int32
	mu    sync.Mutex
	texts []string
}

func newOtherHost() *otherHost {
	o := &otherHost{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		o.mu.Lock()
		o.texts = append(o.texts, dumpRequest(r, body))
		o.mu.Unlock()
		writeRaw(w, http.StatusNotFound, "application/json", `{"error":"not here"}`, nil)
	}))
	return o
}

func (o *otherHost) received() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.texts, "\n")
}

func (f *front) record(r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.backend.ServeHTTP(rec, r)
	return rec
}

func (f *front) pass(w http.ResponseWriter, r *http.Request) {
	rec := f.record(r)
	copyHeader(w.Header(), rec.Header())
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

var credHeaders = []string{"Authorization", "Token", "X-Api-Key", "Api-Key", "Apikey"}
var credParams = []string{"token", "apikey", "api-key", "api_key", "access_token"}

// noteCreds remembers every credential value the server received (the
// configured ones, and tokens a token endpoint handed out), so that the
// canary scan also looks for values the test did not choose.
func (f *front) noteCreds(r *http.Request, body []byte) {
	var vals []string
	for _, h := range credHeaders {
		for _, v := range r.Header.Values(h) {
			vals = append(vals, v)
			if i := strings.IndexByte(v, ' '); i > 0 {
				vals = append(vals, v[i+1:])
			}
		}
	}
	q := r.URL.Query()
	for _, p := range credParams {
		vals = append(vals, q[p]...)
	}
	if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		if form, err := url.ParseQuery(string(body)); err == nil {
			for _, p := range credParams {
				vals = append(vals, form[p]...)
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.creds == nil {
		f.creds = map[string]bool{}
	}
	for _, v := range vals {
		if len(strings.TrimSpace(v)) >= 8 {
			f.creds[v] = true
		}
	}
}

func (f *front) seenCreds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.creds))
	for v := range f.creds {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// reset closes the client's connection with an RST (SO_LINGER 0) instead of
// a FIN, after pause.
func reset(w http.ResponseWriter, pause func()) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = buf.Flush()
	if pause != nil {
		pause()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func writeRaw(w http.ResponseWriter, status int, ctype, body string, h http.Header) {
	copyHeader(w.Header(), h)
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
}

// dumpRequest writes the request as a careless server would echo it in an
// error message: request line with the query, every header, the body.
func dumpRequest(r *http.Request, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "bad request: %s %s HTTP/1.1\n", r.Method, r.URL.RequestURI())
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(body)
	return b.String()
}

// jsonString encodes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// badUTF8 makes the body what a server writing Latin-1 sends: every
// two-byte UTF-8 sequence (é, ã, ç, ...) becomes its single Latin-1 byte,
// invalid as UTF-8; and the first object gets an unknown field whose name and
// value are invalid UTF-8, so that bodies without accents carry some too.
func badUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if (c == 0xc2 || c == 0xc3) && i+1 < len(b) && b[i+1]&0xc0 == 0x80 {
			out = append(out, (c&0x03)<<6|b[i+1]&0x3f)
			i++
			continue
		}
		out = append(out, c)
	}
	if i := bytes.IndexByte(out, '{'); i >= 0 {
		field := "\"x-\xff\xfe\":\"Jo\xe3o \xff\""
		rest := bytes.TrimSpace(out[i+1:])
		if len(rest) > 0 && rest[0] != '}' {
			field += ","
		}
		out = append(out[:i+1], append([]byte(field), out[i+1:]...)...)
	}
	return out
}

// closedPort reserves a loopback port that refuses connections: a socket
// bound to it but not listening, so no other test server can take the port
// while the cell runs. Close releases it.
func closedPort() (url string, closeFn func(), err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return "", nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	port := sa.(*syscall.SockaddrInet4).Port
	return fmt.Sprintf("http://127.0.0.1:%d", port), func() { syscall.Close(fd) }, nil
}
