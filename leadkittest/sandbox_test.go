package leadkittest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

const secret = "sbx-Secr3t+key"

// vendor is a tiny fake vendor: GET /leads lists, POST /leads adds.
type vendor struct {
	leads  atomic.Int64
	resets atomic.Int64
}

func (v *vendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/leads"):
		WriteJSON(w, 200, "", map[string]any{"total": v.leads.Load(), "leads": []string{"Ana", "João", "Иван"}})
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/leads"):
		v.leads.Add(1)
		WriteJSON(w, 201, "", map[string]any{"id": v.leads.Load()})
	default:
		WriteJSON(w, 404, "", map[string]string{"error": "not found"})
	}
}

func newSandbox(t *testing.T, cfg Config) (*Server, *vendor) {
	t.Helper()
	v := &vendor{}
	s := New(v, cfg, func() []string { return []string{secret} }, func() { v.leads.Store(0); v.resets.Add(1) })
	s.Start()
	t.Cleanup(s.Close)
	return s, v
}

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestServeAndLog(t *testing.T) {
	t.Parallel()
	s, _ := newSandbox(t, Config{})
	require.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"))
	code, body, _ := get(t, s.URL+"/v1/leads?page=2")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "João")
	resp, err := http.Post(s.URL+"/v1/leads", "application/json", strings.NewReader(`{"name":"Ana"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 201, resp.StatusCode)

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, "/v1/leads", reqs[0].Path)
	assert.Equal(t, "page=2", reqs[0].Query)
	assert.Equal(t, 200, reqs[0].Status)
	assert.Equal(t, `{"name":"Ana"}`, reqs[1].Body)
	assert.Equal(t, 201, reqs[1].Status)
	assert.Equal(t, 1, s.Count("POST", "/leads"))
	assert.Equal(t, 2, s.Count("", "/leads"))
	assert.Equal(t, 0, s.Count("DELETE", "/leads"))
	assert.Equal(t, Config{}, s.Config())
}

func TestRequestLogMasksSecrets(t *testing.T) {
	t.Parallel()
	s, _ := newSandbox(t, Config{})
	req, err := http.NewRequest(http.MethodPost, s.URL+"/v1/leads?apikey=plain-key&k="+strings.ReplaceAll(secret, "+", "%2B")+"&page=1",
		strings.NewReader(`{"password":"hunter2","note":"`+secret+`","token":"t0k"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer bearer-value")
	req.Header.Set("X-Custom", "v "+secret)
	req.Header.Set("token", "header-token")
	req.Header.Set("X-Trace", "visible")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	reqs := s.Requests()
	require.Len(t, reqs, 1)
	all, _ := json.Marshal(reqs)
	for _, leak := range []string{secret, "plain-key", "hunter2", "t0k", "bearer-value", "header-token", "Secr3t"} {
		assert.NotContains(t, string(all), leak)
	}
	r := reqs[0]
	assert.Equal(t, "visible", r.Header["X-Trace"])
	assert.Contains(t, r.Query, "page=1")
	assert.Contains(t, r.Body, `"password":"REDACTED"`)

	// The admin endpoint serves the same masked log.
	code, body, _ := get(t, s.URL+"/_sandbox/requests")
	assert.Equal(t, 200, code)
	var out struct{ Requests []Request }
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	assert.Len(t, out.Requests, 1, "admin calls are not logged")
	assert.NotContains(t, body, secret)
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	s, _ := newSandbox(t, Config{})
	s.Fail(Fault{Path: "/leads", Method: http.MethodGet, Times: 2, Status: 503, Body: `{"error":"busy"}`,
		Header: http.Header{"Retry-After": {"1"}}})
	for range 2 {
		code, body, h := get(t, s.URL+"/v1/leads")
		assert.Equal(t, 503, code)
		assert.Equal(t, `{"error":"busy"}`, body)
		assert.Equal(t, "1", h.Get("Retry-After"))
	}
	code, _, _ := get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code, "the fault is used up")

	// Path and method filters.
	s.Fail(Fault{Path: "/other", Status: 500})
	code, _, _ = get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code)
	s.Fail(Fault{Method: http.MethodPost, Status: 500})
	code, _, _ = get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code)
	resp, err := http.Post(s.URL+"/v1/leads", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 500, resp.StatusCode)

	// Times 0 means once; -1 forever until cleared.
	s.Fail(Fault{Status: 418, Times: -1})
	for range 3 {
		code, _, _ = get(t, s.URL+"/v1/leads")
		assert.Equal(t, 418, code)
	}
	s.ClearFaults()
	code, _, _ = get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code)
}

