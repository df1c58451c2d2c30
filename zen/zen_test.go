package zen_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
)

const (
	base  = "https://zen.example"
	token = "tok-3f9a1c"
)

var day = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func golden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "zen", name))
	require.NoError(t, err)
	return string(b)
}

// newMock returns a client whose innermost transport is an httpmock mock,
// under the core's auth and retry layers.
func newMock(t *testing.T, opts ...zen.Option) (*zen.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	opts = append([]zen.Option{
		zen.WithHTTPClient(&http.Client{Transport: mock}),
		zen.WithRetryWait(time.Millisecond, 5*time.Millisecond),
	}, opts...)
	c, err := zen.NewClient(base, token, opts...)
	require.NoError(t, err)
	return c, mock
}

// jsonResponder answers body with status when the token header is right,
// and 401 otherwise, so a missing auth header fails the test.
func jsonResponder(t *testing.T, status int, body string) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("token") != token {
			return httpmock.NewStringResponse(401, `{"error":"Token inválido"}`), nil
		}
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "text/html; charset=UTF-8")
		return resp, nil
	}
}

func TestNewClientValidates(t *testing.T) {
	t.Parallel()
	_, err := zen.NewClient(base, "")
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "token", ie.Field)

	_, err = zen.NewClient("ftp://zen.example", token)
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zen.NewClient("", token)
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zen.NewClient(base, token, zen.WithEndpointURL("nope", "https://x.example/a"))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zen.NewClient(base, token, zen.WithEndpointURL(zen.EndpointTotals, "https://x.example/a?token=1"))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zen.NewClient(base, token, zen.WithLimits(zen.Limits{Totals: -1}))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zen.NewClient(base, token, zen.WithTimeZone(nil))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

func TestTotalsSendsHeaderTokenAndDate(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", base+"/api/totais_lead", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "2026-11-20", r.URL.Query().Get("data"))
		assert.Equal(t, token, r.Header.Get("token"))
		assert.Empty(t, r.URL.Query().Get("token"), "the read APIs take the token in a header only")
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Contains(t, r.Header.Get("User-Agent"), "leadkit/")
		return jsonResponder(t, 200, golden(t, "totals-documented.json"))(r)
	})
	tot, err := c.Leads.Totals(context.Background(), day)
	require.NoError(t, err)
	require.Len(t, tot.Users, 1)
	u := tot.Users[0]
	assert.Equal(t, "Ana Paula Ferreira", u.Name)
	assert.Equal(t, 7, u.TotalLeads)
	assert.Equal(t, []zen.Count{{"1", "Site", 4}, {"3", "Google Ads", 3}}, u.Origins)
	assert.Equal(t, zen.ErrorBuckets{WithError: 1, Ungrouped: 2, ContactLimitExceeded: 0, Duplicates: 3}, tot.Errors)
	assert.Equal(t, 6, tot.Errors.Total())
}

