package salesman

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

const (
	testBase  = "https://crm.example.ru"
	testLogin = "vladislav@isaler.ru"
	testKey   = "aMgiCQyj8bCToNc47BZZYrRICoWSIl"
)

func golden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "salesman", name))
	require.NoError(t, err)
	return string(b)
}

// mockClient returns a client whose innermost transport is a fresh httpmock
// transport answering with fn (under the core's auth and retry layers).
func mockClient(t *testing.T, fn func(*http.Request) (*http.Response, error), opts ...Option) *Client {
	t.Helper()
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(fn)
	opts = append([]Option{WithHTTPClient(&http.Client{Transport: mock}), WithRetryWait(time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := NewClient(testBase, testLogin, testKey, opts...)
	require.NoError(t, err)
	return c
}

// answer returns body with HTTP 200 in ctype.
func answer(status int, ctype, body string) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", ctype)
	return r
}

const html = "text/html; charset=utf-8"

// requireAuth fails the request unless login and apikey are in the query.
func requireAuth(t *testing.T, req *http.Request) {
	t.Helper()
	q := req.URL.Query()
	assert.Equal(t, testLogin, q.Get("login"))
	assert.Equal(t, testKey, q.Get("apikey"))
}

func TestNewClientValidates(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		base, login, key string
		opts             []Option
		field            string
	}{
		"empty login":   {testBase, "", testKey, nil, "login"},
		"empty key":     {testBase, testLogin, " ", nil, "apikey"},
		"bad url":       {"ftp://x", testLogin, testKey, nil, "baseURL"},
		"no url":        {"", testLogin, testKey, nil, "baseURL"},
		"bad version":   {testBase, testLogin, testKey, []Option{WithAPIVersion(7)}, "APIVersion"},
		"json on v1":    {testBase, testLogin, testKey, []Option{WithJSONBody()}, "APIVersion"},
		"nil zone":      {testBase, testLogin, testKey, []Option{WithTimeZone(nil)}, "TimeZone"},
		"neg retries":   {testBase, testLogin, testKey, []Option{WithMaxRetries(-1)}, "MaxRetries"},
		"key with CRLF": {testBase, testLogin, "a\r\nb", nil, "apikey"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tc.base, tc.login, tc.key, tc.opts...)
			require.ErrorIs(t, err, leadkit.ErrInvalidInput)
			var ie *leadkit.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
		})
	}
	c, err := NewClient(testBase, testLogin, testKey)
	require.NoError(t, err)
	assert.Equal(t, V1, c.APIVersion())
	assert.Equal(t, "Europe/Moscow", c.Location().String())
	assert.Equal(t, "v3", V3.String())
	assert.Equal(t, "APIVersion(9)", APIVersion(9).String())
}

// versionCase describes where each version sends an action.
type versionCase struct {
	v    APIVersion
	path func(action string) string
}

func versions() []versionCase {
	return []versionCase{
		{V1, func(string) string { return "/developer/v1/leads" }},
		{V2, func(string) string { return "/developer/v2/lead" }},
		{V3, func(a string) string { return "/developer/v3/lead/" + a }},
	}
}

func checkAction(t *testing.T, vc versionCase, req *http.Request, action string) {
	t.Helper()
	assert.Equal(t, vc.path(action), req.URL.Path)
	if vc.v == V3 {
		assert.Empty(t, req.URL.Query().Get("action"))
	} else {
		assert.Equal(t, action, req.URL.Query().Get("action"))
	}
}

