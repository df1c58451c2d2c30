package salesmantest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, s *Server, path string, q url.Values) (string, string) {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	if !q.Has("login") {
		q.Set("login", DefaultLogin)
	}
	if !q.Has("apikey") {
		q.Set("apikey", DefaultAPIKey)
	}
	resp, err := http.Get(s.URL + path + "?" + q.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode, "SalesMan answers everything with 200")
	return resp.Header.Get("Content-Type"), string(b)
}

func TestShapesPerVersion(t *testing.T) {
	t.Parallel()
	s := NewServer(&Options{Leads: 10})
	defer s.Close()
	ct, body := get(t, s, "/developer/v1/leads", url.Values{"action": {"list"}})
	assert.Equal(t, "text/html; charset=utf-8", ct)
	assert.Contains(t, body, `"id":"10"`)
	assert.Contains(t, body, `https:\/\/example.ru`)
	ct, body = get(t, s, "/developer/v2/lead", url.Values{"action": {"list"}})
	assert.Equal(t, "application/json; charset=utf-8", ct)
	assert.Contains(t, body, `"id":10,`)
	assert.Contains(t, body, `"userName":"Не определен"`)
	assert.NotContains(t, body, `"title"`)
	_, body = get(t, s, "/developer/v3/lead/nope", nil)
	assert.JSONEq(t, `{"result":"Error","error":{"code":404,"text":"Неизвестный метод"}}`, body)
	_, body = get(t, s, "/developer/v2/lead", url.Values{"action": {"nope"}})
	assert.Contains(t, body, `"code":402`)
	_, body = get(t, s, "/developer/v1/leads", url.Values{"action": {"stat"}, "apikey": {"x"}})
	assert.JSONEq(t, `{"result":"Error","error":{"code":"400","text":"Не верный API key"}}`, body)
	_, body = get(t, s, "/developer/v3/lead/stat", url.Values{"apikey": {"x"}})
	assert.Contains(t, body, `"code":401`)
	_, body = get(t, s, "/developer/v2/lead", url.Values{"action": {"list"}, "offset": {"1"}})
	assert.Contains(t, body, `"code":404`, "past the end")
	_, body = get(t, s, "/developer/v1/leads", url.Values{"action": {"list"}, "offset": {"1"}})
	assert.Contains(t, body, `"id":"10"`, "v1 ignores offset")
	_, body = get(t, s, "/developer/v2/lead", url.Values{"action": {"list"}, "dateStart": {"2000-01-01"}})
	assert.Contains(t, body, `"code":404`, "one bound matches nothing")
}

func TestTidy(t *testing.T) {
	t.Parallel()
	s := NewServer(&Options{Leads: 10, Tidy: true})
	defer s.Close()
	ct, body := get(t, s, "/developer/v1/leads", url.Values{"action": {"list"}})
	assert.Equal(t, "application/json; charset=utf-8", ct)
	assert.NotContains(t, body, `\/`)
	var page struct {
		Data []map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Len(t, page.Data, 10)
	assert.Len(t, page.Data[0]["datum"], len("2006-01-02"))
}

func TestDeterministicAndReset(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2024, 5, 20, 12, 0, 0, 0, time.UTC) }
	a := NewServer(&Options{Seed: 3, Now: now})
	defer a.Close()
	b := NewServer(&Options{Seed: 3, Now: now})
	defer b.Close()
	q := url.Values{"action": {"info"}, "id": {"42"}}
	_, ba := get(t, a, "/developer/v1/leads", q)
	_, bb := get(t, b, "/developer/v1/leads", q)
	assert.Equal(t, ba, bb)
	assert.Contains(t, ba, `"datum":"2024-`)

	form := url.Values{"login": {DefaultLogin}, "apikey": {DefaultAPIKey}, "title": {"Тест"}, "phone": {"+7900"}}
	resp, err := http.PostForm(a.URL+"/developer/v1/leads?action=add", form)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, DefaultLeads+1, a.LeadCount())
	r, err := http.Post(a.URL+"/_sandbox/reset", "", nil)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, DefaultLeads, a.LeadCount())
	assert.Empty(t, a.Requests())
}

func TestJSONBodyQuirk(t *testing.T) {
	t.Parallel()
	s := NewServer(nil)
	defer s.Close()
	post := func(ct string, body string) string {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/developer/v2/lead?action=add", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Login", DefaultLogin)
		req.Header.Set("Apikey", DefaultAPIKey)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	withAction := `{"action":"add","title":"Ольга","email":"o@x.ru"}`
	assert.Contains(t, post("application/json", withAction), `"result":"Success"`)
	assert.Contains(t, post("application/json", `{"title":"Ольга","email":"o@x.ru"}`), `"code":402`,
		"a JSON body replaces the query: the action must be in it")
	assert.Contains(t, post("application/json; charset=utf-8", withAction), `"code":401`, "body and headers ignored")
}

func TestCredentialsAndPrefix(t *testing.T) {
	t.Parallel()
	s := NewUnstartedServer(&Options{Login: "boss@x.ru", APIKey: "k"})
	assert.Equal(t, "boss@x.ru", s.Users()[0])
	s.Start()
	defer s.Close()
	cr := s.Credentials()
	assert.Equal(t, s.URL, cr["SALESMAN_URL"])
	assert.Equal(t, "boss@x.ru", cr["SALESMAN_LOGIN"])
	assert.Equal(t, "k", cr["SALESMAN_APIKEY"])
}

func TestPHPEscape(t *testing.T) {
	t.Parallel()
	got := string(phpEscape([]byte(`{"a":"Київ / Москва","b":"a\\b"}`)))
	assert.Equal(t, `{"a":"Ки\u0457в \/ Москва","b":"a\\b"}`, got)
	var v map[string]string
	require.NoError(t, json.Unmarshal([]byte(got), &v))
	assert.Equal(t, "Київ / Москва", v["a"])
}

// The seeded people read as Russian CRM data: "Surname Name" with the
// surname in the first name's gender, Russian cities, no Ukrainian letters.
func TestSeededPeopleAreRussian(t *testing.T) {
	t.Parallel()
	s := NewUnstartedServer(&Options{Leads: 500, Seed: 3})
	female := map[string]bool{}
	for _, p := range s.tables.firstNames {
		female[p.name] = p.female
	}
	for i := range 500 {
		l := s.gen(i)
		parts := strings.Fields(l.title)
		require.Len(t, parts, 2, l.title)
		isF, known := female[parts[1]]
		require.True(t, known, "first name second: %q", l.title)
		assert.Equal(t, isF, strings.HasSuffix(parts[0], "а"), "surname and first name agree in gender: %q", l.title)
		assert.Equal(t, "Россия", l.country)
		for _, text := range []string{l.title, l.city, l.company} {
			assert.False(t, strings.ContainsAny(text, "іїєґІЇЄҐ"), "Ukrainian spelling in %q", text)
		}
	}
	for _, u := range s.users {
		assert.False(t, strings.ContainsAny(u.name, "іїєґІЇЄҐ"), u.name)
	}
}
