package relay_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

// dsnPassword is the PostgreSQL password the secrets test opens the relay
// with (the test server trusts every local connection: it is never asked
// for, only written in the DSN).
const dsnPassword = "pg-pass-CANARY-4d7b21"

// panicPhone is a lead's phone a user's function panics with: personal
// data, which the relay's telemetry never carries.
const panicPhone = "+55 11 98765-0042"

// quoting is a text that quotes each secret in a few of the forms a
// library or a vendor's echo writes it in.
func quoting(secrets []string) string {
	var b strings.Builder
	for _, s := range secrets {
		fmt.Fprintf(&b, "[%s | %s | %s | %s] ", s, url.QueryEscape(s), testutil.EachRune(s, `\u%04x`), testutil.FullWidth(s))
	}
	return b.String()
}

// storedText is every row of every table in r's database, the relay's and
// River's (river_job.errors: what each attempt returned or panicked with),
// written out as text.
func storedText(t *testing.T, r *relay.Relay[any], b backend) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	if db := r.DB(); db != nil {
		tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
		require.NotEmpty(t, tables)
		for _, tb := range tables {
			rows, err := db.QueryContext(ctx, `SELECT * FROM "`+tb+`"`)
			require.NoError(t, err)
			cols, err := rows.Columns()
			require.NoError(t, err)
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				require.NoError(t, rows.Scan(ptrs...))
				for _, v := range vals {
					if bs, ok := v.([]byte); ok {
						v = string(bs)
					}
					fmt.Fprintf(&out, "%s: %v\n", tb, v)
				}
			}
			require.NoError(t, rows.Err())
			_ = rows.Close()
		}
		return out.String()
	}
	pool := r.Pool()
	require.NotNil(t, pool)
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, b.schema)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		tables = append(tables, s)
	}
	rows.Close()
	require.NotEmpty(t, tables)
	for _, tb := range tables {
		rows, err := pool.Query(ctx, `SELECT t::text FROM "`+b.schema+`"."`+tb+`" t`)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			fmt.Fprintf(&out, "%s: %s\n", tb, s)
		}
		rows.Close()
	}
	return out.String()
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// assertNoLeak fails for every form of every secret that text holds.
func assertNoLeak(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range testutil.LeakForms(s) {
			if i := strings.Index(text, f); i >= 0 {
				t.Errorf("%s leaks %q as %q: …%s…", where, s, f, text[max(0, i-120):min(len(text), i+len(f)+40)])
				break
			}
		}
	}
}

// leakySource is a user's source: its first poll fails with an error
// quoting the secrets, then it finds one item.
type leakySource struct {
	secrets []string
	phase   *atomic.Int32
}

func (leakySource) Name() string { return "leaky" }

func (s leakySource) Poll(context.Context, string) (relay.Page[string], error) {
	if s.phase.Load() == 0 {
		return relay.Page[string]{}, errors.New("source refused: " + quoting(s.secrets))
	}
	return relay.Page[string]{Items: []relay.Item[string]{{ID: "item-1", Value: "v"}}}, nil
}

