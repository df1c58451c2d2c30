package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

const mockBase = "http://api.test/v1"

// mockClient returns a client whose innermost transport is an httpmock
// mock answering every request to api.test with respond.
func mockClient(t *testing.T, respond func(*http.Request) (*http.Response, error), opts ...clientOpt) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodGet, `=~^http://api\.test/`, respond)
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		mock.RegisterResponder(m, `=~^http://api\.test/`, respond)
	}
	opts = append([]clientOpt{withHTTPClient(&http.Client{Transport: mock})}, opts...)
	return newClient(t, mockBase, opts...), mock
}

func okJSON(*http.Request) (*http.Response, error) {
	return httpmock.NewStringResponse(200, `{"ok":true}`), nil
}

func TestAuthPlacements(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		auth  Auth
		check func(t *testing.T, r *http.Request)
	}{
		{"header without scheme", HeaderAuth{Name: "token", Value: NewSecret("tk-1")}, func(t *testing.T, r *http.Request) {
			assert.Equal(t, []string{"tk-1"}, r.Header.Values("Token"))
			assert.Empty(t, r.Header.Get("Authorization"))
		}},
		{"header with scheme", HeaderAuth{Name: "Authorization", Scheme: "Bearer", Value: NewSecret("tk-2")}, func(t *testing.T, r *http.Request) {
			assert.Equal(t, "Bearer tk-2", r.Header.Get("Authorization"))
		}},
		{"x-api-key header", HeaderAuth{Name: "x-api-key", Value: NewSecret("k-3")}, func(t *testing.T, r *http.Request) {
			assert.Equal(t, "k-3", r.Header.Get("X-Api-Key"))
		}},
		{"query keys", QueryAuth{Params: map[string]Secret{"login": NewSecret("ana@example.com"), "apikey": NewSecret("k/4+=")}}, func(t *testing.T, r *http.Request) {
			q := r.URL.Query()
			assert.Equal(t, "ana@example.com", q.Get("login"))
			assert.Equal(t, "k/4+=", q.Get("apikey"))
			assert.Equal(t, "2", q.Get("page"), "the request's own query is kept")
			assert.Empty(t, r.Header.Get("Authorization"))
		}},
		{"single query key", QueryKey("api-key", "k5"), func(t *testing.T, r *http.Request) {
			assert.Equal(t, "k5", r.URL.Query().Get("api-key"))
		}},
		{"basic", BasicAuth{User: "ana", Password: NewSecret("p:w d")}, func(t *testing.T, r *http.Request) {
			u, p, ok := r.BasicAuth()
			require.True(t, ok)
			assert.Equal(t, "ana", u)
			assert.Equal(t, "p:w d", p)
		}},
		{"token source", &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) { return "tok-6", nil }}, func(t *testing.T, r *http.Request) {
			assert.Equal(t, "Bearer tok-6", r.Header.Get("Authorization"))
		}},
		{"multi", MultiAuth{QueryKey("login", "ana"), HeaderAuth{Name: "token", Value: NewSecret("t7")}}, func(t *testing.T, r *http.Request) {
			assert.Equal(t, "ana", r.URL.Query().Get("login"))
			assert.Equal(t, "t7", r.Header.Get("token"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got atomic.Pointer[http.Request]
			c, mock := mockClient(t, func(r *http.Request) (*http.Response, error) {
				got.Store(r)
				return okJSON(r)
			}, withAuth(tc.auth))
			_, err := c.Do(bg, &Request{Path: []string{"leads"}, Query: url.Values{"page": {"2"}}})
			require.NoError(t, err)
			require.Equal(t, 1, mock.GetTotalCallCount())
			tc.check(t, got.Load())

			// A per-request NoAuth sends nothing.
			_, err = c.Do(bg, &Request{Path: []string{"token"}, Auth: NoAuth{}})
			require.NoError(t, err)
			r := got.Load()
			assert.Empty(t, r.Header.Get("Authorization"))
			assert.Empty(t, r.Header.Get("token"))
			assert.Empty(t, r.URL.Query().Get("apikey"))
		})
	}
}

