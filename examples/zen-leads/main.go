// Command zen-leads lists the leads each user received in a date range from
// CRM Zen ("Consulta de Leads por Usuário"), reading every page.
//
// With no configuration it starts the embedded Zen sandbox (with its
// one-call-a-minute window shortened) and reads it:
//
//	go run ./examples/zen-leads -from 2026-11-16 -to 2026-11-20
//
// With ZEN_URL and ZEN_TOKEN it reads that server, waiting out Zen's limit
// of one call a minute between pages. Exit status: 0 on success, 1 on an API
// error, 2 on bad usage.
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
	fs := flag.NewFlagSet("zen-leads", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "first day, YYYY-MM-DD (default: 6 days before -to)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: today in São Paulo)")
	asJSON := fs.Bool("json", false, "print JSON lines instead of a table")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	loc := cli.SaoPaulo()
	last := time.Now().In(loc)
	var err error
	if *to != "" {
		if last, err = time.ParseInLocation("2006-01-02", *to, loc); err != nil {
			fmt.Fprintf(stderr, "zen-leads: -to must be YYYY-MM-DD, got %q\n", *to)
			return 2
		}
	}
	first := last.AddDate(0, 0, -6)
	if *from != "" {
		if first, err = time.ParseInLocation("2006-01-02", *from, loc); err != nil {
			fmt.Fprintf(stderr, "zen-leads: -from must be YYYY-MM-DD, got %q\n", *from)
			return 2
		}
	}
	if first.After(last) {
		return cli.Usagef(stderr, "zen-leads", "-from %s is after -to %s", first.Format("2006-01-02"), last.Format("2006-01-02"))
	}

	env, err := cli.AllOrNone(getenv, "ZEN_URL", "ZEN_TOKEN")
	if err != nil {
		fmt.Fprintf(stderr, "zen-leads: %v\n", err)
		return 2
	}
	baseURL, token := env[0], env[1]
	var opts []zen.Option
	switch {
	case baseURL == "":
		const window = 100 * time.Millisecond
		sb := zentest.NewServer(&zentest.Options{LeadsByUserWindow: window})
		defer sb.Close()
		baseURL, token = sb.URL, sb.Credentials()["ZEN_TOKEN"]
		opts = append(opts, zen.WithLimits(zen.Limits{LeadsByUser: window}))
		cli.SandboxNotice(stderr, "zen-leads", sb.URL, "ZEN_URL", "ZEN_TOKEN")
	default:
		fmt.Fprintln(stderr, "zen-leads: Zen allows one call a minute: each further page waits for it")
		// Each wait is announced on stderr, so a long read is not silent.
		opts = append(opts, zen.WithLogger(cli.WaitLogger(stderr, "zen-leads")))
	}
	client, err := zen.NewClient(baseURL, token, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "zen-leads: %v\n", err)
		return 2
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	enc := json.NewEncoder(stdout)
	if !*asJSON {
		fmt.Fprintln(tw, "ENTERED\tUSER\tCODE\tORIGIN\tPRODUCT")
	}
	n := 0
	for l, err := range client.Leads.AllByUser(ctx, first, last) {
		if err != nil {
			tw.Flush()
			fmt.Fprintf(stderr, "zen-leads: %v\n", err)
			if errors.Is(err, leadkit.ErrInvalidInput) {
				return 2
			}
			return 1
		}
		n++
		if *asJSON {
			if err := enc.Encode(jsonLead{
				User: l.UserName, UserEmail: l.UserEmail, ID: l.RecordID, Code: l.Code,
				Entered: cli.TimePtr(l.Entered), Redistributed: cli.TimePtr(l.Redistributed),
				Origins: names(l.Origins), Segments: names(l.Segments), Products: names(l.ProductsAndServices),
			}); err != nil {
				fmt.Fprintf(stderr, "zen-leads: %v\n", err)
				return 1
			}
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Entered.Format("2006-01-02 15:04"), l.UserName, l.Code, names(l.Origins), names(l.ProductsAndServices))
	}
	if !*asJSON {
		tw.Flush()
		fmt.Fprintf(stdout, "\n%d leads from %s to %s\n", n, first.Format("2006-01-02"), last.Format("2006-01-02"))
	}
	return 0
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
