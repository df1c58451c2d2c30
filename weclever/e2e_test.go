package weclever_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

func sandboxClient(t *testing.T, srv *weclevertest.Server, password string, opts ...weclever.Option) *weclever.Client {
	t.Helper()
	opts = append([]weclever.Option{fast, weclever.WithBaseURL(srv.URL)}, opts...)
	c, err := weclever.NewClient(weclevertest.DefaultPlatformID, weclevertest.DefaultUser, password, opts...)
	require.NoError(t, err)
	return c
}

func TestSandboxEndToEnd(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Seed: 7})
	defer srv.Close()
	c := sandboxClient(t, srv, weclevertest.DefaultPassword)
	ctx := context.Background()
	from, to := srv.SeedRange()

	all, err := c.Leads.Finalized(ctx, from, to)
	require.NoError(t, err)
	assert.Len(t, all, weclevertest.DefaultLeads)
	kinds := map[weclever.ClientLeadIDKind]int{}
	for _, l := range all {
		kinds[l.ClientLeadID.Kind()]++
	}
	assert.Positive(t, kinds[weclever.ClientLeadIDNull])
	assert.Positive(t, kinds[weclever.ClientLeadIDString])
	assert.Positive(t, kinds[weclever.ClientLeadIDNumber])

	// The sandbox's exact ids survive the trip.
	byID := map[int64]weclever.FinalizedLead{}
	for _, l := range all {
		byID[l.ID] = l
	}
	assert.Equal(t, weclever.StringClientLeadID("00123"), byID[100001].ClientLeadID)
	assert.Equal(t, "9007199254740993", byID[100002].ClientLeadID.String())
	assert.True(t, byID[100003].ClientLeadID.IsNull())

	// One day, then part of it, in both path forms.
	stored := srv.Leads()
	day := stored[10].FinalizedAt
	loc := weclevertest.Location()
	d0 := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	dayLeads, err := c.Leads.Finalized(ctx, d0, d0)
	require.NoError(t, err)
	want := 0
	for _, l := range stored {
		if !l.FinalizedAt.Before(d0) && l.FinalizedAt.Before(d0.AddDate(0, 0, 1)) {
			want++
		}
	}
	assert.Len(t, dayLeads, want, "a date-only lastDate covers the whole day")
	assert.Contains(t, ids(dayLeads), stored[10].ID)

	exact, err := c.Leads.Finalized(ctx, day, day)
	require.NoError(t, err)
	assert.Contains(t, ids(exact), stored[10].ID, "date+time bounds are inclusive")
	before, err := c.Leads.Finalized(ctx, d0, day.Add(-time.Second))
	require.NoError(t, err)
	assert.NotContains(t, ids(before), stored[10].ID)

	// Details.
	l, err := c.Leads.Get(ctx, stored[10].ID)
	require.NoError(t, err)
	assert.Equal(t, stored[10].Details.Name, l.Name)
	assert.Len(t, l.Chats.Messages, len(stored[10].Details.Chats.Messages))
	assert.Equal(t, stored[10].Details.Chats.Metrics.TotalMessages, l.Chats.Metrics.TotalMessages)
	for i, m := range l.Chats.Messages {
		assert.True(t, m.Created.Equal(stored[10].Details.Chats.Messages[i].Created))
	}
	empty, err := c.Leads.Get(ctx, 100004)
	require.NoError(t, err)
	assert.Empty(t, empty.Chats.Messages)

	_, err = c.Leads.Get(ctx, 1)
	assert.ErrorIs(t, err, weclever.ErrNotFound)
	assert.Equal(t, 1, srv.TokensIssued(), "one token for the whole session")
}

func ids(ls []weclever.FinalizedLead) []int64 {
	out := make([]int64, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

func TestSandboxTidyMatchesQuirky(t *testing.T) {
	t.Parallel()
	tidy := weclevertest.NewServer(&weclevertest.Options{Seed: 3, Tidy: true})
	defer tidy.Close()
	quirky := weclevertest.NewServer(&weclevertest.Options{Seed: 3})
	defer quirky.Close()
	ct, cq := sandboxClient(t, tidy, weclevertest.DefaultPassword), sandboxClient(t, quirky, weclevertest.DefaultPassword)
	for _, id := range []int64{100001, 100050, 100123} {
		a, err := ct.Leads.Get(context.Background(), id)
		require.NoError(t, err)
		b, err := cq.Leads.Get(context.Background(), id)
		require.NoError(t, err)
		assert.Equal(t, a, b, "lead %d", id)
	}
}

func TestSandboxTokenExpiry(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Leads: 5})
	defer srv.Close()
	c := sandboxClient(t, srv, weclevertest.DefaultPassword)
	ctx := context.Background()
	_, err := c.Leads.Get(ctx, 100001)
	require.NoError(t, err)
	srv.ExpireTokens()
	_, err = c.Leads.Get(ctx, 100001)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.TokensIssued())
	assert.Equal(t, 3, srv.Count("GET", "/lead/find/weclever_id/"))

	// TTL-based expiry.
	srv2 := weclevertest.NewServer(&weclevertest.Options{Leads: 5, TokenTTL: 30 * time.Millisecond})
	defer srv2.Close()
	c2 := sandboxClient(t, srv2, weclevertest.DefaultPassword)
	_, err = c2.Leads.Get(ctx, 100001)
	require.NoError(t, err)
	issued := srv2.TokensIssued() // 1, or 2 on a machine slow enough to outlive the TTL in the first call
	time.Sleep(50 * time.Millisecond)
	_, err = c2.Leads.Get(ctx, 100001)
	require.NoError(t, err)
	assert.Greater(t, srv2.TokensIssued(), issued, "the expired token was replaced")
}