func TestTotalsRefusesZeroDay(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	_, err := c.Leads.Totals(context.Background(), time.Time{})
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "data", ie.Field)
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestTotalsDecodesVariants(t *testing.T) {
	t.Parallel()
	cases := map[string]func(t *testing.T, tot *zen.Totals){
		"totals-numbers.json": func(t *testing.T, tot *zen.Totals) {
			assert.Equal(t, 12, tot.Users[0].TotalLeads)
			assert.Equal(t, "2", tot.Users[0].Origins[0].Code, "a numeric code keeps its text")
			assert.Equal(t, []zen.Count{}, tot.Users[0].Automations)
			assert.Equal(t, 3, tot.Errors.Total())
		},
		"totals-nulls.json": func(t *testing.T, tot *zen.Totals) {
			u := tot.Users[0]
			assert.Zero(t, u.TotalLeads)
			assert.NotNil(t, u.Origins)
			assert.Empty(t, u.Origins)
			assert.Empty(t, u.Segments)
			assert.Empty(t, u.Automations)
			assert.Equal(t, 0, u.ProductsAndServices[0].Quantity)
			assert.Equal(t, zen.ErrorBuckets{}, tot.Errors)
		},
		"totals-empty-buckets.json": func(t *testing.T, tot *zen.Totals) {
			assert.Empty(t, tot.Users)
			assert.Zero(t, tot.Errors.Total())
		},
		"totals-missing-keys.json": func(t *testing.T, tot *zen.Totals) {
			u := tot.Users[0]
			assert.Equal(t, 3, u.TotalLeads)
			assert.NotNil(t, u.ProductsAndServices)
			assert.Empty(t, u.ProductsAndServices)
		},
		"totals-mixed.json": func(t *testing.T, tot *zen.Totals) {
			u := tot.Users[0]
			assert.Equal(t, []zen.Count{{"1", "Site", 2}, {"4", "Indicação", 3}}, u.Origins, "a PHP object-array keeps its order")
			assert.Equal(t, 5, u.Segments[0].Quantity)
			assert.Equal(t, zen.ErrorBuckets{ContactLimitExceeded: 1, Duplicates: 2}, tot.Errors)
		},
		"totals-300-users.json": func(t *testing.T, tot *zen.Totals) {
			assert.Len(t, tot.Users, 300)
			assert.Equal(t, 14, tot.Errors.Total())
		},
	}
	for name, check := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mock := newMock(t)
			mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, golden(t, name)))
			tot, err := c.Leads.Totals(context.Background(), day)
			require.NoError(t, err)
			check(t, tot)
		})
	}
}

func TestTotalsSeedExampleIsRefusedClearly(t *testing.T) {
	t.Parallel()
	// The document's example holds descriptions where counts go: decoding it
	// must fail with a decode error, not invent zeros.
	c, mock := newMock(t)
	mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, golden(t, "totals-seed-example.json")))
	_, err := c.Leads.Totals(context.Background(), day)
	require.ErrorIs(t, err, leadkit.ErrDecode)
	assert.Contains(t, err.Error(), "Quantidade total de leads")
}

func TestTotalsBadBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"html 502", 502, golden(t, "error-html-502.html"), leadkit.ErrHTTPStatus},
		{"empty 200", 200, "", leadkit.ErrEmptyBody},
		{"truncated 200", 200, `{"data":"2026-11-20","usuarios":[{"nome":"A`, leadkit.ErrTruncatedBody},
		{"html 200", 200, "<html>maintenance</html>", leadkit.ErrNotJSON},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock := newMock(t, zen.WithMaxRetries(0))
			mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, tc.status, tc.body))
			_, err := c.Leads.Totals(context.Background(), day)
			require.ErrorIs(t, err, tc.want)
			var re *leadkit.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.status, re.StatusCode)
		})
	}
}

func TestErrorsDecodeAndMatch(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", base+"/api/totais_lead", httpmock.NewStringResponder(401, golden(t, "error-read.json")))
	_, err := c.Leads.Totals(context.Background(), day)
	require.ErrorIs(t, err, zen.ErrUnauthorized)
	require.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	var ze *zen.Error
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, 401, ze.StatusCode)
	assert.Equal(t, "Token inválido", ze.Message)
	assert.Equal(t, "zen: GET https://zen.example/api/totais_lead?data=2026-11-20: HTTP 401: Token inválido", ze.Error())
	assert.NotErrorIs(t, err, zen.ErrBadRequest)
}

func TestClientSideLimitFailsWithoutNetwork(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, golden(t, "totals-numbers.json")))
	_, err := c.Leads.Totals(context.Background(), day)
	require.NoError(t, err)
	_, err = c.Leads.Totals(context.Background(), day)
	var rl *zen.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.True(t, rl.ClientSide)
	assert.InDelta(t, (5 * time.Minute).Seconds(), rl.RetryAfter.Seconds(), 5)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "the refused call never reached the network")

	// Windows are per endpoint: the archive is still free.
	mock.RegisterResponder("GET", base+"/api/arquivo-lead", jsonResponder(t, 200, golden(t, "archive.json")))
	_, err = c.Leads.Archive(context.Background(), day)
	require.NoError(t, err)
}

