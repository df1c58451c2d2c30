// Command relay delivers leads to the four vendors' sandboxes through a
// relay: it enqueues -leads leads per vendor, delivers them with faults on
// (503s, and creates that succeed but answer 500, so that the relay must
// reconcile), shows progress on stderr, and prints the final counts.
//
//	go -C relay run ./examples/relay
//	go -C relay run ./examples/relay -leads 200 -db postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// The database is a new SQLite file in a temporary directory (its path is
// printed; it is removed on exit) unless -db or RELAY_DB names one
// (sqlite:///path/relay.db or a PostgreSQL URL), which is kept. -json
// prints the final counts per vendor and state as JSON. Exit status: 0 when
// every lead is delivered or parked for review, 1 otherwise, 2 on bad
// usage.
//
// -console 127.0.0.1:8080 also serves the relay's review console there
// (loopback only: this example's console has no login) and keeps serving,
// the workers running, after the leads settle, until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"riverqueue.com/riverui"
	"riverqueue.com/riverui/uiendpoints"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

const prog = "relay"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Help{
		What:     "Delivers leads to the four vendors' sandboxes through a relay, with faults on, and prints the counts.",
		Run:      "go -C relay run ./examples/relay",
		EnvTitle: "Environment",
		Env:      []cli.Var{{Name: "RELAY_DB", About: "the relay's database, as -db (a PostgreSQL URL for a real one)"}},
		Sandbox: []string{
			"The vendors are always the embedded sandboxes (503s, and creates that succeed but answer 500).",
			"Without -db or RELAY_DB the relay's database is a new SQLite file in a temporary directory:",
			"its path is printed, and it is removed on exit.",
		},
		Examples: []string{"go -C relay run ./examples/relay -leads 200 -json",
			"go -C relay run ./examples/relay -console 127.0.0.1:8080",
			"go -C relay run ./examples/relay -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'"},
	}.Use(fs)
	db := fs.String("db", "", "the relay's database: sqlite:///path/relay.db or postgres://… (default $RELAY_DB, else a new SQLite file)")
	schema := fs.String("schema", "", "PostgreSQL schema for the relay's tables (default: public)")
	leads := fs.Int("leads", 50, "leads to enqueue per vendor")
	failRate := fs.Float64("fail-rate", 0.1, "share of sandbox answers that are 503")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	verbose := fs.Bool("v", false, "log every delivery attempt (key, vendor, outcome) to stderr")
	asJSON := fs.Bool("json", false, "print the final counts per vendor and state as JSON")
	consoleAddr := fs.String("console", "", "serve the review console at this loopback address (127.0.0.1:8080) until interrupted")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	if *leads < 1 || *leads > 100000 {
		return cli.Usagef(stderr, prog, "-leads must be between 1 and 100000, got %d", *leads)
	}
	if *failRate < 0 || *failRate >= 1 {
		return cli.Usagef(stderr, prog, "-fail-rate must be in [0, 1), got %g", *failRate)
	}
	if *consoleAddr != "" {
		host, _, err := net.SplitHostPort(*consoleAddr)
		a, perr := netip.ParseAddr(host)
		if err != nil || perr != nil || !a.IsLoopback() {
			return cli.Usagef(stderr, prog, "-console must be a loopback address and port (127.0.0.1:8080): this example's console has no login")
		}
	}
	dsn := *db
	if dsn == "" {
		dsn = getenv("RELAY_DB") // read after the flags: -h never prints its value (a password may be in it)
	}
	if dsn == "" {
		dir, err := os.MkdirTemp("", "leadkit-relay-")
		if err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
		defer os.RemoveAll(dir)
		dsn = "sqlite://" + filepath.Join(dir, "relay.db")
		fmt.Fprintf(stderr, "%s: the relay's database is the SQLite file %s (removed on exit; -db to keep one)\n", prog, filepath.Join(dir, "relay.db"))
	}
	opts := []relay.Option{
		relay.WithPollInterval(50 * time.Millisecond),
		relay.WithRetries(100, 500*time.Millisecond),
		relay.WithJobTimeout(10 * time.Second),
		relay.WithSettle(relay.VendorSalesman, time.Second), relay.WithSettle(relay.VendorZenvia, time.Second),
		relay.WithSettle(relay.VendorZen, time.Second),
	}
	if *verbose {
		opts = append(opts, relay.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	if *schema != "" {
		opts = append(opts, relay.WithSchema(*schema))
	}
	interrupted := ctx
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	r, err := relay.Open(ctx, dsn, opts...)
	if err != nil {
		return openFailed(stderr, err)
	}
	defer func() {
		// Close waits for running attempts 15 s at most (a cancelled one is
		// reconciled by the next run).
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer ccancel()
		_ = r.Close(cctx)
	}()

	if *consoleAddr != "" {
		stopConsole, err := serveConsole(interrupted, r, *schema, *consoleAddr, stderr)
		if err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
		defer stopConsole()
	}

	sb := startSandboxes(*failRate)
	defer sb.close()
	fmt.Fprintf(stderr, "%s: delivering to the embedded sandboxes (salesman %s, zen %s, zenvia %s, datacake %s)\n",
		prog, sb.salesman.URL, sb.zen.URL, sb.zenvia.URL, sb.datacake.URL)
	clients, err := sb.clients(r)
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}

	run := time.Now().Format("150405")
	var batch []relay.Job
	for i := range *leads {
		batch = append(batch, jobs(run, i)...)
	}
	// A transaction and one statement per table for each thousand leads.
	for len(batch) > 0 {
		n := min(len(batch), 1000)
		if _, err := r.EnqueueMany(ctx, batch[:n]); err != nil {
			return cli.Failf(stderr, prog, "enqueue: %v", err)
		}
		batch = batch[n:]
	}
	total := 4 * *leads
	startCtx := ctx
	if *consoleAddr != "" {
		startCtx = interrupted // the workers outlive -timeout, for the console's Resends
	}
	if err := r.Start(startCtx, clients); err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	var s relay.Stats
	progress := cli.NewCounts(stderr) // redrawn on a terminal; otherwise a line when the counts change, at most each second
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		s, err = r.Stats(ctx, "")
		if err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
		line := fmt.Sprintf("%s: enqueued %d | queued %d | delivered %d | retrying %d | reconciled %d | needs review %d | failed %d",
			prog, s.Total(), s.Queued, s.Delivered, s.Retrying, s.Reconciled, s.NeedsReview, s.Failed)
		done := s.Total() == total && s.Queued == 0 && s.Retrying == 0
		progress.Show(line, done)
		if done {
			break
		}
		select {
		case <-ctx.Done():
			progress.End()
			return cli.Failf(stderr, prog, "stopped before every lead was delivered: %v", ctx.Err())
		case <-tick.C:
		}
	}
	progress.End()
	if *consoleAddr != "" {
		// The workers keep running (a Resend in the console is delivered)
		// until the user interrupts.
		fmt.Fprintf(stderr, "%s: settled; the console keeps serving until interrupted (Ctrl-C)\n", prog)
		<-interrupted.Done()
		var endCancel context.CancelFunc
		ctx, endCancel = context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer endCancel()
	}
	if err := r.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return cli.Failf(stderr, prog, "stop: %v", err)
	}

	counts, err := finalCounts(ctx, r, sb)
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	if *asJSON {
		if err := cli.PrintJSON(stdout, counts); err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
	} else {
		printCounts(stdout, counts)
	}
	if s.Failed > 0 {
		return cli.Failf(stderr, prog, "%s failed; relay.Status(ctx, key) says why", plural(s.Failed, "lead", "leads"))
	}
	if s.NeedsReview > 0 && !*asJSON {
		fmt.Fprintf(stdout, "%s review: the contract has no prospect search, so a create whose answer was lost is never resent blindly (relay.Status shows what to check; MarkDelivered or Resend resolve it)\n",
			plural(s.NeedsReview, "Datacake prospect needs", "Datacake prospects need"))
	}
	return 0
}

