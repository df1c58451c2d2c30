// Command salesman-leads adds a lead to SalesMan CRM from flags, then lists
// the newest leads with their status and result.
//
// With SALESMAN_URL, SALESMAN_LOGIN and SALESMAN_APIKEY set it talks to that
// CRM; without them it starts the salesmantest sandbox in-process.
//
//	go run ./examples/salesman-leads -title "Андреев Владислав" -email v@example.ru
//	go run ./examples/salesman-leads -api v3 -n 5 -json
//
// Exit status: 0 ok, 1 API error, 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type output struct {
	Added int       `json:"added,omitempty"`
	Leads []jsonRow `json:"leads"`
}

type jsonRow struct {
	ID      int       `json:"id"`
	Created time.Time `json:"created"`
	Title   string    `json:"title,omitempty"`
	Email   string    `json:"email,omitempty"`
	Phone   string    `json:"phone,omitempty"`
	City    string    `json:"city,omitempty"`
	User    string    `json:"user,omitempty"`
	Status  string    `json:"status"`
	Result  string    `json:"result"`
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("salesman-leads", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Help{
		What: "Adds a lead to SalesMan CRM from flags (when given), then lists the newest leads with their status and result.",
		Env: []cli.Var{
			{Name: "SALESMAN_URL", About: "the CRM's base URL (https://crm.example.ru)"},
			{Name: "SALESMAN_LOGIN", About: "the login (e-mail) of the API user"},
			{Name: "SALESMAN_APIKEY", About: "the user's API key"},
		},
		Sandbox: []string{
			"With none of them set, it starts the embedded SalesMan sandbox and talks to it.",
			"Against the QA sandbox (go run ./examples/sandbox), paste the export lines it prints.",
		},
		Examples: []string{`go run ./examples/salesman-leads -title "Андреев Владислав" -email v@example.ru`,
			"go run ./examples/salesman-leads -api v3 -n 5 -json"},
	}.Use(fs)
	var l salesman.NewLead
	fs.StringVar(&l.Title, "title", "", "visitor's name (with -email or -phone: add a lead first)")
	fs.StringVar(&l.Email, "email", "", "visitor's e-mail")
	fs.StringVar(&l.Phone, "phone", "", "visitor's phone")
	fs.StringVar(&l.Company, "company", "", "company")
	fs.StringVar(&l.City, "city", "", "city")
	fs.StringVar(&l.Description, "description", "", "the lead's text")
	fs.StringVar(&l.Path, "path", "", "client source")
	fs.StringVar(&l.User, "user", "", "login of the responsible employee")
	api := fs.String("api", "v1", "API version: v1, v2 or v3")
	n := fs.Int("n", 10, "how many of the newest leads to list")
	asJSON := fs.Bool("json", false, "print JSON")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	const prog = "salesman-leads"
	versions := map[string]salesman.APIVersion{"v1": salesman.V1, "v2": salesman.V2, "v3": salesman.V3}
	v, ok := versions[*api]
	if !ok {
		return cli.Usagef(stderr, prog, "-api must be v1, v2 or v3, got %q", *api)
	}
	if *n < 0 {
		return cli.Usagef(stderr, prog, "-n must not be negative, got %d", *n)
	}
	// Any of the lead's flags means a lead to add: checked here, before the
	// sandbox starts, and never dropped because -title is missing.
	adding := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "title", "email", "phone", "company", "city", "description", "path", "user":
			adding = true
		}
	})
	if adding {
		if err := l.Validate(); err != nil {
			var in *leadkit.InputError
			if errors.As(err, &in) {
				return cli.Usagef(stderr, prog, "-%s: %s (a lead to add needs -title and -email or -phone)", in.Field, in.Reason)
			}
			return cli.Usagef(stderr, prog, "%v", err)
		}
	}

	vars, err := cli.AllOrNone(env, "SALESMAN_URL", "SALESMAN_LOGIN", "SALESMAN_APIKEY")
	if err != nil {
		return cli.Usagef(stderr, prog, "%v", err)
	}
	base, login, key := vars[0], vars[1], vars[2]
	if base == "" {
		s := salesmantest.NewServer(nil)
		defer s.Close()
		cr := s.Credentials()
		base, login, key = cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"]
		cli.SandboxNotice(stderr, "salesman-leads", s.URL, "SALESMAN_URL", "SALESMAN_LOGIN", "SALESMAN_APIKEY")
	}
	c, err := salesman.NewClient(base, login, key, salesman.WithAPIVersion(v))
	if err != nil {
		return cli.Usagef(stderr, prog, "%v", err)
	}

	var out output
	if adding {
		id, err := c.Leads.Create(ctx, &l)
		switch {
		case errors.Is(err, leadkit.ErrInvalidInput):
			return cli.Usagef(stderr, prog, "%v", err)
		case errors.Is(err, leadkit.ErrOutcomeUnknown):
			return cli.Failf(stderr, prog, "the lead may have been added; check the list before adding it again: %v", err)
		case err != nil:
			return cli.Failf(stderr, prog, "add: %v", err)
		}
		out.Added = id.ID
	}
	out.Leads = []jsonRow{}
	for lead, err := range c.Leads.All(ctx, &salesman.ListOptions{Newest: true}) {
		if err != nil {
			return cli.Failf(stderr, prog, "list: %v", err)
		}
		if len(out.Leads) >= *n {
			break
		}
		if name(lead) == "" || lead.UserName == "" {
			// V2 and V3 lists carry no title and no responsible user's
			// name: one info call per row reads them.
			if full, err := c.Leads.Get(ctx, lead.ID); err == nil {
				lead.Title = full.Title
				if full.UserName != "" {
					lead.UserName = full.UserName
				}
			}
		}
		out.Leads = append(out.Leads, jsonRow{
			ID: lead.ID, Created: lead.Created, Title: name(lead), Email: lead.Email, Phone: lead.Phone,
			City: lead.City, User: lead.UserName, Status: lead.Status.String(), Result: lead.Result.String(),
		})
	}
	if *asJSON {
		if err := cli.PrintJSON(stdout, out); err != nil {
			return cli.Failf(stderr, prog, "%v", err)
		}
		return 0
	}
	if out.Added != 0 {
		fmt.Fprintf(stdout, "added lead %d\n\n", out.Added)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tNAME\tCONTACT\tCITY\tRESPONSIBLE\tSTATUS\tRESULT")
	for _, r := range out.Leads {
		contact := r.Email
		if contact == "" {
			contact = r.Phone
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Created.Format("2006-01-02 15:04"), r.Title, contact, r.City, r.User, r.Status, r.Result)
	}
	if err := tw.Flush(); err != nil {
		return 1
	}
	return 0
}

// name is the visitor's name: V2 and V3 lists carry no title, only the
// contact's name once the lead is processed.
func name(l salesman.Lead) string {
	if l.Title != "" {
		return l.Title
	}
	return l.Person
}