func TestAddEachVersion(t *testing.T) {
	t.Parallel()
	for _, vc := range versions() {
		t.Run(vc.v.String(), func(t *testing.T) {
			t.Parallel()
			var calls int
			c := mockClient(t, func(req *http.Request) (*http.Response, error) {
				calls++
				checkAction(t, vc, req, "add")
				assert.Equal(t, http.MethodPost, req.Method)
				assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
				assert.NotContains(t, req.URL.RawQuery, testKey, "the key must stay out of the URL")
				assert.NotContains(t, req.URL.RawQuery, "title")
				b, _ := io.ReadAll(req.Body)
				form, err := url.ParseQuery(string(b))
				require.NoError(t, err)
				assert.Equal(t, testLogin, form.Get("login"))
				assert.Equal(t, testKey, form.Get("apikey"))
				assert.Equal(t, "Андреев Владислав", form.Get("title"))
				assert.Equal(t, "vladislav@god.ry", form.Get("email"))
				assert.Equal(t, "+79001234567", form.Get("phone"))
				assert.Equal(t, "127.0.0.1", form.Get("ip"))
				assert.Equal(t, "Test Path", form.Get("path"))
				assert.Equal(t, "yandex", form.Get("utm_source"))
				assert.Equal(t, "ad1", form.Get("utm_content"))
				if vc.v == V1 {
					assert.Empty(t, form.Get("clientpath"))
					return answer(200, html, golden(t, "v1_add_real.json")), nil
				}
				assert.Equal(t, "Test Path", form.Get("clientpath"))
				return answer(200, "application/json; charset=utf-8", golden(t, "v2_add.json")), nil
			}, WithAPIVersion(vc.v))
			id, err := c.Leads.Create(context.Background(), &NewLead{
				Title: "Андреев Владислав", Email: "vladislav@god.ry", Phone: "+79001234567",
				Company: "SalesMan", Description: "The best crm practice", IP: "127.0.0.1",
				Country: "Ruusia", City: "Perm", Path: "Test Path", UTMSource: "yandex", UTMContent: "ad1",
			})
			require.NoError(t, err)
			if vc.v == V1 {
				assert.Equal(t, 941, id.ID)
			} else {
				assert.Equal(t, 942, id.ID)
			}
			assert.Equal(t, 1, calls)
		})
	}
}

func TestAddDocumentedAnswer(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(*http.Request) (*http.Response, error) {
		return answer(200, html, golden(t, "v1_add.json")), nil
	})
	id, err := c.Leads.Create(context.Background(), &NewLead{Title: "A", Phone: "+7 900"})
	require.NoError(t, err)
	assert.Equal(t, 940, id.ID)
}

func TestAddJSONBody(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"), "exactly, or the server ignores the body")
		assert.Equal(t, testLogin, req.Header.Get("Login"))
		assert.Equal(t, testKey, req.Header.Get("Apikey"))
		assert.NotContains(t, req.URL.RawQuery, testKey)
		b, _ := io.ReadAll(req.Body)
		assert.JSONEq(t, `{"title":"Ольга","email":"olga@example.ru","clientpath":"Сайт","path":"Сайт"}`, string(b))
		return answer(200, "application/json", `{"result":"Success","id":7}`), nil
	}, WithAPIVersion(V3), WithJSONBody())
	id, err := c.Leads.Create(context.Background(), &NewLead{Title: "Ольга", Email: "olga@example.ru", Path: "Сайт"})
	require.NoError(t, err)
	assert.Equal(t, 7, id.ID)
}

func TestAddValidates(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(*http.Request) (*http.Response, error) {
		t.Error("nothing may be sent")
		return nil, errors.New("unexpected")
	})
	for field, l := range map[string]NewLead{
		"title":   {Email: "a@b.ru"},
		"email":   {Title: "A"},
		"ip":      {Title: "A", Phone: "+7", IP: "300.1.1.1"},
		"phone":   {Title: "A", Phone: "нет"},
		"city":    {Title: "A", Phone: "1", City: "a\nb"},
		"email@":  {Title: "A", Email: "no-at-sign"},
		"email@@": {Title: "A", Email: "a@@b"},
	} {
		_, err := c.Leads.Create(context.Background(), &l)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, strings.TrimRight(field, "@"), ie.Field)
	}
}