// TestStoredTextsMaskSecrets: what a user's function (an inbox's, a
// route's) or a user's source fails or panics with may quote a secret
// the relay was configured with (a vendor client's key, the inbox's
// webhook secret, the database password); the relay stores none of it:
// not in the inbox's or the cursor's last error, not in an item's review
// note, not in River's job rows (the errors and panics of every attempt),
// not in RouteStats, not in a log line, not in OpenTelemetry.
func TestStoredTextsMaskSecrets(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		secrets := []string{sbSalesmanKey, sbZenToken, sbZenviaKey, sbDatacakeToken, inboxSecret}
		if b.name == "postgres" {
			u, err := url.Parse(b.dsn)
			require.NoError(t, err)
			u.User = url.UserPassword(u.User.Username(), dsnPassword)
			b.dsn = u.String()
			secrets = append(secrets, dsnPassword)
		}
		var logs bytes.Buffer
		var lmu sync.Mutex
		logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			lmu.Lock()
			defer lmu.Unlock()
			return logs.Write(p)
		}), &slog.HandlerOptions{Level: slog.LevelDebug}))
		reader := sdkmetric.NewManualReader()
		rec := tracetest.NewSpanRecorder()
		r := open(t, b, relay.WithLogger(logger),
			relay.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
			relay.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))))
		quote := quoting(secrets)

		// The inbox's function panics with the secrets, then fails with
		// them until its attempts are used up.
		var inboxCalls atomic.Int32
		inbox, err := r.ZenviaInbox("leaky", inboxSecret, func(context.Context, any, relay.InboxEvent) error {
			if inboxCalls.Add(1) == 1 {
				panic("inbox fn: lead " + panicPhone + " " + quote)
			}
			return errors.New("inbox fn: " + quote)
		})
		require.NoError(t, err)
		// The route: the source fails, then the function fails, panics,
		// and refuses the item (review) with the secrets.
		var phase atomic.Int32
		var routeCalls atomic.Int32
		err = relay.Route(r, relay.Source[string](leakySource{secrets: secrets, phase: &phase}), func(context.Context, any, string) error {
			switch n := routeCalls.Add(1); {
			case n == 1:
				return errors.New("route fn: " + quote)
			case n == 2:
				panic(fmt.Errorf("route fn: lead %s %s", panicPhone, quote))
			default:
				return leadkit.Invalid("lead", "route fn refused it: %s", quote)
			}
		}, relay.WithPollEvery(time.Second))
		require.NoError(t, err)

		rec0 := httptest.NewRecorder()
		inbox.ServeHTTP(rec0, httptest.NewRequest(http.MethodPost, "/?secret="+url.QueryEscape(inboxSecret)+"&topic=prospects",
			strings.NewReader(`{"id":"p-1","leads":[],"phones":[],"email":"a@example.com"}`)))
		require.Equal(t, http.StatusOK, rec0.Code)
		require.NoError(t, r.Start(ctx, clientsFor(t, startSandboxes(t, nil).urls, nil, logger)))

		var shown []string // what RouteStats displayed on the way
		require.Eventually(t, func() bool {
			s, err := r.RouteStats(ctx, "leaky")
			if err == nil && s.LastError != "" {
				shown = append(shown, s.LastError)
			}
			return err == nil && s.LastError != ""
		}, 30*time.Second, 10*time.Millisecond, "the source's failure is stored")
		phase.Store(1)
		require.Eventually(t, func() bool {
			s, err := r.RouteStats(ctx, "leaky")
			if err == nil && s.LastError != "" {
				shown = append(shown, s.LastError)
			}
			return err == nil && s.Review == 1
		}, 30*time.Second, 10*time.Millisecond, "the item is parked for review")
		var ist relay.InboxStats
		require.Eventually(t, func() bool {
			ist, err = r.InboxStats(ctx, "leaky")
			return err == nil && ist.Failed == 1
		}, 30*time.Second, 10*time.Millisecond, "the event fails after its attempts: %+v after %d calls", &ist, &inboxCalls)
		require.GreaterOrEqual(t, routeCalls.Load(), int32(3))
		t.Logf("inbox: %+v after %d calls", ist, inboxCalls.Load())

		assertNoLeak(t, "RouteStats.LastError", strings.Join(shown, "\n"), secrets)
		// River records a job's error or panic a moment after the job
		// ends: the scan waits until it reads every kind of text.
		var stored string
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			stored = storedText(t, r, b)
			if strings.Contains(stored, "route fn refused it") && strings.Contains(stored, "inbox fn") &&
				strings.Contains(stored, "source refused") && strings.Contains(stored, "route fn: lead "+panicPhone) {
				break
			}
			require.True(t, time.Now().Before(deadline), "the scan reads the review notes, the inbox's errors, River's job errors and what an attempt panicked with (masked):\n%s", stored)
		}
		assertNoLeak(t, "the database", stored, secrets)
		require.NoError(t, closeRelay(r))
		lmu.Lock()
		defer lmu.Unlock()
		assertNoLeak(t, "the logs", logs.String(), secrets)
		otel := strings.Join(collectOTel(t, reader, rec).strings(), "\n")
		assertNoLeak(t, "OpenTelemetry", otel, secrets)
		require.NotContains(t, otel, panicPhone, "a panic's text (the lead's phone) reaches OpenTelemetry")
	})
}

// TestRouteMasksItsSourceClientSecrets: a route from a built-in source
// masks its client's credentials (WeClever's password and the session
// token it fetched), which the relay is given through the source only,
// in what the route's function fails with.
func TestRouteMasksItsSourceClientSecrets(t *testing.T) {
	b := sqliteBackend(t)
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, weclevertest.Location())}
	wc := weclevertest.NewServer(&weclevertest.Options{Leads: -1, Seed: 7, Now: clk.now,
		Finalizing: weclevertest.Finalizing{Every: 2 * time.Second}})
	t.Cleanup(wc.Close)
	cr := wc.Credentials()
	c, err := weclever.NewClient(cr["WECLEVER_PLATFORM_ID"], cr["WECLEVER_USER"], cr["WECLEVER_PASSWORD"], weclever.WithBaseURL(wc.URL))
	require.NoError(t, err)
	token, err := c.Token(ctx)
	require.NoError(t, err)
	secrets := []string{cr["WECLEVER_PASSWORD"], token}
	quote := quoting(secrets)
	src, err := relay.WeCleverFinalized(c, relay.WeCleverFinalizedOptions{Lag: 30 * time.Second, Since: clk.now(), Now: clk.now})
	require.NoError(t, err)
	r := open(t, b)
	var calls atomic.Int32
	require.NoError(t, relay.Route(r, src, func(context.Context, any, relay.WeCleverLead) error {
		if calls.Add(1) == 1 {
			return errors.New("route fn: " + quote)
		}
		return leadkit.Invalid("lead", "route fn refused it: %s", quote)
	}, relay.WithPollEvery(50*time.Millisecond)))
	require.NoError(t, r.Start(ctx, relay.Clients{}))
	var shown []string
	require.Eventually(t, func() bool {
		clk.add(2 * time.Second)
		s, err := r.RouteStats(ctx, src.Name())
		if err == nil && s.LastError != "" {
			shown = append(shown, s.LastError)
		}
		return err == nil && s.Review > 0
	}, 30*time.Second, 20*time.Millisecond)
	assertNoLeak(t, "RouteStats.LastError", strings.Join(shown, "\n"), secrets)
	// River records the first poll's error a moment after its job ends:
	// the scan waits until it reads both kinds of text.
	var stored string
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		stored = storedText(t, r, b)
		if strings.Contains(stored, "route fn refused it") && strings.Contains(stored, "route fn: ") {
			break
		}
		require.True(t, time.Now().Before(deadline), "the scan reads the review notes and River's job errors:\n%s", stored)
	}
	assertNoLeak(t, "the database", stored, secrets)
}
