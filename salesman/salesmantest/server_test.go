package salesmantest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
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

func post(t *testing.T, s *Server, path string, form url.Values) string {
	t.Helper()
	form.Set("login", DefaultLogin)
	form.Set("apikey", DefaultAPIKey)
	resp, err := http.PostForm(s.URL+path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	return string(b)
}

// TestListRowsLikeTheRealServer: no list row carries a title (v1 included,
// tidy or not); content is the description; uids come in v2/v3 list rows
// and info (v1's info too), never in v1 list rows.
func TestListRowsLikeTheRealServer(t *testing.T) {
	t.Parallel()
	for _, tidy := range []bool{false, true} {
		s := NewServer(&Options{Leads: 3, Tidy: tidy})
		body := post(t, s, "/developer/v2/lead", url.Values{"action": {"add"}, "title": {"Иван"}, "email": {"i@x.ru"},
			"description": {"Позвоните <b>мне</b> [lk:abcdefghij23]"}, "uids[order]": {"A-1"}})
		assert.Contains(t, body, `"result":"Success"`)
		for _, v := range []string{"/developer/v1/leads", "/developer/v2/lead", "/developer/v3/lead/list"} {
			q := url.Values{}
			if !strings.HasPrefix(v, "/developer/v3") {
				q.Set("action", "list")
			}
			_, body := get(t, s, v, q)
			var page struct {
				Data []map[string]any `json:"data"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &page), body)
			require.Len(t, page.Data, 4)
			for _, row := range page.Data {
				assert.NotContains(t, row, "title", "%s tidy=%v", v, tidy)
				assert.NotEmpty(t, row["content"], "%s: content is the description", v)
				if strings.HasPrefix(v, "/developer/v1") {
					assert.NotContains(t, row, "uids", "v1 never returns uids")
				} else {
					assert.Contains(t, row, "uids", "%s", v)
				}
			}
			assert.Contains(t, body, `Позвоните мне [lk:abcdefghij23]`, "%s: tags stripped", v)
		}
		_, body = get(t, s, "/developer/v3/lead/info", url.Values{"id": {"4"}})
		assert.Contains(t, body, `"title":"Иван"`, "info has the title")
		assert.Contains(t, body, `"name":"order","value":"A-1"`)
		_, body = get(t, s, "/developer/v1/leads", url.Values{"action": {"info"}, "id": {"4"}})
		assert.Contains(t, body, `"name":"order"`, "v1 info answers from the same code as v2's: uids too")
		s.Close()
	}
}

// TestV3WordSearch: v3's word is a LIKE over title, e-mail, phone and
// description, ignoring case; % and _ are wildcards; / is searched as -;
// v1 and v2 ignore it.
func TestV3WordSearch(t *testing.T) {
	t.Parallel()
	s := NewServer(&Options{Leads: -1})
	defer s.Close()
	for _, l := range []url.Values{
		{"title": {"Анна"}, "email": {"anna@x.ru"}, "description": {"заказ 12-34 [lk:aaaaaaaaaaaa]"}},
		{"title": {"Борис"}, "phone": {"+7 916 100"}, "description": {"100% готов"}},
		{"title": {"Вера"}, "email": {"vera_b@x.ru"}},
	} {
		l.Set("action", "add")
		post(t, s, "/developer/v2/lead", l)
	}
	ids := func(word string) []string {
		_, body := get(t, s, "/developer/v3/lead/list", url.Values{"word": {word}})
		var page struct {
			Data []struct {
				ID int `json:"id"`
			} `json:"data"`
		}
		_ = json.Unmarshal([]byte(body), &page)
		var out []string
		for _, d := range page.Data {
			out = append(out, strconv.Itoa(d.ID))
		}
		return out
	}
	assert.Equal(t, []string{"1"}, ids("[LK:AAAAAAAAAAAA]"), "case ignored")
	assert.Equal(t, []string{"1"}, ids("12/34"), "/ searched as -")
	assert.Equal(t, []string{"3", "2", "1"}, ids("_"), "_ is any character")
	assert.Equal(t, []string{"2"}, ids("100%готов"), "% is any text")
	assert.Equal(t, []string{"3"}, ids("vera_b"))
	assert.Empty(t, ids("nobody"))
	_, body := get(t, s, "/developer/v2/lead", url.Values{"action": {"list"}, "word": {"nobody"}})
	assert.Contains(t, body, `"id":3`, "v2 ignores word")
}

// TestUIDTooLong: a uid over 100 characters: the lead is stored without
// its uids and the answer is a PHP fatal error with HTTP 200.
func TestUIDTooLong(t *testing.T) {
	t.Parallel()
	s := NewServer(&Options{Leads: -1})
	defer s.Close()
	body := post(t, s, "/developer/v3/lead/add", url.Values{"title": {"A"}, "email": {"a@x.ru"},
		"uids[order]": {strings.Repeat("я", 101)}, "uids[other]": {"ok"}})
	assert.Contains(t, body, "Fatal error")
	assert.Equal(t, 1, s.LeadCount(), "the lead is stored")
	_, body = get(t, s, "/developer/v3/lead/info", url.Values{"id": {"1"}})
	assert.NotContains(t, body, "uids", "without any uid")
}

// TestTextCleaning: what the real server does to text on the way in.
func TestTextCleaning(t *testing.T) {
	t.Parallel()
	s := NewServer(&Options{Leads: -1})
	defer s.Close()
	in := `a"b'c\d«e»f<g>h<i>j</i> k &laquo;q&raquo; ` + "`x` " + `line\r\nnext`
	post(t, s, "/developer/v1/leads", url.Values{"action": {"add"}, "title": {"A"}, "email": {"a@x.ru"}, "description": {in}})
	post(t, s, "/developer/v2/lead", url.Values{"action": {"add"}, "title": {"A"}, "email": {"a@x.ru"}, "description": {in}})
	_, body := get(t, s, "/developer/v3/lead/list", url.Values{"first": {"old"}})
	var page struct {
		Data []struct {
			Content string `json:"content"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Len(t, page.Data, 2)
	assert.Equal(t, "abcdefhj k q x line\r\nnext", page.Data[0].Content, "v1")
	assert.Equal(t, "a”b&acute;cdefhj k q x line\r\nnext", page.Data[1].Content, "v2")
}
