package faulttest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zenvia"
)

// The server settings of the handlers' doc comments (ReadHeaderTimeout,
// ReadTimeout, WriteTimeout, IdleTimeout, MaxHeaderBytes), with the times
// scaled down so that the test takes a second rather than minutes: what is
// checked is the mechanism, that a slow client is cut off by the server's
// timeouts and does not keep a handler goroutine.
const (
	testReadHeaderTimeout = 300 * time.Millisecond
	testReadTimeout       = 800 * time.Millisecond
)

// served is a handler on a real http.Server on 127.0.0.1, with the
// documented timeouts, counting the handler calls that are running.
type served struct {
	url      string
	addr     string
	inflight atomic.Int32
	calls    atomic.Int32
	logs     *testutil.SyncBuffer
}

// With short, the read timeouts are the scaled-down ones the slowloris
// test checks; otherwise they are roomy (a parallel test on a loaded
// machine reading a 2 MiB body must not meet them and answer 400).
func serve(t *testing.T, h http.Handler, logs *testutil.SyncBuffer, short bool) *served {
	t.Helper()
	s := &served{logs: logs}
	readHeader, read := testReadHeaderTimeout, testReadTimeout
	if !short {
		readHeader, read = 30*time.Second, 60*time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.calls.Add(1)
			s.inflight.Add(1)
			defer s.inflight.Add(-1)
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       read,
		WriteTimeout:      max(2*time.Second, read),
		IdleTimeout:       max(2*time.Second, read),
		MaxHeaderBytes:    16 << 10,
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	s.addr = ln.Addr().String()
	s.url = "http://" + s.addr
	return s
}

// zenviaHook serves zenvia.NewWebhookHandler with the canary secret (short:
// see serve).
func zenviaHook(t *testing.T, short bool) (*served, *atomic.Int32) {
	var events atomic.Int32
	logs := &testutil.SyncBuffer{}
	h := zenvia.NewWebhookHandler(canaryWebhook, func(context.Context, zenvia.Event) error {
		events.Add(1)
		return nil
	}, zenvia.WithHandlerLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	return serve(t, h, logs, short), &events
}

// datacakeERP serves datacake.NewHandler over the in-memory ERP with the
// canary token; uploadCap > 0 lowers the upload cap (short: see serve).
func datacakeERP(t *testing.T, uploadCap int64, short bool) *served {
	logs := &testutil.SyncBuffer{}
	opts := []datacake.HandlerOption{datacake.WithHandlerLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))}
	if uploadCap > 0 {
		opts = append(opts, datacake.WithHandlerMaxBytes(0, uploadCap, 0))
	}
	return serve(t, datacake.NewHandler(datacaketest.NewMemoryERP(8, 50), canaryDatacake, opts...), logs, short)
}

type badRequest struct {
	name    string
	method  string
	path    string
	header  http.Header
	body    string
	chunked bool // send the body without Content-Length
	want    int
}

