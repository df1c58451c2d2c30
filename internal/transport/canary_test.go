package transport

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

// canary is the secret that must never be printed. It has characters that
// URL and base64 encodings change.
const canary = "Cny7+s3cr/Et=Zq"

// leakForms are the ways the canary can show up: raw, URL-encoded, base64
// (alone and in basic-auth userinfo), and a long prefix (a cut excerpt).
func leakForms() []string {
	return []string{
		canary,
		url.QueryEscape(canary),
		url.PathEscape(canary),
		base64.StdEncoding.EncodeToString([]byte(canary)),
		base64.StdEncoding.EncodeToString([]byte("ana:" + canary)),
		canary[:7],
	}
}

func assertNoCanary(t *testing.T, what, s string) {
	t.Helper()
	for _, f := range leakForms() {
		if strings.Contains(s, f) {
			t.Errorf("%s leaks the canary (as %q): %s", what, f, s)
		}
	}
}

// assertErrClean checks every way a caller may print err.
func assertErrClean(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	assertNoCanary(t, "err.Error()", err.Error())
	assertNoCanary(t, "%+v", fmt.Sprintf("%+v", err))
	assertNoCanary(t, "%v", fmt.Sprintf("%v", err))
	var ue *url.Error
	if errors.As(err, &ue) {
		assertNoCanary(t, "*url.Error", ue.Error())
		assertNoCanary(t, "*url.Error URL", ue.URL)
	}
	// Every error in the chain the core built.
	for e := err; e != nil; e = errors.Unwrap(e) {
		assertNoCanary(t, fmt.Sprintf("chain %T", e), e.Error())
	}
}

// echo answers with everything the request carried, in the body of an
// error (raw, URL-encoded and JSON-escaped), as careless vendors do.
func echo(r *http.Request) string {
	b, _ := json.Marshal(map[string]any{
		"error":  "invalid credentials " + r.URL.String(),
		"query":  r.URL.RawQuery,
		"header": r.Header,
		"plain":  r.URL.Query().Encode(),
	})
	return string(b)
}

func canaryServer(t *testing.T) *testServer {
	return newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/v1/") {
		case "ok":
			jsonStatus(w, 200, `{"id":1}`)
		case "500":
			jsonStatus(w, 500, echo(r))
		case "503":
			w.Header().Set("Retry-After", "0")
			jsonStatus(w, 503, echo(r))
		case "429":
			w.Header().Set("Retry-After", time.Now().UTC().Format(http.TimeFormat))
			jsonStatus(w, 429, echo(r))
		case "401":
			jsonStatus(w, 401, echo(r))
		case "reset":
			resetConn(t, w)
		case "half":
			halfBody(t, w, echo(r))
		case "html502":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			_, _ = io.WriteString(w, "<html><body><h1>502</h1><pre>"+echo(r)+"</pre></body></html>")
		case "empty":
			w.WriteHeader(200)
		case "truncated":
			jsonStatus(w, 200, echo(r)[:40])
		case "html200":
			_, _ = io.WriteString(w, "<html>"+echo(r)+"</html>")
		case "shape":
			jsonStatus(w, 200, `{"id":"`+canary+`"}`)
		case "big":
			jsonStatus(w, 200, strings.Repeat(echo(r), 200))
		case "straddle":
			// The canary straddles the end of the 512-byte excerpt.
			jsonStatus(w, 400, `{"e":"`+strings.Repeat("x", 496)+canary+`"}`)
		case "wait":
			w.Header().Set("Retry-After", "10")
			jsonStatus(w, 503, echo(r))
		case "slow":
			<-r.Context().Done()
		default:
			jsonStatus(w, 404, echo(r))
		}
	})
}

