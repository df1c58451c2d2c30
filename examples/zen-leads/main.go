// Command zen-leads lists the leads each user received in a date range from
// CRM Zen ("Consulta de Leads por Usuário"), reading every page, sorted by
// user and then by the time each lead came in.
//
// With no configuration it starts the embedded Zen sandbox (with its
// one-call-a-minute window shortened) and reads it:
//
//	go run ./examples/zen-leads -from 2026-11-16 -to 2026-11-20
//
// With ZEN_URL and ZEN_TOKEN it reads that server, waiting out Zen's limit
// of one call a minute between pages. A server that enforces another
// interval says so in ZEN_WINDOW (examples/sandbox prints it with its
// export lines when started with -zen-window) or -window. Exit status: 0 on
// success, 1 on an API error, 2 on bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

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
		What: "Lists the leads each CRM Zen user received in a date range, every page, sorted by user and time.",
		Env: []cli.Var{
			{Name: "ZEN_URL", About: "the account's base URL (https://app.crmzen.com.br)"},
			{Name: "ZEN_TOKEN", About: "the account's API token"},
			{Name: "ZEN_WINDOW", About: "optional: the interval the server enforces between two pages (Zen's: 1m; as -window)"},
		},
		Sandbox: []string{
			"With ZEN_URL and ZEN_TOKEN unset, it starts the embedded Zen sandbox and reads it at once.",
			"Against the QA sandbox (go run ./examples/sandbox -zen-window 2s), paste the export lines it",
			"prints: they set ZEN_WINDOW=2s, so each page waits 2 s instead of Zen's minute.",
		},
		Examples: []string{"go run ./examples/zen-leads -from 2026-11-16 -to 2026-11-20 -json"},
	}.Use(fs)
	from := fs.String("from", "", "first day, YYYY-MM-DD (default: 6 days before -to)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: today in São Paulo)")
	window := fs.Duration("window", 0, "interval the server enforces between two pages (default $ZEN_WINDOW, else Zen's 1m)")
	asJSON := fs.Bool("json", false, "print JSON lines instead of a table")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	first, last, code := dateRange(*from, *to, stderr)
	if code != 0 {
		return code
	}
	env, err := cli.AllOrNone(getenv, "ZEN_URL", "ZEN_TOKEN")
	if err != nil {
		return cli.Usagef(stderr, prog, "%v", err)
	}
	w, set, err := windowOf(*window, fs, getenv)
	if err != nil {
		return cli.Usagef(stderr, prog, "%v", err)
	}
	baseURL, token := env[0], env[1]
	var opts []zen.Option
	switch {
	case baseURL == "":
		const sandboxWindow = 100 * time.Millisecond
		sb := zentest.NewServer(&zentest.Options{LeadsByUserWindow: sandboxWindow})
		defer sb.Close()
		baseURL, token = sb.URL, sb.Credentials()["ZEN_TOKEN"]
		opts = append(opts, zen.WithLimits(zen.Limits{LeadsByUser: sandboxWindow}))
		cli.SandboxNotice(stderr, prog, sb.URL, "ZEN_URL", "ZEN_TOKEN")
	case set:
		fmt.Fprintf(stderr, "%s: the server allows one call every %s: each further page waits for it\n", prog, w)
		opts = append(opts, zen.WithLimits(zen.Limits{LeadsByUser: w}), zen.WithLogger(cli.WaitLogger(stderr, prog)))
	default:
		fmt.Fprintf(stderr, "%s: Zen allows one call a minute: each further page waits for it (ZEN_WINDOW or -window for a server that allows more)\n", prog)
		// Each wait is announced on stderr, so a long read is not silent.
		opts = append(opts, zen.WithLogger(cli.WaitLogger(stderr, prog)))
	}
	client, err := zen.NewClient(baseURL, token, opts...)
	if err != nil {
		return cli.Usagef(stderr, prog, "%v", err)
	}
	leads, err := readAll(ctx, client, first, last)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		if errors.Is(err, leadkit.ErrInvalidInput) {
			return cli.ExitUsage
		}
		return cli.ExitAPIError
	}
	if *asJSON {
		return printJSON(stdout, stderr, leads)
	}
	printTable(stdout, leads)
	fmt.Fprintf(stdout, "\n%d leads from %s to %s\n", len(leads), first.Format(time.DateOnly), last.Format(time.DateOnly))
	return cli.ExitOK
}

