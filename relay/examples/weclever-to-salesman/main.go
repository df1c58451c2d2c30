// Command weclever-to-salesman moves the leads WeClever finalizes into
// SalesMan exactly once, through a relay: a route polls WeClever's
// finalized leads (windows that overlap by -lag, since a lead can be
// finalized late, into a window already read), fetches each new lead's
// details, and enqueues its delivery to SalesMan in the transaction that
// marks it handled. Both vendors are the embedded sandboxes: WeClever
// finalizes -leads leads over time, a share of them late; both answer a
// share of requests 503. It shows progress on stderr and prints the counts
// at both ends.
//
//	go -C relay run ./examples/weclever-to-salesman
//	go -C relay run ./examples/weclever-to-salesman -leads 200 -db postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// The database is a new SQLite file in a temporary directory (removed on
// exit) unless -db or RELAY_DB names one. Exit status: 0 when every
// finalized lead reached SalesMan exactly once, 1 otherwise, 2 on bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

const prog = "weclever-to-salesman"

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
		What:     "Moves the leads WeClever finalizes into SalesMan exactly once through a relay, and prints the counts at both ends.",
		Run:      "go -C relay run ./examples/weclever-to-salesman",
		EnvTitle: "Environment",
		Env:      []cli.Var{{Name: "RELAY_DB", About: "the relay's database, as -db (a PostgreSQL URL for a real one)"}},
		Sandbox: []string{
			"Both vendors are the embedded sandboxes: WeClever finalizes -leads leads over time, some late; both answer some requests 503.",
			"Without -db or RELAY_DB the relay's database is a new SQLite file in a temporary directory:",
			"its path is printed, and it is removed on exit.",
		},
		Examples: []string{"go -C relay run ./examples/weclever-to-salesman -leads 200 -late 0.5",
			"go -C relay run ./examples/weclever-to-salesman -db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'"},
	}.Use(fs)
	db := fs.String("db", "", "the relay's database: sqlite:///path/relay.db or postgres://… (default $RELAY_DB, else a new SQLite file)")
	schema := fs.String("schema", "", "PostgreSQL schema for the relay's tables (default: public)")
	leads := fs.Int("leads", 60, "leads WeClever finalizes over time")
	every := fs.Duration("every", 20*time.Millisecond, "time between two finalizations")
	late := fs.Float64("late", 0.3, "share of the leads finalized late, into a window already read")
	lag := fs.Duration("lag", 3*time.Second, "how far each window reaches back before the last one's end (a late lead within it is found)")
	pollEvery := fs.Duration("poll", 100*time.Millisecond, "how often WeClever is polled")
	failRate := fs.Float64("fail-rate", 0.05, "share of sandbox answers that are 503")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	switch {
	case *leads < 1 || *leads > 100000:
		return cli.Usagef(stderr, prog, "-leads must be between 1 and 100000, got %d", *leads)
	case *every < time.Millisecond:
		return cli.Usagef(stderr, prog, "-every must be at least 1ms, got %s", *every)
	case *late < 0 || *late > 1:
		return cli.Usagef(stderr, prog, "-late must be in [0, 1], got %g", *late)
	case *lag < time.Second:
		return cli.Usagef(stderr, prog, "-lag must be at least 1s, got %s", *lag)
	case *pollEvery < 10*time.Millisecond:
		return cli.Usagef(stderr, prog, "-poll must be at least 10ms, got %s", *pollEvery)
	case *failRate < 0 || *failRate >= 1:
		return cli.Usagef(stderr, prog, "-fail-rate must be in [0, 1), got %g", *failRate)
	}
	dsn := *db
	if dsn == "" {
		dsn = getenv("RELAY_DB") // read after the flags: -h never prints its value
	}
	if dsn == "" {
		dir, err := os.MkdirTemp("", "leadkit-intake-")
		if err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
		defer os.RemoveAll(dir)
		dsn = "sqlite://" + filepath.Join(dir, "relay.db")
		fmt.Fprintf(stderr, "%s: the relay's database is the SQLite file %s (removed on exit; -db to keep one)\n", prog, filepath.Join(dir, "relay.db"))
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	opts := []relay.Option{relay.WithPollInterval(50 * time.Millisecond), relay.WithRetries(100, 500*time.Millisecond),
		relay.WithJobTimeout(10 * time.Second), relay.WithSettle(relay.VendorSalesman, time.Second)}
	if *schema != "" {
		opts = append(opts, relay.WithSchema(*schema))
	}
	r, err := relay.Open(ctx, dsn, opts...)
	if err != nil {
		return openFailed(stderr, err)
	}
	defer func() {
		cctx, ccancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer ccancel()
		_ = r.Close(cctx)
	}()

	// The late leads are finalized up to -lag before they show: the windows
	// overlap by -lag, so every one of them is found.
	start := time.Now()
	wc := weclevertest.NewServer(&weclevertest.Options{Leads: -1, FailRate: *failRate,
		Finalizing: weclevertest.Finalizing{Every: *every, Limit: *leads, LateRate: *late, LateBy: *lag}})
	defer wc.Close()
	sm := salesmantest.NewServer(&salesmantest.Options{FailRate: *failRate, NoRateLimits: true, Leads: -1})
	defer sm.Close()
	fmt.Fprintf(stderr, "%s: moving the leads of the embedded WeClever sandbox (%s) into the embedded SalesMan sandbox (%s)\n", prog, wc.URL, sm.URL)

	quiet := slog.New(slog.DiscardHandler)
	cw := wc.Credentials()
	wcl, err := weclever.NewClient(cw["WECLEVER_PLATFORM_ID"], cw["WECLEVER_USER"], cw["WECLEVER_PASSWORD"],
		weclever.WithBaseURL(cw["WECLEVER_URL"]), weclever.WithLogger(quiet), weclever.WithRetryWait(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	cs := sm.Credentials()
	scl, err := salesman.NewClient(cs["SALESMAN_URL"], cs["SALESMAN_LOGIN"], cs["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V3), salesman.WithLogger(quiet),
		salesman.WithRetryWait(10*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	src, err := relay.WeCleverFinalized(wcl, relay.WeCleverFinalizedOptions{Lag: *lag, Since: start, Details: true})
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	// Each new lead becomes a SalesMan delivery, enqueued in the
	// transaction that marks the lead handled.
	err = relay.RouteJobs(r, src, func(l relay.WeCleverLead) (relay.Job, error) {
		return relay.SalesmanLead{Key: fmt.Sprintf("weclever-%d", l.ID), Lead: &salesman.NewLead{
			Title: l.Details.Name, Email: l.Details.Email, Phone: l.Details.Phone,
			Description: fmt.Sprintf("WeClever lead %d, %s", l.ID, l.MappedStatus),
		}}, nil
	}, relay.WithPollEvery(*pollEvery))
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	if err := r.Start(ctx, relay.Clients{Salesman: scl}); err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}

	progress := cli.NewCounts(stderr) // redrawn on a terminal; otherwise a line when the counts change, at most each second
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var rs relay.RouteStats
	var s relay.Stats
	for {
		if rs, err = r.RouteStats(ctx, src.Name()); err == nil {
			s, err = r.Stats(ctx, relay.VendorSalesman)
		}
		if err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
		finalized := len(wc.Finalizations())
		line := fmt.Sprintf("%s: finalized %d/%d | handed on %d | in review %d | queued %d | delivered %d | retrying %d | reconciled %d | failed %d",
			prog, finalized, *leads, rs.Handled, rs.Review, s.Queued, s.Delivered, s.Retrying, s.Reconciled, s.Failed)
		done := finalized == *leads && rs.Handled+rs.Review == *leads && s.Total() == rs.Handled && s.Queued == 0 && s.Retrying == 0
		progress.Show(line, done)
		if done {
			break
		}
		select {
		case <-ctx.Done():
			progress.End()
			return cli.Failf(stderr, prog, "stopped before every lead was moved: %v", ctx.Err())
		case <-tick.C:
		}
	}
	progress.End()
	_ = r.Stop(ctx)

	// Count at both ends: every finalized lead is in SalesMan once.
	// (A client of its own, which waits out the sandbox's 503s.)
	reader, err := salesman.NewClient(cs["SALESMAN_URL"], cs["SALESMAN_LOGIN"], cs["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V3),
		salesman.WithLogger(quiet), salesman.WithMaxRetries(10))
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	c, err := count(ctx, wc, reader)
	if err != nil {
		return cli.Failf(stderr, prog, "%v", err)
	}
	c.Review, c.Failed = rs.Review, s.Failed
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FINALIZED\tLATE\tIN SALESMAN ONCE\tDUPLICATED\tMISSING\tIN REVIEW\tFAILED")
	fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%d\n", c.Finalized, c.Late, c.Once, c.Duplicated, c.Missing, c.Review, c.Failed)
	_ = tw.Flush()
	if c.Duplicated > 0 || c.Missing > 0 || c.Failed > 0 {
		return cli.Failf(stderr, prog, "not every lead reached SalesMan exactly once")
	}
	return 0
}

// counts are the two ends of the move.
type counts struct {
	Finalized, Late, Once, Duplicated, Missing, Review, Failed int
}

// count reads both ends: the leads WeClever finalized, and how often each
// is in SalesMan (by the WeClever id in its description, which SalesMan
// lists as its content).
func count(ctx context.Context, wc *weclevertest.Server, scl *salesman.Client) (counts, error) {
	var c counts
	in := map[string]int{}
	for l, err := range scl.Leads.All(ctx, nil) {
		if err != nil {
			return c, err
		}
		if id, _, ok := strings.Cut(strings.TrimPrefix(l.Content, "WeClever lead "), ","); ok && strings.HasPrefix(l.Content, "WeClever lead ") {
			in[id]++
		}
	}
	for _, l := range wc.Finalizations() {
		c.Finalized++
		if l.VisibleAt.Sub(l.FinalizedAt) >= time.Second { // the API's dates have seconds
			c.Late++
		}
		switch n := in[strconv.FormatInt(l.ID, 10)]; {
		case n == 1:
			c.Once++
		case n > 1:
			c.Duplicated++
		default:
			c.Missing++
		}
	}
	return c, nil
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
