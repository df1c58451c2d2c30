package zenvia_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// All keeps one page in memory: the heap after 10,000 prospects is about
// the heap after the first pages.
func TestAllMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 prospects")
	}
	s, c := sandbox(t, &zenviatest.Options{Prospects: 10_000, Tidy: true})
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var early, late uint64
	n := 0
	for p, err := range c.Prospects.All(context.Background(), &zenvia.ProspectListOptions{Limit: 100}) {
		require.NoError(t, err)
		require.NotEmpty(t, p.ID)
		n++
		switch n {
		case 1000:
			early = heap()
		case 10_000:
			late = heap()
		}
	}
	require.Equal(t, 10_000, n)
	assert.Equal(t, 101, s.Count(http.MethodGet, "/prospects"))
	growth := int64(late) - int64(early)
	t.Logf("heap at 1,000: %d KiB, at 10,000: %d KiB", early>>10, late>>10)
	assert.Less(t, growth, int64(4<<20), "heap grew by %d bytes over 9,000 prospects", growth)
}

// The API key must appear in no error string and no log line.
func TestCanaryKeyNeverLeaks(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-zv-9d8c7b6a5f4e"
	s := zenviatest.NewServer(&zenviatest.Options{APIKey: canary})
	t.Cleanup(s.Close)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	var errs []error
	for _, header := range []bool{false, true} {
		opts := []zenvia.Option{zenvia.WithBaseURL(s.URL), zenvia.WithLogger(logger), zenvia.WithRetryWait(time.Millisecond, 5*time.Millisecond)}
		if header {
			opts = append(opts, zenvia.WithAuthHeader("x-api-key", ""))
		}
		c, err := zenvia.NewClient(canary, opts...)
		require.NoError(t, err)
		// success paths
		_, err = c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 10})
		require.NoError(t, err)
		_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"+5511991112222"}})
		require.NoError(t, err)
		// failure paths
		_, err = c.Prospects.Get(ctx, "ffffffffffffffffffffffff")
		errs = append(errs, err)
		s.Fail(zenviatest.Fault{Path: "/lead/", Drop: true})
		_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"+5511991113333"}})
		errs = append(errs, err)
		s.Fail(zenviatest.Fault{Path: "/groups", Status: 500, Body: `{"code":"X","message":"key ` + canary + ` rejected"}`, Times: -1})
		_, err = c.Groups.List(ctx)
		errs = append(errs, err)
		s.ClearFaults()
		s.Fail(zenviatest.Fault{Path: "/prospects", Status: 502, Body: "<html>bad gateway for api-key=" + canary + "</html>", Times: -1})
		_, err = c.Prospects.List(ctx, nil)
		errs = append(errs, err)
		s.ClearFaults()
		s.Fail(zenviatest.Fault{Path: "/agents", Delay: time.Second})
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		_, err = c.Agents.List(short, s.GroupIDs()[0], nil)
		cancel()
		errs = append(errs, err)
		s.ClearFaults()
	}
	// A wrong key: the sandbox answers 401.
	wrong := zenviatest.NewServer(&zenviatest.Options{APIKey: "other"})
	t.Cleanup(wrong.Close)
	c, err := zenvia.NewClient(canary, zenvia.WithBaseURL(wrong.URL), zenvia.WithLogger(logger))
	require.NoError(t, err)
	_, err = c.Groups.List(ctx)
	assert.ErrorIs(t, err, zenvia.ErrUnauthorized)
	errs = append(errs, err)
	// Unreachable server.
	c, err = zenvia.NewClient(canary, zenvia.WithBaseURL("http://127.0.0.1:1"), zenvia.WithLogger(logger), zenvia.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.Groups.List(ctx)
	errs = append(errs, err)

	for i, err := range errs {
		require.Error(t, err, i)
		assert.NotContains(t, err.Error(), canary, "error %d", i)
		var ze *zenvia.Error
		if errors.As(err, &ze) {
			assert.NotContains(t, ze.Message, canary)
		}
		var re *leadkit.ResponseError
		if errors.As(err, &re) {
			assert.NotContains(t, re.Body, canary)
			assert.NotContains(t, re.URL, canary)
		}
	}
	assert.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), canary)
	for _, r := range s.Requests() {
		assert.NotContains(t, r.Query, canary)
		for _, v := range r.Header {
			assert.NotContains(t, v, canary)
		}
	}
}

// ---- fuzz targets: seeded from testdata/zenvia ----

func seedCorpus(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "zenvia", "*"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"created":12345,"merged":1,"phones":[1,"2",null]}`))
}

// fuzzServer answers every request with the fuzzer's body.
type fuzzBody struct{ body []byte }

func (f *fuzzBody) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(f.body)),
		Body: ioNopCloser(bytes.NewReader(f.body)), Request: r}, nil
}

// fuzzClient is a client whose every request is answered body.
func fuzzClient(t *testing.T, body []byte) *zenvia.Client {
	c, err := zenvia.NewClient("k", zenvia.WithHTTPClient(&http.Client{Transport: &fuzzBody{body: body}}), zenvia.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

func FuzzProspectDecoders(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, ctx := fuzzClient(t, body), context.Background()
		_, _ = c.Prospects.Get(ctx, pid)
		_, _ = c.Prospects.List(ctx, nil)
		_, _ = c.Prospects.Interactions(ctx, pid, nil)
		_, _ = c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"1"}})
		_, _ = c.Prospects.CreateNote(ctx, pid, "n")
		_, _ = c.Prospects.UpdateAdditionalData(ctx, pid, map[string]any{"a": 1})
		_, _ = c.AsUser.Transfer(ctx, pid, zenvia.ToGroup(groupID))
		_, _ = c.AsUser.Labels(ctx)
		_, _ = c.Interactions.List(ctx, nil)
		_, _ = c.Interactions.Get(ctx, pid, pid)
	})
}

func FuzzOtherDecoders(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, ctx := fuzzClient(t, body), context.Background()
		_, _ = c.Agents.List(ctx, groupID, nil)
		_, _ = c.Groups.List(ctx)
		_, _ = c.Groups.Get(ctx, groupID)
		_, _ = c.Groups.OnlineAgents(ctx, groupID)
		_, _ = c.Leads.Categories(ctx)
		_, _ = c.Leads.Defaults(ctx)
		_, _ = c.Notifications.Topics(ctx)
		_, _ = c.Notifications.List(ctx)
		_, _ = c.Notifications.Get(ctx, pid)
		_, _ = c.Notifications.Delete(ctx, pid)
		_, _ = c.Notifications.DeleteAll(ctx)
		_, _ = c.Agents.IsWorking(ctx, groupID)
		_, _ = c.Groups.ResponseTime(ctx, groupID, nil)
	})
}

func FuzzWebhookHandler(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		h := zenvia.NewWebhookHandler("k", func(_ context.Context, ev zenvia.Event) error {
			if ev.Raw == nil {
				t.Fatal("event without raw body")
			}
			return nil
		}, zenvia.WithHandlerMaxBytes(64<<10))
		rec := post(h, "/?secret=k", string(body))
		if rec.Code != 200 && rec.Code != 400 && rec.Code != 413 {
			t.Fatalf("status %d for bad input", rec.Code)
		}
		ev, err := zenvia.ParseEvent(body, "")
		if err == nil && strings.TrimSpace(string(body)) == "" {
			t.Fatalf("empty body parsed: %+v", ev)
		}
		evs, err := zenvia.ParseEvents(body, "")
		if err == nil && len(evs) == 0 && !strings.HasPrefix(strings.TrimSpace(string(body)), "[") {
			t.Fatalf("an object body gave no event")
		}
	})
}