func TestAuthAppliedOnEveryAttempt(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	c, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("apikey") != "k" || strings.Count(r.URL.RawQuery, "apikey") != 1 {
			return httpmock.NewStringResponse(401, `{"error":"no key"}`), nil
		}
		if n.Add(1) < 3 {
			return httpmock.NewStringResponse(503, `{}`), nil
		}
		return okJSON(r)
	}, withAuth(QueryKey("apikey", "k")))
	resp, err := c.Do(bg, &Request{})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
}

func TestTokenSingleFetch(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int64
	ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) {
		fetches.Add(1)
		time.Sleep(20 * time.Millisecond) // everybody piles up behind it
		return "tok-A", nil
	}}
	c, mock := mockClient(t, func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Authorization") != "Bearer tok-A" {
			return httpmock.NewStringResponse(401, `{}`), nil
		}
		return okJSON(r)
	}, withAuth(ts))
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.Do(bg, &Request{Path: []string{"leads"}})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), fetches.Load())
	assert.Equal(t, 50, mock.GetTotalCallCount())
}

func TestTokenRefreshOn401(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int64
	ts := &TokenSource{Name: "token", Fetch: func(context.Context) (string, error) {
		return fmt.Sprintf("tok-%d", fetches.Add(1)), nil
	}}
	c, mock := mockClient(t, func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("token") != "tok-2" { // the first token has expired
			return httpmock.NewStringResponse(401, `{"error":"expired"}`), nil
		}
		return okJSON(r)
	}, withAuth(ts))
	resp, err := c.Do(bg, &Request{Method: http.MethodPost, JSON: map[string]int{"a": 1}})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, int64(2), fetches.Load())
	assert.Equal(t, 2, mock.GetTotalCallCount())
	// The new token is cached.
	_, err = c.Do(bg, &Request{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), fetches.Load())
}

func TestTokenRefreshNoLoop(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int64
	ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) {
		return fmt.Sprintf("tok-%d", fetches.Add(1)), nil
	}}
	c, mock := mockClient(t, func(*http.Request) (*http.Response, error) {
		return httpmock.NewStringResponse(401, `{"error":"bad credentials"}`), nil
	}, withAuth(ts))
	resp, err := c.Do(bg, &Request{})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	assert.Equal(t, 401, resp.StatusCode)
	assert.Equal(t, int64(2), fetches.Load(), "one refresh, no loop")
	assert.Equal(t, 2, mock.GetTotalCallCount())
}

func TestTokenRefresh50Concurrent(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int64
	ts := &TokenSource{Name: "token", Fetch: func(context.Context) (string, error) {
		time.Sleep(5 * time.Millisecond)
		return fmt.Sprintf("tok-%d", fetches.Add(1)), nil
	}}
	c, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("token") == "tok-1" {
			return httpmock.NewStringResponse(401, `{}`), nil
		}
		return okJSON(r)
	}, withAuth(ts))
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(bg, &Request{})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(2), fetches.Load(), "one fetch, one refresh, for 50 callers")
}

func TestTokenFetchError(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int64
	ts := &TokenSource{Name: "token", Fetch: func(context.Context) (string, error) {
		if fetches.Add(1) == 1 {
			return "", errors.New("login refused")
		}
		return "", nil
	}}
	c, mock := mockClient(t, okJSON, withAuth(ts))
	_, err := c.Do(bg, &Request{})
	require.ErrorContains(t, err, "login refused")
	_, err = c.Do(bg, &Request{})
	require.ErrorContains(t, err, "empty token", "an empty token is an error, not a header without a value")
	assert.Zero(t, mock.GetTotalCallCount())
	assert.Equal(t, int64(2), fetches.Load(), "a failed fetch is not cached")
}

func TestTokenWaitRespectsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	ts := &TokenSource{Name: "token", Fetch: func(context.Context) (string, error) {
		<-release
		return "tok", nil
	}}
	defer close(release)
	c, _ := mockClient(t, okJSON, withAuth(ts))
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	_, err := c.Do(ctx, &Request{})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestPathEscaping(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[http.Request]
	c, mock := mockClient(t, func(r *http.Request) (*http.Response, error) {
		got.Store(r)
		return okJSON(r)
	})
	_, err := c.Do(bg, &Request{Path: []string{"leads", "a b", "x+y", "ação", "a/b", "?q=1", "#f", "%2e%2e", "..."}})
	require.NoError(t, err)
	r := got.Load()
	assert.Equal(t, "/v1/leads/a%20b/x+y/a%C3%A7%C3%A3o/a%2Fb/%3Fq=1/%23f/%252e%252e/...", r.URL.EscapedPath())
	assert.Empty(t, r.URL.RawQuery)

	for _, bad := range [][]string{{".."}, {"."}, {""}, {"a", "..", "b"}, {"a\nb"}, {"a\x00"}, {"\x7f"}, {"tab\there"}, {"a\rb"}} {
		_, err := c.Do(bg, &Request{Path: bad})
		require.Error(t, err, "%q", bad)
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "%q", bad)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "path", ie.Field)
	}
	assert.Equal(t, 1, mock.GetTotalCallCount(), "refused paths never reach the network")
}

func TestAbsoluteURLAndBaseWithPath(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[http.Request]
	c, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		got.Store(r)
		return okJSON(r)
	})
	_, err := c.Do(bg, &Request{URL: "http://api.test/other/endpoint?x=1", Query: url.Values{"y": {"2"}}})
	require.NoError(t, err)
	assert.Equal(t, "/other/endpoint", got.Load().URL.Path)
	assert.Equal(t, "x=1&y=2", got.Load().URL.RawQuery)

	_, err = c.Do(bg, &Request{URL: "ftp://api.test/x"})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)

	noBase, err := New(Config{Vendor: "t", Settings: DefaultSettings("")})
	require.NoError(t, err)
	_, err = noBase.Do(bg, &Request{Path: []string{"x"}})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

type leadQuery struct {
	Page    int       `url:"page"`
	PerPage int       `url:"per_page,omitempty"`
	Status  []string  `url:"status"`
	Since   time.Time `url:"since,omitempty" layout:"2006-01-02"`
	Name    string    `url:"name,omitempty"`
	Active  bool      `url:"active"`
	Skip    string    `url:"-"`
}

func TestQueryStructs(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[http.Request]
	c, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		got.Store(r)
		return okJSON(r)
	}, withAuth(QueryKey("apikey", "k")))
	q := leadQuery{Page: 3, Status: []string{"new", "won"}, Since: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Name: "José & Maria", Skip: "no"}
	_, err := c.Do(bg, &Request{Query: q})
	require.NoError(t, err)
	v := got.Load().URL.Query()
	assert.Equal(t, "3", v.Get("page"))
	assert.False(t, v.Has("per_page"))
	assert.Equal(t, []string{"new", "won"}, v["status"])
	assert.Equal(t, "2026-01-02", v.Get("since"))
	assert.Equal(t, "José & Maria", v.Get("name"))
	assert.Equal(t, "false", v.Get("active"))
	assert.False(t, v.Has("Skip"))
	assert.Equal(t, "k", v.Get("apikey"))

	// A pointer to a struct works too; a non-struct is an error, not a panic.
	_, err = c.Do(bg, &Request{Query: &q})
	require.NoError(t, err)
	_, err = c.Do(bg, &Request{Query: 42})
	require.Error(t, err)
}

