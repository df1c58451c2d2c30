package transport

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestUserinfoInBaseURLRefused is issue 23, item 7: a password in the base
// URL's userinfo (http://user:pw@erp.example) was sent as Basic auth by
// net/http but never registered as a secret, so a server echoing it showed
// it. Such a URL is refused, with an error naming baseURL that quotes
// neither the user nor the password; so is an absolute request URL.
func TestUserinfoInBaseURLRefused(t *testing.T) {
	t.Parallel()
	const pw = "uiCANARY+pw/x=1"
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		jsonStatus(w, 401, `{"error":"user `+user+` with password `+pass+` refused"}`)
	})
	withUser := strings.Replace(srv.URL, "http://", "http://ana:"+pw+"@", 1)
	for _, raw := range []string{withUser, withUser + "/api", "https://ana@erp.example", "https://:" + pw + "@erp.example"} {
		_, err := ParseBaseURL(raw)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, raw)
		assert.Equal(t, "baseURL", ie.Field)
		assert.NotContains(t, err.Error(), "ana")
		assert.Empty(t, leaked(pw, chainTexts(err)))
	}
	s := DefaultSettings(withUser)
	_, err := New(Config{Vendor: "test", Settings: s})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.ErrorIs(t, WithBaseURL[Config](withUser)(&s, &Config{}), leadkit.ErrInvalidInput)

	c := newClient(t, srv.URL)
	_, err = c.Do(context.Background(), &Request{URL: withUser + "/leads"})
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.Empty(t, leaked(pw, chainTexts(err)))
	assert.Equal(t, 0, srv.count(), "nothing was sent")
}

// TestBaseURLSchemeNotQuoted: a credential passed where the base URL goes
// (zen.NewClient(token, baseURL) with its arguments swapped) parses as a
// URL whose scheme is the credential's part before a colon, and the error
// quoted that scheme back. The error names the field and the rule only.
func TestBaseURLSchemeNotQuoted(t *testing.T) {
	t.Parallel()
	const key = "Sk8LiveA9b2C7d4E:x7Y/q+Z="
	_, err := ParseBaseURL(key)
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "baseURL", ie.Field)
	for _, text := range chainTexts(err) {
		assert.NotContains(t, strings.ToLower(text), "sk8livea9b2c7d4e")
	}
}