// TestCanary drives every success and failure path with a canary
// credential in each auth placement and a debug logger, and checks that the
// canary appears in no error string and no log line.
func TestCanary(t *testing.T) {
	t.Parallel()
	auths := map[string]func() Auth{
		"header":        func() Auth { return HeaderAuth{Name: "token", Value: NewSecret(canary)} },
		"bearer":        func() Auth { return HeaderAuth{Name: "Authorization", Scheme: "Bearer", Value: NewSecret(canary)} },
		"custom header": func() Auth { return HeaderAuth{Name: "X-Vendor-Auth", Value: NewSecret(canary)} },
		"query apikey": func() Auth {
			return QueryAuth{Params: map[string]Secret{"apikey": NewSecret(canary), "login": NewSecret("ana")}}
		},
		"query custom": func() Auth { return QueryKey("k", canary) },
		"basic":        func() Auth { return BasicAuth{User: "ana", Password: NewSecret(canary)} },
		"token source": func() Auth {
			return &TokenSource{Name: "X-Session", Fetch: func(context.Context) (string, error) { return canary, nil }}
		},
		"multi": func() Auth {
			return MultiAuth{QueryKey("login", "ana"), HeaderAuth{Name: "X-Key", Value: NewSecret(canary)}}
		},
	}
	paths := []string{"ok", "500", "503", "429", "401", "reset", "half", "html502", "empty", "truncated",
		"html200", "shape", "big", "straddle", "missing"}
	ts := canaryServer(t)
	for name, mk := range auths {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l, logs := debugLogger()
			c := newClient(t, ts.URL+"/v1", withAuth(mk()), withLogger(l), withRetries(1, time.Millisecond, 2*time.Millisecond),
				func(s *Settings, _ *Config) { s.MaxBodyBytes = 8 << 10 })
			for _, p := range paths {
				for _, create := range []bool{false, true} {
					method := http.MethodGet
					if create {
						method = http.MethodPost
					}
					resp, err := c.Do(bg, &Request{Method: method, Path: []string{p}, Create: create, Query: url.Values{"page": {"1"}}})
					assertErrClean(t, err)
					if resp != nil {
						assertNoCanary(t, "resp.URL", resp.URL)
						var out struct {
							ID int `json:"id"`
						}
						derr := resp.DecodeJSON(&out)
						assertErrClean(t, derr)
						if p != "ok" && p != "500" && p != "503" && p != "401" && p != "429" && p != "missing" && p != "straddle" {
							assert.Error(t, derr, p)
						}
					} else {
						assert.Error(t, err, p)
					}
				}
			}
			// Connection refused.
			c2 := newClient(t, "http://"+testutil.ClosedPort(t), withAuth(mk()), withLogger(l))
			_, err := c2.Do(bg, &Request{Path: []string{"x"}})
			require.Error(t, err)
			assertErrClean(t, err)
			// Cancelled during a backoff wait, and a deadline during a request.
			ctx, cancel := context.WithTimeout(bg, 30*time.Millisecond)
			c3 := newClient(t, ts.URL+"/v1", withAuth(mk()), withLogger(l), withRetries(2, time.Millisecond, time.Minute))
			_, err = c3.Do(ctx, &Request{Path: []string{"wait"}})
			cancel()
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assertErrClean(t, err)
			ctx, cancel = context.WithTimeout(bg, 30*time.Millisecond)
			_, err = c3.Do(ctx, &Request{Method: http.MethodPost, Path: []string{"slow"}})
			cancel()
			require.Error(t, err)
			assertErrClean(t, err)
			// An absolute URL carrying the canary in userinfo and query.
			_, err = c.Do(bg, &Request{URL: "http://ana:" + url.PathEscape(canary) + "@" + strings.TrimPrefix(ts.URL, "http://") + "/v1/500?apikey=" + url.QueryEscape(canary)})
			assertErrClean(t, err)

			out := logs.String()
			assert.NotEmpty(t, out)
			assert.Greater(t, strings.Count(out, "\n"), len(paths)*2, "one line per attempt")
			assertNoCanary(t, "log", out)
		})
	}
}

// TestCanaryTokenFetchFailure: the secrets used to fetch a token (given in
// Config.Secrets) stay out of the error when the fetch fails, including a
// *url.Error from the vendor's own HTTP call.
func TestCanaryTokenFetchFailure(t *testing.T) {
	t.Parallel()
	dead := testutil.ClosedPort(t)
	ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(ctx context.Context) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+dead+"/login?user=ana&pw="+url.QueryEscape(canary), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", fmt.Errorf("login with %s failed: %w", canary, err)
		}
		resp.Body.Close()
		return "", errors.New("unexpected")
	}}
	l, logs := debugLogger()
	s := DefaultSettings("http://127.0.0.1:1")
	s.Logger = l
	c, err := New(Config{Vendor: "test", Settings: s, Auth: ts, Secrets: []string{canary}})
	require.NoError(t, err)
	_, err = c.Do(bg, &Request{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed")
	assertNoCanary(t, "err", err.Error())
	assertNoCanary(t, "%+v", fmt.Sprintf("%+v", err))
	var ue *url.Error
	if errors.As(err, &ue) {
		assertNoCanary(t, "*url.Error", ue.Error())
	}
	assertNoCanary(t, "log", logs.String())
}