func TestBodiesAndHeaders(t *testing.T) {
	t.Parallel()
	type seen struct {
		r    *http.Request
		body string
	}
	var got atomic.Pointer[seen]
	c, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		got.Store(&seen{r, string(b)})
		return okJSON(r)
	})
	_, err := c.Do(bg, &Request{Method: http.MethodPost, JSON: map[string]any{"nome": "João", "n": 1}})
	require.NoError(t, err)
	s := got.Load()
	assert.Equal(t, "application/json", s.r.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"nome":"João","n":1}`, s.body)
	assert.Equal(t, "application/json", s.r.Header.Get("Accept"))
	assert.Equal(t, "leadkit/"+leadkit.Version+" (+test)", s.r.Header.Get("User-Agent"))

	_, err = c.Do(bg, &Request{Method: http.MethodPost, Form: url.Values{"a": {"1 2"}, "b": {"ç"}}})
	require.NoError(t, err)
	s = got.Load()
	assert.Equal(t, "application/x-www-form-urlencoded", s.r.Header.Get("Content-Type"))
	assert.Equal(t, "a=1+2&b=%C3%A7", s.body)

	_, err = c.Do(bg, &Request{Method: http.MethodPost, Form: struct {
		A int `url:"a"`
	}{7}})
	require.NoError(t, err)
	assert.Equal(t, "a=7", got.Load().body)

	_, err = c.Do(bg, &Request{Method: http.MethodPut, Body: []byte("raw"), ContentType: "text/csv", Header: http.Header{"x-trace": {"abc"}}})
	require.NoError(t, err)
	s = got.Load()
	assert.Equal(t, "text/csv", s.r.Header.Get("Content-Type"))
	assert.Equal(t, "raw", s.body)
	assert.Equal(t, "abc", s.r.Header.Get("X-Trace"))

	_, err = c.Do(bg, &Request{Method: http.MethodPost, JSON: 1, Body: []byte("x")})
	require.Error(t, err, "two bodies")
	_, err = c.Do(bg, &Request{Method: http.MethodPost, JSON: make(chan int)})
	require.Error(t, err, "unencodable JSON")

	// The caller's User-Agent goes in front of leadkit's.
	c2, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		got.Store(&seen{r: r})
		return okJSON(r)
	}, func(s *Settings, _ *Config) { s.UserAgent = "acme-sync/2.1" })
	_, err = c2.Do(bg, &Request{})
	require.NoError(t, err)
	assert.Equal(t, "acme-sync/2.1 leadkit/"+leadkit.Version+" (+test)", got.Load().r.Header.Get("User-Agent"))
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	big := `{"data":"` + strings.Repeat("x", 4096) + `"}`
	ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, big) })
	c := newClient(t, ts.URL, func(s *Settings, _ *Config) { s.MaxBodyBytes = 1024 })
	resp, err := c.Do(bg, &Request{})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrBodyTooLarge)
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 200, re.StatusCode)
	assert.LessOrEqual(t, len(re.Body), 520)
	require.NotNil(t, resp)
	assert.Len(t, resp.Body, 1024)
	assert.Equal(t, 1, ts.count(), "a body over the cap is not a reason to retry")

	// Exactly at the cap is fine.
	c2 := newClient(t, ts.URL, func(s *Settings, _ *Config) { s.MaxBodyBytes = int64(len(big)) })
	_, err = c2.Do(bg, &Request{})
	require.NoError(t, err)
}

func TestBodyCapStreaming(t *testing.T) {
	t.Parallel()
	// A body far over the cap is not read to the end.
	ts := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		chunk := []byte(strings.Repeat("y", 64<<10))
		for range 1024 { // 64 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := newClient(t, ts.URL, func(s *Settings, _ *Config) { s.MaxBodyBytes = 1 << 10 })
	start := time.Now()
	_, err := c.Do(bg, &Request{})
	assert.ErrorIs(t, err, leadkit.ErrBodyTooLarge)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestDecodeJSONErrors(t *testing.T) {
	t.Parallel()
	html := `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`
	for _, tc := range []struct {
		name   string
		status int
		body   string
		kind   error
	}{
		{"empty", 200, "", leadkit.ErrEmptyBody},
		{"whitespace", 200, " \r\n", leadkit.ErrEmptyBody},
		{"truncated object", 200, `{"id": 1, "name": "Ana`, leadkit.ErrTruncatedBody},
		{"truncated list", 200, `[{"id":1},{"id":`, leadkit.ErrTruncatedBody},
		{"html 200", 200, html, leadkit.ErrNotJSON},
		{"plain text", 200, "Internal error", leadkit.ErrNotJSON},
		{"garbage after", 200, `{"id":1}}`, leadkit.ErrNotJSON},
		{"bad last byte", 200, `{"id":1]`, leadkit.ErrNotJSON},
		{"truncated with trailing space", 200, "{\"id\":1 \n", leadkit.ErrTruncatedBody},
		{"wrong shape", 200, `{"id":"one"}`, leadkit.ErrDecode},
		{"list for object", 200, `[1,2]`, leadkit.ErrDecode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := mockClient(t, func(*http.Request) (*http.Response, error) {
				return httpmock.NewStringResponse(tc.status, tc.body), nil
			})
			resp, err := c.Do(bg, &Request{})
			require.NoError(t, err)
			var out struct {
				ID int `json:"id"`
			}
			err = resp.DecodeJSON(&out)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			var re *leadkit.ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.status, re.StatusCode)
			assert.Equal(t, http.MethodGet, re.Method)
			assert.Equal(t, mockBase, re.URL)
		})
	}
}

