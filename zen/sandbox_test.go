package zen_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// friday is a weekday with seeded leads; sunday has none.
var (
	friday = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	sunday = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
)

func newSandbox(t *testing.T, o *zentest.Options, opts ...zen.Option) (*zen.Client, *zentest.Server) {
	t.Helper()
	sb := zentest.NewServer(o)
	t.Cleanup(sb.Close)
	opts = append([]zen.Option{zen.WithRetryWait(time.Millisecond, 20*time.Millisecond)}, opts...)
	c, err := zen.NewClient(sb.URL, sb.Credentials()["ZEN_TOKEN"], opts...)
	require.NoError(t, err)
	return c, sb
}

func TestSandboxTotalsMatchLeads(t *testing.T) {
	t.Parallel()
	c, _ := newSandbox(t, &zentest.Options{NoRateLimits: true}, zen.WithLimits(zen.Limits{}))
	tot, err := c.Leads.Totals(context.Background(), friday)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-20", tot.Date)
	require.NotEmpty(t, tot.Users)
	sum := 0
	for _, u := range tot.Users {
		sum += u.TotalLeads
		n := 0
		for _, o := range u.Origins {
			n += o.Quantity
		}
		assert.Equal(t, u.TotalLeads, n, "origins add up to the user's total")
	}
	leads := 0
	for _, err := range c.Leads.AllByUser(context.Background(), friday, friday) {
		require.NoError(t, err)
		leads++
	}
	assert.Equal(t, sum, leads, "totals and leads per user agree")
}

func TestSandboxTidyAndQuirkyAgree(t *testing.T) {
	t.Parallel()
	a, _ := newSandbox(t, &zentest.Options{Seed: 7})
	b, _ := newSandbox(t, &zentest.Options{Seed: 7, Tidy: true})
	ta, err := a.Leads.Totals(context.Background(), friday)
	require.NoError(t, err)
	tb, err := b.Leads.Totals(context.Background(), friday)
	require.NoError(t, err)
	assert.Equal(t, ta, tb, "the quirks change the wire, not the data")

	c, _ := newSandbox(t, &zentest.Options{Seed: 8})
	tc, err := c.Leads.Totals(context.Background(), friday)
	require.NoError(t, err)
	assert.NotEqual(t, ta, tc, "another seed gives other data")
}

func TestSandboxQuietDay(t *testing.T) {
	t.Parallel()
	c, _ := newSandbox(t, nil)
	tot, err := c.Leads.Totals(context.Background(), sunday)
	require.NoError(t, err)
	assert.Empty(t, tot.Users)
	assert.Zero(t, tot.Errors.Total(), `"erros": [] decodes as zeros`)
	a, err := c.Leads.Archive(context.Background(), sunday)
	require.NoError(t, err, "the archive's HTTP 400 for a quiet day is an empty archive")
	assert.Empty(t, a.Leads)
}

func TestSandboxServerWindow(t *testing.T) {
	t.Parallel()
	// Client-side limit off, so the server's own 429 shows.
	c, sb := newSandbox(t, &zentest.Options{TotalsWindow: time.Hour}, zen.WithLimits(zen.Limits{}))
	_, err := c.Leads.Totals(context.Background(), friday)
	require.NoError(t, err)
	_, err = c.Leads.Totals(context.Background(), friday)
	var rl *zen.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.False(t, rl.ClientSide)
	assert.Greater(t, rl.RetryAfter, 50*time.Minute)
	assert.Equal(t, 2, sb.Count(http.MethodGet, "/api/totais_lead"), "no retry against a Retry-After of an hour")
}

func TestSandboxSendLeadShowsUp(t *testing.T) {
	t.Parallel()
	c, _ := newSandbox(t, &zentest.Options{NoRateLimits: true}, zen.WithLimits(zen.Limits{}))
	today := time.Now().In(mustSaoPaulo())
	before, err := c.Leads.Totals(context.Background(), today)
	require.NoError(t, err)
	err = c.Leads.Send(context.Background(), &zen.LeadEntry{
		Action: zen.ActionInsert, IntegrationCode: "SITE-991", Name: "Fernanda Araújo",
		Email: "fernanda@exemplo.com.br", Origin: "Site", Product: "Terreno",
	})
	require.NoError(t, err)
	after, err := c.Leads.Totals(context.Background(), today)
	require.NoError(t, err)
	assert.Equal(t, total(before)+1, total(after))

	a, err := c.Leads.Archive(context.Background(), today)
	require.NoError(t, err)
	found := false
	for _, l := range a.Leads {
		if l.IntegrationCode == "SITE-991" {
			found = true
			assert.Equal(t, zen.StatusInProgress, l.Status)
		}
	}
	assert.True(t, found, "the lead sent in is in today's archive")

	require.NoError(t, c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionDelete, IntegrationCode: "SITE-991"}))
	gone, err := c.Leads.Totals(context.Background(), today)
	require.NoError(t, err)
	assert.Equal(t, total(before), total(gone))

	err = c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionEdit, IntegrationCode: "NOPE"})
	require.ErrorIs(t, err, zen.ErrBadRequest)
}

func total(t *zen.Totals) int {
	n := 0
	for _, u := range t.Users {
		n += u.TotalLeads
	}
	return n
}

