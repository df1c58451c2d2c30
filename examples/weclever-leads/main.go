// Command weclever-leads lists the leads WeClever finalized in a date range
// ("Busca dos leads por data"), then prints one lead's chat summary,
// sentiment and CSAT ("Busca por informações do lead").
//
// With no configuration it starts the embedded WeClever sandbox and reads it:
//
//	go run ./examples/weclever-leads
//	go run ./examples/weclever-leads -from 2024-03-01 -to "2024-03-15 18:00:00" -json
//
// With WECLEVER_PLATFORM_ID, WECLEVER_USER and WECLEVER_PASSWORD it reads
// WeClever's production server, the development server with -dev, or
// WECLEVER_URL when set. Exit status: 0 on success, 1 on an API error, 2 on
// bad usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// report is the -json output.
type report struct {
	From  string                   `json:"from"`
	To    string                   `json:"to"`
	Leads []weclever.FinalizedLead `json:"leads"`
	Lead  *leadSummary             `json:"lead,omitempty"`
}

type leadSummary struct {
	ID       int64             `json:"weclever_lead_id"`
	Name     string            `json:"name"`
	Status   string            `json:"status"`
	State    string            `json:"state"`
	Regional string            `json:"regional"`
	Metrics  weclever.Metrics  `json:"metrics"`
	Inbound  int               `json:"inbound_messages"`
	Outbound int               `json:"outbound_messages"`
	First    *time.Time        `json:"first_message,omitempty"`
	Last     *time.Time        `json:"last_message,omitempty"`
	Feelings weclever.Feelings `json:"feelings"`
	CSAT     weclever.CSAT     `json:"csat"`
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("weclever-leads", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Help{
		What:     "Lists the leads WeClever finalized in a date range, then one lead's chat summary, sentiment and CSAT.",
		EnvTitle: "Environment (a real account: the three credentials, or none of them to use the sandbox)",
		Env: []cli.Var{
			{Name: "WECLEVER_PLATFORM_ID", About: "the platform id of the account"},
			{Name: "WECLEVER_USER", About: "the integration user"},
			{Name: "WECLEVER_PASSWORD", About: "its password"},
			{Name: "WECLEVER_URL", About: "optional: the server (default WeClever's production server; -dev for development)"},
		},
		Sandbox: []string{
			"With none of them set, it starts the embedded WeClever sandbox (its leads were finalized over the",
			"last 90 days) and lists all of them.",
			"Against the QA sandbox (go run ./examples/sandbox), paste the export lines it prints.",
		},
		Examples: []string{`go run ./examples/weclever-leads -from 2026-03-01 -to "2026-03-15 18:00:00" -json`},
	}.Use(fs)
	fromFlag := fs.String("from", "", "first date: YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\" (default: a week ago; the sandbox's first day)")
	toFlag := fs.String("to", "", "last date, same forms (default: today; the sandbox's last day)")
	leadID := fs.Int64("lead", 0, "lead to detail (default: the first one listed)")
	limit := fs.Int("limit", 20, "table rows to print (0: all)")
	dev := fs.Bool("dev", false, "use WeClever's development server ("+weclever.DevelopmentURL+")")
	asJSON := fs.Bool("json", false, "print JSON instead of tables")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	if *limit < 0 || *leadID < 0 {
		fmt.Fprintln(stderr, "weclever-leads: -limit and -lead must not be negative")
		return 2
	}

	baseURL := getenv("WECLEVER_URL")
	platform, user, password := getenv("WECLEVER_PLATFORM_ID"), getenv("WECLEVER_USER"), getenv("WECLEVER_PASSWORD")
	loc := weclevertest.Location()
	now := time.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), now.Day()-7, 0, 0, 0, 0, loc)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch {
	case baseURL == "" && platform == "" && user == "" && password == "" && !*dev:
		sb := weclevertest.NewServer(nil)
		defer sb.Close()
		env := sb.Credentials()
		baseURL, platform, user, password = env["WECLEVER_URL"], env["WECLEVER_PLATFORM_ID"], env["WECLEVER_USER"], env["WECLEVER_PASSWORD"]
		from, to = sb.SeedRange()
		cli.SandboxNotice(stderr, "weclever-leads", sb.URL, "WECLEVER_URL", "WECLEVER_PLATFORM_ID", "WECLEVER_USER", "WECLEVER_PASSWORD")
	case platform == "" || user == "" || password == "":
		fmt.Fprintln(stderr, "weclever-leads: set WECLEVER_PLATFORM_ID, WECLEVER_USER and WECLEVER_PASSWORD (and WECLEVER_URL or -dev), or none of them to use the sandbox")
		return 2
	case baseURL != "" && *dev:
		fmt.Fprintln(stderr, "weclever-leads: -dev and WECLEVER_URL both choose the server: use one")
		return 2
	case *dev:
		baseURL = weclever.DevelopmentURL
	case baseURL == "":
		baseURL = weclever.ProductionURL
	}
	var err error
	if *fromFlag != "" {
		if from, err = parseFlagDate(*fromFlag, loc); err != nil {
			fmt.Fprintf(stderr, "weclever-leads: -from: %v\n", err)
			return 2
		}
	}
	if *toFlag != "" {
		if to, err = parseFlagDate(*toFlag, loc); err != nil {
			fmt.Fprintf(stderr, "weclever-leads: -to: %v\n", err)
			return 2
		}
	}
	if from.After(to) {
		fmt.Fprintln(stderr, "weclever-leads: -from is after -to")
		return 2
	}

	client, err := weclever.NewClient(platform, user, password, weclever.WithBaseURL(baseURL))
	if err != nil {
		fmt.Fprintf(stderr, "weclever-leads: %v\n", err)
		return 2
	}
	leads, err := client.Leads.Finalized(ctx, from, to)
	if err != nil {
		fmt.Fprintf(stderr, "weclever-leads: %v\n", err)
		return 1
	}
	f, _ := weclever.FormatDate(from)
	t, _ := weclever.FormatDate(to)
	rep := report{From: f, To: t, Leads: leads}

	id := *leadID
	if id == 0 && len(leads) > 0 {
		id = leads[0].ID
	}
	if id != 0 {
		lead, err := client.Leads.Get(ctx, id)
		if err != nil {
			fmt.Fprintf(stderr, "weclever-leads: lead %d: %v\n", id, err)
			return 1
		}
		rep.Lead = summarise(id, lead)
	}

	if *asJSON {
		if err := cli.PrintJSON(stdout, rep); err != nil {
			fmt.Fprintf(stderr, "weclever-leads: %v\n", err)
			return 1
		}
		return 0
	}
	printTables(stdout, rep, *limit)
	return 0
}

