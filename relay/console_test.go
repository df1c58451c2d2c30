package relay_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
)

// xssName is a lead's name that a page showing it unescaped would run.
const xssName = `<script>document.title='pwned'</script><img src=x onerror=alert(1)>`

// reviewFixture delivers a SalesMan lead and three Datacake prospects whose
// creates are stored and then answered 500 (so the relay cannot tell, and
// parks them for review); the first prospect is named xssName. It returns
// the relay, started, and the keys in review, first the xssName one.
func reviewFixture(t *testing.T, b backend, opts ...relay.Option) (*relay.Relay[any], []string) {
	t.Helper()
	ctx := context.Background()
	r := open(t, b, opts...)
	sb := startSandboxes(t, nil)
	sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "prospecto", Status: http.StatusInternalServerError, AfterVendor: true, Times: 3})
	var review []string
	for i := range 3 {
		p := datacakeProspect(900 + i)
		p.Key = "review-" + string(rune('a'+i))
		if i == 0 {
			p.Prospect.Name = xssName
		}
		key, err := r.Enqueue(ctx, p)
		require.NoError(t, err)
		review = append(review, key)
	}
	_, err := r.Enqueue(ctx, relay.SalesmanLead{Key: "delivered-a", Lead: salesmanLead(901).Lead})
	require.NoError(t, err)
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	waitFor(t, r, 30*time.Second, settled(4))
	s, err := r.Stats(ctx, "")
	require.NoError(t, err)
	require.Equal(t, 3, s.NeedsReview, "%+v", s)
	return r, review
}

// operators: alice may do everything, bob may look (no personal data, no
// actions); anyone else is refused.
func operators(req *http.Request) (relay.Access, bool) {
	switch req.Header.Get("X-Test-Operator") {
	case "alice":
		return relay.Access{Operator: "alice", Resolve: true, PersonalData: true}, true
	case "bob":
		return relay.Access{Operator: "bob"}, true
	case "nobody": // an Access without an operator
		return relay.Access{Resolve: true, PersonalData: true}, true
	}
	return relay.Access{}, false
}

type consoleClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newConsoleClient(t *testing.T, h http.Handler) *consoleClient {
	srv := httptest.NewServer(h) // 127.0.0.1
	t.Cleanup(srv.Close)
	return &consoleClient{t: t, base: srv.URL + "/", c: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request as operator (none: no header) and returns the answer
// and its body, checking the headers every answer must carry.
func (cc *consoleClient) do(operator, method, path string, form url.Values, hdr ...string) (*http.Response, string) {
	cc.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, cc.base+path, body)
	require.NoError(cc.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if operator != "" {
		req.Header.Set("X-Test-Operator", operator)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := cc.c.Do(req)
	require.NoError(cc.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(cc.t, err)
	csp := res.Header.Get("Content-Security-Policy")
	strict := []string{"default-src 'none'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'"}
	if strings.HasPrefix(path, "riverui/") && res.StatusCode != 403 {
		strict = []string{"default-src 'self'", "script-src 'self'", "form-action 'self'", "frame-ancestors 'none'"}
	}
	for _, d := range strict {
		assert.Contains(cc.t, csp, d, "%s %s", method, path)
	}
	assert.Equal(cc.t, "nosniff", res.Header.Get("X-Content-Type-Options"), "%s %s", method, path)
	return res, string(b)
}

// csrfOf returns the CSRF token of the page's forms.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	_, rest, ok := strings.Cut(page, `name="csrf" value="`)
	require.True(t, ok, "no CSRF token in the page")
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

// The console refuses to be built without an authorization function
// (unless explicitly for loopback), with both, and with a short secret.
func TestConsoleNeedsAuthorization(t *testing.T) {
	r := open(t, sqliteBackend(t))
	for name, opts := range map[string][]relay.ConsoleOption{
		"none":   nil,
		"both":   {relay.WithAuthorize(operators), relay.WithUnauthenticatedLoopback()},
		"nilfn":  {relay.WithAuthorize(nil)},
		"secret": {relay.WithUnauthenticatedLoopback(), relay.WithConsoleSecret([]byte("short"))},
	} {
		h, err := relay.Console(r, opts...)
		var ie *leadkit.InputError
		assert.True(t, errors.As(err, &ie), "%s: %v", name, err)
		assert.Nil(t, h, name)
	}
	_, err := relay.Console[any](nil, relay.WithUnauthenticatedLoopback())
	assert.Error(t, err)
}

// The unauthenticated console answers requests local from end to end only:
// not one that names another host (DNS rebinding), comes through a proxy,
// or arrives on or from an address that is not loopback.
func TestConsoleLoopbackOnly(t *testing.T) {
	r := open(t, sqliteBackend(t))
	h, err := relay.Console(r, relay.WithUnauthenticatedLoopback())
	require.NoError(t, err)
	cc := newConsoleClient(t, h)
	res, body := cc.do("", "GET", "", nil)
	assert.Equal(t, 200, res.StatusCode, body)
	res, _ = cc.do("", "GET", "", nil, "Host", "localhost")
	assert.Equal(t, 200, res.StatusCode)
	for _, hdr := range [][]string{{"Host", "evil.example"}, {"Host", "127.0.0.1.nip.io"}, {"X-Forwarded-For", "203.0.113.9"}, {"Forwarded", "for=203.0.113.9"}} {
		res, _ = cc.do("", "GET", "", nil, hdr...)
		assert.Equal(t, 403, res.StatusCode, hdr)
	}
	for name, addrs := range map[string][2]string{
		"remote":  {"127.0.0.1:8080", "203.0.113.9:5555"},
		"local":   {"10.0.0.5:8080", "127.0.0.1:5555"},
		"mapped":  {"[::ffff:127.0.0.1]:8080", "[::1]:5555"},
		"unknown": {"", "127.0.0.1:5555"},
	} {
		req := httptest.NewRequest("GET", "http://127.0.0.1:8080/", nil)
		if addrs[0] != "" {
			la, err := net.ResolveTCPAddr("tcp", addrs[0])
			require.NoError(t, err)
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, la))
		}
		req.RemoteAddr = addrs[1]
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		want := map[string]int{"remote": 403, "local": 403, "mapped": 200, "unknown": 403}[name]
		assert.Equal(t, want, w.Code, name)
		assert.Contains(t, w.Header().Get("Content-Security-Policy"), "default-src 'none'", name)
	}
}

// The console on each database: counts, the review list, a delivery's
// page (personal data to alice only), Mark delivered and Resend through
// the relay's fenced code, and every refusal: no token, another operator's
// token, another site's form, no Resolve access, a GET for an action, an
// unknown path; a name with markup shown as text.
func TestConsoleReview(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		var logs testutil.SyncBuffer
		r, review := reviewFixture(t, b, relay.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		ctx := context.Background()
		h, err := relay.Console(r, relay.WithAuthorize(operators))
		require.NoError(t, err)
		cc := newConsoleClient(t, h)

		res, _ := cc.do("", "GET", "", nil)
		assert.Equal(t, 403, res.StatusCode)
		res, _ = cc.do("nobody", "GET", "", nil)
		assert.Equal(t, 403, res.StatusCode, "an Access that names no operator")
		res, body := cc.do("bob", "GET", "", nil)
		require.Equal(t, 200, res.StatusCode, body)
		assert.Contains(t, body, "3 need review")
		assert.Contains(t, body, `href="list?state=needs_review&amp;vendor=datacake">3</a>`)
		res, css := cc.do("bob", "GET", "console.css", nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Contains(t, css, "body{")
		assert.Contains(t, res.Header.Get("Content-Type"), "text/css")

		res, body = cc.do("bob", "GET", "list?state=needs_review", nil)
		require.Equal(t, 200, res.StatusCode, body)
		for _, k := range review {
			assert.Contains(t, body, `href="delivery?key=`+k+`"`)
		}
		assert.NotContains(t, body, "delivered-a")
		res, body = cc.do("bob", "GET", "list?state=lost", nil)
		assert.Equal(t, 400, res.StatusCode, body)

		// bob sees the delivery without its personal data, and no actions.
		page := "delivery?key=" + review[0]
		res, body = cc.do("bob", "GET", page, nil)
		require.Equal(t, 200, res.StatusCode, body)
		assert.Contains(t, body, "needs review")
		assert.Contains(t, body, "Datacake cannot be searched")
		assert.NotContains(t, body, "pwned")
		assert.NotContains(t, body, datacaketest.CPF(100000900))
		assert.NotContains(t, body, `name="csrf"`)

		// alice sees the job, the note and the check, the name as text.
		res, body = cc.do("alice", "GET", page, nil)
		require.Equal(t, 200, res.StatusCode, body)
		assert.Contains(t, body, datacaketest.CPF(100000900))
		assert.Contains(t, body, "Datacake&#39;s contract has no prospect search")
		assert.Contains(t, body, `&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;`)
		assert.NotContains(t, body, "<script")
		assert.NotContains(t, body, "<img")
		tok := csrfOf(t, body)

		mark := func(key, id string) url.Values { return url.Values{"key": {key}, "vendor_id": {id}, "csrf": {tok}} }
		noToken := mark(review[0], "P-900")
		noToken.Del("csrf")
		for name, c := range map[string]struct {
			who  string
			form url.Values
			hdr  []string
		}{
			"no token":         {"alice", noToken, nil},
			"wrong token":      {"alice", url.Values{"key": {review[0]}, "vendor_id": {"P-900"}, "csrf": {tok + "x"}}, nil},
			"bob with alice's": {"bob", mark(review[0], "P-900"), nil},
			"another site":     {"alice", mark(review[0], "P-900"), []string{"Origin", "https://evil.example"}},
			"cross-site fetch": {"alice", mark(review[0], "P-900"), []string{"Sec-Fetch-Site", "cross-site"}},
			"opaque origin":    {"alice", mark(review[0], "P-900"), []string{"Origin", "null"}},
			"unauthorized":     {"", mark(review[0], "P-900"), nil},
		} {
			res, body := cc.do(c.who, "POST", "mark", c.form, c.hdr...)
			assert.Equal(t, 403, res.StatusCode, "%s: %s", name, body)
		}
		d, err := r.Status(ctx, review[0])
		require.NoError(t, err)
		require.Equal(t, relay.StateNeedsReview, d.State, "a refused POST changed the delivery")

		res, _ = cc.do("alice", "GET", "mark?key="+review[0]+"&vendor_id=P-900&csrf="+tok, nil)
		assert.Equal(t, 405, res.StatusCode)
		res, _ = cc.do("alice", "GET", "nothing", nil)
		assert.Equal(t, 404, res.StatusCode)
		res, body = cc.do("alice", "POST", "mark", mark(review[0], "  "))
		assert.Equal(t, 400, res.StatusCode, body)

		// Mark delivered, as the browser posts it (same origin).
		res, _ = cc.do("alice", "POST", "mark", mark(review[0], "P-900"), "Origin", strings.TrimSuffix(cc.base, "/"), "Sec-Fetch-Site", "same-origin")
		require.Equal(t, 303, res.StatusCode)
		assert.Equal(t, "delivery?done=marked&key="+review[0], res.Header.Get("Location"))
		d, err = r.Status(ctx, review[0])
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, d.State)
		assert.Equal(t, "P-900", d.VendorID)
		res, body = cc.do("alice", "GET", res.Header.Get("Location"), nil)
		assert.Equal(t, 200, res.StatusCode)
		assert.Contains(t, body, "Marked delivered.")
		assert.Contains(t, body, `id="vendor-id">P-900<`)
		assert.NotContains(t, body, `name="csrf"`, "a delivered delivery offers no action")

		// The action is in the log: who, what, which delivery; not the lead.
		assert.Regexp(t, `relay: console action" operator=alice action=mark key=review-a vendor_id=P-900 ok=true`, logs.String())
		assert.NotContains(t, logs.String(), datacaketest.CPF(100000900))

		// Again: the fenced code refuses (delivered), the page says why.
		res, body = cc.do("alice", "POST", "mark", mark(review[0], "P-901"))
		assert.Equal(t, 409, res.StatusCode)
		assert.Contains(t, body, "a delivered lead is never sent again")
		// Another delivery may not take the same vendor record.
		res, body = cc.do("alice", "POST", "mark", mark(review[1], "P-900"))
		assert.Equal(t, 409, res.StatusCode)
		assert.Contains(t, body, "already holds P-900")

		// Resend: queued again, and delivered by the running workers.
		res, _ = cc.do("alice", "POST", "resend", url.Values{"key": {review[2]}, "csrf": {tok}})
		require.Equal(t, 303, res.StatusCode)
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 3 })
		_, body = cc.do("bob", "GET", "", nil)
		assert.Contains(t, body, "1 needs review")
	})
}