func mustSaoPaulo() *time.Location {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		return time.FixedZone("-03", -3*3600)
	}
	return loc
}

func TestSandboxWrongToken(t *testing.T) {
	t.Parallel()
	sb := zentest.NewServer(nil)
	t.Cleanup(sb.Close)
	c, err := zen.NewClient(sb.URL, "wrong-token")
	require.NoError(t, err)
	_, err = c.Leads.Totals(context.Background(), friday)
	require.ErrorIs(t, err, zen.ErrUnauthorized)
	err = c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "x"})
	require.ErrorIs(t, err, zen.ErrUnauthorized)
}

func TestSandboxSendLeadSentOnceWhenConnectionDrops(t *testing.T) {
	t.Parallel()
	for _, f := range []zentest.Fault{
		{Path: "/api/lead", Method: http.MethodPost, DropMidBody: true},
		{Path: "/api/lead", Method: http.MethodPost, Drop: true},
		{Path: "/api/lead", Method: http.MethodPost, Status: 504, Body: "<html>gateway timeout</html>"},
	} {
		c, sb := newSandbox(t, nil)
		sb.Fail(f)
		err := c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "Diego Rocha", Phone: "+55 11 91234-5678"})
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%+v", f)
		assert.Equal(t, 1, sb.Count(http.MethodPost, "/api/lead"), "sent once: %+v", f)
	}
}

func TestSandboxGetsAreRetried(t *testing.T) {
	t.Parallel()
	c, sb := newSandbox(t, &zentest.Options{NoRateLimits: true}, zen.WithLimits(zen.Limits{}))
	sb.Fail(zentest.Fault{Path: "/api/totais_lead", Drop: true})
	sb.Fail(zentest.Fault{Path: "/api/totais_lead", Status: 503, Header: http.Header{"Retry-After": {"0"}}, Body: `{"error":"manutenção"}`})
	sb.Fail(zentest.Fault{Path: "/api/totais_lead", DropMidBody: true})
	_, err := c.Leads.Totals(context.Background(), friday)
	require.NoError(t, err)
	assert.Equal(t, 4, sb.Count(http.MethodGet, "/api/totais_lead"))
}

func TestSandboxCancelDuringSlowAnswer(t *testing.T) {
	t.Parallel()
	c, sb := newSandbox(t, nil)
	sb.Fail(zentest.Fault{Path: "/api/totais_lead", Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Leads.Totals(ctx, friday)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}

// TestTokenNeverLeaks drives success and failure paths with a canary token
// and a debug logger, and looks for the canary everywhere.
func TestTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-zen-7d1e55aa"
	sb := zentest.NewServer(&zentest.Options{Token: canary, NoRateLimits: true})
	t.Cleanup(sb.Close)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := zen.NewClient(sb.URL, canary, zen.WithLogger(logger), zen.WithRetryWait(time.Millisecond, 5*time.Millisecond),
		zen.WithLimits(zen.Limits{}))
	require.NoError(t, err)
	bad, err := zen.NewClient(sb.URL, canary+"-wrong", zen.WithLogger(logger), zen.WithLimits(zen.Limits{}))
	require.NoError(t, err)
	ctx := context.Background()
	lead := zen.LeadEntry{Action: zen.ActionInsert, Name: "Aline Mendes", Email: "aline@exemplo.com.br"}

	var errs []error
	collect := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, err = c.Leads.Totals(ctx, friday)
	collect(err)
	collect(c.Leads.Send(ctx, &lead))
	_, err = bad.Leads.Totals(ctx, friday)
	collect(err)
	collect(bad.Leads.Send(ctx, &lead))
	for _, f := range []zentest.Fault{
		{Drop: true, Times: -1},
		{DropMidBody: true, Times: -1},
		{Status: 502, Body: "<html>proxy for ?token=" + canary + "</html>", Times: -1},
		{Status: 400, Body: `{"Erro":"400","Mensagem":"token ` + canary + ` inválido"}`, Times: -1},
		{Status: 200, Body: `{"data":`, Times: -1},
	} {
		sb.ClearFaults()
		sb.Fail(f)
		_, err = c.Leads.Totals(ctx, friday)
		collect(err)
		collect(c.Leads.Send(ctx, &lead))
		_, err = c.Leads.Archive(ctx, friday)
		collect(err)
		for _, err := range c.Leads.AllByUser(ctx, friday, friday) {
			collect(err)
			break
		}
	}
	sb.ClearFaults()
	_, err = zen.NewClient("https://user:"+canary+"@zen.example", canary, zen.WithEndpointURL(zen.EndpointTotals, "::bad"))
	collect(err)

	require.GreaterOrEqual(t, len(errs), 15)
	for _, err := range errs {
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", unwrapAll(err))} {
			assert.NotContains(t, s, canary)
		}
	}
	require.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), canary)
	for _, r := range sb.Requests() {
		assert.NotContains(t, r.Query+strings.Join(mapValues(r.Header), " ")+r.Body, canary, "the sandbox's request log masks it too")
	}
}

func unwrapAll(err error) []string {
	var out []string
	for err != nil {
		out = append(out, err.Error())
		err = errors.Unwrap(err)
	}
	return out
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