const prog = "zen-leads"

// dateRange reads -from and -to in São Paulo; code is not 0 on bad usage
// (the message printed).
func dateRange(from, to string, stderr io.Writer) (first, last time.Time, code int) {
	loc := cli.SaoPaulo()
	last = time.Now().In(loc)
	var err error
	if to != "" {
		if last, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
			return first, last, cli.Usagef(stderr, prog, "-to must be YYYY-MM-DD, got %q", to)
		}
	}
	first = last.AddDate(0, 0, -6)
	if from != "" {
		if first, err = time.ParseInLocation(time.DateOnly, from, loc); err != nil {
			return first, last, cli.Usagef(stderr, prog, "-from must be YYYY-MM-DD, got %q", from)
		}
	}
	if first.After(last) {
		return first, last, cli.Usagef(stderr, prog, "-from %s is after -to %s", first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	return first, last, 0
}

// windowOf is the interval between pages: -window when given, else
// ZEN_WINDOW; set is false when neither says (Zen's own minute applies).
func windowOf(flagged time.Duration, fs *flag.FlagSet, getenv func(string) string) (w time.Duration, set bool, err error) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "window" })
	if set {
		w = flagged
	} else if v := getenv("ZEN_WINDOW"); v != "" {
		if w, err = time.ParseDuration(v); err != nil {
			return 0, false, fmt.Errorf("ZEN_WINDOW must be a duration such as 2s or 1m, got %q", v)
		}
		set = true
	}
	if w < 0 {
		return 0, false, fmt.Errorf("-window and ZEN_WINDOW must not be negative, got %s", w)
	}
	return w, set, nil
}

// readAll reads every page and sorts the leads by user, then by the time
// they came in (the pages come in the server's order).
func readAll(ctx context.Context, c *zen.Client, first, last time.Time) ([]zen.UserLead, error) {
	var out []zen.UserLead
	for l, err := range c.Leads.AllByUser(ctx, first, last) {
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.UserName != b.UserName {
			return a.UserName < b.UserName
		}
		if !a.Entered.Equal(b.Entered) {
			return a.Entered.Before(b.Entered)
		}
		return a.Code < b.Code
	})
	return out, nil
}

func printTable(w io.Writer, leads []zen.UserLead) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tENTERED\tCODE\tORIGIN\tPRODUCT")
	for _, l := range leads {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.UserName, l.Entered.Format("2006-01-02 15:04"), l.Code, names(l.Origins), names(l.ProductsAndServices))
	}
	_ = tw.Flush()
}

func printJSON(stdout, stderr io.Writer, leads []zen.UserLead) int {
	enc := json.NewEncoder(stdout)
	for _, l := range leads {
		if err := enc.Encode(jsonLead{
			User: l.UserName, UserEmail: l.UserEmail, ID: l.RecordID, Code: l.Code,
			Entered: cli.TimePtr(l.Entered), Redistributed: cli.TimePtr(l.Redistributed),
			Origins: names(l.Origins), Segments: names(l.Segments), Products: names(l.ProductsAndServices),
		}); err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
	}
	return cli.ExitOK
}

// jsonLead is one line of -json: snake_case keys; a time that never
// happened (not redistributed) is left out.
type jsonLead struct {
	User          string     `json:"user"`
	UserEmail     string     `json:"user_email,omitempty"`
	ID            string     `json:"id"`
	Code          string     `json:"code"`
	Entered       *time.Time `json:"entered,omitempty"`
	Redistributed *time.Time `json:"redistributed,omitempty"`
	Origins       string     `json:"origins"`
	Segments      string     `json:"segments"`
	Products      string     `json:"products"`
}

func names(ts []zen.Tag) string {
	if len(ts) == 0 {
		return "-"
	}
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return strings.Join(out, ", ")
}
