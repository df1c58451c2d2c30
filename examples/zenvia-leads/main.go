// Command zenvia-leads sends a lead to Zenvia's Sales API, waits for the
// result webhook on a local callback, then lists the prospect with its agent.
//
//	go run ./examples/zenvia-leads                      # against the in-process sandbox
//	ZENVIA_URL=https://conversion.zenvia.com/v1 ZENVIA_API_KEY=... \
//	  go run ./examples/zenvia-leads -callback-url https://<tunnel>/zenvia -phone "+55 51 98765-4321"
//
// The callback listens on 127.0.0.1. Zenvia itself cannot reach that
// address: against the real API, expose it through a tunnel or a reverse
// proxy and pass its public URL with -callback-url (the secret is added to
// the URL's query).
//
// Output is a table, or JSON with -json. Exit status: 0 ok, 1 API error or
// no webhook in time, 2 bad usage.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// result is what the program prints.
type result struct {
	Accepted  bool   `json:"accepted"`
	Webhook   string `json:"webhook"` // topic of the webhook that came back
	Prospects []row  `json:"prospects"`
}

type row struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Status     string   `json:"status"`
	Phones     []string `json:"phones"`
	Emails     []string `json:"emails"`
	Group      string   `json:"group"`
	Leads      int      `json:"leads"`
	AgentName  string   `json:"agent_name"`
	AgentEmail string   `json:"agent_email"`
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zenvia-leads", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Help{
		What: "Sends a lead to Zenvia's Sales API, waits for the result webhook on a local callback, then lists the prospect.",
		Env: []cli.Var{
			{Name: "ZENVIA_URL", About: "the Sales API's base URL (https://conversion.zenvia.com/v1)"},
			{Name: "ZENVIA_API_KEY", About: "the integration's API key"},
		},
		Sandbox: []string{
			"With neither set, it starts the embedded Zenvia sandbox, which calls the local callback back.",
			"Against the QA sandbox (go run ./examples/sandbox), paste the export lines it prints.",
			"Against the real API, Zenvia cannot reach 127.0.0.1: pass a tunnel's public URL with -callback-url.",
		},
		Examples: []string{`go run ./examples/zenvia-leads -json`,
			`go run ./examples/zenvia-leads -callback-url https://<tunnel>/zenvia -phone "+55 51 98765-4321"`},
	}.Use(fs)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	industry := fs.String("industry", "retail", "retail, insurance, vehicle, saving-plan or real-estate")
	first := fs.String("first-name", "Joana", "lead first name")
	last := fs.String("last-name", "Pereira", "lead last name")
	phone := fs.String("phone", "(51) 98765-4321", "lead phone (normalised to E.164 with -region)")
	email := fs.String("email", "joana.pereira@example.com.br", "lead e-mail (empty: none)")
	utm := fs.String("utm-source", "leadkit-example", "utmSource of the lead")
	region := fs.String("region", "BR", "region for phones without a country code")
	listen := fs.String("listen", "127.0.0.1:0", "address of the local webhook callback")
	public := fs.String("callback-url", "", "public URL that reaches the callback (default: the local address)")
	wait := fs.Duration("wait", 30*time.Second, "how long to wait for the webhook")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	ind := zenvia.Industry(*industry)
	if !ind.Valid() {
		fmt.Fprintf(stderr, "zenvia-leads: -industry %q is not one of retail, insurance, vehicle, saving-plan, real-estate\n", *industry)
		return 2
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil || (host != "127.0.0.1" && host != "::1" && host != "localhost") {
		fmt.Fprintln(stderr, "zenvia-leads: -listen must be a loopback address such as 127.0.0.1:8080")
		return 2
	}

	vars, err := cli.AllOrNone(env, "ZENVIA_URL", "ZENVIA_API_KEY")
	if err != nil {
		fmt.Fprintln(stderr, "zenvia-leads:", err)
		return 2
	}
	baseURL, key := vars[0], vars[1]
	if baseURL == "" {
		sb := zenviatest.NewServer(&zenviatest.Options{Seed: 1, Async: true})
		defer sb.Close()
		baseURL, key = sb.URL, sb.Credentials()["ZENVIA_API_KEY"]
		cli.SandboxNotice(stderr, "zenvia-leads", sb.URL, "ZENVIA_URL", "ZENVIA_API_KEY")
	}
	c, err := zenvia.NewClient(key, zenvia.WithBaseURL(baseURL), zenvia.WithPhoneNormalization(*region))
	if err != nil {
		fmt.Fprintln(stderr, "zenvia-leads:", err)
		return 2
	}

	lead := &zenvia.Lead{UTMSource: *utm, FirstName: *first, LastName: *last}
	if *phone != "" {
		lead.Phones = []string{*phone}
	}
	if *email != "" {
		lead.Emails = []string{*email}
	}
	if err := lead.Validate(ind); err != nil {
		fmt.Fprintln(stderr, "zenvia-leads:", err)
		return 2
	}
	var normPhone string
	if *phone != "" {
		if normPhone, err = zenvia.NormalizePhone(*phone, *region); err != nil {
			fmt.Fprintln(stderr, "zenvia-leads:", err)
			return 2
		}
	}

	// The local callback.
	secret := make([]byte, 24)
	_, _ = rand.Read(secret)
	sec := hex.EncodeToString(secret)
	events := make(chan zenvia.Event, 16)
	hook := zenvia.NewWebhookHandler(sec, func(_ context.Context, ev zenvia.Event) error {
		select {
		case events <- ev:
		default:
		}
		return nil
	})
	mux := http.NewServeMux()
	mux.Handle("/zenvia", hook)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(stderr, "zenvia-leads: callback:", err)
		return 1
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	cb := *public
	if cb == "" {
		cb = "http://" + ln.Addr().String() + "/zenvia"
	}
	cbURL, err := url.Parse(cb)
	if err != nil || cbURL.Host == "" {
		fmt.Fprintln(stderr, "zenvia-leads: -callback-url is not an absolute URL")
		return 2
	}
	q := cbURL.Query()
	q.Set(zenvia.DefaultWebhookSecretParam, sec)
	cbURL.RawQuery = q.Encode()

	apiErr := func(err error) int {
		fmt.Fprintln(stderr, "zenvia-leads:", err)
		return 1
	}
	sub, err := c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, cbURL.String())
	if err != nil {
		return apiErr(err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if sub.ID != "" {
			_, _ = c.Notifications.Delete(uctx, sub.ID)
		}
	}()

	res, err := c.Leads.Create(ctx, ind, lead)
	if err != nil {
		return apiErr(err)
	}
	out := result{Accepted: res.Accepted}

	// Wait for the webhook about this lead's prospect.
	timer := time.NewTimer(*wait)
	defer timer.Stop()
	var got *zenvia.Prospect
	for got == nil {
		select {
		case ev := <-events:
			if ev.Prospect != nil && matches(ev.Prospect, res, normPhone, *email) {
				got, out.Webhook = ev.Prospect, ev.Topic
			}
		case <-timer.C:
			fmt.Fprintf(stderr, "zenvia-leads: no webhook within %s\n", *wait)
			return 1
		case <-ctx.Done():
			return apiErr(ctx.Err())
		}
	}

	// List the prospect, with its agent.
	opts := &zenvia.ProspectListOptions{Limit: 100}
	if normPhone != "" {
		opts.PhoneNumber = normPhone
	} else {
		opts.Search = *email
	}
	list, err := c.Prospects.List(ctx, opts)
	if err != nil {
		return apiErr(err)
	}
	for i := range list {
		p := &list[i]
		r := row{ID: p.ID, Name: p.Name(), Status: p.Status.String(), Phones: p.Phones, Emails: p.Emails, Group: p.Group, Leads: len(p.Leads)}
		if p.Agent != nil {
			r.AgentName, r.AgentEmail = p.Agent.Name(), p.Agent.Email
		}
		out.Prospects = append(out.Prospects, r)
	}
	if out.Prospects == nil {
		out.Prospects = []row{}
	}

	if *asJSON {
		if err := cli.PrintJSON(stdout, out); err != nil {
			return apiErr(err)
		}
		return 0
	}
	fmt.Fprintf(stdout, "lead sent (accepted for processing: %v); webhook %q received for prospect %s\n\n", out.Accepted, out.Webhook, got.ID)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROSPECT\tNAME\tSTATUS\tPHONES\tGROUP\tLEADS\tAGENT\tAGENT E-MAIL")
	for _, r := range out.Prospects {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.Name, r.Status, strings.Join(r.Phones, ", "), r.Group, r.Leads, orDash(r.AgentName), orDash(r.AgentEmail))
	}
	_ = tw.Flush()
	return 0
}

// matches reports whether a webhook's prospect is the one the lead made.
func matches(p *zenvia.Prospect, res *zenvia.LeadResult, phone, email string) bool {
	if res.Prospect != nil {
		return p.ID == res.Prospect.ID
	}
	for _, ph := range p.Phones {
		if phone != "" && ph == phone {
			return true
		}
	}
	for _, e := range p.Emails {
		if email != "" && strings.EqualFold(e, email) {
			return true
		}
	}
	return false
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
