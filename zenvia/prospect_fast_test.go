package zenvia

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// wirePage and wireOne are the wire path (encoding/json and the tolerant
// wire types) over b, as List and Get decode when the fast path declines.
func wirePage(b []byte) ([]Prospect, error) {
	return decodeProspectPageWire(b, func(v any) error { return json.Unmarshal(b, v) })
}

func wireOne(b []byte) (*Prospect, error) {
	return decodeProspectWire(func(v any) error { return json.Unmarshal(b, v) })
}

// checkProspectsFast: whatever the page fast path accepts, the wire path
// accepts too, with the same prospects (limit, the page size asked for,
// only sizes the page). It reports whether the fast path took b.
func checkProspectsFast(t testing.TB, b []byte, limit int) bool {
	fast, ok := decodeProspectsFast(b, limit)
	if !ok {
		return false
	}
	slow, err := wirePage(b)
	require.NoError(t, err, "fast path accepted %q", b)
	require.Equal(t, slow, fast, "%q", b)
	return true
}

// checkProspectFast is checkProspectsFast for one prospect ("Get prospect").
func checkProspectFast(t testing.TB, b []byte) bool {
	fast, ok := decodeProspectFast(b)
	if !ok {
		return false
	}
	slow, err := wireOne(b)
	require.NoError(t, err, "fast path accepted %q", b)
	require.Equal(t, slow, fast, "%q", b)
	return true
}

// sandboxBodies renders a page of limit prospects and single prospects
// with the sandbox, quirky and tidy.
func sandboxBodies(t testing.TB, limit int) (pages, ones [][]byte) {
	get := func(s *zenviatest.Server, path string) []byte {
		rec := httptest.NewRecorder()
		sep := "?"
		if u, _ := url.Parse(path); u.RawQuery != "" {
			sep = "&"
		}
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path+sep+"api-key="+url.QueryEscape(s.Credentials()["ZENVIA_API_KEY"]), nil))
		require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body)
		return rec.Body.Bytes()
	}
	for _, tidy := range []bool{false, true} {
		s := zenviatest.NewUnstartedServer(&zenviatest.Options{Prospects: 150, Tidy: tidy})
		page := get(s, "/prospects?limit="+strconv.Itoa(limit))
		var ids []struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal(page, &ids))
		require.Len(t, ids, limit)
		pages = append(pages, page)
		for _, i := range []int{0, limit / 2, limit - 1} {
			ones = append(ones, get(s, "/prospect/"+ids[i].ID))
		}
	}
	return pages, ones
}

// edgeBodies are small bodies on the fast path's edges: each quirk the wire
// types tolerate, and each case the fast path must hand over.
var edgeBodies = []string{
	`[]`, ` [ ] `, `[null]`, `null`, `{}`, `{"prospects":[]}`, `{"data":[{"id":"a"}]}`, `[1]`, `["x"]`, `[[]]`,
	`[{"id":"a"}`, `[{}]x`, `[{"id":"a","id":"b"}]`, `[{"id":"a","ID":"b"}]`, `[{"ſtatus":"new"}]`,
	`[{"fi\u0072stName":"x"}]`, `[{"id":1}]`, `[{"id":null,"firstName":null,"status":null,"category":null}]`,
	`[{"phones":[1,"2",null,true,-0.5e3]}]`, `[{"phones":[{}]}]`, `[{"phones":"x"}]`, `[{"emails":[null,"x"]}]`,
	`[{"emails":[1]}]`, `[{"agent":{}}]`, `[{"agent":null}]`, `[{"agent":"x"}]`,
	`[{"agent":{"id":"5d1e","phone":5551,"legacyId":12,"externalId":null,"appFields":{"a":[1]}}}]`,
	`[{"interactions":[]}]`, `[{"interactions":null}]`, `[{"interactions":{}}]`,
	`[{"interactions":[null,{"bot":"1","agent":{"id":"a"},"createdAt":1700000000000,"proactive":0,"output":null}]}]`,
	`[{"interactions":[{"type":"note","content":"oi \"x\"","via":7,"status":false,"Output":1}]}]`,
	`[{"merged":"yes"}]`, `[{"merged":"true","userMade":1}]`, `[{"merged":{}}]`, `[{"created":"2024-03-14 15:36:00"}]`,
	`[{"created":""}]`, `[{"created":"bad"}]`, `[{"created":1.5}]`, `[{"assigned":"2024-03-14T15:40:12.345-03:00"}]`,
	`[{"created":"2024-03-14T15:36:00\u002e000Z"}]`, `[{"leads":[{"priority":"2"},{"priority":1.5}]}]`,
	`[{"leads":[{"priority":"1e2","type":"vehicle","product":{"make":"Fiat"}},null]}]`, `[{"leads":[{"type":3}]}]`,
	`[{"nin":[{"type":"CPF","number":"1"},null,{}]}]`, `[{"nin":[{"number":123}]}]`, `[{"nin":[]}]`,
	`[{"additionalData":null,"leads":[{"product":null}]}]`, `[{"additionalData":[1,{"b":null}]}]`,
	`[{"firstName":"Jo\u00e3o","lastName":"\ud83d\ude00"}]`, `[{"lastName":"\ud83d"}]`, "[{\"firstName\":\"a\xffb\"}]",
	"[{\"a\xff\":1}]", `[{"unknown":{"deep":[1,2,{"x":null}]},"absenceMessage":null}]`, "\ufeff[]",
}