func TestSandboxNewTokenRefusedToo(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Leads: 5})
	defer srv.Close()
	c := sandboxClient(t, srv, weclevertest.DefaultPassword)
	srv.Fail(weclevertest.Fault{Path: "/lead/", Status: 401, Body: `{"message":"Unauthorized"}`, Times: -1})
	_, err := c.Leads.Get(context.Background(), 100001)
	require.ErrorIs(t, err, weclever.ErrUnauthorized)
	assert.Equal(t, 2, srv.TokensIssued())
	assert.Equal(t, 2, srv.Count("GET", "/lead/"))
}

func TestSandboxConcurrentCallers(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Leads: 60, Latency: 5 * time.Millisecond})
	defer srv.Close()
	c := sandboxClient(t, srv, weclevertest.DefaultPassword)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Leads.Get(context.Background(), 100001+int64(i))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.TokensIssued())
}

func TestSandboxFailures(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Leads: 5})
	defer srv.Close()
	c := sandboxClient(t, srv, weclevertest.DefaultPassword)
	ctx := context.Background()
	_, err := c.Token(ctx)
	require.NoError(t, err)

	srv.Fail(weclevertest.Fault{Path: "/lead/", Status: 503, Times: 2})
	_, err = c.Leads.Get(ctx, 100001)
	require.NoError(t, err, "503 is retried")

	srv.Fail(weclevertest.Fault{Path: "/lead/", DropMidBody: true})
	_, err = c.Leads.Get(ctx, 100001)
	require.NoError(t, err, "a GET cut mid-body is retried")

	srv.Fail(weclevertest.Fault{Path: "/lead/", Status: 502, Body: "<html>Bad Gateway</html>", Times: -1})
	_, err = c.Leads.Get(ctx, 100001)
	var we *weclever.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, 502, we.StatusCode)
	srv.ClearFaults()

	wrong := sandboxClient(t, srv, "not-the-password")
	_, err = wrong.Leads.Finalized(ctx, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, weclever.ErrUnauthorized)
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "Invalid credentials", we.Message)
}

func TestSandboxRefusesEscapedPlus(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Leads: 5})
	defer srv.Close()
	c := sandboxClient(t, srv, weclevertest.DefaultPassword)
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b := new(strings.Builder)
		_, _ = fmt.Fprint(b, resp.Header.Get("Content-Type"))
		return resp.StatusCode, b.String()
	}
	code, _ := get("/lead/find/finalized/2024-03-01+08:00:00/2024-03-02")
	assert.Equal(t, 200, code)
	code, ctype := get("/lead/find/finalized/2024-03-01%2B08:00:00/2024-03-02")
	assert.Equal(t, 400, code)
	assert.Contains(t, ctype, "text/plain")
	code, _ = get("/lead/find/finalized/2024-03-02/2024-03-01")
	assert.Equal(t, 400, code)
	code, _ = get("/lead/find/weclever_id/abc")
	assert.Equal(t, 400, code)
	code, _ = get("/nowhere")
	assert.Equal(t, 404, code)

	// The client's own error for a plain-text 400 carries the text.
	srv.Fail(weclevertest.Fault{Path: "/finalized/", Status: 400, Body: "Invalid date format", Header: http.Header{"Content-Type": {"text/plain"}}})
	_, err = c.Leads.Finalized(context.Background(), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC))
	var we *weclever.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "Invalid date format", we.Message)
}