// TestHTML502: a proxy's HTML page on a GET that stays 502 after the retries
// gives an HTTP error that carries the status and an excerpt of the page;
// decoding it as JSON says it is not JSON.
func TestHTML502(t *testing.T) {
	t.Parallel()
	page := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>upstream</p>", 100) + "</body></html>"
	ts := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		_, _ = io.WriteString(w, page)
	})
	c := newClient(t, ts.URL)
	resp, err := c.Do(bg, &Request{Path: []string{"leads"}})
	require.Error(t, err)
	assert.Equal(t, 4, ts.count(), "a GET is retried on 502")
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 502, re.StatusCode)
	assert.True(t, strings.HasPrefix(re.Body, "<html><head><title>502 Bad Gateway"), re.Body)
	assert.LessOrEqual(t, len(re.Body), 512+len("…"), "a bounded excerpt")
	assert.Contains(t, err.Error(), "HTTP 502")
	assert.ErrorIs(t, resp.DecodeJSON(&struct{}{}), leadkit.ErrNotJSON)
}

func TestEmptyAndTruncatedOverNetwork(t *testing.T) {
	t.Parallel()
	ts := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/empty":
			w.WriteHeader(200)
		case "/truncated":
			// A complete HTTP response whose JSON is cut (a proxy that
			// gave up), not a broken connection.
			jsonStatus(w, 200, `{"leads":[{"id":1},{"id":2`)
		}
	})
	c := newClient(t, ts.URL)
	var out map[string]any
	resp, err := c.Do(bg, &Request{Path: []string{"empty"}})
	require.NoError(t, err)
	assert.ErrorIs(t, resp.DecodeJSON(&out), leadkit.ErrEmptyBody)
	resp, err = c.Do(bg, &Request{Path: []string{"truncated"}})
	require.NoError(t, err)
	assert.ErrorIs(t, resp.DecodeJSON(&out), leadkit.ErrTruncatedBody)
}

func TestCallerClientKept(t *testing.T) {
	t.Parallel()
	ts := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		if n == 1 {
			jsonStatus(w, 503, `{}`)
			return
		}
		jsonStatus(w, 200, `{}`)
	})
	hc, ct := newCountingClient(t)
	var redirects atomic.Int64
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		redirects.Add(1)
		return http.ErrUseLastResponse
	}
	c := newClient(t, ts.URL, withHTTPClient(hc))
	resp, err := c.Do(bg, &Request{})
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, int64(2), ct.trips.Load(), "every attempt went through the caller's transport")
	assert.Same(t, ct, hc.Transport, "the caller's client is not modified")

	resp, err = c.Do(bg, &Request{Path: []string{"redirect"}})
	require.Error(t, err)
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Equal(t, int64(1), redirects.Load(), "the caller's redirect policy is kept")
	assert.Zero(t, ct.idleClose.Load())
	assert.Equal(t, int64(1), ts.conns.Load(), "one pooled connection throughout")

	// The caller's timeout is kept.
	slow := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	hc2, _ := newCountingClient(t)
	hc2.Timeout = 30 * time.Millisecond
	c2 := newClient(t, slow.URL, withHTTPClient(hc2), withRetries(0, 0, 0))
	start := time.Now()
	_, err = c2.Do(bg, &Request{})
	require.Error(t, err)
	assert.Less(t, time.Since(start), time.Second)
}