func TestAddErrorsAndNoID(t *testing.T) {
	t.Parallel()
	body := golden(t, "add_error_1.json")
	c := mockClient(t, func(*http.Request) (*http.Response, error) { return answer(200, html, body), nil })
	_, err := c.Leads.Create(context.Background(), &NewLead{Title: "A", Phone: "1"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "1", e.Code)
	assert.Equal(t, 200, e.StatusCode)

	body = `{"result":"Success"}`
	_, err = c.Leads.Create(context.Background(), &NewLead{Title: "A", Phone: "1"})
	require.ErrorIs(t, err, leadkit.ErrDecode)
}

// TestAddNotResent: a create answered 502 or 500 is not sent again. (A
// dropped connection needs a real one: see TestSandboxAddSentOnceOnDrop.)
func TestAddNotResent(t *testing.T) {
	t.Parallel()
	for name, fail := range map[string]func() (*http.Response, error){
		"502": func() (*http.Response, error) { return answer(502, "text/html", golden(t, "error_502.html")), nil },
		"500": func() (*http.Response, error) { return answer(500, "text/html", ""), nil },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			calls := 0
			c := mockClient(t, func(*http.Request) (*http.Response, error) {
				mu.Lock()
				calls++
				mu.Unlock()
				return fail()
			})
			_, err := c.Leads.Create(context.Background(), &NewLead{Title: "A", Phone: "1"})
			require.Error(t, err)
			assert.Equal(t, 1, calls)
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

func TestAddRetriedOn503(t *testing.T) {
	t.Parallel()
	calls := 0
	c := mockClient(t, func(*http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			r := answer(503, "application/json", `{"error":"busy"}`)
			r.Header.Set("Retry-After", "0")
			return r, nil
		}
		return answer(200, html, golden(t, "v1_add.json")), nil
	})
	id, err := c.Leads.Create(context.Background(), &NewLead{Title: "A", Phone: "1"})
	require.NoError(t, err)
	assert.Equal(t, 940, id.ID)
	assert.Equal(t, 2, calls)
}

func TestStatEachVersion(t *testing.T) {
	t.Parallel()
	for _, vc := range versions() {
		t.Run(vc.v.String(), func(t *testing.T) {
			t.Parallel()
			c := mockClient(t, func(req *http.Request) (*http.Response, error) {
				requireAuth(t, req)
				checkAction(t, vc, req, "stat")
				assert.Equal(t, http.MethodGet, req.Method)
				if vc.v == V1 {
					return answer(200, html, golden(t, "v1_stat.json")), nil
				}
				return answer(200, "application/json", golden(t, "v2_stat.json")), nil
			}, WithAPIVersion(vc.v))
			st, err := c.Leads.Stat(context.Background())
			require.NoError(t, err)
			assert.Equal(t, []UserStat{{"vladislav@isaler.ru", 2, 1}, {"viktor@isaler.ru", 0, 0}}, st)
		})
	}
}

func TestInfoEachVersion(t *testing.T) {
	t.Parallel()
	msk := time.FixedZone("MSK", 3*3600)
	for _, vc := range versions() {
		t.Run(vc.v.String(), func(t *testing.T) {
			t.Parallel()
			c := mockClient(t, func(req *http.Request) (*http.Response, error) {
				requireAuth(t, req)
				checkAction(t, vc, req, "info")
				if req.URL.Query().Get("id") == "1" {
					if vc.v == V1 {
						return answer(200, html, golden(t, "v1_error_404.json")), nil
					}
					return answer(200, "application/json", golden(t, "v2_info_missing.json")), nil
				}
				if vc.v == V1 {
					assert.Equal(t, "940", req.URL.Query().Get("id"))
					return answer(200, html, golden(t, "v1_info.json")), nil
				}
				return answer(200, "application/json", golden(t, "v2_info.json")), nil
			}, WithAPIVersion(vc.v), WithTimeZone(msk))
			l, err := c.Leads.Get(context.Background(), 940)
			require.NoError(t, err)
			if vc.v == V1 {
				assert.Equal(t, 940, l.ID)
				assert.Equal(t, "Андреев Владислав", l.Title)
				assert.Equal(t, "127.0.0.1", l.IP)
				assert.Equal(t, 1, l.UserID)
				assert.Equal(t, "Иван Админов", l.UserName)
				assert.Equal(t, time.Date(2024, 5, 6, 14, 3, 11, 0, msk), l.Created)
				assert.Equal(t, time.Date(2024, 5, 6, 11, 3, 11, 0, time.UTC), l.Created.UTC())
				assert.True(t, l.Processed.IsZero())
				assert.Equal(t, "crm система", l.UTMTerm)
				assert.Equal(t, 5, l.ClientPathID)
				assert.Equal(t, "", l.ResultName, "rezultName 0 is no name")
			} else {
				assert.Equal(t, 942, l.ID)
				assert.Equal(t, 2, l.UserID)
				assert.Equal(t, StatusProcessed, l.Status)
				assert.Equal(t, time.Date(2024, 5, 8, 9, 0, 0, 0, msk), l.Processed)
				assert.Equal(t, 77, l.ClientID)
			}
			_, err = c.Leads.Get(context.Background(), 1)
			require.ErrorIs(t, err, ErrNotFound)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "404", e.Code)

			_, err = c.Leads.Get(context.Background(), 0)
			require.ErrorIs(t, err, leadkit.ErrInvalidInput)
		})
	}
}

func TestListEachVersion(t *testing.T) {
	t.Parallel()
	st := StatusOpen
	for _, vc := range versions() {
		t.Run(vc.v.String(), func(t *testing.T) {
			t.Parallel()
			c := mockClient(t, func(req *http.Request) (*http.Response, error) {
				requireAuth(t, req)
				checkAction(t, vc, req, "list")
				q := req.URL.Query()
				assert.Equal(t, "3", q.Get("offset"))
				assert.Equal(t, "id", q.Get("order"))
				assert.Equal(t, "old", q.Get("first"))
				assert.Equal(t, "2024-05-01", q.Get("dateStart"))
				assert.Equal(t, "2099-12-31", q.Get("dateEnd"), "an open end is sent as a far date")
				assert.Equal(t, "0", q.Get("status"))
				assert.Equal(t, "olga@x.ru", q.Get("user"))
				if vc.v == V1 {
					return answer(200, html, golden(t, "v1_list_real.json")), nil
				}
				return answer(200, "application/json", golden(t, "v2_list.json")), nil
			}, WithAPIVersion(vc.v))
			leads, err := c.Leads.List(context.Background(), &ListOptions{
				Page: 3, Order: "id", Oldest: true, Status: &st, User: "olga@x.ru",
				// 2024-04-30 22:00 UTC is 2024-05-01 in Moscow.
				DateStart: time.Date(2024, 4, 30, 22, 0, 0, 0, time.UTC),
			})
			require.NoError(t, err)
			if vc.v == V1 {
				require.Len(t, leads, 2)
				l := leads[0]
				assert.Equal(t, 1584, l.ID)
				assert.Equal(t, "Київ", l.City)
				assert.Equal(t, "https://example.ua/landing", l.Site)
				assert.Equal(t, "Иван Админов", l.UserName)
				assert.Equal(t, 0, l.UserID)
				assert.Equal(t, 0, l.DealID, "did null")
				assert.Equal(t, StatusClosed, l.Status)
				assert.Equal(t, ResultSpam, l.Result)
				assert.Equal(t, "", leads[1].UserName)
				assert.Equal(t, 560, leads[1].DealID)
				assert.Equal(t, 2024, leads[1].Processed.Year())
			} else {
				require.Len(t, leads, 1)
				assert.Equal(t, 1585, leads[0].ID)
				assert.Equal(t, 4, leads[0].ClientPathID, "clientpath as a string")
				assert.Equal(t, "", leads[0].UserName, "\"Не определен\" is the placeholder for no name")
			}
		})
	}
}

func TestListDefaultsAndEnd(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		assert.Equal(t, "0", q.Get("offset"))
		assert.Equal(t, "new", q.Get("first"))
		assert.False(t, q.Has("dateStart"))
		assert.False(t, q.Has("dateEnd"))
		return answer(200, "application/json", `{"result":"Error","error":{"code":404,"text":"Записи не найдены"}}`), nil
	}, WithAPIVersion(V2))
	leads, err := c.Leads.List(context.Background(), nil)
	require.NoError(t, err, "404 is an empty page")
	assert.NotNil(t, leads)
	assert.Empty(t, leads)
}

