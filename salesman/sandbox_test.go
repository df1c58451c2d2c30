package salesman_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

func sandboxClient(t testing.TB, s *salesmantest.Server, v salesman.APIVersion, opts ...salesman.Option) *salesman.Client {
	t.Helper()
	cr := s.Credentials()
	opts = append([]salesman.Option{salesman.WithAPIVersion(v), salesman.WithRetryWait(time.Millisecond, 10*time.Millisecond)}, opts...)
	c, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"], opts...)
	require.NoError(t, err)
	return c
}

func allVersions() []salesman.APIVersion {
	return []salesman.APIVersion{salesman.V1, salesman.V2, salesman.V3}
}

func TestSandboxAddShowsEverywhere(t *testing.T) {
	t.Parallel()
	for _, v := range allVersions() {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			s := salesmantest.NewServer(nil)
			defer s.Close()
			c := sandboxClient(t, s, v)
			ctx := context.Background()
			before, err := c.Leads.Stat(ctx)
			require.NoError(t, err)
			require.Len(t, before, 5)
			olga := s.Users()[1]

			id, err := c.Leads.Create(ctx, &salesman.NewLead{
				Title: "Смирнова «Ольга»", Email: "olga@example.ru", Phone: "+79161234567",
				Company: "ООО Ромашка", City: "Київ", IP: "192.0.2.7", Path: "Выставка", User: olga,
				UTMSource: "yandex", UTMCampaign: "весна/2024",
			})
			require.NoError(t, err)
			assert.Equal(t, salesmantest.DefaultLeads+1, id.ID)
			assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount())

			l, err := c.Leads.Get(ctx, id.ID)
			require.NoError(t, err)
			assert.Equal(t, id.ID, l.ID)
			assert.Equal(t, "Смирнова Ольга", l.Title, "the server strips « »")
			assert.Equal(t, "Київ", l.City)
			assert.Equal(t, "весна/2024", l.UTMCampaign)
			assert.Equal(t, 2, l.UserID)
			assert.Equal(t, "Ольга Смирнова", l.UserName)
			assert.Equal(t, 4, l.ClientPathID)
			assert.Equal(t, salesman.StatusOpen, l.Status)
			assert.WithinDuration(t, time.Now(), l.Created, 5*time.Second, "datum read in Moscow time")
			if v == salesman.V1 {
				assert.Equal(t, "192.0.2.7", l.IP)
			} else {
				assert.Empty(t, l.IP, "v2/v3 never store ip")
			}

			page, err := c.Leads.List(ctx, nil)
			require.NoError(t, err)
			require.Len(t, page, salesman.PageSize)
			assert.Equal(t, id.ID, page[0].ID, "newest first")
			assert.Equal(t, "olga@example.ru", page[0].Email)

			after, err := c.Leads.Stat(ctx)
			require.NoError(t, err)
			assert.Equal(t, olga, after[1].Login)
			assert.Equal(t, before[1].Open+1, after[1].Open)
		})
	}
}

func TestSandboxErrors(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(nil)
	defer s.Close()
	ctx := context.Background()
	for _, v := range allVersions() {
		badKey, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, "wrong-key", salesman.WithAPIVersion(v))
		require.NoError(t, err)
		_, err = badKey.Leads.Stat(ctx)
		require.ErrorIs(t, err, salesman.ErrInvalidAPIKey, v)
		var e *salesman.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 200, e.StatusCode)
		if v == salesman.V1 {
			assert.Equal(t, "400", e.Code)
		} else {
			assert.Equal(t, "401", e.Code)
		}
		_, err = badKey.Leads.Create(ctx, &salesman.NewLead{Title: "A", Phone: "1"})
		require.ErrorIs(t, err, salesman.ErrInvalidAPIKey, v)

		badUser, err := salesman.NewClient(s.URL, "nobody@example.ru", salesmantest.DefaultAPIKey, salesman.WithAPIVersion(v))
		require.NoError(t, err)
		_, err = badUser.Leads.List(ctx, nil)
		require.ErrorIs(t, err, salesman.ErrUnknownUser, v)

		c := sandboxClient(t, s, v)
		_, err = c.Leads.Get(ctx, 999999)
		require.ErrorIs(t, err, salesman.ErrNotFound, v)
	}
	assert.Equal(t, salesmantest.DefaultLeads, s.LeadCount())
}