func (b badRequest) send(t *testing.T, base string) int {
	t.Helper()
	build := func() *http.Request {
		var body io.Reader = strings.NewReader(b.body)
		if b.chunked {
			body = io.MultiReader(strings.NewReader(b.body)) // unknown length: chunked
		}
		req, err := http.NewRequest(b.method, base+b.path, body)
		require.NoError(t, err)
		for k, vs := range b.header {
			req.Header[k] = vs
		}
		if b.body != "" && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return req
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(build())
	if err != nil {
		// A kept-alive connection that the server closed just as the client
		// picked it up again (a loaded machine) ends a POST with EOF, a
		// broken pipe or "server closed idle connection". Sent again on a
		// connection of its own: a handler that panics on this input closes
		// that one too.
		fresh := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err = fresh.Do(build())
	}
	require.NoError(t, err, "a panic would close the connection without an answer: %s %s %.60q", b.method, b.path, b.body)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestWebhookHandlerBadInput(t *testing.T) {
	t.Parallel()
	s, events := zenviaHook(t, false)
	q := "?secret=" + url.QueryEscape(canaryWebhook)
	prospect := `{"id":"64b7f0c2e4b0a1a2b3c4d5e6","firstName":"Ana","lastName":"Souza","phones":["+5551987654321"],"status":"NEW"}`
	big := `{"id":"64b7f0c2e4b0a1a2b3c4d5e6","comments":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []badRequest{
		{"GET", "GET", "/hook" + q, nil, "", false, 405},
		{"PUT", "PUT", "/hook" + q, nil, prospect, false, 405},
		{"DELETE", "DELETE", "/hook" + q, nil, "", false, 405},
		{"no secret", "POST", "/hook", nil, prospect, false, 401},
		{"empty secret", "POST", "/hook?secret=", nil, prospect, false, 401},
		{"wrong secret", "POST", "/hook?secret=" + url.QueryEscape(canaryWebhook+"x"), nil, prospect, false, 401},
		{"secret prefix", "POST", "/hook?secret=" + url.QueryEscape(canaryWebhook[:8]), nil, prospect, false, 401},
		{"secret in a header", "POST", "/hook", http.Header{"Secret": {canaryWebhook}}, prospect, false, 401},
		{"wrong secret, oversized", "POST", "/hook?secret=no", nil, big, false, 401},
		{"oversized", "POST", "/hook" + q, nil, big, false, 413},
		{"oversized, chunked", "POST", "/hook" + q, nil, big, true, 413},
		{"malformed JSON", "POST", "/hook" + q, nil, `{"id":"64b7f0c2e4b0a1a2b3c4d5e6",`, false, 400},
		{"not JSON", "POST", "/hook" + q, nil, `<html>hi</html>`, false, 400},
		{"empty body", "POST", "/hook" + q, nil, ``, false, 400},
		{"array", "POST", "/hook" + q, nil, `[1,2,3]`, false, 400},
		{"string", "POST", "/hook" + q, nil, `"prospect"`, false, 400},
		{"null", "POST", "/hook" + q, nil, `null`, false, 400},
		{"deeply nested", "POST", "/hook" + q, nil, strings.Repeat("[", 100000) + strings.Repeat("]", 100000), false, 400},
		{"valid prospect", "POST", "/hook" + q + "&topic=prospects", nil, prospect, false, 200},
		{"same again (duplicate)", "POST", "/hook" + q + "&topic=prospects", nil, prospect, false, 200},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.send(t, s.url), c.name)
	}
	assert.Equal(t, int32(1), events.Load(), "the event ran once; the duplicate and the bad calls did not reach fn")
	if hits := leaks(map[string]string{"webhook log": s.logs.String()}, []string{canaryWebhook}); len(hits) > 0 {
		t.Errorf("the secret in the handler's log:\n%s", strings.Join(hits, "\n"))
	}
	assert.Contains(t, s.logs.String(), "level=", "the refusals were logged (so the scan saw them)")
}

func TestDatacakeHandlerBadInput(t *testing.T) {
	t.Parallel()
	s := datacakeERP(t, 0, false)
	small := datacakeERP(t, 64<<10, false)
	auth := http.Header{"Authorization": {"Bearer " + canaryDatacake}}
	bigJSON := `{"nome":"` + strings.Repeat("a", 3<<19) + `","cnpj_cpf":"52998224725"}`
	bigUpload := `{"arquivos":[{"nome":"a.pdf","base64":"` + strings.Repeat("QUFB", 64<<10) + `"}]}`
	cases := []badRequest{
		{"no token", "GET", "/produtos", nil, "", false, 401},
		{"wrong token", "GET", "/produtos", http.Header{"Authorization": {"Bearer " + canaryDatacake + "x"}}, "", false, 401},
		{"token prefix", "GET", "/produtos", http.Header{"Authorization": {"Bearer " + canaryDatacake[:8]}}, "", false, 401},
		{"basic scheme", "GET", "/produtos", http.Header{"Authorization": {"Basic " + canaryDatacake}}, "", false, 401},
		{"token in the query", "GET", "/produtos?token=" + url.QueryEscape(canaryDatacake), nil, "", false, 401},
		{"no token, oversized", "POST", "/prospectos", nil, bigJSON, false, 401},
		{"unknown path", "GET", "/nada", auth, "", false, 404},
		{"path traversal", "GET", "/prospectos/..%2f..%2fetc/status", auth, "", false, 404},
		{"wrong method", "DELETE", "/produtos", auth, "", false, 405},
		{"PATCH a prospect", "PATCH", "/prospectos/1", auth, `{}`, false, 405},
		{"GET the create route", "PUT", "/prospectos", auth, `{}`, false, 405},
		{"malformed JSON", "POST", "/prospectos", auth, `{"nome":"X",`, false, 400},
		{"not JSON", "POST", "/prospectos", auth, `nome=X`, false, 400},
		{"array", "POST", "/prospectos", auth, `[{"nome":"X"}]`, false, 400},
		{"deeply nested", "POST", "/prospectos", auth, strings.Repeat("[", 100000) + strings.Repeat("]", 100000), false, 400},
		{"invalid CPF", "GET", "/cliente?cnpj_cpf=52998224724", auth, "", false, 400},
		{"oversized create", "POST", "/prospectos", auth, bigJSON, false, 413},
		{"oversized create, chunked", "POST", "/prospectos", auth, bigJSON, true, 413},
		{"oversized GET body", "GET", "/cliente", auth, bigJSON, false, 413},
		{"upload not base64", "POST", "/prospectos/1/arquivos", auth, `{"arquivos":[{"nome":"a.png","base64":"!!!"}]}`, false, 400},
		{"upload HTML as PDF", "POST", "/prospectos/1/arquivos", auth, `{"arquivos":[{"nome":"a.pdf","base64":"PGh0bWw+PC9odG1sPg=="}]}`, false, 400},
		{"valid read", "GET", "/cliente?cnpj_cpf=" + datacaketest.ExampleCPF, auth, "", false, 200},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.send(t, s.url), c.name)
	}
	for _, c := range []badRequest{
		{"oversized upload", "POST", "/prospectos/1/arquivos", auth, bigUpload, false, 413},
		{"oversized upload, chunked", "POST", "/prospectos/1/arquivos", auth, bigUpload, true, 413},
	} {
		assert.Equal(t, c.want, c.send(t, small.url), c.name)
	}
	logs := s.logs.String() + small.logs.String()
	if hits := leaks(map[string]string{"handler log": logs}, []string{canaryDatacake}); len(hits) > 0 {
		t.Errorf("the token in the handler's log:\n%s", strings.Join(hits, "\n"))
	}
}

// TestHandlersGarbageNever5xx throws random bytes, methods and headers at
// both handlers: every answer is below 500 and none panics.
func TestHandlersGarbageNever5xx(t *testing.T) {
	t.Parallel()
	hook, _ := zenviaHook(t, false)
	erp := datacakeERP(t, 0, false)
	paths := []string{"/", "/hook?secret=" + url.QueryEscape(canaryWebhook), "/prospectos", "/prospectos/1", "/prospectos/1/arquivos", "/prospectos/1/status", "/cliente?cnpj_cpf=", "/produtos"}
	bodies := []string{"", "{", "}", "[", "\x00\xff\xfe", `{"a":` + strings.Repeat("9", 400) + `}`, `{"nome":null,"cnpj_cpf":1e999}`,
		`{"arquivos":[{"nome":"\u0000","base64":"` + strings.Repeat("/", 4097) + `"}]}`, `{"id":"x","firstName":{"$gt":""}}`, "\"\\ud800\""}
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW"}
	auth := http.Header{"Authorization": {"Bearer " + canaryDatacake}}
	n := 0
	for i, p := range paths {
		for j, b := range bodies {
			m := methods[(i+j)%len(methods)]
			for _, base := range []string{hook.url, erp.url} {
				status := badRequest{method: m, path: p, header: auth, body: b}.send(t, base)
				assert.Less(t, status, 500, "%s %s %q", m, p, b)
				n++
			}
		}
	}
	assert.Equal(t, 2*len(paths)*len(bodies), n)
}

// slowClient writes head, then body one byte every 100ms, and reports how
// long the server took to close the connection and the status it answered
// (0 when none).
func slowClient(addr, head, body string, slowHead bool) (closedAfter time.Duration, status int, err error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		trickle := body
		if slowHead {
			trickle = head + body
		} else if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		for i := 0; i < len(trickle); i++ {
			if _, err := conn.Write([]byte{trickle[i]}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	line, _ := br.ReadString('\n')
	_, _ = io.Copy(io.Discard, br) // until the server closes
	closedAfter = time.Since(start)
	_ = conn.Close()
	<-done
	if strings.HasPrefix(line, "HTTP/1.1 ") && len(line) >= 12 {
		_, _ = fmt.Sscanf(line[9:12], "%d", &status)
	}
	return closedAfter, status, nil
}

// TestSlowlorisDoesNotHoldHandlers sends requests whose headers or bodies
// come one byte per 100ms to both handlers served with the documented
// timeouts: the server cuts each off by its read timeout, the handler (when
// it started) returns, and the goroutine count settles back. It is not
// parallel, so that the goroutine count is this test's own.
func TestSlowlorisDoesNotHoldHandlers(t *testing.T) {
	before := runtime.NumGoroutine()
	hook, _ := zenviaHook(t, true)
	erp := datacakeERP(t, 0, true)
	body := `{"id":"64b7f0c2e4b0a1a2b3c4d5e6","firstName":"Ana Souza","lastName":"Devagar","status":"NEW"}`
	type slow struct {
		name     string
		s        *served
		head     string
		slowHead bool
	}
	hookHead := "POST /hook?secret=" + url.QueryEscape(canaryWebhook) + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n"
	erpHead := "POST /prospectos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + canaryDatacake + "\r\nContent-Type: application/json\r\nContent-Length: " + fmt.Sprint(len(body)) + "\r\n\r\n"
	cases := []slow{
		{"webhook, slow body", hook, hookHead, false},
		{"webhook, slow headers", hook, hookHead, true},
		{"datacake, slow body", erp, erpHead, false},
		{"datacake, slow headers", erp, erpHead, true},
	}
	type result struct {
		closed time.Duration
		status int
		err    error
	}
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, st, err := slowClient(c.s.addr, c.head, body, c.slowHead)
			results[i] = result{d, st, err}
		}()
	}
	wg.Wait()
	for i, c := range cases {
		r := results[i]
		require.NoError(t, r.err, c.name)
		limit := testReadTimeout
		if c.slowHead {
			limit = testReadHeaderTimeout
		}
		// The whole body would take len(body)*100ms (about 9s).
		assert.Less(t, r.closed, limit+time.Second, "%s: the server cut the connection by its read timeout", c.name)
		assert.Less(t, r.status, 500, "%s: no 5xx for a client that was too slow", c.name)
		t.Logf("%s: closed after %s, status %d", c.name, r.closed.Round(10*time.Millisecond), r.status)
	}
	for _, s := range []*served{hook, erp} {
		assert.Equal(t, int32(0), s.inflight.Load(), "no handler still running")
	}
	assert.Equal(t, int32(1), hook.calls.Load(), "the slow-body request reached the webhook handler, which returned")
	assert.Equal(t, int32(1), erp.calls.Load(), "the slow-body request reached the ERP handler, which returned")
	// The client side and the servers' connection goroutines are gone too.
	settled := assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+6 }, 3*time.Second, 20*time.Millisecond)
	if !settled {
		buf := make([]byte, 1<<16)
		t.Logf("goroutines: before %d, now %d\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
	}
	logs := hook.logs.String() + erp.logs.String()
	if hits := leaks(map[string]string{"logs": logs}, []string{canaryWebhook, canaryDatacake}); len(hits) > 0 {
		t.Errorf("secrets in the handlers' logs:\n%s", strings.Join(hits, "\n"))
	}
}
