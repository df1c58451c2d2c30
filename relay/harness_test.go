package relay_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// pgURL is the PostgreSQL the tests use: LEADKIT_POSTGRES_URL, or the
// development and CI machines' local server.
func pgURL() string {
	if u := os.Getenv("LEADKIT_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var (
	pgOnce sync.Once
	pgErr  error
)

// needPostgres skips the test when no PostgreSQL answers, saying how to run it.
func needPostgres(t testing.TB) {
	t.Helper()
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, pgURL())
		if err == nil {
			err = c.Ping(ctx)
			c.Close(ctx)
		}
		if err != nil { // the skip message must not show the URL's password
			red := transport.NewRedactor()
			if u, perr := url.Parse(pgURL()); perr == nil {
				if pw, ok := u.User.Password(); ok && pw != "" {
					red.Add(pw)
				}
			}
			pgErr = transport.MaskError(red, err)
		}
	})
	if pgErr != nil && os.Getenv("LEADKIT_REQUIRE_POSTGRES") != "" {
		t.Fatalf("LEADKIT_REQUIRE_POSTGRES is set and PostgreSQL is not reachable at %s: %v", redactURL(pgURL()), pgErr)
	}
	if pgErr != nil {
		t.Skipf("PostgreSQL is not reachable at LEADKIT_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test): %v; "+
			"start one (trust auth) or set LEADKIT_POSTGRES_URL to run the relay's PostgreSQL tests", pgErr)
	}
}

// freshSchema returns a schema name of the test's own, dropped at cleanup.
func freshSchema(t testing.TB) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "relay_t_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, pgURL()); err == nil {
			_, _ = c.Exec(ctx, `DROP SCHEMA IF EXISTS "`+name+`" CASCADE`)
			c.Close(ctx)
		}
	})
	return name
}

// backend is a database the relay runs on: its DSN and the options it
// needs (a schema of the test's own on PostgreSQL).
type backend struct {
	name   string
	dsn    string
	schema string // PostgreSQL: the test's own
	opts   []relay.Option
}

func sqliteBackend(t testing.TB) backend {
	return backend{name: "sqlite", dsn: "sqlite://" + filepath.Join(t.TempDir(), "relay.db")}
}

func postgresBackend(t testing.TB) backend {
	needPostgres(t)
	schema := freshSchema(t)
	return backend{name: "postgres", dsn: pgURL(), schema: schema, opts: []relay.Option{relay.WithSchema(schema)}}
}

// eachBackend runs fn on SQLite and on PostgreSQL.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteBackend(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresBackend(t)) })
}

// eachBackendSlowOnSQLite is eachBackend for the tests whose SQLite run
// takes four seconds or more under the race detector (modernc.org/sqlite is
// C translated to Go, and -race instruments all of it): in a -race -short
// run their SQLite half is skipped, as CI's race pass is; CI's second relay
// pass runs every test on both databases without -race, and the race
// detector still sees each of them on PostgreSQL.
func eachBackendSlowOnSQLite(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) {
		skipSQLiteUnderRaceShort(t, backend{name: "sqlite"})
		fn(t, sqliteBackend(t))
	})
	t.Run("postgres", func(t *testing.T) { fn(t, postgresBackend(t)) })
}

// skipSQLiteUnderRaceShort skips t on SQLite in a -race -short run (see
// eachBackendSlowOnSQLite); the table tests call it for all but one vendor's
// cases, so the race detector still sees their SQLite path once.
func skipSQLiteUnderRaceShort(t *testing.T, b backend) {
	t.Helper()
	if b.name == "sqlite" && raceDetector && testing.Short() {
		t.Skip("slow on SQLite under -race -short; run without -race or -short for it")
	}
}

// fastOpts are the knobs of a test relay: nothing waits for minutes.
func fastOpts() []relay.Option {
	return []relay.Option{
		relay.WithPollInterval(20 * time.Millisecond),
		relay.WithRetries(50, 50*time.Millisecond),
		relay.WithJobTimeout(5 * time.Second),
		relay.WithSettle(relay.VendorSalesman, 0), relay.WithSettle(relay.VendorZenvia, 0),
		relay.WithSettle(relay.VendorZen, 0), relay.WithSettle(relay.VendorDatacake, 0),
	}
}