func TestFaultDropAndDropMidBody(t *testing.T) {
	t.Parallel()
	s, _ := newSandbox(t, Config{})
	s.Fail(Fault{Path: "/leads", Drop: true})
	_, err := http.Get(s.URL + "/v1/leads")
	require.Error(t, err)

	s.Fail(Fault{Path: "/leads", DropMidBody: true})
	resp, err := http.Get(s.URL + "/v1/leads")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	require.Error(t, err, "the body is cut")

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, 0, reqs[0].Status, "a dropped request is logged without a status")
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	s, _ := newSandbox(t, Config{})
	s.Fail(Fault{Delay: 80 * time.Millisecond})
	start := time.Now()
	code, _, _ := get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code)
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)

	// The client giving up ends the wait.
	s.Fail(Fault{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/v1/leads", nil)
	_, err := http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestLatency(t *testing.T) {
	t.Parallel()
	s, _ := newSandbox(t, Config{Latency: 40 * time.Millisecond})
	start := time.Now()
	code, _, _ := get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code)
	assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)
}

func TestFailRate(t *testing.T) {
	t.Parallel()
	pattern := func(seed int64) string {
		s, _ := newSandbox(t, Config{Seed: seed, FailRate: 0.5})
		var b strings.Builder
		for range 30 {
			code, body, h := get(t, s.URL+"/v1/leads")
			if code == 503 {
				assert.Equal(t, "1", h.Get("Retry-After"))
				assert.Contains(t, body, "injected")
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b := pattern(7), pattern(7)
	assert.Equal(t, a, b, "the same seed fails the same requests")
	assert.Contains(t, a, "x")
	assert.Contains(t, a, ".")

	s, _ := newSandbox(t, Config{FailRate: 1})
	code, _, _ := get(t, s.URL+"/v1/leads")
	assert.Equal(t, 503, code)
}

func TestReset(t *testing.T) {
	t.Parallel()
	s, v := newSandbox(t, Config{})
	resp, err := http.Post(s.URL+"/v1/leads", "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	s.Fail(Fault{Status: 500, Times: -1})
	require.Equal(t, int64(1), v.leads.Load())

	s.Reset()
	assert.Empty(t, s.Requests())
	assert.Equal(t, int64(0), v.leads.Load())
	assert.Equal(t, int64(1), v.resets.Load())
	code, _, _ := get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code, "faults are cleared")

	// The admin endpoint does the same.
	s.Fail(Fault{Status: 500, Times: -1})
	resp, err = http.Post(s.URL+"/_sandbox/reset", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, int64(2), v.resets.Load())
	assert.Empty(t, s.Requests())
	code, _, _ = get(t, s.URL+"/v1/leads")
	assert.Equal(t, 200, code)
}

func TestMountedUnderPrefix(t *testing.T) {
	t.Parallel()
	v := &vendor{}
	s := New(v, Config{}, nil, nil)
	mux := http.NewServeMux()
	mux.Handle("/zen/", http.StripPrefix("/zen", s))
	hs := httptest.NewServer(mux)
	defer hs.Close()
	code, body, _ := get(t, hs.URL+"/zen/v1/leads")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "Ana")
	code, body, _ = get(t, hs.URL+"/zen/_sandbox/requests")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "/v1/leads")
	resp, err := http.Post(hs.URL+"/zen/_sandbox/reset", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Empty(t, s.Requests())
	s.Close() // never started: a no-op
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteJSON(rec, 202, "", map[string]int{"a": 1})
	assert.Equal(t, 202, rec.Code)
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"a":1}`, rec.Body.String())

	rec = httptest.NewRecorder()
	WriteJSON(rec, 200, "text/json", []int{})
	assert.Equal(t, "text/json", rec.Header().Get("Content-Type"))

	rec = httptest.NewRecorder()
	WriteJSON(rec, 200, "", make(chan int))
	assert.Equal(t, 500, rec.Code)
}

// TestWithCoreClient drives the shared core against the sandbox's faults:
// a dropped create is "outcome unknown" and was received once; a dropped
// GET is retried.
func TestWithCoreClient(t *testing.T) {
	t.Parallel()
	s, v := newSandbox(t, Config{})
	st := transport.DefaultSettings(s.URL + "/v1")
	st.RetryWaitMin, st.RetryWaitMax = time.Millisecond, 5*time.Millisecond
	c, err := transport.New(transport.Config{Vendor: "sbx", Settings: st, Auth: transport.HeaderAuth{Name: "token", Value: transport.NewSecret(secret)}})
	require.NoError(t, err)

	s.Fail(Fault{Path: "/leads", Method: http.MethodPost, Drop: true})
	_, err = c.Do(context.Background(), &transport.Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]string{"name": "Ana"}})
	require.Error(t, err)
	assert.True(t, errors.Is(err, leadkit.ErrOutcomeUnknown), "%v", err)
	assert.Equal(t, 1, s.Count(http.MethodPost, "/leads"))
	assert.Equal(t, int64(0), v.leads.Load(), "the dropped request did not reach the vendor")

	s.Fail(Fault{Path: "/leads", Method: http.MethodGet, DropMidBody: true})
	resp, err := c.Do(context.Background(), &transport.Request{Path: []string{"leads"}})
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, 2, s.Count(http.MethodGet, "/leads"))
	var out struct{ Leads []string }
	require.NoError(t, resp.DecodeJSON(&out))
	assert.Len(t, out.Leads, 3)

	for _, r := range s.Requests() {
		assert.Equal(t, transport.Mask, r.Header["Token"])
	}
}
