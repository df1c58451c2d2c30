package weclever_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/weclever"
)

func TestNewClientValidates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, platform, user, pass string
		opts                       []weclever.Option
		field                      string
	}{
		{"no platform", "", "u", "p", nil, "platform_id"},
		{"no user", "p1", " ", "p", nil, "username"},
		{"colon in user", "p1", "a:b", "p", nil, "username"},
		{"no password", "p1", "u", "", nil, "password"},
		{"newline in password", "p1", "u", "a\nb", nil, "password"},
		{"bad base URL", "p1", "u", "p", []weclever.Option{weclever.WithBaseURL("ftp://x")}, "baseURL"},
		{"bad header", "p1", "u", "p", []weclever.Option{weclever.WithAuthHeader("X Token", "")}, "tokenHeader"},
		{"bad scheme", "p1", "u", "p", []weclever.Option{weclever.WithAuthHeader("Authorization", "Be arer")}, "tokenScheme"},
		{"nil location", "p1", "u", "p", []weclever.Option{weclever.WithTimeZone(nil)}, "location"},
		{"bad time", "p1", "u", "p", []weclever.Option{weclever.WithTime("a\r\nb")}, "time"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := weclever.NewClient(tc.platform, tc.user, tc.pass, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
			var ie *leadkit.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
		})
	}
}