// parseFlagDate reads YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS" or YYYY-MM-DD+HH:mm:ss.
func parseFlagDate(s string, loc *time.Location) (time.Time, error) {
	t, _, err := weclever.ParseDate(strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD or \"YYYY-MM-DD HH:MM:SS\", got %q", s)
	}
	return t, nil
}

func summarise(id int64, l *weclever.Lead) *leadSummary {
	s := &leadSummary{
		ID: id, Name: l.Name, Status: l.Status, State: l.State, Regional: l.Regional,
		Metrics: l.Chats.Metrics, Feelings: l.Feelings, CSAT: l.CSAT,
	}
	for _, m := range l.Chats.Messages {
		switch m.Direction {
		case "inbound":
			s.Inbound++
		case "outbound":
			s.Outbound++
		}
		if m.Created.IsZero() {
			continue
		}
		c := m.Created
		if s.First == nil || c.Before(*s.First) {
			s.First = &c
		}
		if s.Last == nil || c.After(*s.Last) {
			s.Last = &c
		}
	}
	return s
}

func printTables(w io.Writer, rep report, limit int) {
	fmt.Fprintf(w, "Leads finalized from %s to %s: %d\n\n", asTyped(rep.From), asTyped(rep.To), len(rep.Leads))
	rows := rep.Leads
	if limit > 0 && len(rows) > limit {
		rows = rows[:limit]
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WECLEVER ID\tSTATUS\tCLIENT LEAD ID")
	for _, l := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", l.ID, l.MappedStatus, clientLeadID(l.ClientLeadID))
	}
	_ = tw.Flush()
	if more := len(rep.Leads) - len(rows); more > 0 {
		fmt.Fprintf(w, "… %d more (-limit 0 for all)\n", more)
	}
	s := rep.Lead
	if s == nil {
		return
	}
	fmt.Fprintf(w, "\nLead %d: %s (%s, %s %s)\n", s.ID, s.Name, s.Status, s.State, s.Regional)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  messages\t%d (%d inbound, %d outbound)\n", s.Metrics.TotalMessages, s.Inbound, s.Outbound)
	fmt.Fprintf(tw, "  duration\t%s\n", orDash(s.Metrics.DateDifference))
	if s.First != nil {
		fmt.Fprintf(tw, "  first / last\t%s / %s\n", s.First.Format(time.DateTime), s.Last.Format(time.DateTime))
	}
	fmt.Fprintf(tw, "  sentiment\t%d positive, %d neutral, %d negative (of %d)\n",
		s.Feelings.Positive, s.Feelings.Neutral, s.Feelings.Negative, s.Feelings.TotalMessages)
	fmt.Fprintf(tw, "  CSAT\t%s%s\n", orDash(s.CSAT.Rating), quoteOrEmpty(s.CSAT.Message))
	_ = tw.Flush()
}

// asTyped writes WeClever's path date (YYYY-MM-DD+HH:mm:ss) the way -from
// and -to take it, with a space for the '+'.
func asTyped(pathDate string) string {
	return strings.Replace(pathDate, "+", " ", 1)
}

// clientLeadID is the CRM's id as a person reads it: its text or its
// number, and "-" when WeClever has none (null).
func clientLeadID(id weclever.ClientLeadID) string {
	if id.IsNull() {
		return "-"
	}
	return orDash(id.String())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" %q", s)
}