func TestListOnlyEndBound(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		assert.Equal(t, "2000-01-01", q.Get("dateStart"))
		assert.Equal(t, "2024-05-31", q.Get("dateEnd"))
		return answer(200, "application/json", golden(t, "v2_list.json")), nil
	}, WithAPIVersion(V3), WithTimeZone(time.UTC))
	_, err := c.Leads.List(context.Background(), &ListOptions{DateEnd: time.Date(2024, 5, 31, 23, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
}

func TestListValidates(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(*http.Request) (*http.Response, error) {
		t.Error("nothing may be sent")
		return nil, errors.New("unexpected")
	})
	neg := Status(-1)
	day := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	for field, o := range map[string]*ListOptions{
		"offset":  {Page: -1},
		"order":   {Order: "datum; drop"},
		"dateEnd": {DateStart: day, DateEnd: day.AddDate(0, 0, -2)},
		"status":  {Status: &neg},
		"user":    {User: "a\nb"},
	} {
		_, err := c.Leads.List(context.Background(), o)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, field, ie.Field)
	}
}

// TestErrorsWithHTTP200 covers every documented code in every version.
func TestErrorsWithHTTP200(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v        APIVersion
		file     string
		code     int
		sentinel error
	}{
		{V1, "v1_error_400.json", 400, ErrInvalidAPIKey},
		{V1, "v1_error_401.json", 401, ErrUnknownUser},
		{V1, "v1_error_402.json", 402, ErrUnknownMethod},
		{V1, "v1_error_404.json", 404, ErrNotFound},
		{V2, "v2_error_401.json", 401, ErrInvalidAPIKey},
		{V2, "v2_error_401.json", 401, ErrUnknownUser},
		{V2, "v2_error_402.json", 402, ErrUnknownMethod},
		{V3, "v2_error_401.json", 401, ErrInvalidAPIKey},
		{V3, "v3_error_404.json", 404, ErrNotFound},
		{V1, "error_array.json", 404, ErrNotFound},
		{V2, "error_500.json", 500, nil},
	}
	for _, tc := range cases {
		t.Run(tc.v.String()+"/"+tc.file, func(t *testing.T) {
			t.Parallel()
			body := golden(t, tc.file)
			c := mockClient(t, func(*http.Request) (*http.Response, error) { return answer(200, html, body), nil }, WithAPIVersion(tc.v))
			_, err := c.Leads.Stat(context.Background())
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.code, e.CodeNumber)
			assert.Equal(t, 200, e.StatusCode)
			assert.NotEmpty(t, e.Message)
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
			assert.NotErrorIs(t, err, leadkit.ErrHTTPStatus)
			for _, other := range []error{ErrInvalidAPIKey, ErrUnknownUser, ErrUnknownMethod, ErrNotFound} {
				if tc.code == 500 {
					assert.NotErrorIs(t, err, other)
				}
			}
			if tc.v == V1 && tc.code == 401 {
				assert.NotErrorIs(t, err, ErrInvalidAPIKey, "v1 401 is an unknown user only")
			}
		})
	}
}