// River UI, mounted under riverui/, is behind the same authorization, to
// operators allowed personal data only (it shows the jobs' arguments); its
// actions need Resolve and a request from its own page; it gets a CSP that
// lets its own scripts run, and nothing from elsewhere.
func TestConsoleRiverUIAccess(t *testing.T) {
	r := open(t, sqliteBackend(t))
	var got []string
	ui := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got = append(got, req.Method+" "+req.URL.Path)
		_, _ = io.WriteString(w, "river ui")
	})
	h, err := relay.Console(r, relay.WithAuthorize(func(req *http.Request) (relay.Access, bool) {
		if req.Header.Get("X-Test-Operator") == "carol" { // personal data, no actions
			return relay.Access{Operator: "carol", PersonalData: true}, true
		}
		return operators(req)
	}), relay.WithRiverUI(ui))
	require.NoError(t, err)
	cc := newConsoleClient(t, h)
	origin := strings.TrimSuffix(cc.base, "/")
	for _, c := range []struct {
		who, method, path string
		hdr               []string
		want              int
	}{
		{"", "GET", "riverui/", nil, 403},
		{"bob", "GET", "riverui/", nil, 403},
		{"carol", "GET", "riverui/", nil, 200},
		{"carol", "POST", "riverui/api/jobs/retry", []string{"Origin", origin}, 403},
		{"alice", "GET", "riverui/api/jobs", nil, 200},
		{"alice", "POST", "riverui/api/jobs/retry", nil, 403},
		{"alice", "POST", "riverui/api/jobs/retry", []string{"Origin", "https://evil.example"}, 403},
		{"alice", "POST", "riverui/api/jobs/retry", []string{"Origin", origin}, 200},
	} {
		res, body := cc.do(c.who, c.method, c.path, url.Values{}, c.hdr...)
		assert.Equal(t, c.want, res.StatusCode, "%+v: %s", c, body)
		if c.want == 200 {
			assert.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self'")
			assert.NotContains(t, res.Header.Get("Content-Security-Policy"), "unsafe-eval")
		}
	}
	assert.Equal(t, []string{"GET /riverui/", "GET /riverui/api/jobs", "POST /riverui/api/jobs/retry"}, got)
}
