package transport

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// A JSON secret whose closing quote never came (a body cut off mid-value)
// is masked to the end of the text.
func TestRedactPatternsUnterminatedJSONValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIi`, `{"token":"REDACTED`},
		{`{"id":1,"access_token" : "abc\"d`, `{"id":1,"access_token" : "REDACTED`},
		{`{"Password":"x\`, `{"Password":"REDACTED`},
		// Terminated values keep their closing quote and what follows.
		{`{"token":"abc","id":1}`, `{"token":"REDACTED","id":1}`},
	} {
		assert.Equal(t, tc.want, RedactPatterns(tc.in), tc.in)
	}
}

// A token endpoint whose answer is cut off mid-token: the token was never
// registered (the fetch failed), so only the pattern can mask it, and the
// truncated-body error quotes the body.
func TestTruncatedTokenAnswerDoesNotLeakTheToken(t *testing.T) {
	t.Parallel()
	const partial = "eyJhbGciOiJIUzI1NiJ9.sekret-partial"
	c, _ := mockClient(t, func(*http.Request) (*http.Response, error) {
		return httpmock.NewStringResponse(200, `{"token":"`+partial), nil
	})
	resp, err := c.Do(context.Background(), &Request{Path: []string{"token"}})
	require.NoError(t, err)
	var out struct {
		Token string `json:"token"`
	}
	err = resp.DecodeJSON(&out)
	require.ErrorIs(t, err, leadkit.ErrTruncatedBody)
	assert.Contains(t, err.Error(), `"token`, "the body excerpt is in the message, so the check below means something")
	assert.NotContains(t, err.Error(), "sekret")
	assert.NotContains(t, err.Error(), "eyJhbGciOi")
}