func TestLogging(t *testing.T) {
	t.Parallel()
	ts := newServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			jsonStatus(w, 503, `{}`)
			return
		}
		jsonStatus(w, 200, `{}`)
	})
	l, buf := debugLogger()
	c := newClient(t, ts.URL, withLogger(l), withAuth(QueryKey("apikey", "k-logged")))
	_, err := c.Do(bg, &Request{Path: []string{"leads"}, Query: url.Values{"page": {"1"}}})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 2, buf.String())
	for i, line := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		assert.Equal(t, "DEBUG", rec["level"])
		assert.Equal(t, "GET", rec["method"])
		assert.Equal(t, float64(i+1), rec["attempt"])
		assert.Equal(t, []float64{503, 200}[i], rec["status"])
		assert.Contains(t, rec, "duration")
		assert.Equal(t, "test", rec["vendor"])
		u, _ := rec["url"].(string)
		assert.Contains(t, u, "/leads?")
		assert.Contains(t, u, "apikey="+Mask)
		assert.NotContains(t, u, "k-logged")
	}

	// A logger above debug level gets nothing.
	var quiet logBuffer
	c2 := newClient(t, ts.URL, withLogger(slog.New(slog.NewTextHandler(&quiet, nil))))
	_, err = c2.Do(bg, &Request{})
	require.NoError(t, err)
	assert.Empty(t, quiet.String())
}

// TestSilentByDefault: without WithLogger nothing is logged, not even to
// slog's default logger. Not parallel: it replaces slog.Default.
func TestSilentByDefault(t *testing.T) {
	var buf logBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)
	ts := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			resetConn(t, w)
			return
		}
		jsonStatus(w, 500, `{}`)
	})
	c := newClient(t, ts.URL)
	assert.Nil(t, c.Logger())
	_, err := c.Do(bg, &Request{})
	require.Error(t, err)
	assert.Empty(t, buf.String())
}

