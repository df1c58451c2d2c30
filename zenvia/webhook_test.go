package zenvia_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

const prospectBody = `{"id":"65f3a1b2c3d4e5f6a7b8c9d0","created":"2024-03-14T15:36:00.000Z","firstName":"João","lastName":"Silva","status":"new","phones":["+5551987654321"],"emails":[],"leads":[{"priority":"1","type":"retail","utmSource":"google"}],"agent":{"id":"65f3a1b2c3d4e5f6a7b8c9d1","firstName":"Ana","lastName":"Souza","email":"ana@example.com","phone":5511987654321}}`

func post(h http.Handler, target, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, target, strings.NewReader(body)))
	return rec
}

func TestWebhookStatuses(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var logs bytes.Buffer
	var lmu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &lmu}, nil))
	h := zenvia.NewWebhookHandler("s3cr3t-value", func(_ context.Context, ev zenvia.Event) error {
		calls.Add(1)
		if ev.Prospect != nil && ev.Prospect.FirstName == "Fail" {
			return errors.New("storage unavailable")
		}
		return nil
	}, zenvia.WithHandlerMaxBytes(4096), zenvia.WithHandlerLogger(logger))

	cases := []struct {
		name   string
		method string
		target string
		body   string
		status int
		called bool
	}{
		{"ok", http.MethodPost, "/hook?secret=s3cr3t-value", prospectBody, 200, true},
		{"wrong method", http.MethodGet, "/hook?secret=s3cr3t-value", "", 405, false},
		{"missing secret", http.MethodPost, "/hook", prospectBody, 401, false},
		{"wrong secret", http.MethodPost, "/hook?secret=s3cr3t-valuf", prospectBody, 401, false},
		{"prefix of secret", http.MethodPost, "/hook?secret=s3cr3t", prospectBody, 401, false},
		{"too large", http.MethodPost, "/hook?secret=s3cr3t-value", `{"x":"` + strings.Repeat("a", 5000) + `"}`, 413, false},
		{"not JSON", http.MethodPost, "/hook?secret=s3cr3t-value", "<html>hi</html>", 400, false},
		{"truncated JSON", http.MethodPost, "/hook?secret=s3cr3t-value", prospectBody[:40], 400, false},
		{"array", http.MethodPost, "/hook?secret=s3cr3t-value", `[1,2]`, 400, false},
		{"empty", http.MethodPost, "/hook?secret=s3cr3t-value", ``, 400, false},
		{"wrong shape for topic", http.MethodPost, "/hook?secret=s3cr3t-value&topic=prospects", `{"id":"x","phones":"not a list"}`, 400, false},
		{"fn fails", http.MethodPost, "/hook?secret=s3cr3t-value", `{"id":"65f3a1b2c3d4e5f6a7b8c9d2","firstName":"Fail","status":"new"}`, 500, true},
	}
	for _, tc := range cases {
		before := calls.Load()
		rec := httptest.NewRecorder()
		body := strings.NewReader(tc.body)
		req := httptest.NewRequest(tc.method, tc.target, body)
		h.ServeHTTP(rec, req)
		assert.Equal(t, tc.status, rec.Code, tc.name)
		assert.Equal(t, tc.called, calls.Load() > before, tc.name)
		if tc.status == 405 {
			assert.Equal(t, "POST", rec.Header().Get("Allow"))
		}
	}
	lmu.Lock()
	defer lmu.Unlock()
	assert.NotContains(t, logs.String(), "s3cr3t", "the secret is never logged")
	assert.Contains(t, logs.String(), "wrong or missing secret")
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestWebhookEmptySecretRefusesAll(t *testing.T) {
	t.Parallel()
	h := zenvia.NewWebhookHandler("", func(context.Context, zenvia.Event) error { return nil })
	assert.Equal(t, 401, post(h, "/hook?secret=", prospectBody).Code)
	assert.Equal(t, 401, post(h, "/hook", prospectBody).Code)
	nilFn := zenvia.NewWebhookHandler("x", nil)
	assert.Equal(t, 500, post(nilFn, "/hook?secret=x", prospectBody).Code)
}

