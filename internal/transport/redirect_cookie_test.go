package transport

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRedirectToAnotherOriginCarriesNoCookie: a caller's http.Client with a
// cookie jar (WithHTTPClient keeps it) added the vendor's cookies to a hop
// to another origin: net/http fills them in after CheckRedirect ran, and a
// cookie is scoped by host name, not by port. A session cookie (or a
// vendor echoing the key into one) is a credential: a hop to another
// origin carries only User-Agent, Accept* and Content-Type. The same
// origin still gets its cookies.
func TestRedirectToAnotherOriginCarriesNoCookie(t *testing.T) {
	t.Parallel()
	other := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	var sameGot []string
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/login":
			http.SetCookie(w, &http.Cookie{Name: "session", Value: redirectCanary, Path: "/"})
			jsonStatus(w, 200, `{}`)
		case "/moved":
			sameGot = append(sameGot, r.Header.Get("Cookie"))
			jsonStatus(w, 200, `{}`)
		case "/here":
			redirectTo(302, "/moved")(0, w, r)
		default:
			redirectTo(302, other.URL+"/leads")(0, w, r)
		}
	})
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := newClient(t, srv.URL, withHTTPClient(&http.Client{Jar: jar}))
	for _, p := range []string{"login", "here", "leads"} {
		_, err = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{p}})
		require.NoError(t, err, p)
	}
	assert.Equal(t, []string{"session=" + redirectCanary}, sameGot, "the same origin keeps its cookies")
	require.Equal(t, 1, other.count())
	got := other.received()
	assert.NotContains(t, got, "Cookie", "the other origin received the jar's cookies")
	for _, form := range encodedForms(redirectCanary) {
		assert.NotContains(t, got, form)
	}
}