// vendorCounts are one vendor's final counts (a row of the table, an
// element of -json).
type vendorCounts struct {
	Vendor         string `json:"vendor"`
	Delivered      int    `json:"delivered"`
	Reconciled     int    `json:"reconciled"`
	NeedsReview    int    `json:"needs_review"`
	Failed         int    `json:"failed"`
	CreateRequests int    `json:"create_requests"` // the sandbox's count, 503s included
}

func finalCounts(ctx context.Context, r *relay.Relay[any], sb *sandboxes) ([]vendorCounts, error) {
	var out []vendorCounts
	for _, v := range []relay.Vendor{relay.VendorSalesman, relay.VendorZen, relay.VendorZenvia, relay.VendorDatacake} {
		vs, err := r.Stats(ctx, v)
		if err != nil {
			return nil, err
		}
		out = append(out, vendorCounts{Vendor: string(v), Delivered: vs.Delivered, Reconciled: vs.Reconciled,
			NeedsReview: vs.NeedsReview, Failed: vs.Failed, CreateRequests: sb.creates(v)})
	}
	return out, nil
}

func printCounts(w io.Writer, counts []vendorCounts) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VENDOR\tDELIVERED\tRECONCILED\tNEEDS REVIEW\tFAILED\tCREATE REQUESTS (503s INCLUDED)")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", c.Vendor, c.Delivered, c.Reconciled, c.NeedsReview, c.Failed, c.CreateRequests)
	}
	_ = tw.Flush()
}