func TestWaitOnRateLimitWaitsAndHonoursContext(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mock := newMock(t, zen.WithLimits(zen.Limits{Totals: 150 * time.Millisecond}), zen.WithWaitOnRateLimit(), zen.WithLogger(logger))
	mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, golden(t, "totals-numbers.json")))
	start := time.Now()
	for range 2 {
		_, err := c.Leads.Totals(context.Background(), day)
		require.NoError(t, err)
	}
	assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	assert.Contains(t, buf.String(), "zen rate limit wait")

	// A third call inside the window ends with the context.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err := c.Leads.Totals(ctx, day)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 500*time.Millisecond, "the wait ends with the context, not the window")
	assert.Equal(t, 2, mock.GetTotalCallCount())
}

func TestSharedLimiterAcrossClients(t *testing.T) {
	t.Parallel()
	shared := zen.NewMemoryLimiter()
	a, mockA := newMock(t, zen.WithLimiter(shared))
	b, _ := newMock(t, zen.WithLimiter(shared))
	mockA.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, golden(t, "totals-numbers.json")))
	_, err := a.Leads.Totals(context.Background(), day)
	require.NoError(t, err)
	_, err = b.Leads.Totals(context.Background(), day)
	var rl *zen.RateLimitError
	require.ErrorAs(t, err, &rl, "a second replica with the same token shares the budget")
}

func TestServer429IsRateLimitError(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, zen.WithLimits(zen.Limits{}))
	mock.RegisterResponder("GET", base+"/api/totais_lead", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(429, `{"error":"Limite de requisições excedido"}`)
		resp.Header.Set("Retry-After", "240")
		return resp, nil
	})
	_, err := c.Leads.Totals(context.Background(), day)
	var rl *zen.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.False(t, rl.ClientSide)
	assert.Equal(t, 240*time.Second, rl.RetryAfter)
	var ze *zen.Error
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, "Limite de requisições excedido", ze.Message)
	assert.Equal(t, 1, mock.GetTotalCallCount(), "a Retry-After longer than the maximum wait is not retried")
}

func TestEndpointURLOverride(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, zen.WithEndpointURL(zen.EndpointTotals, "https://other.example/integracao/totais"))
	mock.RegisterResponder("GET", "https://other.example/integracao/totais", jsonResponder(t, 200, golden(t, "totals-numbers.json")))
	_, err := c.Leads.Totals(context.Background(), day)
	require.NoError(t, err)
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestLeadsByUserPage(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", base+"/api/leads_usuario", func(r *http.Request) (*http.Response, error) {
		q := r.URL.Query()
		assert.Equal(t, "2026-11-16", q.Get("data_inicial"))
		assert.Equal(t, "2026-11-20", q.Get("data_final"))
		assert.Equal(t, "1", q.Get("pagina"))
		return jsonResponder(t, 200, golden(t, "leads-page.json"))(r)
	})
	p, err := c.Leads.ByUser(context.Background(), day.AddDate(0, 0, -4), day, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, p.Page)
	assert.Equal(t, 2, p.TotalPages)
	assert.Equal(t, 50, p.PerPage)
	require.Len(t, p.Users, 2)
	l := p.Users[0].Leads[0]
	assert.Equal(t, "20410001", l.RecordID)
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	assert.True(t, l.Entered.Equal(time.Date(2026, 11, 20, 9, 14, 2, 0, sp)), l.Entered)
	assert.True(t, l.Redistributed.IsZero())
	assert.Equal(t, []zen.Tag{{"1", "Site"}}, l.Origins)
	l2 := p.Users[0].Leads[1]
	assert.Equal(t, "20410002", l2.RecordID, "a numeric id keeps its digits")
	assert.Empty(t, l2.Origins)
	assert.NotNil(t, l2.Automations)
}

