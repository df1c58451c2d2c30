package transport

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestResponseErrorHeadersAreRedacted: a server that echoes the credential
// into response headers does not put it into the error's Header (printed by
// %+v and %#v).
func TestResponseErrorHeadersAreRedacted(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-hdr-5e1f"
	c, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(400, `{"error":"bad"}`)
		resp.Header.Set("X-Echo-Token", r.Header.Get("token"))
		resp.Header.Set("Set-Cookie", "session=abc; token="+canary)
		resp.Header.Set("X-Request-Id", "req-42")
		return resp, nil
	}, withAuth(HeaderAuth{Name: "token", Value: NewSecret(canary)}))
	_, err := c.Do(bg, &Request{})
	require.Error(t, err)
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re)
	for _, s := range []string{fmt.Sprintf("%+v", re), fmt.Sprintf("%#v", re), fmt.Sprint(re.Header)} {
		assert.NotContains(t, s, canary)
	}
	assert.Equal(t, "req-42", re.Header.Get("X-Request-Id"), "other headers are kept as they came")
}
