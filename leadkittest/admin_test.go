package leadkittest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdminRequestsUnderPrefix(t *testing.T) {
	t.Parallel()
	const secret = "admin-test-secret-7f3a"
	s := New(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		WriteJSON(w, http.StatusOK, "", map[string]string{"ok": "yes"})
	}), Config{}, func() []string { return []string{secret} }, nil)
	mux := http.NewServeMux()
	mux.Handle("/vendor/", http.StripPrefix("/vendor", s))
	hs := httptest.NewServer(mux)
	defer hs.Close()

	get := func(path string) string {
		resp, err := hs.Client().Get(hs.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(b)
	}
	// An empty log is an empty list, not null.
	assert.JSONEq(t, `{"requests":[]}`, get("/vendor/_sandbox/requests"))

	get("/vendor/api/thing?key=" + secret)
	log := get("/vendor/_sandbox/requests")
	assert.Contains(t, log, `"path":"/api/thing"`)
	assert.NotContains(t, log, secret)

	resp, err := hs.Client().Post(hs.URL+"/vendor/_sandbox/reset", "", strings.NewReader(""))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.JSONEq(t, `{"requests":[]}`, get("/vendor/_sandbox/requests"))
}

// TestLogKeepsTheLatest checks that a full log drops its oldest requests,
// not the new ones, and that statuses still land on the right request.
func TestLogKeepsTheLatest(t *testing.T) {
	t.Parallel()
	s := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/teapot") {
			w.WriteHeader(http.StatusTeapot)
		}
	}), Config{}, nil, nil)
	serve := func(path string) {
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	for i := 0; i < maxLogged; i++ {
		serve("/old")
	}
	serve("/teapot")
	serve("/new")
	reqs := s.Requests()
	require.Len(t, reqs, maxLogged-maxLogged/10+2)
	assert.Equal(t, "/teapot", reqs[len(reqs)-2].Path)
	assert.Equal(t, http.StatusTeapot, reqs[len(reqs)-2].Status)
	assert.Equal(t, "/new", reqs[len(reqs)-1].Path)
	assert.Equal(t, http.StatusOK, reqs[len(reqs)-1].Status)
	assert.Equal(t, 1, s.Count("", "/teapot"))

	s.Reset()
	assert.Empty(t, s.Requests())
	serve("/teapot")
	reqs = s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.StatusTeapot, reqs[0].Status)
}
