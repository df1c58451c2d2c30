package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// program is the sandbox program running in the test.
type program struct {
	stdout, stderr *testutil.SyncBuffer
	cancel         context.CancelFunc
	done           chan int
	env            map[string]string // parsed from the export lines
}

// start runs the program with args until the test ends, waits until it
// serves, and parses the export lines it printed.
func start(t *testing.T, args ...string) *program {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &program{stdout: &testutil.SyncBuffer{}, stderr: &testutil.SyncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { p.done <- run(ctx, args, p.stdout, p.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Error("the program did not stop after its context was cancelled")
		}
	})
	deadline := time.After(10 * time.Second)
	for !strings.Contains(p.stdout.String(), readyLine) {
		select {
		case code := <-p.done:
			t.Fatalf("the program exited with %d before serving: %s", code, p.stderr.String())
		case <-deadline:
			t.Fatalf("the program is not serving after 10s; stdout: %s", p.stdout.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	p.env = parseExports(t, p.stdout.String())
	return p
}

// parseExports reads the "export K=V K=V" lines as a shell would (the
// values the program prints need no unquoting beyond single quotes).
func parseExports(t *testing.T, out string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "export ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, ok := strings.Cut(kv, "=")
			require.True(t, ok, "export line %q", line)
			if len(v) >= 2 && v[0] == '\'' {
				v = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
			}
			env[k] = v
		}
	}
	return env
}

func quietClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

// adminLog fetches base/_sandbox/requests.
func adminLog(t *testing.T, base string) (raw string, reqs []Request) {
	t.Helper()
	resp, err := quietClient().Get(base + "/_sandbox/requests")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out struct {
		Requests []Request `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return string(b), out.Requests
}

// Request is what the admin endpoint lists, as a QA tool reads it.
type Request struct {
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Query  string            `json:"query"`
	Header map[string]string `json:"header"`
	Body   string            `json:"body"`
	Status int               `json:"status"`
}

func hasCall(reqs []Request, method, pathPart string, status int) bool {
	for _, r := range reqs {
		if r.Method == method && strings.Contains(r.Path, pathPart) && r.Status == status {
			return true
		}
	}
	return false
}

// driveAll calls every vendor through its real client, with the printed
// URLs and credentials, and checks the admin logs.
func driveAll(t *testing.T, env map[string]string) {
	ctx := context.Background()
	hc := quietClient()

	t.Run("zen", func(t *testing.T) {
		c, err := zen.NewClient(env["ZEN_URL"], env["ZEN_TOKEN"], zen.WithHTTPClient(hc), zen.WithMaxRetries(0))
		require.NoError(t, err)
		day := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC) // a Monday
		tot, err := c.Leads.Totals(ctx, day)
		require.NoError(t, err)
		assert.NotEmpty(t, tot.Users)
		raw, reqs := adminLog(t, env["ZEN_URL"])
		assert.True(t, hasCall(reqs, "GET", "/api/totais_lead", 200), raw)
		assertMasked(t, raw, env["ZEN_TOKEN"])
	})

	t.Run("salesman", func(t *testing.T) {
		c, err := salesman.NewClient(env["SALESMAN_URL"], env["SALESMAN_LOGIN"], env["SALESMAN_APIKEY"],
			salesman.WithHTTPClient(hc), salesman.WithMaxRetries(0))
		require.NoError(t, err)
		leads, err := c.Leads.List(ctx, nil)
		require.NoError(t, err)
		assert.NotEmpty(t, leads)
		id, err := c.Leads.Create(ctx, &salesman.NewLead{Title: "Светлана Кузнецова", Phone: "+7 912 345-67-89"})
		require.NoError(t, err)
		got, err := c.Leads.Get(ctx, id.ID)
		require.NoError(t, err)
		assert.Equal(t, "+7 912 345-67-89", got.Phone)
		raw, reqs := adminLog(t, env["SALESMAN_URL"])
		assert.GreaterOrEqual(t, len(reqs), 3, raw)
		assertMasked(t, raw, env["SALESMAN_APIKEY"])
	})

	t.Run("weclever", func(t *testing.T) {
		c, err := weclever.NewClient(env["WECLEVER_PLATFORM_ID"], env["WECLEVER_USER"], env["WECLEVER_PASSWORD"],
			weclever.WithBaseURL(env["WECLEVER_URL"]), weclever.WithHTTPClient(hc), weclever.WithMaxRetries(0))
		require.NoError(t, err)
		token, err := c.Token(ctx)
		require.NoError(t, err)
		from, to := wecleverSeedRange()
		leads, err := c.Leads.Finalized(ctx, from, to)
		require.NoError(t, err)
		require.NotEmpty(t, leads)
		l, err := c.Leads.Get(ctx, leads[0].ID)
		require.NoError(t, err)
		assert.NotNil(t, l)
		raw, reqs := adminLog(t, env["WECLEVER_URL"])
		assert.GreaterOrEqual(t, len(reqs), 3, raw)
		basic := base64.StdEncoding.EncodeToString([]byte(env["WECLEVER_USER"] + ":" + env["WECLEVER_PASSWORD"]))
		assertMasked(t, raw, env["WECLEVER_PASSWORD"], token, basic)
	})

	t.Run("zenvia", func(t *testing.T) {
		c, err := zenvia.NewClient(env["ZENVIA_API_KEY"], zenvia.WithBaseURL(env["ZENVIA_URL"]),
			zenvia.WithHTTPClient(hc), zenvia.WithMaxRetries(0))
		require.NoError(t, err)
		ps, err := c.Prospects.List(ctx, nil)
		require.NoError(t, err)
		require.NotEmpty(t, ps)
		p, err := c.Prospects.Get(ctx, ps[0].ID)
		require.NoError(t, err)
		assert.Equal(t, ps[0].ID, p.ID)
		groups, err := c.Groups.List(ctx)
		require.NoError(t, err)
		assert.NotEmpty(t, groups)
		raw, reqs := adminLog(t, env["ZENVIA_URL"])
		assert.True(t, hasCall(reqs, "GET", "/prospect/"+p.ID, 200), raw)
		assertMasked(t, raw, env["ZENVIA_API_KEY"])
	})

	t.Run("datacake", func(t *testing.T) {
		c, err := datacake.NewClient(env["DATACAKE_URL"], env["DATACAKE_TOKEN"], datacake.WithHTTPClient(hc), datacake.WithMaxRetries(0))
		require.NoError(t, err)
		cu, err := c.Customers.Get(ctx, datacaketest.ExampleCPF)
		require.NoError(t, err)
		assert.Equal(t, "Maria Aparecida da Silva", cu.Name)
		products, err := c.Catalogues.Products(ctx)
		require.NoError(t, err)
		assert.NotEmpty(t, products)
		raw, reqs := adminLog(t, env["DATACAKE_URL"])
		assert.GreaterOrEqual(t, len(reqs), 2, raw)
		for _, r := range reqs {
			assert.Equal(t, http.StatusOK, r.Status, raw)
		}
		assertMasked(t, raw, env["DATACAKE_TOKEN"])
	})
}

// assertMasked checks that the admin log masks secrets: none appears, and
// the log does say it masked something.
func assertMasked(t *testing.T, raw string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		require.NotEmpty(t, s)
		assert.NotContains(t, raw, s)
	}
	assert.Contains(t, raw, "REDACTED")
}

func wantEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range []string{
		"ZEN_URL", "ZEN_TOKEN", "SALESMAN_URL", "SALESMAN_LOGIN", "SALESMAN_APIKEY",
		"WECLEVER_URL", "WECLEVER_PLATFORM_ID", "WECLEVER_USER", "WECLEVER_PASSWORD",
		"ZENVIA_URL", "ZENVIA_API_KEY", "DATACAKE_URL", "DATACAKE_TOKEN",
	} {
		assert.NotEmpty(t, env[k], k)
	}
}

func TestEveryVendorOnItsOwnPort(t *testing.T) {
	t.Parallel()
	p := start(t, "-port-base", "0")
	wantEnv(t, p.env)
	ports := map[string]bool{}
	for _, k := range []string{"ZEN_URL", "SALESMAN_URL", "WECLEVER_URL", "ZENVIA_URL", "DATACAKE_URL"} {
		assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, p.env[k])
		ports[p.env[k]] = true
	}
	assert.Len(t, ports, 5, "one port per vendor")
	today := time.Now().In(weclevertest.Location())
	assert.Regexp(t, `300 leads finalized from \d{4}-\d\d-\d\d to (`+today.Format(time.DateOnly)+`|`+
		today.AddDate(0, 0, -1).Format(time.DateOnly)+`)`, p.stdout.String(), "the 90 days up to today")
	for _, n := range vendorNames() {
		assert.Contains(t, p.stdout.String(), n+" ")
	}
	driveAll(t, p.env)
}

func TestEveryVendorUnderAPrefix(t *testing.T) {
	t.Parallel()
	p := start(t, "-addr", "127.0.0.1:0")
	wantEnv(t, p.env)
	root := strings.TrimSuffix(p.env["ZEN_URL"], "/zen")
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, root)
	for _, n := range vendorNames() {
		assert.Equal(t, root+"/"+n, p.env[strings.ToUpper(n)+"_URL"])
	}
	driveAll(t, p.env)

	// The root lists the vendors; reset works under the prefix and clears
	// only that vendor's log.
	resp, err := quietClient().Get(root + "/")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(b), "zenvia\t"+root+"/zenvia")

	resp, err = quietClient().Post(p.env["ZEN_URL"]+"/_sandbox/reset", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	_, reqs := adminLog(t, p.env["ZEN_URL"])
	assert.Empty(t, reqs)
	_, reqs = adminLog(t, p.env["DATACAKE_URL"])
	assert.NotEmpty(t, reqs)
}

func TestVendorSelection(t *testing.T) {
	t.Parallel()
	p := start(t, "-port-base", "0", "-vendor", "zen, Datacake")
	assert.NotEmpty(t, p.env["ZEN_URL"])
	assert.NotEmpty(t, p.env["DATACAKE_TOKEN"])
	for k := range p.env {
		assert.True(t, strings.HasPrefix(k, "ZEN_") || strings.HasPrefix(k, "DATACAKE_"), k)
	}
	assert.NotContains(t, p.stdout.String(), "salesman")

	c, err := zen.NewClient(p.env["ZEN_URL"], p.env["ZEN_TOKEN"], zen.WithHTTPClient(quietClient()))
	require.NoError(t, err)
	_, err = c.Leads.Totals(context.Background(), time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
}

// TestPortBaseIsFixedPerVendor checks -port-base N puts vendor i on N+i
// whichever vendors are selected.
func TestPortBaseIsFixedPerVendor(t *testing.T) {
	t.Parallel()
	// Find five free consecutive ports (retry a few times: others run too).
	for attempt := 0; attempt < 20; attempt++ {
		base := freePort(t)
		if base+4 > 65535 || !portsFree(base+1, base+4) {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		out, errb := &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
		done := make(chan int, 1)
		go func() { done <- run(ctx, []string{"-port-base", strconv.Itoa(base), "-vendor", "zenvia"}, out, errb) }()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), readyLine) && len(done) == 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		code := <-done
		if code == 1 { // a port was taken meanwhile
			continue
		}
		require.Equal(t, 0, code, errb.String())
		assert.Contains(t, out.String(), fmt.Sprintf("ZENVIA_URL=http://127.0.0.1:%d ", base+3))
		return
	}
	t.Skip("no five consecutive free ports found")
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func portsFree(from, to int) bool {
	for p := from; p <= to; p++ {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}

func TestPortTaken(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	addr := ln.Addr().String()
	port := ln.Addr().(*net.TCPAddr).Port

	var out, errb bytes.Buffer
	assert.Equal(t, 1, run(context.Background(), []string{"-addr", addr}, &out, &errb))
	assert.Contains(t, errb.String(), "cannot listen on "+addr)
	assert.Empty(t, out.String())

	// Per-vendor ports: zen is vendor 0, so -port-base <taken> collides on
	// it and names it; the other listeners are closed again.
	out.Reset()
	errb.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"-port-base", strconv.Itoa(port)}, &out, &errb))
	assert.Contains(t, errb.String(), "zen: cannot listen on "+addr)
	assert.Contains(t, errb.String(), "-port-base")
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-nope"}, "flag provided but not defined"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-vendor", "hubspot"}, `unknown vendor "hubspot"`},
		{[]string{"-vendor", "zen,"}, `unknown vendor ""`},
		{[]string{"-fail-rate", "1.5"}, "-fail-rate"},
		{[]string{"-fail-rate", "NaN"}, "-fail-rate"},
		{[]string{"-fail-rate", "x"}, "invalid value"},
		{[]string{"-latency", "-1s"}, "-latency"},
		{[]string{"-latency", "200"}, "invalid value"},
		{[]string{"-seed", "abc"}, "invalid value"},
		{[]string{"-leads", "-3"}, "-leads"},
		{[]string{"-port-base", "65533"}, "-port-base"},
		{[]string{"-port-base", "-1"}, "-port-base"},
		{[]string{"-addr", "127.0.0.1:0", "-port-base", "9000"}, "exclude"},
		{[]string{"-addr", "localhost"}, "host:port"},
		{[]string{"-addr", ""}, "-addr"},
		{[]string{"-clock", "yesterday"}, "-clock"},
		{[]string{"-zen-window", "-1m"}, "-zen-window"},
		{[]string{"-quirks=maybe"}, "invalid boolean"},
	} {
		var out, errb bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), tc.args, &out, &errb), tc.args)
		assert.Contains(t, errb.String(), tc.want, tc.args)
		assert.Empty(t, out.String(), tc.args)
	}
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, &out, &errb))
	assert.Contains(t, errb.String(), "-fail-rate")
}

// snapshot reads the same data from every vendor, as a QA assertion would,
// from sandboxes whose clock was set to 2025-03-14.
func snapshot(t *testing.T, env map[string]string) string {
	t.Helper()
	ctx := context.Background()
	hc := quietClient()
	var parts []any

	zc, err := zen.NewClient(env["ZEN_URL"], env["ZEN_TOKEN"], zen.WithHTTPClient(hc))
	require.NoError(t, err)
	tot, err := zc.Leads.Totals(ctx, time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	parts = append(parts, tot)

	sc, err := salesman.NewClient(env["SALESMAN_URL"], env["SALESMAN_LOGIN"], env["SALESMAN_APIKEY"], salesman.WithHTTPClient(hc))
	require.NoError(t, err)
	leads, err := sc.Leads.List(ctx, nil)
	require.NoError(t, err)
	parts = append(parts, leads)

	wc, err := weclever.NewClient(env["WECLEVER_PLATFORM_ID"], env["WECLEVER_USER"], env["WECLEVER_PASSWORD"],
		weclever.WithBaseURL(env["WECLEVER_URL"]), weclever.WithHTTPClient(hc))
	require.NoError(t, err)
	fl, err := wc.Leads.Finalized(ctx, time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.NotEmpty(t, fl)
	detail, err := wc.Leads.Get(ctx, fl[len(fl)/2].ID)
	require.NoError(t, err)
	parts = append(parts, fl, detail)

	vc, err := zenvia.NewClient(env["ZENVIA_API_KEY"], zenvia.WithBaseURL(env["ZENVIA_URL"]), zenvia.WithHTTPClient(hc))
	require.NoError(t, err)
	ps, err := vc.Prospects.List(ctx, nil)
	require.NoError(t, err)
	parts = append(parts, ps)

	dc, err := datacake.NewClient(env["DATACAKE_URL"], env["DATACAKE_TOKEN"], datacake.WithHTTPClient(hc))
	require.NoError(t, err)
	cu, err := dc.Customers.Get(ctx, datacaketest.ExampleCNPJ)
	require.NoError(t, err)
	inv, err := dc.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: cu.ID})
	require.NoError(t, err)
	parts = append(parts, cu, inv)

	b, err := json.Marshal(parts)
	require.NoError(t, err)
	return string(b)
}

func TestSeedDeterminism(t *testing.T) {
	t.Parallel()
	args := []string{"-port-base", "0", "-clock", "2025-03-14T10:00:00-03:00", "-rate-limits=false"}
	a := start(t, append(args, "-seed", "42")...)
	b := start(t, append(args, "-seed", "42")...)
	c := start(t, append(args, "-seed", "43")...)
	sa, sb, sc := snapshot(t, a.env), snapshot(t, b.env), snapshot(t, c.env)
	assert.Equal(t, sa, sb, "the same seed gives the same data")
	assert.NotEqual(t, sa, sc, "another seed gives other data")
	assert.Contains(t, a.stdout.String(), "seed 42")
}

func TestFlagsReachTheSandboxes(t *testing.T) {
	t.Parallel()
	// -fail-rate 1: every vendor call is a 503 with Retry-After; the admin
	// endpoints keep working.
	p := start(t, "-port-base", "0", "-vendor", "datacake", "-fail-rate", "1", "-latency", "30ms")
	assert.Contains(t, p.stdout.String(), "latency 30ms, fail rate 1")
	began := time.Now()
	resp, err := quietClient().Get(p.env["DATACAKE_URL"] + "/produtos")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.GreaterOrEqual(t, time.Since(began), 30*time.Millisecond)
	_, reqs := adminLog(t, p.env["DATACAKE_URL"])
	require.Len(t, reqs, 1)
	assert.Equal(t, http.StatusServiceUnavailable, reqs[0].Status)

	// Zen's rate limit is on by default and off with -rate-limits=false.
	day := time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)
	totalsTwice := func(args ...string) error {
		p := start(t, append([]string{"-port-base", "0", "-vendor", "zen"}, args...)...)
		for i := 0; i < 2; i++ {
			c, err := zen.NewClient(p.env["ZEN_URL"], p.env["ZEN_TOKEN"], zen.WithHTTPClient(quietClient()), zen.WithMaxRetries(0))
			require.NoError(t, err)
			if _, err := c.Leads.Totals(context.Background(), day); err != nil {
				return err
			}
		}
		return nil
	}
	var rl *zen.RateLimitError
	assert.ErrorAs(t, totalsTwice(), &rl)
	assert.NoError(t, totalsTwice("-rate-limits=false"))
	assert.NoError(t, totalsTwice("-zen-window", "1ns"))

	// -quirks=false: Zen answers application/json instead of text/html.
	contentType := func(args ...string) string {
		p := start(t, append([]string{"-port-base", "0", "-vendor", "zen"}, args...)...)
		req, err := http.NewRequest(http.MethodGet, p.env["ZEN_URL"]+"/api/totais_lead?data=2025-03-12", nil)
		require.NoError(t, err)
		req.Header.Set("token", p.env["ZEN_TOKEN"])
		resp, err := quietClient().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return resp.Header.Get("Content-Type")
	}
	assert.Contains(t, contentType(), "text/html")
	assert.Contains(t, contentType("-quirks=false"), "application/json")

	// -leads: the seeded count per vendor.
	p = start(t, "-port-base", "0", "-vendor", "weclever", "-leads", "7")
	wc, err := weclever.NewClient(p.env["WECLEVER_PLATFORM_ID"], p.env["WECLEVER_USER"], p.env["WECLEVER_PASSWORD"],
		weclever.WithBaseURL(p.env["WECLEVER_URL"]), weclever.WithHTTPClient(quietClient()))
	require.NoError(t, err)
	from, to := wecleverSeedRange()
	fl, err := wc.Leads.Finalized(context.Background(), from, to)
	require.NoError(t, err)
	assert.Len(t, fl, 7)
}

func TestJSONOutput(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-json", "-vendor", "salesman"}, out, errb) }()
	defer func() {
		cancel()
		assert.Equal(t, 0, <-done)
	}()
	require.Eventually(t, func() bool { return strings.HasSuffix(out.String(), "\n") }, 10*time.Second, 5*time.Millisecond)
	var got struct {
		Vendors []vendorInfo `json:"vendors"`
	}
	require.NoError(t, json.Unmarshal([]byte(out.String()), &got), out.String())
	require.Len(t, got.Vendors, 1)
	v := got.Vendors[0]
	assert.Equal(t, "salesman", v.Vendor)
	assert.Equal(t, v.URL, v.Env["SALESMAN_URL"])
	assert.Equal(t, v.URL+"/_sandbox/requests", v.Requests)
	assert.Contains(t, v.Data, "300 leads")
	_, reqs := adminLog(t, v.URL)
	assert.Empty(t, reqs)
}

func TestShutdownOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-vendor", "zen", "-latency", "300ms", "-rate-limits=false"}, out, errb)
	}()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), readyLine) }, 10*time.Second, 5*time.Millisecond)
	env := parseExports(t, out.String())

	// A request in flight when the shutdown begins still gets its answer.
	type result struct {
		status int
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, env["ZEN_URL"]+"/api/totais_lead?data=2025-03-12", nil)
		req.Header.Set("token", env["ZEN_TOKEN"])
		resp, err := quietClient().Do(req)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		resp.Body.Close()
		inflight <- result{status: resp.StatusCode}
	}()
	time.Sleep(100 * time.Millisecond) // the request is inside the 300ms latency
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("no shutdown 10s after the context was cancelled")
	}
	r := <-inflight
	require.NoError(t, r.err)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Contains(t, errb.String(), "shutting down")

	// The port is closed.
	host := strings.TrimPrefix(strings.TrimSuffix(env["ZEN_URL"], "/zen"), "http://")
	conn, err := net.DialTimeout("tcp", host, time.Second)
	if err == nil {
		conn.Close()
	}
	assert.Error(t, err)
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "http://127.0.0.1:8701/zen", shellQuote("http://127.0.0.1:8701/zen"))
	assert.Equal(t, "a@b.c", shellQuote("a@b.c"))
	assert.Equal(t, "''", shellQuote(""))
	assert.Equal(t, `'it'\''s $x'`, shellQuote("it's $x"))
}

// wecleverSeedRange covers the days the WeClever sandbox seeds: the 90 days
// up to the day it started (a day's margin either side, for midnight).
func wecleverSeedRange() (from, to time.Time) {
	now := time.Now().In(weclevertest.Location())
	return now.AddDate(0, 0, -91), now.AddDate(0, 0, 1)
}