// plural is "n one" or "n many".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// jobs are lead i of each vendor.
func jobs(run string, i int) []relay.Job {
	name := fmt.Sprintf("Lead %s-%04d", run, i)
	return []relay.Job{
		relay.SalesmanLead{Lead: &salesman.NewLead{Title: name, Email: fmt.Sprintf("s%s%04d@example.ru", run, i)}},
		relay.ZenLead{Lead: &zen.LeadEntry{Name: name, Email: fmt.Sprintf("z%s%04d@example.com.br", run, i)}},
		relay.ZenviaLead{Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "site", FirstName: name,
			Emails: []string{fmt.Sprintf("v%s%04d@example.com.br", run, i)}}},
		relay.DatacakeProspect{Prospect: &datacake.Prospect{Name: name, PersonType: datacake.PersonNatural, Document: datacaketest.CPF(200000000 + i)}},
	}
}

type sandboxes struct {
	salesman *salesmantest.Server
	zen      *zentest.Server
	zenvia   *zenviatest.Server
	datacake *datacaketest.Server
}

func startSandboxes(failRate float64) *sandboxes {
	s := &sandboxes{
		salesman: salesmantest.NewServer(&salesmantest.Options{FailRate: failRate, NoRateLimits: true, Leads: 10}),
		zen:      zentest.NewServer(&zentest.Options{FailRate: failRate, NoRateLimits: true}),
		zenvia:   zenviatest.NewServer(&zenviatest.Options{FailRate: failRate, NoRateLimits: true, Prospects: 5}),
		datacake: datacaketest.NewServer(&datacaketest.Options{FailRate: failRate, NoRateLimits: true, Customers: 5}),
	}
	// A few creates that store the lead and then answer 500: the relay
	// must look them up instead of sending them again.
	stored := leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true, Times: 3}
	s.salesman.Fail(stored)
	s.zen.Fail(stored)
	s.zenvia.Fail(stored)
	s.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true, Times: 1})
	return s
}

func (s *sandboxes) close() {
	s.salesman.Close()
	s.zen.Close()
	s.zenvia.Close()
	s.datacake.Close()
}

// creates counts the create requests each sandbox received.
func (s *sandboxes) creates(v relay.Vendor) int {
	switch v {
	case relay.VendorSalesman:
		return s.salesman.Count(http.MethodPost, "")
	case relay.VendorZen:
		return s.zen.Count(http.MethodPost, "")
	case relay.VendorZenvia:
		return s.zenvia.Count(http.MethodPost, "/lead")
	}
	return s.datacake.Count(http.MethodPost, "prospecto")
}