func TestWebhookDedupWindow(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2024, 3, 14, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var calls atomic.Int32
	failNext := atomic.Bool{}
	h := zenvia.NewWebhookHandler("k", func(context.Context, zenvia.Event) error {
		if failNext.Swap(false) {
			return errors.New("transient")
		}
		calls.Add(1)
		return nil
	}, zenvia.WithHandlerDedupWindow(time.Minute), zenvia.WithHandlerClock(clock))

	require.Equal(t, 200, post(h, "/?secret=k", prospectBody).Code)
	rec := post(h, "/?secret=k", prospectBody)
	assert.Equal(t, 200, rec.Code)
	assert.Contains(t, rec.Body.String(), "duplicate")
	assert.EqualValues(t, 1, calls.Load(), "duplicate inside the window: fn once")

	advance(59 * time.Second)
	post(h, "/?secret=k", prospectBody)
	assert.EqualValues(t, 1, calls.Load())
	advance(2 * time.Second) // past the window of the first delivery
	post(h, "/?secret=k", prospectBody)
	assert.EqualValues(t, 2, calls.Load(), "after the window the same body is new again")

	// Another event is not a duplicate.
	other := strings.Replace(prospectBody, "João", "Joana", 1)
	post(h, "/?secret=k", other)
	assert.EqualValues(t, 3, calls.Load())

	// A delivery whose fn failed is not remembered: the redelivery runs fn.
	third := strings.Replace(prospectBody, "João", "Jonas", 1)
	failNext.Store(true)
	assert.Equal(t, 500, post(h, "/?secret=k", third).Code)
	assert.Equal(t, 200, post(h, "/?secret=k", third).Code)
	assert.EqualValues(t, 4, calls.Load())

	// Window off: every delivery reaches fn.
	var n atomic.Int32
	off := zenvia.NewWebhookHandler("k", func(context.Context, zenvia.Event) error { n.Add(1); return nil }, zenvia.WithHandlerDedupWindow(0))
	post(off, "/?secret=k", prospectBody)
	post(off, "/?secret=k", prospectBody)
	assert.EqualValues(t, 2, n.Load())
}

func TestParseEventKinds(t *testing.T) {
	t.Parallel()
	ev, err := zenvia.ParseEvent([]byte(prospectBody), "")
	require.NoError(t, err)
	assert.Equal(t, "prospects", ev.Topic)
	require.NotNil(t, ev.Prospect)
	assert.Equal(t, "5511987654321", ev.Prospect.Agent.Phone)
	assert.Equal(t, 1.0, ev.Prospect.Leads[0].Priority)

	ev, err = zenvia.ParseEvent([]byte(`{"id":"65f3a1b2c3d4e5f6a7b8c9d3","prospectId":"65f3a1b2c3d4e5f6a7b8c9d0","via":"whatsapp","proactive":"true","createdAt":"2024-03-14 15:40:00"}`), "")
	require.NoError(t, err)
	assert.Equal(t, "interactions", ev.Topic)
	require.NotNil(t, ev.Interaction)
	assert.True(t, ev.Interaction.Proactive)
	assert.Equal(t, 2024, ev.Interaction.CreatedAt.Year())

	ev, err = zenvia.ParseEvent([]byte(`{"id":"65f3a1b2c3d4e5f6a7b8c9d1","firstName":"Ana","email":"ana@example.com","legacyId":77}`), "")
	require.NoError(t, err)
	assert.Equal(t, "agents", ev.Topic)
	require.NotNil(t, ev.Agent)
	assert.Equal(t, "77", ev.Agent.LegacyID)

	ev, err = zenvia.ParseEvent([]byte(`{"topic":"prospects","data":`+prospectBody+`}`), "")
	require.NoError(t, err)
	require.NotNil(t, ev.Prospect)
	assert.Equal(t, "João", ev.Prospect.FirstName)

	ev, err = zenvia.ParseEvent([]byte(`{"id":"q1","total":120.5}`), "quotes")
	require.NoError(t, err)
	assert.Equal(t, "quotes", ev.Topic)
	assert.Nil(t, ev.Prospect)
	assert.JSONEq(t, `{"id":"q1","total":120.5}`, string(ev.Raw))
}
