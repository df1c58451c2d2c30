package transport

import (
	"context"
	"encoding/binary"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// phpCanary is a key with the punctuation API keys and tokens carry (JWTs:
// "." "-" "_"; Stripe-like keys: "_"), and phpCanaryHTML5 what PHP 8's
// htmlentities($key, ENT_QUOTES|ENT_HTML5) writes for it (checked with php
// -r): a PHP server echoing the request into an HTML error page.
const (
	phpCanary      = "sk_live.Ab-c/d+e=f:g!h#i$j(k)l*m,n?o@p[q\\r]s^t_u`v{w|x}y~z%a;b"
	phpCanaryHTML5 = "sk&lowbar;live&period;Ab-c&sol;d&plus;e&equals;f&colon;g&excl;h&num;i&dollar;j&lpar;k&rpar;l&ast;m&comma;n&quest;o&commat;p&lbrack;q&bsol;r&rsqb;s&Hat;t&lowbar;u&grave;v&lbrace;w&vert;x&rcub;y~z&percnt;a&semi;b"
)

// TestEchoInPHPEntitiesMasked: a key echoed in an error body as PHP's
// htmlentities(ENT_HTML5) writes it (&lowbar; &period; &colon; ...: the
// masker knew nine entity names) reached ResponseError.Body and every
// error's text whole.
func TestEchoInPHPEntitiesMasked(t *testing.T) {
	t.Parallel()
	require.Equal(t, phpCanary, html.UnescapeString(phpCanaryHTML5), "the test's entity form decodes to the key")
	assertEchoMasked(t, "text/html", func(string) string { return "<p>bad key " + phpCanaryHTML5 + "</p>" })
}

// assertEchoMasked has a server answer 400 with echo(key) and checks that no
// form of the key shows in any text of the error.
func assertEchoMasked(t *testing.T, ctype string, echo func(key string) string) {
	t.Helper()
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(400)
		_, _ = w.Write([]byte(echo(r.Header.Get("X-Api-Key"))))
	})
	c := newClient(t, srv.URL, withAuth(HeaderAuth{Name: "X-Api-Key", Value: NewSecret(phpCanary)}))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
	require.Error(t, err)
	texts := chainTexts(err)
	var hits []string
	for _, s := range texts {
		// Raw, and as %q prints UTF-16's zero bytes.
		for _, form := range []string{phpCanary, phpCanaryHTML5, utf16Text(phpCanary, binary.LittleEndian),
			utf16Text(phpCanary, binary.BigEndian), `s\x00k\x00_\x00l`, `l\x00i\x00v\x00e`} {
			if strings.Contains(s, form) {
				hits = append(hits, s)
			}
		}
	}
	assert.Empty(t, hits)
	assert.Empty(t, leaked(phpCanary, texts))
}