func (s *sandboxes) clients(r *relay.Relay[any]) (relay.Clients, error) {
	quiet := slog.New(slog.DiscardHandler)
	cr := s.salesman.Credentials()
	sc, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V3), salesman.WithLogger(quiet))
	if err != nil {
		return relay.Clients{}, err
	}
	cz := s.zen.Credentials()
	zc, err := zen.NewClient(cz["ZEN_URL"], cz["ZEN_TOKEN"], zen.WithLimiter(r.ZenLimiter()),
		zen.WithLimits(zen.Limits{Archive: 100 * time.Millisecond}), zen.WithLogger(quiet))
	if err != nil {
		return relay.Clients{}, err
	}
	cv := s.zenvia.Credentials()
	vc, err := zenvia.NewClient(cv["ZENVIA_API_KEY"], zenvia.WithBaseURL(cv["ZENVIA_URL"]), zenvia.WithLogger(quiet))
	if err != nil {
		return relay.Clients{}, err
	}
	cd := s.datacake.Credentials()
	dc, err := datacake.NewClient(cd["DATACAKE_URL"], cd["DATACAKE_TOKEN"], datacake.WithLogger(quiet))
	if err != nil {
		return relay.Clients{}, err
	}
	return relay.Clients{Salesman: sc, Zen: zc, Zenvia: vc, Datacake: dc}, nil
}

// serveConsole serves the relay's review console at addr (loopback), with
// River UI under /riverui/, and returns what stops it.
func serveConsole(ctx context.Context, r *relay.Relay[any], schema, addr string, stderr io.Writer) (func(), error) {
	ui, err := riverUI(ctx, r, schema, "/riverui")
	if err != nil {
		return nil, err
	}
	h, err := relay.Console(r, relay.WithUnauthenticatedLoopback(), relay.WithRiverUI(ui))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	fmt.Fprintf(stderr, "%s: the review console is at http://%s/ (River UI at /riverui/)\n", prog, ln.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// riverUI builds River UI's handler on the relay's database (a River
// client of its own that only reads and acts on jobs: it works none),
// served at prefix.
func riverUI(ctx context.Context, r *relay.Relay[any], schema, prefix string) (http.Handler, error) {
	quiet := slog.New(slog.DiscardHandler)
	var endpoints uiendpoints.Bundle
	if db := r.DB(); db != nil {
		c, err := river.NewClient(riversqlite.New(db), &river.Config{Logger: quiet})
		if err != nil {
			return nil, err
		}
		endpoints = riverui.NewEndpoints(c, nil)
	} else {
		c, err := river.NewClient(riverpgxv5.New(r.Pool()), &river.Config{Logger: quiet, Schema: schema})
		if err != nil {
			return nil, err
		}
		endpoints = riverui.NewEndpoints(c, nil)
	}
	ui, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: endpoints, Logger: quiet, Prefix: prefix, JobListHideArgsByDefault: true})
	if err != nil {
		return nil, fmt.Errorf("river UI: %w", err)
	}
	if err := ui.Start(ctx); err != nil {
		return nil, fmt.Errorf("river UI: %w", err)
	}
	return ui, nil
}

// openFailed reports why relay.Open refused: a -db (or RELAY_DB) or -schema
// value it cannot take is bad usage naming the flag (the value is not
// printed: a DSN may hold a password); anything else is a failure.
func openFailed(stderr io.Writer, err error) int {
	var in *leadkit.InputError
	if errors.As(err, &in) {
		if flag, ok := map[string]string{"dsn": "-db (or RELAY_DB)", "Schema": "-schema"}[in.Field]; ok {
			return cli.Usagef(stderr, prog, "%s: %s", flag, in.Reason)
		}
	}
	return cli.Failf(stderr, prog, "%v", err)
}