func TestOptions(t *testing.T) {
	t.Parallel()
	type vendorCfg struct{ region string }
	s := DefaultSettings("https://api.example.com/v2/")
	var v vendorCfg
	hc := &http.Client{}
	l := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := Apply(&s, &v, []Option[vendorCfg]{
		WithHTTPClient[vendorCfg](hc),
		WithBaseURL[vendorCfg]("http://127.0.0.1:9/x"),
		WithUserAgent[vendorCfg]("me/1"),
		WithLogger[vendorCfg](l),
		WithMaxRetries[vendorCfg](7),
		WithRetryWait[vendorCfg](time.Millisecond, time.Second),
		WithMaxBodyBytes[vendorCfg](99),
		nil,
		VendorOption(func(c *vendorCfg) error { c.region = "br"; return nil }),
	})
	require.NoError(t, err)
	assert.Same(t, hc, s.HTTPClient)
	assert.Equal(t, "http://127.0.0.1:9/x", s.BaseURL)
	assert.Equal(t, "me/1", s.UserAgent)
	assert.Same(t, l, s.Logger)
	assert.Equal(t, 7, s.MaxRetries)
	assert.Equal(t, time.Millisecond, s.RetryWaitMin)
	assert.Equal(t, time.Second, s.RetryWaitMax)
	assert.Equal(t, int64(99), s.MaxBodyBytes)
	assert.Equal(t, "br", v.region)

	for _, o := range []Option[vendorCfg]{
		WithHTTPClient[vendorCfg](nil),
		WithBaseURL[vendorCfg]("ftp://x"),
		WithBaseURL[vendorCfg](""),
		WithBaseURL[vendorCfg]("http://"),
		WithBaseURL[vendorCfg]("http://x/#frag"),
		WithBaseURL[vendorCfg]("http://a b\x7f"),
		WithUserAgent[vendorCfg]("a\r\nX-Evil: 1"),
		WithMaxRetries[vendorCfg](-1),
		WithRetryWait[vendorCfg](time.Second, time.Millisecond),
		WithRetryWait[vendorCfg](-1, time.Millisecond),
		WithMaxBodyBytes[vendorCfg](0),
	} {
		s := DefaultSettings("")
		err := Apply(&s, &v, []Option[vendorCfg]{o})
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	}
	stop := errors.New("stop")
	err = Apply(&s, &v, []Option[vendorCfg]{VendorOption(func(*vendorCfg) error { return stop })})
	assert.ErrorIs(t, err, stop)

	assert.NoError(t, RequireNonEmpty("token", "x"))
	assert.ErrorIs(t, RequireNonEmpty("token", " "), leadkit.ErrInvalidInput)
	assert.ErrorIs(t, RequireNonEmpty("token", "a\nb"), leadkit.ErrInvalidInput)

	u, err := ParseBaseURL("https://api.example.com/v2/")
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com/v2", u.String())

	// A URL that does not parse is refused without echoing it (it may hold
	// credentials).
	_, err = ParseBaseURL("http://user:s3cret@exa mple.com/%zz")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
}

func TestNilContext(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t, okJSON)
	//lint:ignore SA1012 the nil context is the point of the test
	_, err := c.Do(nil, &Request{})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.Zero(t, mock.GetTotalCallCount())
}

// TestCreateWithUnreadable2xxIsOutcomeUnknown: a create answered 2xx whose
// body cannot be read was most likely processed; the caller must look
// before resending, so the error matches ErrOutcomeUnknown beside its kind.
// A read with the same body is a plain body error.
func TestCreateWithUnreadable2xxIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		kind error
	}{
		{"", leadkit.ErrEmptyBody},
		{`{"id": 1, "name": "Ana`, leadkit.ErrTruncatedBody},
		{"<html>ok</html>", leadkit.ErrNotJSON},
	} {
		c, _ := mockClient(t, func(*http.Request) (*http.Response, error) {
			return httpmock.NewStringResponse(201, tc.body), nil
		})
		var out struct{ ID int }
		resp, err := c.Do(bg, &Request{Method: http.MethodPost, JSON: map[string]string{"a": "b"}})
		require.NoError(t, err)
		err = resp.DecodeJSON(&out)
		assert.ErrorIs(t, err, tc.kind)
		assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "create %q", tc.body)
		var re *leadkit.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 201, re.StatusCode)

		resp, err = c.Do(bg, &Request{Method: http.MethodGet})
		require.NoError(t, err)
		err = resp.DecodeJSON(&out)
		assert.ErrorIs(t, err, tc.kind)
		assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "read %q", tc.body)
	}
	// Over the cap: the same rule.
	c, _ := mockClient(t, func(*http.Request) (*http.Response, error) {
		return httpmock.NewStringResponse(200, `{"id":1,"pad":"`+strings.Repeat("x", 2048)+`"}`), nil
	}, func(s *Settings, _ *Config) { s.MaxBodyBytes = 1024 })
	_, err := c.Do(bg, &Request{Method: http.MethodPost, Form: url.Values{"a": {"b"}}})
	assert.ErrorIs(t, err, leadkit.ErrBodyTooLarge)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	_, err = c.Do(bg, &Request{Method: http.MethodGet})
	assert.ErrorIs(t, err, leadkit.ErrBodyTooLarge)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown)
}