func TestTokenIsLazyAndCached(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	ti := &tokenIssuer{}
	mock.RegisterResponder("GET", tokenURL, ti.responder)
	mock.RegisterResponder("GET", leadURL, func(req *http.Request) (*http.Response, error) {
		if !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer tok-") {
			return httpmock.NewStringResponse(401, `{"message":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, leadBody), nil
	})
	assert.Equal(t, 0, mock.GetTotalCallCount(), "NewClient must not fetch a token")

	for range 3 {
		_, err := c.Leads.Get(context.Background(), 42)
		require.NoError(t, err)
	}
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok)
	assert.EqualValues(t, 1, ti.n.Load(), "one token for every call")
	assert.Equal(t, 4, mock.GetTotalCallCount())
}

func TestTokenRequestShape(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, weclever.WithTime("1700000000"))
	var got *http.Request
	mock.RegisterResponder("GET", tokenURL, func(req *http.Request) (*http.Response, error) {
		got = req
		return httpmock.NewStringResponse(200, `{"token":"abc"}`), nil
	})
	tok, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "abc", tok)
	require.NotNil(t, got)
	u, p, ok := got.BasicAuth()
	require.True(t, ok, "token request must use HTTP basic auth")
	assert.Equal(t, testUser, u)
	assert.Equal(t, testPass, p)
	assert.Equal(t, "1700000000", got.URL.Query().Get("time"))
	assert.Contains(t, got.Header.Get("User-Agent"), "leadkit/")
}

func TestTokenTimeOmittedByDefault(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	var rawQuery string
	mock.RegisterResponder("GET", tokenURL, func(req *http.Request) (*http.Response, error) {
		rawQuery = req.URL.RawQuery
		return httpmock.NewStringResponse(200, `{"token":"abc"}`), nil
	})
	_, err := c.Token(context.Background())
	require.NoError(t, err)
	assert.Empty(t, rawQuery)
}

func TestCustomTokenHeader(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, weclever.WithAuthHeader("token", ""))
	ti := &tokenIssuer{}
	mock.RegisterResponder("GET", tokenURL, ti.responder)
	mock.RegisterResponder("GET", leadURL, func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "" || !ti.valid(req.Header.Get("token")) {
			return httpmock.NewStringResponse(401, `{"message":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, leadBody), nil
	})
	l, err := c.Leads.Get(context.Background(), 42)
	require.NoError(t, err)
	assert.Equal(t, "Ana", l.Name)
}

func TestOneFetchForFiftyConcurrentCallers(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	ti := &tokenIssuer{delay: 20 * time.Millisecond}
	mock.RegisterResponder("GET", tokenURL, ti.responder)
	mock.RegisterResponder("GET", leadURL, func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "Bearer tok-1" {
			return httpmock.NewStringResponse(401, `{"message":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, leadBody), nil
	})
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := c.Leads.Get(context.Background(), 42)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, ti.n.Load(), "50 concurrent callers must share one token fetch")
	assert.Equal(t, 1, mock.GetCallCountInfo()["GET "+tokenURL])
	assert.Equal(t, 50, mock.GetCallCountInfo()["GET "+leadURL])
}

func TestRefreshOnceOn401(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	ti := &tokenIssuer{}
	mock.RegisterResponder("GET", tokenURL, ti.responder)
	var expired sync.Map
	mock.RegisterResponder("GET", leadURL, func(req *http.Request) (*http.Response, error) {
		tok := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
		if _, gone := expired.Load(tok); gone || !ti.valid(tok) {
			return httpmock.NewStringResponse(401, `{"message":"Unauthorized"}`), nil
		}
		return httpmock.NewStringResponse(200, leadBody), nil
	})
	ctx := context.Background()
	_, err := c.Leads.Get(ctx, 42)
	require.NoError(t, err)
	expired.Store("tok-1", true) // the server expires the token

	_, err = c.Leads.Get(ctx, 42)
	require.NoError(t, err, "a 401 must refresh the token and retry once")
	assert.EqualValues(t, 2, ti.n.Load())
	assert.Equal(t, 3, mock.GetCallCountInfo()["GET "+leadURL])
	tok, err := c.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok, "the new token is cached")
}

func TestNoRefreshLoopWhenNewTokenRefused(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	ti := &tokenIssuer{}
	mock.RegisterResponder("GET", tokenURL, ti.responder)
	mock.RegisterResponder("GET", leadURL, httpmock.NewStringResponder(401, `{"message":"Token inválido"}`))

	_, err := c.Leads.Get(context.Background(), 42)
	require.Error(t, err)
	assert.ErrorIs(t, err, weclever.ErrUnauthorized)
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	var we *weclever.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, 401, we.StatusCode)
	assert.Equal(t, "Token inválido", we.Message)
	assert.EqualValues(t, 2, ti.n.Load(), "one fetch, one refresh, no more")
	assert.Equal(t, 2, mock.GetCallCountInfo()["GET "+leadURL])

	// The next call starts over: again at most one refresh.
	_, err = c.Leads.Get(context.Background(), 42)
	require.ErrorIs(t, err, weclever.ErrUnauthorized)
	assert.LessOrEqual(t, ti.n.Load(), int64(4))
	assert.LessOrEqual(t, mock.GetCallCountInfo()["GET "+leadURL], 4)
}

func TestWrongPasswordIsUnauthorized(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	c, err := weclever.NewClient("plat-1", testUser, "wrong-"+testPass, fast, weclever.WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	ti := &tokenIssuer{}
	mock.RegisterResponder("GET", tokenURL, ti.responder)
	mock.RegisterResponder("GET", leadURL, httpmock.NewStringResponder(200, leadBody))

	_, err = c.Leads.Get(context.Background(), 42)
	require.Error(t, err)
	assert.ErrorIs(t, err, weclever.ErrUnauthorized)
	var we *weclever.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "Invalid credentials", we.Message)
	assert.Equal(t, 0, mock.GetCallCountInfo()["GET "+leadURL], "no API call without a token")
	_, err = c.Token(context.Background())
	assert.ErrorIs(t, err, weclever.ErrUnauthorized)
}

func TestTokenEndpointOddAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		status     int
		want       error
	}{
		{"empty token", `{"token":""}`, 200, leadkit.ErrDecode},
		{"error body with 200", `{"error":"platform disabled"}`, 200, nil},
		{"html", `<html>maintenance</html>`, 200, leadkit.ErrNotJSON},
		{"empty", ``, 200, leadkit.ErrEmptyBody},
		{"truncated", `{"token":"ab`, 200, leadkit.ErrTruncatedBody},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock := newMock(t)
			mock.RegisterResponder("GET", tokenURL, httpmock.NewStringResponder(tc.status, tc.body))
			_, err := c.Token(context.Background())
			require.Error(t, err)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			} else {
				var we *weclever.Error
				require.ErrorAs(t, err, &we)
				assert.Equal(t, "platform disabled", we.Message)
			}
		})
	}
}

func TestTokenContextCancelled(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", tokenURL, httpmock.NewStringResponder(200, `{"token":"x"}`).Delay(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	startAt := time.Now()
	_, err := c.Leads.Get(ctx, 42)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	assert.Less(t, time.Since(startAt), 900*time.Millisecond, "ended with the context, not the 1 s answer")
}

func TestNilContext(t *testing.T) {
	t.Parallel()
	c, _ := newMock(t)
	//lint:ignore SA1012 testing the nil guard
	_, err := c.Token(nil) //nolint:staticcheck
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}
