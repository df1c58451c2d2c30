package relay_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"riverqueue.com/riverui"

	"github.com/leadkit/leadkit/relay"
)

// chromiumPath is Debian's chromium, which CI installs.
const chromiumPath = "/usr/bin/chromium"

// needChromium skips the test when chromium is missing, unless
// LEADKIT_REQUIRE_BROWSER is set (CI), when it fails.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("LEADKIT_REQUIRE_BROWSER") != "" {
			t.Fatalf("LEADKIT_REQUIRE_BROWSER is set and %s is missing: %v", chromiumPath, err)
		}
		t.Skipf("%s is missing (apt-get install chromium; LEADKIT_REQUIRE_BROWSER=1 makes this a failure)", chromiumPath)
	}
}

// browser starts a headless Chromium of the test's own (a fresh profile,
// nothing fetched from the internet) and returns a tab's context.
func browser(t *testing.T) context.Context {
	t.Helper()
	needChromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(acancel)
	tab, tcancel := chromedp.NewContext(actx)
	t.Cleanup(tcancel)
	_, err := chromedp.Run(tab, chromedp.Title()) // starts the browser
	require.NoError(t, err, "start chromium")
	return tab
}

// TestConsoleInBrowser drives the console in headless Chromium, as an
// operator would: the overview links to the deliveries that need review;
// the one whose lead is named with markup shows it as text (no script, no
// image element, the title untouched); a Resend whose form lost its CSRF
// token is refused and changes nothing; Mark delivered with the vendor's
// id delivers it. LEADKIT_UPDATE_SCREENSHOT=1 writes the delivery's page
// to docs/relay-console.png.
func TestConsoleInBrowser(t *testing.T) {
	tab := browser(t)
	r, review := reviewFixture(t, sqliteBackend(t))
	h, err := relay.Console(r, relay.WithUnauthenticatedLoopback())
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		require.NoError(t, chromedp.Do(c, steps...))
	}
	text := func(sel string) string {
		t.Helper()
		c, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return strings.TrimSpace(v)
	}
	eval := func(js string) int {
		t.Helper()
		v, err := chromedp.Run(tab, chromedp.Evaluate[int](js))
		require.NoError(t, err, js)
		return v
	}

	run(chromedp.Navigate(srv.URL + "/"))
	assert.Equal(t, "3 need review", text("a.badge.review"))

	// Follow the badge to the list, then the first delivery (the oldest).
	link := chromedp.CSS(`a[href="delivery?key=` + review[0] + `"]`)
	run(chromedp.Click(chromedp.CSS("a.badge.review")), chromedp.WaitVisible(link), chromedp.Click(link), chromedp.WaitVisible(chromedp.ID("job")))
	assert.Equal(t, "needs review", text("#state"))
	assert.Contains(t, text("#job"), xssName, "the name is shown as the text it is")
	assert.Equal(t, 0, eval(`document.querySelectorAll("script").length`), "no script element came from the lead")
	assert.Equal(t, 0, eval(`document.querySelectorAll("main img").length`), "no image element came from the lead")
	title, err := chromedp.Run(tab, chromedp.Title())
	require.NoError(t, err)
	assert.Equal(t, "Delivery "+review[0]+" · leadkit relay", title)

	// River records the end of the job that parked the delivery a moment
	// after: the page says so once it has.
	for deadline := time.Now().Add(15 * time.Second); !strings.HasPrefix(text("#river-job"), "cancelled"); {
		require.True(t, time.Now().Before(deadline), "River's job: %s", text("#river-job"))
		time.Sleep(50 * time.Millisecond)
		run(chromedp.Reload())
	}

	if os.Getenv("LEADKIT_UPDATE_SCREENSHOT") != "" {
		png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "a PNG")
		require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "relay-console.png"), png, 0o644))
	}

	// A Resend whose form lost its CSRF token: the browser's POST is
	// refused (403) and changes nothing.
	run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('input[name="csrf"]').forEach(e => e.remove())`)(ctx, tg)
		return err
	}))
	assert.Equal(t, 0, eval(`document.querySelectorAll('input[name="csrf"]').length`))
	c, cancel := context.WithTimeout(tab, 30*time.Second)
	resp, err := chromedp.RunResponse(c, chromedp.Click(chromedp.ID("resend")))
	cancel()
	require.NoError(t, err)
	assert.EqualValues(t, 403, resp.Status)
	assert.Equal(t, "Forbidden", text("h1"))
	assert.Contains(t, text("p.problem"), "CSRF token is missing or wrong")
	d, err := r.Status(ctx, review[0])
	require.NoError(t, err)
	assert.Equal(t, relay.StateNeedsReview, d.State)

	// Mark delivered with the vendor's id, as the operator found it.
	run(chromedp.Navigate(srv.URL+"/delivery?key="+review[0]), chromedp.WaitVisible(chromedp.ID("vendor_id")),
		chromedp.SendKeys(chromedp.ID("vendor_id"), "P-BROWSER-1"), chromedp.Click(chromedp.ID("mark")),
		chromedp.WaitVisible(chromedp.CSS("p.done")))
	assert.Equal(t, "Marked delivered.", text("p.done"))
	assert.Equal(t, "delivered", text("#state"))
	assert.Equal(t, "P-BROWSER-1", text("#vendor-id"))
	d, err = r.Status(ctx, review[0])
	require.NoError(t, err)
	assert.Equal(t, relay.StateDelivered, d.State)
	assert.Equal(t, "P-BROWSER-1", d.VendorID)

	run(chromedp.Navigate(srv.URL + "/"))
	assert.Equal(t, "2 need review", text("a.badge.review"))
}

// River UI, mounted by the console (WithRiverUI), runs in the browser
// under the console's authorization and its CSP for River UI: its
// scripts load and it lists the relay's jobs.
func TestRiverUIInBrowser(t *testing.T) {
	tab := browser(t)
	r := open(t, sqliteBackend(t))
	ctx := context.Background()
	_, err := r.Enqueue(ctx, relay.SalesmanLead{Key: "riverui-a", Lead: salesmanLead(1).Lead})
	require.NoError(t, err)
	quiet := slog.New(slog.DiscardHandler)
	rc, err := river.NewClient(riversqlite.New(r.DB()), &river.Config{Logger: quiet})
	require.NoError(t, err)
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: riverui.NewEndpoints(rc, nil), Logger: quiet, Prefix: "/riverui"})
	require.NoError(t, err)
	uctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	require.NoError(t, ui.Start(uctx))
	h, err := relay.Console(r, relay.WithUnauthenticatedLoopback(), relay.WithRiverUI(ui))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	c, ccancel := context.WithTimeout(tab, 30*time.Second)
	defer ccancel()
	require.NoError(t, chromedp.Do(c, chromedp.Navigate(srv.URL+"/riverui/jobs?state=available")))
	var body string
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(body, "leadkit_salesman_lead"); {
		require.True(t, time.Now().Before(deadline), "River UI did not list the job; page text: %q", body)
		time.Sleep(100 * time.Millisecond)
		body, err = chromedp.Run(c, chromedp.Evaluate[string](`document.body.innerText`))
		require.NoError(t, err)
	}
}
