package zenviatest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestRoutes: every route answers under each prefix of the Sales API; a
// known path with another method is 405 with Allow, an unknown path 404
// (empty, the real quirk), both after the key check; the leads service's
// /v2 takes leads only.
func TestRoutes(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 2})
	defer s.Close()
	key := s.Credentials()["ZENVIA_API_KEY"]
	id := s.ProspectIDs()[0]
	do := func(method, path string) (int, http.Header, string) {
		t.Helper()
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		req, err := http.NewRequest(method, s.URL+path+sep+"api-key="+key, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	for _, pre := range []string{"", "/api/v1", "/v1"} {
		code, _, _ := do("GET", pre+"/prospect/"+id)
		assert.Equal(t, 200, code, pre)
		code, _, _ = do("GET", pre+"/groups")
		assert.Equal(t, 200, code, pre)
	}
	code, hdr, body := do("PUT", "/prospect/"+id)
	assert.Equal(t, 405, code)
	assert.Equal(t, "GET, PATCH, DELETE", hdr.Get("Allow"))
	assert.Contains(t, body, "METHOD_NOT_ALLOWED")
	code, _, body = do("GET", "/nowhere")
	assert.Equal(t, 404, code)
	assert.Empty(t, body)
	code, _, _ = do("GET", "/v2/prospects")
	assert.Equal(t, 404, code, "the leads service serves leads only")

	resp, err := http.Get(s.URL + "/nowhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode, "the key is checked before the route")
	req, _ := http.NewRequest("PUT", s.URL+"/prospect/"+id, nil)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
}
