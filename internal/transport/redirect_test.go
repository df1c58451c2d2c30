package transport

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"

	"github.com/leadkit/leadkit/internal/testutil"
)

const redirectCanary = "rdCANARY/k+y=&%z9"

// recorder is a loopback server that keeps everything it received.
type recorder struct {
	*testServer
	mu   sync.Mutex
	seen []string
}

func newRecorder(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *recorder {
	rec := &recorder{}
	rec.testServer = newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL.RequestURI())
		for k, vs := range r.Header {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(vs, ", "))
		}
		rec.mu.Lock()
		rec.seen = append(rec.seen, b.String())
		rec.mu.Unlock()
		h(n, w, r)
	})
	return rec
}

func (r *recorder) received() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	body := strings.Join(r.seen, "\n")
	r.testServer.mu.Lock()
	defer r.testServer.mu.Unlock()
	for _, b := range r.testServer.bodies {
		body += "\n" + string(b)
	}
	return body
}

func redirectTo(status int, loc string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", loc)
		w.WriteHeader(status)
	}
}

// TestRedirectedCreateSentOnce is issue 13, item 1: a create answered with
// a redirect was followed, and the redirected GET's 503 (or a refused dial
// on the new hop) was read as "not processed", so the POST went out again.
func TestRedirectedCreateSentOnce(t *testing.T) {
	t.Parallel()
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, target := range []string{"503", "refused", "same host"} {
			t.Run(fmt.Sprintf("%d to %s", status, target), func(t *testing.T) {
				t.Parallel()
				other := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Retry-After", "0")
					jsonStatus(w, 503, `{"error":"later"}`)
				})
				loc := other.URL + "/next"
				switch target {
				case "refused":
					loc = "http://" + testutil.ClosedPort(t) + "/next"
				case "same host":
					loc = "/next"
				}
				srv := newServer(t, redirectTo(status, loc))
				c := newClient(t, srv.URL)
				_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]string{"name": "Ana"}})
				require.Error(t, err)
				assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
				assert.ErrorIs(t, err, leadkit.ErrRedirect)
				assert.Equal(t, 1, srv.count(), "the create reached the server once")
				assert.Equal(t, 0, other.count(), "the redirect was not followed")
			})
		}
	}
}