// TestSandboxAddSentOnceOnDrop proves that Add is not resent when the
// connection breaks after the server got it: the server holds exactly one
// new lead and saw exactly one POST.
func TestSandboxAddSentOnceOnDrop(t *testing.T) {
	t.Parallel()
	for _, v := range allVersions() {
		t.Run(v.String(), func(t *testing.T) {
			t.Parallel()
			s := salesmantest.NewServer(nil)
			defer s.Close()
			c := sandboxClient(t, s, v)
			ctx := context.Background()

			// The server stores the lead, answers half the body and resets.
			s.Fail(salesmantest.Fault{Method: http.MethodPost, DropMidBody: true})
			_, err := c.Leads.Create(ctx, &salesman.NewLead{Title: "Дубль", Email: "once@example.ru"})
			require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
			postsAre(t, s, 1)
			assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount(), "stored once, not resent")

			// The connection is reset after the server read the request.
			s.Fail(salesmantest.Fault{Method: http.MethodPost, Drop: true})
			_, err = c.Leads.Create(ctx, &salesman.NewLead{Title: "Дубль", Email: "twice@example.ru"})
			require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
			postsAre(t, s, 2)
			assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount())

			// A 503 says the server did not process it: resent once, stored once.
			s.Fail(salesmantest.Fault{Method: http.MethodPost, Status: 503, Header: http.Header{"Retry-After": {"0"}}})
			id, err := c.Leads.Create(ctx, &salesman.NewLead{Title: "Третий", Email: "third@example.ru"})
			require.NoError(t, err)
			assert.Equal(t, salesmantest.DefaultLeads+2, id.ID)
			postsAre(t, s, 4)
			assert.Equal(t, salesmantest.DefaultLeads+2, s.LeadCount())
		})
	}
}

// postsAre checks the server's count of POSTs. The sandbox logs a request
// when its handler returns, which after a reset may be just after the client
// saw the error: wait for the log, never for the client.
func postsAre(t *testing.T, s *salesmantest.Server, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return s.Count(http.MethodPost, "/developer/") >= n }, 2*time.Second, time.Millisecond)
	assert.Equal(t, n, s.Count(http.MethodPost, "/developer/"))
}

func TestSandboxReadsRetried(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(nil)
	defer s.Close()
	c := sandboxClient(t, s, salesman.V2)
	s.Fail(salesmantest.Fault{Method: http.MethodGet, Drop: true})
	s.Fail(salesmantest.Fault{Method: http.MethodGet, DropMidBody: true})
	st, err := c.Leads.Stat(context.Background())
	require.NoError(t, err)
	assert.Len(t, st, 5)
	require.Eventually(t, func() bool { return s.Count(http.MethodGet, "/developer/v2/lead") == 3 }, 2*time.Second, time.Millisecond)
}

func TestSandboxAllPerVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v        salesman.APIVersion
		leads    int
		tidy     bool
		want     int
		requests int
	}{
		{salesman.V1, 450, false, 200, 2}, // v1 ignores offset: stops on the repeated page
		{salesman.V1, 450, true, 450, 3},  // documented v1 pages
		{salesman.V2, 450, false, 450, 3}, // short last page
		{salesman.V3, 400, false, 400, 3}, // exact pages: the third answers 404
	} {
		t.Run(tc.v.String(), func(t *testing.T) {
			t.Parallel()
			s := salesmantest.NewServer(&salesmantest.Options{Leads: tc.leads, Tidy: tc.tidy})
			defer s.Close()
			c := sandboxClient(t, s, tc.v)
			seen := map[int]bool{}
			prev := 0
			newest := tc.v == salesman.V1 && !tc.tidy // v1 ignores first=old
			if newest {
				prev = 1 << 30
			}
			for l, err := range c.Leads.All(context.Background(), nil) {
				require.NoError(t, err)
				require.False(t, seen[l.ID], "lead %d twice", l.ID)
				seen[l.ID] = true
				if newest {
					require.Less(t, l.ID, prev, "newest first (v1 ignores the order)")
				} else {
					require.Greater(t, l.ID, prev, "oldest first by default")
				}
				prev = l.ID
			}
			assert.Len(t, seen, tc.want)
			assert.Equal(t, tc.requests, s.Count(http.MethodGet, "/developer/"))
		})
	}
}

func TestSandboxFilters(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(&salesmantest.Options{Leads: 600, Seed: 7})
	defer s.Close()
	ctx := context.Background()
	for _, v := range []salesman.APIVersion{salesman.V2, salesman.V3} {
		c := sandboxClient(t, s, v)
		st := salesman.StatusProcessed
		n := 0
		for l, err := range c.Leads.All(ctx, &salesman.ListOptions{Status: &st}) {
			require.NoError(t, err)
			require.Equal(t, salesman.StatusProcessed, l.Status)
			require.False(t, l.Processed.IsZero())
			n++
		}
		assert.Greater(t, n, 100)

		from := time.Now().AddDate(0, 0, -10)
		to := time.Now().AddDate(0, 0, -5)
		n = 0
		for l, err := range c.Leads.All(ctx, &salesman.ListOptions{DateStart: from, DateEnd: to, Oldest: true}) {
			require.NoError(t, err)
			day := l.Created.Format("2006-01-02")
			require.GreaterOrEqual(t, day, from.In(c.Location()).Format("2006-01-02"))
			require.LessOrEqual(t, day, to.In(c.Location()).Format("2006-01-02"))
			n++
		}
		assert.Greater(t, n, 10)

		// Only one bound: the client still sends both, so something matches.
		page, err := c.Leads.List(ctx, &salesman.ListOptions{DateStart: from})
		require.NoError(t, err)
		assert.NotEmpty(t, page)

		page, err = c.Leads.List(ctx, &salesman.ListOptions{User: s.Users()[2]})
		require.NoError(t, err)
		assert.NotEmpty(t, page)
	}
}

