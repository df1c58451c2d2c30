package faulttest

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// first runs seq until its first item and returns the error it yielded.
func first[T any](seq func(func(T, error) bool)) error {
	var got error
	seen := false
	seq(func(_ T, err error) bool {
		seen = true
		got = err
		return false
	})
	if !seen {
		return errors.New("the iterator yielded nothing")
	}
	return got
}

func zenVendor(t *testing.T) *vendor {
	sb := zentest.NewUnstartedServer(&zentest.Options{Token: canaryZen, Seed: 8, NoRateLimits: true})
	day := zenBusyDay(t, sb)
	from := day.AddDate(0, 0, -6)
	var c = func(x any) *zen.Client { return x.(*zen.Client) }
	return &vendor{
		name:    "zen",
		backend: sb,
		secrets: []string{canaryZen},
		newClient: func(base string, o common) (any, error) {
			return zen.NewClient(base, canaryZen, zen.WithHTTPClient(o.hc), zen.WithLogger(o.logger),
				zen.WithMaxRetries(maxRetries), zen.WithRetryWait(retryWaitMin, retryWaitMax),
				zen.WithLimits(zen.Limits{})) // the client-side windows would refuse the retries of the matrix
		},
		echo: func(msg string) (int, string) { return 400, `{"error":` + jsonString(msg) + `}` },
		isVendorErr: func(err error) bool {
			var e *zen.Error
			return errors.As(err, &e)
		},
		ops: []op{
			{name: "Leads.Totals", class: classRead, match: pathHas("GET", "/api/totais_lead"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Totals(ctx, day); return err }},
			{name: "Leads.ByUser", class: classRead, match: pathHas("GET", "/api/leads_usuario"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.ByUser(ctx, from, day, 1); return err }},
			{name: "Leads.AllByUser", class: classRead, match: pathHas("GET", "/api/leads_usuario"),
				call: func(ctx context.Context, x any) error { return first(c(x).Leads.AllByUser(ctx, from, day)) }},
			{name: "Leads.Archive", class: classRead, match: pathHas("GET", "/api/arquivo-lead"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Archive(ctx, day); return err }},
			{name: "Leads.Send", class: classCreate, match: pathHas("POST", "/api/lead"),
				call: func(ctx context.Context, x any) error {
					return c(x).Leads.Send(ctx, &zen.LeadEntry{Action: zen.ActionInsert, Name: "Joana Falha", Email: "joana@example.com.br", Phone: "+55 11 91234-5678"})
				},
				override: map[fault]expect{
					fEmpty:     ok(1).because("Zen documents no success body for lead entry: a 200 is the success, and only an error body ({\"Erro\",\"Mensagem\"}) turns it into an error"),
					fTruncated: ok(1).because("as for the empty body: the 200 says the lead was taken; the body is read only for Zen's error shape"),
				}},
		},
	}
}

// zenBusyDay returns a recent day whose lead archive is not empty, so that
// the archive's success path decodes leads rather than Zen's "nothing
// changed" 400.
func zenBusyDay(t *testing.T, sb http.Handler) time.Time {
	srv := httptest.NewServer(sb)
	defer srv.Close()
	c, err := zen.NewClient(srv.URL, canaryZen, zen.WithLimits(zen.Limits{}))
	require.NoError(t, err)
	for back := 1; back < 30; back++ {
		day := time.Now().AddDate(0, 0, -back)
		a, err := c.Leads.Archive(context.Background(), day)
		require.NoError(t, err)
		if len(a.Leads) > 0 {
			return day
		}
	}
	t.Fatal("no day with archived leads in the sandbox")
	return time.Time{}
}

