package zenviatest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	a := zenviatest.NewServer(&zenviatest.Options{Seed: 42})
	defer a.Close()
	b := zenviatest.NewServer(&zenviatest.Options{Seed: 42})
	defer b.Close()
	c := zenviatest.NewServer(&zenviatest.Options{Seed: 43})
	defer c.Close()
	assert.Equal(t, a.ProspectIDs(), b.ProspectIDs())
	assert.NotEqual(t, a.ProspectIDs(), c.ProspectIDs())
	assert.Len(t, a.ProspectIDs(), zenviatest.DefaultProspects)
	_, pa := get(t, a.URL+"/prospects?limit=5&api-key="+a.Credentials()["ZENVIA_API_KEY"])
	_, pb := get(t, b.URL+"/prospects?limit=5&api-key="+b.Credentials()["ZENVIA_API_KEY"])
	assert.Equal(t, pa, pb)
	none := zenviatest.NewServer(&zenviatest.Options{Prospects: -1})
	defer none.Close()
	assert.Equal(t, 0, none.ProspectCount())
}

func TestAuthAndQuirks(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(nil)
	defer s.Close()
	code, body := get(t, s.URL+"/groups")
	assert.Equal(t, 401, code)
	assert.Contains(t, body, "UNAUTHORIZED")
	code, _ = get(t, s.URL+"/groups?api-key=wrong")
	assert.Equal(t, 401, code)
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/groups", nil)
	req.Header.Set("x-api-key", s.Credentials()["ZENVIA_API_KEY"])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode, "header key and /api/v1 prefix")

	code, body = get(t, s.URL+"/prospect/ffffffffffffffffffffffff?api-key="+s.Credentials()["ZENVIA_API_KEY"])
	assert.Equal(t, 404, code)
	assert.Empty(t, body, "real quirk: 404 without a body")

	tidy := zenviatest.NewServer(&zenviatest.Options{Tidy: true})
	defer tidy.Close()
	code, body = get(t, tidy.URL+"/prospect/ffffffffffffffffffffffff?api-key="+tidy.Credentials()["ZENVIA_API_KEY"])
	assert.Equal(t, 404, code)
	assert.Contains(t, body, "NOT_FOUND")

	// The request log masks the key.
	for _, r := range s.Requests() {
		assert.NotContains(t, r.Query, s.Credentials()["ZENVIA_API_KEY"])
	}
	assert.Equal(t, map[string]string{"ZENVIA_URL": s.URL, "ZENVIA_API_KEY": zenviatest.DefaultAPIKey}, s.Credentials())
}

func TestMountedUnderPrefixAndReset(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewUnstartedServer(&zenviatest.Options{Seed: 5})
	mux := http.NewServeMux()
	mux.Handle("/zenvia/", http.StripPrefix("/zenvia", s))
	hs := httptest.NewServer(mux)
	defer hs.Close()
	defer s.Close()
	n := s.ProspectCount()
	resp, err := http.Post(hs.URL+"/zenvia/lead/retail?api-key="+s.Credentials()["ZENVIA_API_KEY"], "application/json",
		strings.NewReader(`{"utmSource":"site","phones":["+5511999998888"],"firstName":"Rita"}`))
	require.NoError(t, err)
	var p map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Rita", p["firstName"])
	assert.Equal(t, n+1, s.ProspectCount())
	assert.Equal(t, 1, s.Count("POST", "/lead/retail"))

	resp, err = http.Post(hs.URL+"/zenvia/_sandbox/reset", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, n, s.ProspectCount())
	assert.Equal(t, 0, s.Count("", ""))
}

func TestDeprecatedFieldsRefused(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(nil)
	defer s.Close()
	resp, err := http.Post(s.URL+"/lead/retail?api-key="+s.Credentials()["ZENVIA_API_KEY"], "application/json",
		strings.NewReader(`{"utmSource":"site","phones":["1"],"source":"old"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode)
}

// TestConcurrentWritesAndReadsOfOneProspect is the race detector's case: an
// answer is encoded after the sandbox lock is released, so it must not share
// a map or slice with the stored prospect that another request is changing.
func TestConcurrentWritesAndReadsOfOneProspect(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 7})
	defer s.Close()
	key := s.Credentials()["ZENVIA_API_KEY"]
	id := s.ProspectIDs()[0]
	u := s.URL + "/prospect/" + id
	do := func(method, url, body string) {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		req.Header.Set("x-api-key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %s: %d", method, url, resp.StatusCode)
		}
	}
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func(g int) {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 25; i++ {
				switch g {
				case 0:
					do(http.MethodPatch, u+"/additionalData", fmt.Sprintf(`{"k%d":%d}`, i, i))
				case 1:
					do(http.MethodPatch, u, fmt.Sprintf(`{"phone":"+55119999%05d","email":"r%d@example.com"}`, i, i))
				default:
					do(http.MethodGet, u, "")
				}
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