func TestSandboxJSONBody(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(nil)
	defer s.Close()
	c := sandboxClient(t, s, salesman.V2, salesman.WithJSONBody())
	id, err := c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Попов Павел", Phone: "+79990001122", Path: "Сайт"})
	require.NoError(t, err)
	l, err := sandboxClient(t, s, salesman.V3).Leads.Get(context.Background(), id.ID)
	require.NoError(t, err)
	assert.Equal(t, "Попов Павел", l.Title)
	assert.Equal(t, 1, l.ClientPathID)
	reqs := s.Requests()
	last := reqs[len(reqs)-2]
	assert.Equal(t, "application/json", last.Header["Content-Type"])
	assert.NotContains(t, last.Query, "apikey")
}

func TestSandboxUnderPrefix(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewUnstartedServer(nil)
	mux := http.NewServeMux()
	mux.Handle("/crm/", http.StripPrefix("/crm", s))
	hs := httptest.NewServer(mux)
	defer hs.Close()
	c, err := salesman.NewClient(hs.URL+"/crm", salesmantest.DefaultLogin, salesmantest.DefaultAPIKey, salesman.WithAPIVersion(salesman.V3))
	require.NoError(t, err)
	l, err := c.Leads.Get(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, 1, l.ID)
}

// TestCanaryNeverPrinted drives success and failure paths with a canary
// apikey and a debug logger, and checks that the key is in no error and no
// log line.
func TestCanaryNeverPrinted(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-salesman-7f3b9c2e"
	for _, v := range allVersions() {
		s := salesmantest.NewServer(&salesmantest.Options{APIKey: canary})
		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c := sandboxClient(t, s, v, salesman.WithLogger(logger), salesman.WithMaxRetries(1))
		ctx := context.Background()
		var errs []error
		collect := func(err error) {
			if err != nil {
				errs = append(errs, err)
			}
		}
		_, err := c.Leads.Stat(ctx)
		require.NoError(t, err)
		_, err = c.Leads.Create(ctx, &salesman.NewLead{Title: "A", Email: "a@b.ru"})
		require.NoError(t, err)
		_, err = c.Leads.Get(ctx, 1)
		require.NoError(t, err)
		s.Fail(salesmantest.Fault{Status: 500, Body: `{"error":{"code":"500","text":"apikey=` + canary + `"}}`, Times: 2})
		_, err = c.Leads.List(ctx, nil)
		collect(err)
		s.Fail(salesmantest.Fault{Status: 502, Body: "<html>bad gateway " + canary + "</html>"})
		_, err = c.Leads.Create(ctx, &salesman.NewLead{Title: "A", Email: "a@b.ru"})
		collect(err)
		s.Fail(salesmantest.Fault{Method: http.MethodPost, Drop: true})
		_, err = c.Leads.Create(ctx, &salesman.NewLead{Title: "A", Email: "a@b.ru"})
		collect(err)
		s.Fail(salesmantest.Fault{Drop: true, Times: 2})
		_, err = c.Leads.Get(ctx, 1)
		collect(err)
		s.Fail(salesmantest.Fault{Status: 200, Body: "<html>" + canary + "</html>"})
		_, err = c.Leads.Stat(ctx)
		collect(err)
		_, err = c.Leads.Get(ctx, 99999)
		collect(err)
		s.Close()
		_, err = c.Leads.Stat(ctx) // connection refused
		collect(err)

		require.Len(t, errs, 7, v)
		for _, e := range errs {
			assert.NotContains(t, e.Error(), canary)
			var re *leadkit.ResponseError
			if errors.As(e, &re) {
				assert.NotContains(t, re.Body, canary)
				assert.NotContains(t, re.URL, canary)
			}
		}
		require.NotEmpty(t, logs.String())
		assert.NotContains(t, logs.String(), canary)
		assert.True(t, strings.Contains(logs.String(), "apikey=REDACTED"), "GET URLs are logged masked")
		for _, r := range s.Requests() {
			assert.NotContains(t, r.Query+r.Body, canary, "the sandbox log masks it too")
		}
	}
}