func TestErrorsWithOtherStatuses(t *testing.T) {
	t.Parallel()
	status, ctype, body := 403, "application/json", golden(t, "v1_error_400.json")
	c := mockClient(t, func(*http.Request) (*http.Response, error) { return answer(status, ctype, body), nil })
	_, err := c.Leads.Stat(context.Background())
	require.ErrorIs(t, err, ErrInvalidAPIKey)
	require.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 403, e.StatusCode)
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re)
	assert.NotContains(t, err.Error(), testKey)

	status, ctype, body = 200, "text/html", golden(t, "error_502.html")
	_, err = c.Leads.Stat(context.Background())
	require.ErrorIs(t, err, leadkit.ErrNotJSON)

	status, body = 200, ""
	_, err = c.Leads.Stat(context.Background())
	require.ErrorIs(t, err, leadkit.ErrEmptyBody)

	status, body = 200, `{"data":[{"title":"a","open":"1"`
	_, err = c.Leads.Stat(context.Background())
	require.ErrorIs(t, err, leadkit.ErrTruncatedBody)

	status, body = 200, `{"data":{"x":1}}`
	_, err = c.Leads.Stat(context.Background())
	require.ErrorIs(t, err, leadkit.ErrDecode)

	status, body = 429, `{"error":{"code":"429","text":"slow down"}}`
	_, err = c.Leads.Stat(context.Background())
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
}