// TestRedirectToOtherHostCarriesNoCredential is issue 13, item 4: custom
// auth headers, query keys, a Referer holding them, and the form body of a
// 307 all went to the redirect target.
func TestRedirectToOtherHostCarriesNoCredential(t *testing.T) {
	t.Parallel()
	auths := map[string]Auth{
		"token header":   HeaderAuth{Name: "token", Value: NewSecret(redirectCanary)},
		"x-api-key":      HeaderAuth{Name: "x-api-key", Value: NewSecret(redirectCanary)},
		"Apikey":         HeaderAuth{Name: "Apikey", Value: NewSecret(redirectCanary)},
		"custom header":  HeaderAuth{Name: "X-Erp-Token", Scheme: "Token", Value: NewSecret(redirectCanary)},
		"bearer":         HeaderAuth{Name: "Authorization", Scheme: "Bearer", Value: NewSecret(redirectCanary)},
		"query api-key":  QueryKey("api-key", redirectCanary),
		"query apikey":   MultiAuth{Public(QueryKey("login", "ana@x.ru")), QueryKey("apikey", redirectCanary)},
		"query token":    QueryKey("token", redirectCanary),
		"basic":          BasicAuth{User: "ana", Password: NewSecret(redirectCanary)},
		"token source":   &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) { return redirectCanary, nil }},
		"unknown header": HeaderAuth{Name: "X-Whatever", Value: NewSecret(redirectCanary)},
	}
	for name, auth := range auths {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s/%d", name, status), func(t *testing.T) {
				t.Parallel()
				other := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{"ok":true}`) })
				// The careless server puts the whole request URI, keys
				// included, into the target.
				srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
					redirectTo(status, other.URL+r.URL.RequestURI())(0, w, r)
				})
				c := newClient(t, srv.URL, withAuth(auth))
				resp, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}, Query: url.Values{"page": {"2"}}})
				require.NoError(t, err, "a GET follows the redirect")
				assert.Equal(t, 200, resp.StatusCode)
				got := other.received()
				assert.Equal(t, 1, other.count())
				assert.Contains(t, got, "page=2", "the target's own parameters are kept")
				for _, form := range encodedForms(redirectCanary) {
					assert.NotContains(t, got, form, "the other host received the credential")
				}
				assert.NotContains(t, got, "Referer")
			})
		}
	}

	t.Run("a body is not carried to another host", func(t *testing.T) {
		t.Parallel()
		other := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
		srv := newServer(t, redirectTo(307, other.URL+"/put"))
		c := newClient(t, srv.URL, withAuth(HeaderAuth{Name: "token", Value: NewSecret(redirectCanary)}))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodPut, Form: url.Values{"apikey": {redirectCanary}, "title": {"x"}}})
		require.Error(t, err)
		assert.ErrorIs(t, err, leadkit.ErrRedirect)
		assert.Contains(t, err.Error(), "to another origin with a body")
		assert.Equal(t, 0, other.count())
	})

	t.Run("a target holding a secret in its path is not followed", func(t *testing.T) {
		t.Parallel()
		other := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
		srv := newServer(t, redirectTo(302, other.URL+"/k/"+url.PathEscape(redirectCanary)))
		c := newClient(t, srv.URL, withAuth(HeaderAuth{Name: "token", Value: NewSecret(redirectCanary)}))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
		require.Error(t, err)
		assert.ErrorIs(t, err, leadkit.ErrRedirect)
		assert.Equal(t, 0, other.count())
		for _, form := range encodedForms(redirectCanary) {
			assert.NotContains(t, err.Error(), form)
		}
	})
}

// TestRedirectSameHostKeepsCredentials: a redirect on the same host (a
// moved path, a trailing slash) works: the credentials are applied again,
// query keys included, and the Referer is dropped.
func TestRedirectSameHostKeepsCredentials(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			redirectTo(301, "/new?x=1")(0, w, r)
			return
		}
		if r.URL.Query().Get("apikey") != redirectCanary {
			jsonStatus(w, 401, `{"error":"no key"}`)
			return
		}
		jsonStatus(w, 200, `{"ok":true}`)
	})
	c := newClient(t, srv.URL, withAuth(QueryKey("apikey", redirectCanary)))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"old"}})
	require.NoError(t, err)
	assert.Equal(t, 2, srv.count())
	assert.NotContains(t, srv.received(), "Referer")
}

// TestRedirectLimits: https to http, a write turned into a GET, too many
// hops, and the caller's own CheckRedirect, which still runs.
func TestRedirectLimits(t *testing.T) {
	t.Parallel()
	t.Run("https to http", func(t *testing.T) {
		t.Parallel()
		plain := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
		tls := newTLSServer(t, redirectTo(302, plain.URL+"/x"))
		c := newClient(t, tls.URL, withHTTPClient(tls.Client()))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
		assert.ErrorIs(t, err, leadkit.ErrRedirect)
		assert.Contains(t, err.Error(), "from https to http")
		assert.Equal(t, 0, plain.count())
	})
	t.Run("DELETE turned into GET", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				redirectTo(303, "/gone")(n, w, r)
				return
			}
			jsonStatus(w, 200, `{}`)
		})
		c := newClient(t, srv.URL)
		_, err := c.Do(context.Background(), &Request{Method: http.MethodDelete, Path: []string{"x"}})
		assert.ErrorIs(t, err, leadkit.ErrRedirect)
		assert.Equal(t, 1, srv.count())
	})
	t.Run("too many hops", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			redirectTo(302, fmt.Sprintf("/hop%d", n))(n, w, r)
		})
		c := newClient(t, srv.URL)
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
		assert.ErrorIs(t, err, leadkit.ErrRedirect)
		assert.Equal(t, MaxRedirects, srv.count())
	})
	t.Run("the caller's policy runs too", func(t *testing.T) {
		t.Parallel()
		srv := newServer(t, redirectTo(302, "/elsewhere"))
		called := false
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { called = true; return http.ErrUseLastResponse }}
		c := newClient(t, srv.URL, withHTTPClient(hc))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet})
		assert.ErrorIs(t, err, leadkit.ErrRedirect)
		assert.True(t, called)
		assert.Equal(t, 1, srv.count())
	})
}

// newTLSServer starts an https server on 127.0.0.1.
func newTLSServer(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(int(ts.n.Add(1)), w, r)
	}))
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}