func open(t testing.TB, b backend, opts ...relay.Option) *relay.Relay[any] {
	t.Helper()
	all := append(append(append([]relay.Option{}, b.opts...), fastOpts()...), opts...)
	r, err := relay.Open(context.Background(), b.dsn, all...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = closeRelay(r) })
	return r
}

// sandboxes are the four vendors' sandboxes, each behind an optional
// handler wrapper (the chaos test's faults), and clients to them.
type sandboxes struct {
	salesman *salesmantest.Server
	zen      *zentest.Server
	zenvia   *zenviatest.Server
	datacake *datacaketest.Server
	urls     map[string]string // vendor → base URL
}

const (
	sbSalesmanLogin = "relay@example.ru"
	sbSalesmanKey   = "sm-key-CANARY-7f3a9c"
	sbZenToken      = "zen-token-CANARY-51be2d"
	sbZenviaKey     = "zenvia-key-CANARY-0c8e44"
	sbDatacakeToken = "datacake-token-CANARY-a61f09"
)

func startSandboxes(t testing.TB, wrap func(vendor string, h http.Handler) http.Handler) *sandboxes {
	t.Helper()
	if wrap == nil {
		wrap = func(_ string, h http.Handler) http.Handler { return h }
	}
	s := &sandboxes{urls: map[string]string{}}
	serve := func(name string, h http.Handler, setURL func(string)) {
		srv := httptest.NewServer(wrap(name, h))
		t.Cleanup(srv.Close)
		setURL(srv.URL)
		s.urls[name] = srv.URL
	}
	s.salesman = salesmantest.NewUnstartedServer(&salesmantest.Options{Login: sbSalesmanLogin, APIKey: sbSalesmanKey, NoRateLimits: true, Leads: 20, Seed: 1})
	serve("salesman", s.salesman, func(u string) { s.salesman.URL = u })
	// No seeded deals: one coming in during a test would be a deal the Zen
	// lookup must treat as possibly the person's (cannot tell).
	s.zen = zentest.NewUnstartedServer(&zentest.Options{Token: sbZenToken, NoRateLimits: true, Seed: 1, NoSeed: true})
	serve("zen", s.zen, func(u string) { s.zen.URL = u })
	s.zenvia = zenviatest.NewUnstartedServer(&zenviatest.Options{APIKey: sbZenviaKey, NoRateLimits: true, Seed: 1, Prospects: 5})
	serve("zenvia", s.zenvia, func(u string) { s.zenvia.URL = u })
	s.datacake = datacaketest.NewUnstartedServer(&datacaketest.Options{Token: sbDatacakeToken, NoRateLimits: true, Seed: 1, Customers: 5})
	serve("datacake", s.datacake, func(u string) { s.datacake.URL = u })
	return s
}

// clientsFor builds the four clients for the sandboxes at urls; lim, when
// not nil, shares Zen's windows (the relay's ZenLimiter).
func clientsFor(t testing.TB, urls map[string]string, lim zen.Limiter, logger *slog.Logger) relay.Clients {
	return clientsWith(t, urls, clientKnobs{lim: lim, logger: logger})
}

// clientKnobs are what tests vary in the clients: the SalesMan API version
// (V3 when 0), the longest retry wait (50ms when 0: a longer Retry-After
// is handed back at once), Zen's shared window.
type clientKnobs struct {
	lim     zen.Limiter
	logger  *slog.Logger
	version salesman.APIVersion
	maxWait time.Duration
}

