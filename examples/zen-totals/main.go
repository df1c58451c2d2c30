// Command zen-totals prints a day's lead distribution totals per user from
// CRM Zen ("Totais de Distribuição de Leads por usuários"), with the leads
// that were not distributed, by reason.
//
// With no configuration it starts the embedded Zen sandbox and reads it:
//
//	go run ./examples/zen-totals
//	go run ./examples/zen-totals -date 2026-11-20 -json
//
// With ZEN_URL (the account's base URL, or the totals endpoint's full URL)
// and ZEN_TOKEN it reads that server instead. Exit status: 0 on success, 1 on
// an API error, 2 on bad usage.
package main

import (
	"context"
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
	fs := flag.NewFlagSet("zen-totals", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Help{
		What: "Prints a day's lead distribution totals per user from CRM Zen, with the leads not distributed by reason.",
		Env: []cli.Var{
			{Name: "ZEN_URL", About: "the account's base URL (https://app.crmzen.com.br), or the totals endpoint's full URL"},
			{Name: "ZEN_TOKEN", About: "the account's API token"},
		},
		Sandbox: []string{
			"With neither set, it starts the embedded Zen sandbox and reads it.",
			"Against the QA sandbox (go run ./examples/sandbox), paste the export lines it prints.",
			"Zen allows one totals call per 5 minutes: a second run within the window is refused (exit 1);",
			"against a sandbox with a window of 30 s or less (-zen-window) it waits, and says so on stderr.",
		},
		Examples: []string{"go run ./examples/zen-totals -date 2026-11-20 -json"},
	}.Use(fs)
	date := fs.String("date", "", "day to read, YYYY-MM-DD (default: today in São Paulo)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	loc := cli.SaoPaulo()
	day := time.Now().In(loc)
	if *date != "" {
		var err error
		if day, err = time.ParseInLocation("2006-01-02", *date, loc); err != nil {
			fmt.Fprintf(stderr, "zen-totals: -date must be YYYY-MM-DD, got %q\n", *date)
			return 2
		}
	}

	env, err := cli.AllOrNone(getenv, "ZEN_URL", "ZEN_TOKEN")
	if err != nil {
		fmt.Fprintf(stderr, "zen-totals: %v\n", err)
		return 2
	}
	baseURL, token := env[0], env[1]
	opts := []zen.Option{zen.WithLogger(cli.WaitLogger(stderr, "zen-totals"))}
	embedded := baseURL == ""
	switch {
	case embedded:
		sb := zentest.NewServer(nil)
		defer sb.Close()
		baseURL, token = sb.URL, sb.Credentials()["ZEN_TOKEN"]
		cli.SandboxNotice(stderr, "zen-totals", sb.URL, "ZEN_URL", "ZEN_TOKEN")
	case strings.Contains(strings.TrimRight(baseURL, "/"), "/api/"):
		// A full endpoint URL from Zen's integration screen.
		opts = append(opts, zen.WithEndpointURL(zen.EndpointTotals, baseURL))
	}
	client, err := zen.NewClient(baseURL, token, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "zen-totals: %v\n", err)
		return 2
	}
	totals, err := client.Leads.Totals(ctx, day)
	if err != nil {
		var rl *zen.RateLimitError
		if errors.As(err, &rl) {
			fmt.Fprintf(stderr, "zen-totals: rate limited by Zen (one call per 5 minutes); retry in %s\n", rl.RetryAfter.Round(time.Second))
			return 1
		}
		fmt.Fprintf(stderr, "zen-totals: %v\n", err)
		return 1
	}
	if embedded {
		explainEmptyDay(stderr, totals, day)
	}
	if *asJSON {
		if err := cli.PrintJSON(stdout, jsonTotals(totals)); err != nil {
			fmt.Fprintf(stderr, "zen-totals: %v\n", err)
			return 1
		}
		return 0
	}
	printTable(stdout, totals)
	return 0
}

// explainEmptyDay says, on stderr, why the embedded sandbox has no lead on
// day (it seeds none on Sundays, nor before 08:00) and which day to read.
func explainEmptyDay(w io.Writer, t *zen.Totals, day time.Time) {
	for _, u := range t.Users {
		if u.TotalLeads > 0 {
			return
		}
	}
	if t.Errors.Total() > 0 {
		return
	}
	prev := day.AddDate(0, 0, -1)
	for prev.Weekday() == time.Sunday {
		prev = prev.AddDate(0, 0, -1)
	}
	fmt.Fprintf(w, "zen-totals: no leads on %s: the sandbox's leads come in Monday to Saturday, 08:00 to 19:00 in São Paulo; try -date %s\n",
		day.Format(time.DateOnly), prev.Format(time.DateOnly))
}

func printTable(w io.Writer, t *zen.Totals) {
	fmt.Fprintf(w, "Lead distribution totals for %s\n\n", t.Date)
	users := append([]zen.UserTotals(nil), t.Users...)
	sort.SliceStable(users, func(i, j int) bool { return users[i].TotalLeads > users[j].TotalLeads })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tLEADS\tTOP ORIGIN\tTOP PRODUCT")
	sum := 0
	for _, u := range users {
		sum += u.TotalLeads
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", u.Name, u.TotalLeads, top(u.Origins), top(u.ProductsAndServices))
	}
	fmt.Fprintf(tw, "TOTAL\t%d\t\t\n", sum)
	tw.Flush()
	e := t.Errors
	fmt.Fprintf(w, "\nNot distributed: %d (with error %d, ungrouped %d, over contact limit %d, duplicates %d)\n",
		e.Total(), e.WithError, e.Ungrouped, e.ContactLimitExceeded, e.Duplicates)
}

// The -json shape: snake_case English keys, as every example's -json.
type (
	jsonOutput struct {
		Date           string         `json:"date"`
		Users          []jsonUser     `json:"users"`
		NotDistributed jsonNotDistrib `json:"not_distributed"`
	}
	jsonUser struct {
		Name        string      `json:"name"`
		Leads       int         `json:"leads"`
		Origins     []jsonCount `json:"origins"`
		Segments    []jsonCount `json:"segments"`
		Automations []jsonCount `json:"automations"`
		Products    []jsonCount `json:"products_and_services"`
	}
	jsonCount struct {
		Code  string `json:"code"`
		Name  string `json:"name"`
		Leads int    `json:"leads"`
	}
	jsonNotDistrib struct {
		Total                int `json:"total"`
		WithError            int `json:"with_error"`
		Ungrouped            int `json:"ungrouped"`
		ContactLimitExceeded int `json:"contact_limit_exceeded"`
		Duplicates           int `json:"duplicates"`
	}
)

func jsonTotals(t *zen.Totals) jsonOutput {
	counts := func(cs []zen.Count) []jsonCount {
		out := make([]jsonCount, len(cs))
		for i, c := range cs {
			out[i] = jsonCount{Code: c.Code, Name: c.Name, Leads: c.Quantity}
		}
		return out
	}
	out := jsonOutput{Date: t.Date, Users: make([]jsonUser, len(t.Users))}
	for i, u := range t.Users {
		out.Users[i] = jsonUser{Name: u.Name, Leads: u.TotalLeads, Origins: counts(u.Origins), Segments: counts(u.Segments),
			Automations: counts(u.Automations), Products: counts(u.ProductsAndServices)}
	}
	e := t.Errors
	out.NotDistributed = jsonNotDistrib{Total: e.Total(), WithError: e.WithError, Ungrouped: e.Ungrouped,
		ContactLimitExceeded: e.ContactLimitExceeded, Duplicates: e.Duplicates}
	return out
}

func top(cs []zen.Count) string {
	if len(cs) == 0 {
		return "-"
	}
	best := cs[0]
	for _, c := range cs[1:] {
		if c.Quantity > best.Quantity {
			best = c
		}
	}
	return fmt.Sprintf("%s (%d)", best.Name, best.Quantity)
}