func salesmanVendor(t *testing.T) *vendor {
	const login = "ivan.adminov@salesman.test"
	sb := salesmantest.NewUnstartedServer(&salesmantest.Options{Login: login, APIKey: canarySalesmanKey, Seed: 8})
	id := salesmanLeadID(t, sb, login)
	var c = func(x any) *salesman.Client { return x.(*salesman.Client) }
	isAction := func(action string) func(*http.Request) bool {
		return func(r *http.Request) bool {
			return r.URL.Path == "/developer/v1/leads" && r.URL.Query().Get("action") == action
		}
	}
	return &vendor{
		name:    "salesman",
		backend: sb,
		secrets: []string{canarySalesmanKey},
		newClient: func(base string, o common) (any, error) {
			return salesman.NewClient(base, login, canarySalesmanKey, salesman.WithHTTPClient(o.hc), salesman.WithLogger(o.logger),
				salesman.WithMaxRetries(maxRetries), salesman.WithRetryWait(retryWaitMin, retryWaitMax))
		},
		// SalesMan answers its errors with HTTP 200 and an "error" key.
		echo: func(msg string) (int, string) {
			return 200, `{"result":"Error","error":{"code":"400","text":` + jsonString(msg) + `}}`
		},
		isVendorErr: func(err error) bool {
			var e *salesman.Error
			return errors.As(err, &e)
		},
		override: map[fault]expect{
			fEcho: {vend: true, count: 1, why: "SalesMan answers errors with HTTP 200: the vendor's *Error, without ErrHTTPStatus"},
		},
		ops: []op{
			{name: "Leads.Create", class: classCreate, match: isAction("add"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Leads.Create(ctx, &salesman.NewLead{Title: "Пётр Сбоев", Email: "petr@example.ru", Phone: "+7 916 123-45-67"})
					return err
				}},
			{name: "Leads.Stat", class: classRead, match: isAction("stat"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Stat(ctx); return err }},
			{name: "Leads.Get", class: classRead, match: isAction("info"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Get(ctx, id); return err }},
			{name: "Leads.List", class: classRead, match: isAction("list"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.List(ctx, nil); return err }},
			{name: "Leads.All", class: classRead, match: isAction("list"),
				call: func(ctx context.Context, x any) error { return first(c(x).Leads.All(ctx, nil)) }},
		},
	}
}

// salesmanLeadID asks the sandbox for the id of one of its leads.
func salesmanLeadID(t *testing.T, sb http.Handler, login string) int {
	srv := httptest.NewServer(sb)
	defer srv.Close()
	c, err := salesman.NewClient(srv.URL, login, canarySalesmanKey)
	require.NoError(t, err)
	leads, err := c.Leads.List(context.Background(), nil)
	require.NoError(t, err)
	require.NotEmpty(t, leads)
	return leads[0].ID
}

func wecleverVendor(t *testing.T) *vendor {
	const platform, user = "plataforma-falhas", "integracao@falhas.com.br"
	sb := weclevertest.NewUnstartedServer(&weclevertest.Options{PlatformID: platform, User: user, Password: canaryWecleverPass, Seed: 8})
	leads := sb.Leads()
	require.NotEmpty(t, leads)
	id := leads[0].ID
	to := time.Now()
	from := to.AddDate(0, 0, -30)
	var c = func(x any) *weclever.Client { return x.(*weclever.Client) }
	return &vendor{
		name:    "weclever",
		backend: sb,
		// The password, and the basic-auth pair it travels in.
		secrets: []string{canaryWecleverPass, base64.StdEncoding.EncodeToString([]byte(user + ":" + canaryWecleverPass))},
		newClient: func(base string, o common) (any, error) {
			return weclever.NewClient(platform, user, canaryWecleverPass, weclever.WithBaseURL(base),
				weclever.WithHTTPClient(o.hc), weclever.WithLogger(o.logger),
				weclever.WithMaxRetries(maxRetries), weclever.WithRetryWait(retryWaitMin, retryWaitMax))
		},
		echo: func(msg string) (int, string) { return 400, `{"message":` + jsonString(msg) + `}` },
		isVendorErr: func(err error) bool {
			var e *weclever.Error
			return errors.As(err, &e)
		},
		ops: []op{
			{name: "Token", class: classRead, match: pathHas("GET", "/solution/token/basic/"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Token(ctx); return err }},
			{name: "Leads.Finalized", class: classRead, match: pathHas("GET", "/lead/find/finalized/"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Finalized(ctx, from, to); return err }},
			{name: "Leads.Get", class: classRead, match: pathHas("GET", "/lead/find/weclever_id/"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Get(ctx, id); return err }},
		},
	}
}