func clientsWith(t testing.TB, urls map[string]string, k clientKnobs) relay.Clients {
	t.Helper()
	logger, lim := k.logger, k.lim
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if k.version == 0 {
		k.version = salesman.V3
	}
	minW, maxW := 5*time.Millisecond, 50*time.Millisecond
	if k.maxWait > 0 {
		maxW = k.maxWait
	}
	sc, err := salesman.NewClient(urls["salesman"], sbSalesmanLogin, sbSalesmanKey, salesman.WithAPIVersion(k.version),
		salesman.WithRetryWait(minW, maxW), salesman.WithMaxRetries(2), salesman.WithLogger(logger))
	require.NoError(t, err)
	zopts := []zen.Option{zen.WithLimits(zen.Limits{Archive: 20 * time.Millisecond}), zen.WithRetryWait(minW, maxW), zen.WithMaxRetries(2), zen.WithLogger(logger)}
	if lim != nil {
		zopts = append(zopts, zen.WithLimiter(lim))
	}
	zc, err := zen.NewClient(urls["zen"], sbZenToken, zopts...)
	require.NoError(t, err)
	vc, err := zenvia.NewClient(sbZenviaKey, zenvia.WithBaseURL(urls["zenvia"]), zenvia.WithRetryWait(minW, maxW), zenvia.WithMaxRetries(2), zenvia.WithLogger(logger))
	require.NoError(t, err)
	dc, err := datacake.NewClient(urls["datacake"], sbDatacakeToken, datacake.WithRetryWait(minW, maxW), datacake.WithMaxRetries(2), datacake.WithLogger(logger))
	require.NoError(t, err)
	return relay.Clients{Salesman: sc, Zen: zc, Zenvia: vc, Datacake: dc}
}

// lead i of each vendor: every one names itself chaos<i> (six digits) in a
// field the vendor stores, and has an e-mail and a phone of its own.
func salesmanLead(i int) relay.SalesmanLead {
	return relay.SalesmanLead{Lead: &salesman.NewLead{
		Title: fmt.Sprintf("chaos%06d Иван", i), Email: fmt.Sprintf("s%06d@example.ru", i), Phone: fmt.Sprintf("+7916%07d", i),
	}}
}

func zenLead(i int) relay.ZenLead {
	return relay.ZenLead{Lead: &zen.LeadEntry{
		Name: fmt.Sprintf("chaos%06d Ana", i), Email: fmt.Sprintf("z%06d@example.com.br", i), Phone: fmt.Sprintf("+55119%08d", i),
	}}
}

func zenviaLead(i int) relay.ZenviaLead {
	return relay.ZenviaLead{Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{
		UTMSource: "site", FirstName: fmt.Sprintf("chaos%06d", i), Phones: []string{fmt.Sprintf("+55219%08d", i)},
		Emails: []string{fmt.Sprintf("v%06d@example.com.br", i)},
	}}
}

func datacakeProspect(i int) relay.DatacakeProspect {
	return relay.DatacakeProspect{Prospect: &datacake.Prospect{
		Name: fmt.Sprintf("chaos%06d Maria", i), PersonType: datacake.PersonNatural, Document: datacaketest.CPF(100000000 + i),
		Email: fmt.Sprintf("d%06d@example.com.br", i),
	}}
}

// waitFor polls the relay's stats until done says so or the time is up.
func waitFor(t testing.TB, r *relay.Relay[any], d time.Duration, done func(relay.Stats) bool) relay.Stats {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		s, err := r.Stats(context.Background(), "")
		require.NoError(t, err)
		if done(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("relay did not settle in %s: %+v", d, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settled: nothing left queued or retrying.
func settled(total int) func(relay.Stats) bool {
	return func(s relay.Stats) bool { return s.Total() == total && s.Queued == 0 && s.Retrying == 0 }
}

// redactURL hides a password in a PostgreSQL URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// deliverOne enqueues job, starts r's workers on the sandboxes, waits until
// nothing is left to do and returns the job's delivery.
func deliverOne(t testing.TB, r *relay.Relay[any], sb *sandboxes, job relay.Job) *relay.Delivery {
	t.Helper()
	ctx := context.Background()
	key, err := r.Enqueue(ctx, job)
	require.NoError(t, err)
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	waitFor(t, r, 30*time.Second, settled(1))
	d, err := r.Status(ctx, key)
	require.NoError(t, err)
	return d
}

// closeRelay closes r, giving its running attempts 10 s to end.
func closeRelay(r *relay.Relay[any]) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.Close(ctx)
}