func TestProspectsFastMatchesWire(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../testdata/zenvia/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		checkProspectsFast(t, b, 0)
		checkProspectFast(t, b)
	}
	for _, name := range []string{"prospects_page.json"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "zenvia", name))
		require.NoError(t, err)
		require.True(t, checkProspectsFast(t, b, 1), "%s should take the fast path", name)
	}
	for _, name := range []string{"prospect.json", "prospect_created.json"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "zenvia", name))
		require.NoError(t, err)
		require.True(t, checkProspectFast(t, b), "%s should take the fast path", name)
	}

	// The sandbox's bodies (the benchmark's page among them) take the fast
	// path, so List and Get pay one pass.
	pages, ones := sandboxBodies(t, 100)
	for _, b := range pages {
		require.True(t, checkProspectsFast(t, b, 100), "a sandbox page should take the fast path")
	}
	for _, b := range ones {
		require.True(t, checkProspectFast(t, b), "a sandbox prospect should take the fast path: %s", b)
	}

	taken := 0
	for _, s := range edgeBodies {
		if checkProspectsFast(t, []byte(s), 0) {
			taken++
		}
		checkProspectFast(t, []byte(s))
	}
	require.Greater(t, taken, len(edgeBodies)/3, "the fast path should take most quirky edge bodies")

	// These must go to the wire path (it decodes them differently or fails).
	for _, s := range []string{
		`{"prospects":[]}`, `[{"id":"a","ID":"b"}]`, `[{"ſtatus":"new"}]`, `[{"id":"a","id":"b"}]`,
		`[{"fi\u0072stName":"x"}]`, `[{"id":1}]`, `[{"merged":"yes"}]`, `[{"created":"bad"}]`, "\ufeff[]", `[1]`,
	} {
		_, ok := decodeProspectsFast([]byte(s), 0)
		require.False(t, ok, "%s", s)
	}
}

// Through the client, List and Get answer exactly what the wire path
// decodes: the same prospects, and an error exactly when it fails, of the
// kind the core gives it.
func TestProspectsFastThroughClient(t *testing.T) {
	t.Parallel()
	pages, ones := sandboxBodies(t, 100)
	bodies := append(append([][]byte{}, pages...), ones...)
	for _, s := range edgeBodies {
		bodies = append(bodies, []byte(s))
	}
	const id = "65f3a1b2c3d4e5f6a7b8c9d0"
	mock := httpmock.NewMockTransport()
	var body []byte
	responder := func(req *http.Request) (*http.Response, error) {
		if req.URL.Query().Get(APIKeyParam) != "k" {
			return httpmock.NewStringResponse(http.StatusUnauthorized, `{"message":"no key"}`), nil
		}
		resp := httpmock.NewBytesResponse(http.StatusOK, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
	mock.RegisterResponder(http.MethodGet, "=~/prospects\\z", responder)
	mock.RegisterResponder(http.MethodGet, "=~/prospect/"+id+"\\z", responder)
	c, err := NewClient("k", WithHTTPClient(&http.Client{Transport: mock}), WithMaxRetries(0))
	require.NoError(t, err)
	ctx := context.Background()
	for _, b := range bodies {
		body = b
		want, werr := wirePage(b)
		got, err := c.Prospects.List(ctx, nil)
		require.Equal(t, werr == nil, err == nil, "List %q: %v / %v", b, err, werr)
		require.Equal(t, want, got, "List %q", b)
		if err != nil {
			require.True(t, errors.Is(err, leadkit.ErrDecode) || errors.Is(err, leadkit.ErrNotJSON) ||
				errors.Is(err, leadkit.ErrTruncatedBody), "List %q: %v", b, err)
		}
		wantOne, werr := wireOne(b)
		gotOne, err := c.Prospects.Get(ctx, id)
		require.Equal(t, werr == nil, err == nil, "Get %q: %v / %v", b, err, werr)
		require.Equal(t, wantOne, gotOne, "Get %q", b)
	}
}

// FuzzProspectsFast: the fast paths of List and Get never accept a body the
// wire path rejects, and never decode one differently.
func FuzzProspectsFast(f *testing.F) {
	files, _ := filepath.Glob("../testdata/zenvia/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, uint16(0))
		}
	}
	// Short pages: the fuzzer minimizes every new input, slow on 100 KB.
	pages, ones := sandboxBodies(f, 3)
	for _, b := range append(pages, ones...) {
		f.Add(b, uint16(100))
	}
	for _, s := range edgeBodies {
		f.Add([]byte(s), uint16(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, limit uint16) {
		checkProspectsFast(t, b, int(limit))
		checkProspectFast(t, b)
	})
}
