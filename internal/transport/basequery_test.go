package transport

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

// TestBaseURLQueryKeyMasked: a base URL may carry a query, sent with every
// request ("vendors that hand out URLs with parameters"), and such a URL
// often holds the tenant's key under a name the redactor does not know
// (api_token, key, apiToken, private_token, access_key...). Every error
// named the URL with the key in it, and so did every debug log line. A
// value of MinFreeSecret bytes or more in the base URL's query is now
// masked like a credential, in every form.
func TestBaseURLQueryKeyMasked(t *testing.T) {
	t.Parallel()
	const key = "Zq9x+W3kL/mN0pQr7s="
	for _, name := range []string{"api_token", "key", "apiToken", "private_token", "access_key", "sig"} {
		l, logs := debugLogger()
		base := "http://" + testutil.ClosedPort(t) + "/api?lang=pt&" + name + "=" + strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(key)
		c := newClient(t, base, withRetries(0, 1, 1), withLogger(l))
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
		require.Error(t, err)
		var texts []string
		for e := err; e != nil; e = errors.Unwrap(e) {
			texts = append(texts, testutil.Printed(e)...)
		}
		texts = append(texts, logs.String())
		for _, text := range texts {
			for _, form := range testutil.LeakForms(key) {
				if strings.Contains(text, form) {
					t.Errorf("%s: the base URL's key shows as %q in %s", name, form, text)
					break
				}
			}
		}
		// The harmless parameter is left readable.
		assert.Contains(t, err.Error(), "lang=pt", name)
	}
}

// TestBaseURLQueryKeyNotCarriedAcrossOrigins: a careless server redirects
// a GET to another host with the whole request URI, the base URL's key
// (under a name of the vendor's own) included, in the target. The hop
// reached the other host with the key in its URL; now the key is taken
// off the hop like any credential.
func TestBaseURLQueryKeyNotCarriedAcrossOrigins(t *testing.T) {
	t.Parallel()
	const key = "Zq9xW3kLmN0pQr7sTu"
	other := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
	})
	c := newClient(t, srv.URL+"/api?api_token="+key)
	_, _ = c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
	other.mu.Lock()
	defer other.mu.Unlock()
	for _, r := range other.reqs {
		assert.NotContains(t, r.URL.String(), key, "the other host got the key")
	}
}
