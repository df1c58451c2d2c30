package zenviatest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// send makes a request to the sandbox with its key and returns the status
// and body.
func send(t *testing.T, s *zenviatest.Server, method, path, ctype string, body io.Reader) (int, string) {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req, err := http.NewRequest(method, s.URL+path+sep+"api-key="+s.Credentials()["ZENVIA_API_KEY"], body)
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// newLead creates a prospect that has just written (its window open).
func newLead(t *testing.T, s *zenviatest.Server) string {
	t.Helper()
	code, body := send(t, s, "POST", "/lead/retail", "application/json", strings.NewReader(`{"utmSource":"site","phones":["+5511987650101"]}`))
	require.Equal(t, 200, code, body)
	var p struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(body), &p))
	return p.ID
}

// TestSendFileRules: the multipart field "file" is required, with a name,
// not empty, at most MaxFileBytes (413 beyond).
func TestSendFileRules(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 1, Prospects: 2})
	defer s.Close()
	id := newLead(t, s)
	path := "/prospect/" + id + "/messaging/whatsapp/send-file"
	form := func(field, name string, size int) (string, io.Reader) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		w, _ := mw.CreateFormFile(field, name)
		_, _ = w.Write(bytes.Repeat([]byte("a"), size))
		_ = mw.Close()
		return mw.FormDataContentType(), &b
	}
	ct, body := form("file", "a.txt", 10)
	code, out := send(t, s, "POST", path, ct, body)
	assert.Equal(t, 200, code, out)
	assert.Contains(t, out, `"size":10`)
	for _, tc := range []struct {
		field, name string
		size, code  int
	}{
		{"document", "a.txt", 10, 400}, {"file", "a.txt", 0, 400}, {"file", "", 10, 400},
		{"file", "big.bin", zenviatest.MaxFileBytes + 1, 413},
	} {
		ct, body := form(tc.field, tc.name, tc.size)
		code, out := send(t, s, "POST", path, ct, body)
		assert.Equal(t, tc.code, code, "%+v: %s", tc, out)
	}
	code, _ = send(t, s, "POST", path, "application/json", strings.NewReader(`{}`))
	assert.Equal(t, 400, code, "not multipart")
}

// TestMoreRoutesRules: checkCredentials without other authorization; the
// deprecated archiving reasons need an agent; a selection's fields; app
// notifications' enumerations; messages' required fields.
func TestMoreRoutesRules(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 1})
	defer s.Close()
	key := s.Credentials()["ZENVIA_API_KEY"]
	for k, want := range map[string]int{key: 204, "other": 401, "": 401} {
		resp, err := http.Get(s.URL + "/v1/checkCredentials?api-key=" + k)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, k)
	}
	code, _ := send(t, s, "GET", "/archiving-reasons", "", nil)
	assert.Equal(t, 400, code, "agent is required")
	code, body := send(t, s, "GET", "/archiving-reasons?agent=ffffffffffffffffffffffff", "", nil)
	assert.Equal(t, 404, code, body)

	sel := s.SelectionIDs()[0]
	code, body = send(t, s, "GET", "/contacts/selection/"+sel+"?limit=2&fields[]=firstName", "", nil)
	require.Equal(t, 200, code)
	var page struct {
		Total    int
		Contacts []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Len(t, page.Contacts, 2)
	assert.Contains(t, page.Contacts[0], "firstName")
	assert.Contains(t, page.Contacts[0], "leads", "always returned")
	assert.NotContains(t, page.Contacts[0], "phones")
	code, _ = send(t, s, "GET", "/contacts/selection/"+sel+"?offset=-1", "", nil)
	assert.Equal(t, 400, code)

	for _, b := range []string{`{"type":"t","target":{"role":["boss"]},"platforms":{}}`, `{"type":"t","platforms":{}}`,
		`{"target":{},"platforms":{}}`, `{"type":"t","target":{"user":["u1"]},"platforms":{}}`} {
		code, _ := send(t, s, "POST", "/apps/notifications", "application/json", strings.NewReader(b))
		assert.Equal(t, 400, code, b)
	}
	id := newLead(t, s)
	for _, b := range []string{`{}`, `{"content":"  "}`, `{"list":{"body":"b","button":"v","sections":[{"title":"t","rows":[]}]}}`,
		`{"productList":{"body":"b","button":{"title":"t"},"catalogId":"c","sections":[]}}`} {
		code, _ := send(t, s, "POST", "/prospect/"+id+"/messaging/whatsapp", "application/json", strings.NewReader(b))
		assert.Equal(t, 400, code, b)
	}
	code, _ = send(t, s, "POST", "/prospect/"+id+"/messaging/whatsapp/notification", "application/json", strings.NewReader(`{"key":"boas_vindas","parameters":{"1":"a\tb"}}`))
	assert.Equal(t, 400, code)
}
