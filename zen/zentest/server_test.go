package zentest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zen/zentest"
)

func get(t *testing.T, rawURL, token string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v), string(b))
	return resp, v
}

func TestShapesQuirkyAndTidy(t *testing.T) {
	t.Parallel()
	quirky := zentest.NewServer(&zentest.Options{NoRateLimits: true})
	defer quirky.Close()
	tidy := zentest.NewServer(&zentest.Options{NoRateLimits: true, Tidy: true})
	defer tidy.Close()

	resp, v := get(t, quirky.URL+"/api/totais_lead?data=2026-11-22", zentest.DefaultToken) // a Sunday
	assert.Equal(t, "text/html; charset=UTF-8", resp.Header.Get("Content-Type"), "Zen's PHP labels JSON as HTML")
	assert.Equal(t, []any{}, v["erros"], `empty buckets come as PHP's []`)

	resp, v = get(t, tidy.URL+"/api/totais_lead?data=2026-11-22", zentest.DefaultToken)
	assert.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	assert.IsType(t, map[string]any{}, v["erros"])

	_, v = get(t, tidy.URL+"/api/totais_lead?data=2026-11-20", zentest.DefaultToken)
	u := v["usuarios"].([]any)[0].(map[string]any)
	assert.IsType(t, "", u["total_lead"], "the documented shape: counts as strings")
}

func TestAuthMethodsAndRoutes(t *testing.T) {
	t.Parallel()
	sb := zentest.NewServer(&zentest.Options{Token: "t-1", NoRateLimits: true})
	defer sb.Close()
	resp, v := get(t, sb.URL+"/api/totais_lead?data=2026-11-20", "wrong")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.NotEmpty(t, v["error"])
	resp, _ = get(t, sb.URL+"/api/nope", "t-1")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = get(t, sb.URL+"/api/totais_lead?data=20-11-2026", "t-1")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	r, err := http.Post(sb.URL+"/api/totais_lead", "application/json", nil)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, r.StatusCode)

	// Lead entry takes the token in the query, never the header.
	form := url.Values{"acao": {"Inserir"}, "nome": {"Ana"}}
	req, _ := http.NewRequest(http.MethodPost, sb.URL+"/api/lead", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("token", "t-1")
	r, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	assert.Equal(t, map[string]string{"ZEN_URL": sb.URL, "ZEN_TOKEN": "t-1", "ZEN_WINDOW": "0s"}, sb.Credentials(),
		"no rate limits: a client need not wait between pages")
	real := zentest.NewUnstartedServer(&zentest.Options{Token: "t-1"})
	assert.Equal(t, map[string]string{"ZEN_URL": "", "ZEN_TOKEN": "t-1"}, real.Credentials(), "Zen's own minute: nothing to say")
	short := zentest.NewUnstartedServer(&zentest.Options{LeadsByUserWindow: 2 * time.Second})
	assert.Equal(t, "2s", short.Credentials()["ZEN_WINDOW"])
}

func TestWindowsAndReset(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	sb := zentest.NewServer(&zentest.Options{Now: func() time.Time { return now }, TotalsWindow: time.Minute})
	defer sb.Close()
	resp, _ := get(t, sb.URL+"/api/totais_lead?data=2026-11-19", zentest.DefaultToken)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = get(t, sb.URL+"/api/totais_lead?data=2026-11-19", zentest.DefaultToken)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "60", resp.Header.Get("Retry-After"))
	sb.Reset()
	resp, _ = get(t, sb.URL+"/api/totais_lead?data=2026-11-19", zentest.DefaultToken)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "Reset clears the windows")
	assert.Len(t, sb.Requests(), 1, "and the request log")
}

func TestMountedUnderPrefix(t *testing.T) {
	t.Parallel()
	sb := zentest.NewUnstartedServer(&zentest.Options{NoRateLimits: true})
	mux := http.NewServeMux()
	mux.Handle("/zen/", http.StripPrefix("/zen", sb))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	resp, v := get(t, ts.URL+"/zen/api/arquivo-lead?data=2026-11-20", zentest.DefaultToken)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEmpty(t, v["leads"])
	resp, v = get(t, ts.URL+"/zen/api/arquivo-lead?data=2026-11-22", zentest.DefaultToken)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "quiet Sunday: the archive's 400 quirk")
	assert.Contains(t, v["error"], "Nenhum")
}

// NoSeed: the archive holds only what was sent.
func TestNoSeed(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC) } // a Wednesday
	seeded := zentest.NewServer(&zentest.Options{NoRateLimits: true, Now: now})
	defer seeded.Close()
	resp, _ := get(t, seeded.URL+"/api/arquivo-lead?data=2026-11-25", zentest.DefaultToken)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	empty := zentest.NewServer(&zentest.Options{NoSeed: true, NoRateLimits: true, Now: now})
	defer empty.Close()
	resp, _ = get(t, empty.URL+"/api/arquivo-lead?data=2026-11-25", zentest.DefaultToken)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "nothing was created: Zen's 400")
}