func TestAllStopsOnShortPage(t *testing.T) {
	t.Parallel()
	var pages []string
	c := mockClient(t, func(req *http.Request) (*http.Response, error) {
		off := req.URL.Query().Get("offset")
		pages = append(pages, off)
		n := PageSize
		if off == "2" {
			n = 5
		}
		return answer(200, "application/json", pageBody(atoi(off)*1000, n)), nil
	}, WithAPIVersion(V2))
	n := 0
	for l, err := range c.Leads.All(context.Background(), nil) {
		require.NoError(t, err)
		require.NotZero(t, l.ID)
		n++
	}
	assert.Equal(t, 2*PageSize+5, n)
	assert.Equal(t, []string{"0", "1", "2"}, pages)
}

func TestAllStopsOnRepeatedPage(t *testing.T) {
	t.Parallel()
	calls := 0
	c := mockClient(t, func(*http.Request) (*http.Response, error) {
		calls++
		return answer(200, html, pageBody(0, PageSize)), nil // a v1 server ignores offset
	})
	n := 0
	for _, err := range c.Leads.All(context.Background(), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, PageSize, n)
	assert.Equal(t, 2, calls)
}

func TestAllStopsOn404(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(req *http.Request) (*http.Response, error) {
		if req.URL.Query().Get("offset") == "1" {
			return answer(200, "application/json", golden(t, "v3_error_404.json")), nil
		}
		return answer(200, "application/json", pageBody(0, PageSize)), nil
	}, WithAPIVersion(V3))
	n := 0
	for _, err := range c.Leads.All(context.Background(), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, PageSize, n)
}

func TestAllYieldsErrorAndStopsEarly(t *testing.T) {
	t.Parallel()
	calls := 0
	c := mockClient(t, func(req *http.Request) (*http.Response, error) {
		calls++
		if req.URL.Query().Get("offset") == "1" {
			return answer(200, html, golden(t, "v1_error_400.json")), nil
		}
		return answer(200, html, pageBody(0, PageSize)), nil
	}, WithAPIVersion(V2))
	var got error
	n := 0
	for _, err := range c.Leads.All(context.Background(), &ListOptions{}) {
		if err != nil {
			got = err
			continue
		}
		n++
	}
	require.ErrorIs(t, got, ErrInvalidAPIKey)
	assert.Equal(t, PageSize, n)

	calls = 0
	for range c.Leads.All(context.Background(), nil) {
		break
	}
	assert.Equal(t, 1, calls, "breaking out fetches nothing more")

	for _, err := range c.Leads.All(context.Background(), &ListOptions{Page: -2}) {
		require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	}
}

func TestContextCancelled(t *testing.T) {
	t.Parallel()
	c := mockClient(t, func(req *http.Request) (*http.Response, error) {
		return nil, req.Context().Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Leads.Stat(ctx)
	require.ErrorIs(t, err, context.Canceled)
}

func TestEnums(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "open", StatusOpen.String())
	assert.Equal(t, "in work", StatusInWork.String())
	assert.Equal(t, "processed", StatusProcessed.String())
	assert.Equal(t, "closed", StatusClosed.String())
	assert.Equal(t, "Status(9)", Status(9).String())
	assert.Equal(t, "Открыт", StatusOpen.Russian())
	assert.Equal(t, "В работе", StatusInWork.Russian())
	assert.Equal(t, "Обработан", StatusProcessed.Russian())
	assert.Equal(t, "Закрыт", StatusClosed.Russian())
	assert.Equal(t, "Status(9)", Status(9).Russian())
	assert.Equal(t, "none", ResultNone.String())
	assert.Equal(t, "spam", ResultSpam.String())
	assert.Equal(t, "duplicate", ResultDuplicate.String())
	assert.Equal(t, "other", ResultOther.String())
	assert.Equal(t, "not target", ResultNotTarget.String())
	assert.Equal(t, "Result(7)", Result(7).String())
	assert.Equal(t, "", ResultNone.Russian())
	assert.Equal(t, "Спам", ResultSpam.Russian())
	assert.Equal(t, "Дубль", ResultDuplicate.Russian())
	assert.Equal(t, "Другое", ResultOther.Russian())
	assert.Equal(t, "Не целевой", ResultNotTarget.Russian())
	assert.Equal(t, "Result(7)", Result(7).Russian())
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

// pageBody returns a v2 list page of n leads with ids from start+1.
func pageBody(start, n int) string {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":` + itoa(start+i+1) + `,"datum":"2024-05-06 14:03:11","email":"a@b.ru","status":"1","rezult":0}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