func TestLeadsByUserValidates(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	var ie *leadkit.InputError
	_, err := c.Leads.ByUser(context.Background(), day, day.AddDate(0, 0, -1), 1)
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "data_inicial", ie.Field)
	_, err = c.Leads.ByUser(context.Background(), day, day, 0)
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "pagina", ie.Field)
	_, err = c.Leads.ByUser(context.Background(), time.Time{}, day, 1)
	require.ErrorAs(t, err, &ie)
	assert.Zero(t, mock.GetTotalCallCount())
}

func leadsPageBody(page, total int, codes ...string) string {
	var b strings.Builder
	b.WriteString(`{"paginacao":{"pagina_atual":`)
	b.WriteString(itoa(page))
	b.WriteString(`,"total_paginas":`)
	b.WriteString(itoa(total))
	b.WriteString(`},"usuarios":[{"nome":"Ana","email":"ana@x.example","leads":[`)
	for i, c := range codes {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"codigo":"` + c + `","data_entrada":"2026-11-20 10:00:00"}`)
	}
	b.WriteString(`]}]}`)
	return b.String()
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+n))) }

func TestAllLeadsByUserPagesAndWaits(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, zen.WithLimits(zen.Limits{LeadsByUser: 30 * time.Millisecond}))
	var calls atomic.Int32
	mock.RegisterResponder("GET", base+"/api/leads_usuario", func(r *http.Request) (*http.Response, error) {
		calls.Add(1)
		switch r.URL.Query().Get("pagina") {
		case "1":
			return jsonResponder(t, 200, leadsPageBody(1, 3, "a", "b"))(r)
		case "2":
			return jsonResponder(t, 200, leadsPageBody(2, 3, "c"))(r)
		default:
			return jsonResponder(t, 200, leadsPageBody(3, 3, "d"))(r)
		}
	})
	start := time.Now()
	var codes []string
	for l, err := range c.Leads.AllByUser(context.Background(), day, day) {
		require.NoError(t, err)
		assert.Equal(t, "Ana", l.UserName)
		assert.Equal(t, "ana@x.example", l.UserEmail)
		codes = append(codes, l.Code)
	}
	assert.Equal(t, []string{"a", "b", "c", "d"}, codes)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "two waits of the window between three pages")
	assert.EqualValues(t, 3, calls.Load())
}

func TestAllLeadsByUserStopsEarlyAndOnIgnoredPaging(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, zen.WithLimits(zen.Limits{}))
	// A server that ignores pagina and always answers page 1 of 5.
	mock.RegisterResponder("GET", base+"/api/leads_usuario", jsonResponder(t, 200, leadsPageBody(1, 5, "a", "b")))
	n := 0
	for _, err := range c.Leads.AllByUser(context.Background(), day, day) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n, "page 2 answered as page 1 ends the iteration without repeating leads")
	assert.Equal(t, 2, mock.GetTotalCallCount())

	// The caller stopping ends it at once.
	before := mock.GetTotalCallCount()
	for range c.Leads.AllByUser(context.Background(), day, day) {
		break
	}
	assert.Equal(t, before+1, mock.GetTotalCallCount())
}

func TestAllLeadsByUserYieldsErrors(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, zen.WithLimits(zen.Limits{}), zen.WithMaxRetries(0))
	mock.RegisterResponder("GET", base+"/api/leads_usuario", httpmock.NewStringResponder(500, `{"error":"Erro interno"}`))
	var errs []error
	for _, err := range c.Leads.AllByUser(context.Background(), day, day) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	var ze *zen.Error
	require.ErrorAs(t, errs[0], &ze)
	assert.Equal(t, 500, ze.StatusCode)

	errs = nil
	for _, err := range c.Leads.AllByUser(context.Background(), day, day.AddDate(0, 0, -1)) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], leadkit.ErrInvalidInput)
}

func TestLeadArchive(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", base+"/api/arquivo-lead", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "2026-11-19", r.URL.Query().Get("data"))
		return jsonResponder(t, 200, golden(t, "archive.json"))(r)
	})
	a, err := c.Leads.Archive(context.Background(), day.AddDate(0, 0, -1))
	require.NoError(t, err)
	require.Len(t, a.Leads, 3)
	assert.Equal(t, zen.StatusInProgress, a.Leads[0].Status)
	assert.Equal(t, zen.ClassProspecting, a.Leads[0].Classification)
	assert.Equal(t, zen.ClassNotQualified, a.Leads[1].Classification, "an unaccented spelling maps to the constant")
	assert.Equal(t, "not qualified", a.Leads[1].Classification.English())
	assert.Equal(t, zen.StatusFinished, a.Leads[1].Status)
	assert.Equal(t, zen.LeadStatus("Perdido"), a.Leads[2].Status, "unknown values are kept")
	assert.False(t, a.Leads[2].Status.Known())
	assert.Equal(t, "Perdido", a.Leads[2].Status.String())
	assert.Equal(t, zen.ClassQualified, a.Leads[2].Classification)
	assert.True(t, a.Leads[2].StatusAt.IsZero())
	assert.True(t, a.Leads[2].ClassifiedAt.IsZero())
}

func TestLeadArchiveDefaultDaySendsNoDate(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", base+"/api/arquivo-lead", func(r *http.Request) (*http.Response, error) {
		assert.False(t, r.URL.Query().Has("data"))
		return jsonResponder(t, 200, golden(t, "archive.json"))(r)
	})
	_, err := c.Leads.Archive(context.Background(), time.Time{})
	require.NoError(t, err)
}

func TestLeadArchiveQuietDayIsEmptyButOther400sAreErrors(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, zen.WithLimits(zen.Limits{}))
	mock.RegisterResponder("GET", base+"/api/arquivo-lead", func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("data") == "2026-11-22" {
			return jsonResponder(t, 400, golden(t, "archive-nothing-changed.json"))(r)
		}
		return jsonResponder(t, 400, `{"error":"Parâmetro data inválido"}`)(r)
	})
	a, err := c.Leads.Archive(context.Background(), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, "2026-11-22", a.Date)
	assert.NotNil(t, a.Leads)
	assert.Empty(t, a.Leads)

	_, err = c.Leads.Archive(context.Background(), day)
	require.ErrorIs(t, err, zen.ErrBadRequest)
	assert.False(t, zen.IsNothingChanged(err))
}

func TestSendLeadFormAndQueryToken(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("POST", base+"/api/lead", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, token, r.URL.Query().Get("token"), "lead entry takes the token in the query string")
		assert.Empty(t, r.Header.Get("token"))
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		require.NoError(t, r.ParseForm())
		assert.Equal(t, "Inserir", r.PostForm.Get("acao"))
		assert.Equal(t, "Larissa Ribeiro", r.PostForm.Get("nome"))
		assert.Equal(t, "larissa@exemplo.com.br", r.PostForm.Get("email"))
		assert.Equal(t, "Google Ads", r.PostForm.Get("origem"))
		assert.Equal(t, "apartamento", r.PostForm.Get("interesse"), "extra fields pass through")
		assert.False(t, r.PostForm.Has("telefone"), "empty fields are not sent")
		return httpmock.NewStringResponse(200, `{"Sucesso":"Lead inserido"}`), nil
	})
	err := c.Leads.Send(context.Background(), &zen.LeadEntry{
		Action: zen.ActionInsert, Name: "Larissa Ribeiro", Email: "larissa@exemplo.com.br", Origin: "Google Ads",
		Extra: map[string]string{"interesse": "apartamento"},
	})
	require.NoError(t, err)
}

func TestSendLeadValidation(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	cases := []struct {
		lead  zen.LeadEntry
		field string
	}{
		{zen.LeadEntry{Action: "Criar", Name: "x"}, "acao"},
		{zen.LeadEntry{Name: "x"}, "acao"},
		{zen.LeadEntry{Action: zen.ActionInsert}, "nome"},
		{zen.LeadEntry{Action: zen.ActionEdit, Name: "x"}, "integracao"},
		{zen.LeadEntry{Action: zen.ActionDelete}, "integracao"},
		{zen.LeadEntry{Action: zen.ActionEditByID, Name: "x"}, "id"},
		{zen.LeadEntry{Action: zen.ActionInsert, Name: "x", Email: "not-an-email"}, "email"},
		{zen.LeadEntry{Action: zen.ActionInsert, Name: "x", Extra: map[string]string{"nome": "y"}}, "Extra"},
		{zen.LeadEntry{Action: zen.ActionInsert, Name: "x", Extra: map[string]string{"token": "y"}}, "Extra"},
		{zen.LeadEntry{Action: zen.ActionInsert, Name: "x", Extra: map[string]string{" ": "y"}}, "Extra"},
	}
	for _, tc := range cases {
		err := c.Leads.Send(context.Background(), &tc.lead)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, "%+v", tc.lead)
		assert.Equal(t, tc.field, ie.Field, "%+v", tc.lead)
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestSendLeadErrorShape(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("POST", base+"/api/lead", httpmock.NewStringResponder(400, golden(t, "error-entry.json")))
	err := c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "x"})
	require.ErrorIs(t, err, zen.ErrBadRequest)
	var ze *zen.Error
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, "400", ze.Code)
	assert.Contains(t, ze.Message, "Ação inválida")

	// The same shape with HTTP 200 is still an error.
	mock.RegisterResponder("POST", base+"/api/lead", httpmock.NewStringResponder(200, `{"Erro":"2","Mensagem":"Dados Inválidos (Avisos)"}`))
	err = c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "x"})
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, "2", ze.Code)
}

func TestSendLeadIsNotRetriedAfterA500OrGatewayError(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("POST", base+"/api/lead", httpmock.NewStringResponder(502, "<html>bad gateway</html>"))
	err := c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "x"})
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	assert.Equal(t, 1, mock.GetTotalCallCount())

	mock.RegisterResponder("POST", base+"/api/lead", httpmock.NewStringResponder(500, `{"Erro":"500","Mensagem":"Erro interno"}`))
	err = c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "x"})
	require.Error(t, err)
	assert.Equal(t, 2, mock.GetTotalCallCount())

	// A 503 with Retry-After means "not processed": that one is retried.
	var n atomic.Int32
	mock.RegisterResponder("POST", base+"/api/lead", func(*http.Request) (*http.Response, error) {
		if n.Add(1) == 1 {
			r := httpmock.NewStringResponse(503, `{"Erro":"503","Mensagem":"Indisponível"}`)
			r.Header.Set("Retry-After", "0")
			return r, nil
		}
		return httpmock.NewStringResponse(200, `{"Sucesso":"ok"}`), nil
	})
	require.NoError(t, c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "x"}))
	assert.EqualValues(t, 2, n.Load())

	// A bare 503 is no proof (a router may answer it after the app stored
	// the lead): sent once, outcome unknown.
	n.Store(0)
	mock.RegisterResponder("POST", base+"/api/lead", func(*http.Request) (*http.Response, error) {
		n.Add(1)
		return httpmock.NewStringResponse(503, "<html>Application Error</html>"), nil
	})
	err = c.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "x"})
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	assert.EqualValues(t, 1, n.Load())
}

func TestEnumStrings(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "Andamento", zen.StatusInProgress.String())
	assert.Equal(t, "in progress", zen.StatusInProgress.English())
	assert.Equal(t, "cancelled", zen.StatusCancelled.English())
	assert.Equal(t, "finished", zen.StatusFinished.English())
	assert.True(t, zen.ClassQualified.Known())
	assert.Equal(t, "Não Qualificado", zen.ClassNotQualified.String())
	assert.Equal(t, "Inserir", zen.ActionInsert.String())
	assert.True(t, errors.Is(&zen.Error{StatusCode: 404}, zen.ErrNotFound))
}