func TestSandboxUnderPrefix(t *testing.T) {
	t.Parallel()
	sb := weclevertest.NewUnstartedServer(&weclevertest.Options{Leads: 20})
	mux := http.NewServeMux()
	mux.Handle("/weclever/", http.StripPrefix("/weclever", sb))
	hs := httptest.NewServer(mux)
	defer hs.Close()
	c, err := weclever.NewClient(weclevertest.DefaultPlatformID, weclevertest.DefaultUser, weclevertest.DefaultPassword,
		weclever.WithBaseURL(hs.URL+"/weclever"), fast)
	require.NoError(t, err)
	from, to := sb.SeedRange()
	leads, err := c.Leads.Finalized(context.Background(), from, to.Add(23*time.Hour+59*time.Minute))
	require.NoError(t, err)
	assert.Len(t, leads, 20)
	assert.Equal(t, 1, sb.Count("GET", "/finalized/"))
}

func TestSandboxAddLeadAndReset(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Leads: -1})
	defer srv.Close()
	c := sandboxClient(t, srv, weclevertest.DefaultPassword)
	at := time.Date(2024, 7, 1, 10, 0, 0, 0, weclevertest.Location())
	id := srv.AddLead(weclevertest.Lead{
		ClientLeadID: weclever.IntClientLeadID(77), MappedStatus: "won", FinalizedAt: at,
		Details: weclever.Lead{Name: "Lucía García", Status: "Venda realizada"},
	})
	leads, err := c.Leads.Finalized(context.Background(), at, at)
	require.NoError(t, err)
	require.Len(t, leads, 1)
	assert.Equal(t, weclever.FinalizedLead{ID: id, MappedStatus: "won", ClientLeadID: weclever.IntClientLeadID(77)}, leads[0])
	l, err := c.Leads.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, "Lucía García", l.Name)
	srv.Reset()
	_, err = c.Leads.Get(context.Background(), id)
	require.Error(t, err, "reset restores the seed and drops tokens")
	assert.True(t, errorsIs(err, weclever.ErrNotFound), "%v", err)
}

// TestCanary drives success and failure paths with a canary password and
// token and checks that neither reaches an error string or a log line.
func TestCanary(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-pw-5d1e"
	srv := weclevertest.NewServer(&weclevertest.Options{Password: canary, Leads: 10})
	defer srv.Close()
	log, buf := testutil.DebugLogger()
	c := sandboxClient(t, srv, canary, weclever.WithLogger(log), weclever.WithMaxRetries(1))
	ctx := context.Background()
	var errs []error
	record := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	tok, err := c.Token(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	from, to := srv.SeedRange()
	record(c.Leads.Finalized(ctx, from, to))
	record(c.Leads.Get(ctx, 100001))
	record(c.Leads.Get(ctx, 5)) // 404

	// The server echoes both secrets back in error bodies.
	basic := "Basic " + canary
	srv.Fail(weclevertest.Fault{Path: "/lead/", Status: 400, Times: 1, Body: `{"error":"token ` + tok + ` and password ` + canary + ` refused"}`})
	record(c.Leads.Get(ctx, 100001))
	srv.Fail(weclevertest.Fault{Path: "/lead/", Status: 500, Times: 2, Body: "plain " + tok + " " + canary + " " + basic})
	record(c.Leads.Get(ctx, 100001))
	srv.Fail(weclevertest.Fault{Path: "/lead/", Status: 401, Times: -1, Body: `{"message":"bad ` + tok + `"}`})
	record(c.Leads.Get(ctx, 100001))
	srv.ClearFaults()
	srv.Fail(weclevertest.Fault{Path: "/token/", Status: 401, Times: -1, Body: `{"error":"wrong password ` + canary + `"}`})
	srv.ExpireTokens()
	record(c.Leads.Get(ctx, 100001))
	srv.ClearFaults()
	srv.Fail(weclevertest.Fault{Path: "/lead/", Drop: true, Times: -1})
	record(c.Leads.Get(ctx, 100001))

	for _, e := range errs {
		t.Log(e)
	}
	require.GreaterOrEqual(t, len(errs), 6)
	logs := buf.String()
	require.NotEmpty(t, logs)
	for _, err := range errs {
		msg := fmt.Sprintf("%v %+v", err, err)
		assert.NotContains(t, msg, canary)
		assert.NotContains(t, msg, tok)
		var re *leadkit.ResponseError
		if errorsAs(err, &re) {
			assert.NotContains(t, re.Body, canary)
			assert.NotContains(t, re.Body, tok)
		}
		var we *weclever.Error
		if errorsAs(err, &we) {
			assert.NotContains(t, we.Message+we.Body, canary)
			assert.NotContains(t, we.Message+we.Body, tok)
		}
	}
	assert.NotContains(t, logs, canary)
	assert.NotContains(t, logs, tok)
	for _, r := range srv.Requests() {
		assert.NotContains(t, fmt.Sprint(r), canary)
	}
	_ = slog.LevelDebug
}
