package leadkit_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

func TestResponseError(t *testing.T) {
	t.Parallel()
	e := &leadkit.ResponseError{Kind: leadkit.ErrHTTPStatus, StatusCode: 503, Method: "GET", URL: "https://api.example.com/v1/leads?apikey=REDACTED", Body: `{"error":"busy"}`}
	assert.Equal(t, `GET https://api.example.com/v1/leads?apikey=REDACTED: HTTP 503: body "{\"error\":\"busy\"}"`, e.Error())
	assert.ErrorIs(t, e, leadkit.ErrHTTPStatus)
	assert.NotErrorIs(t, e, leadkit.ErrNotJSON)

	cause := io.ErrUnexpectedEOF
	e2 := &leadkit.ResponseError{Kind: leadkit.ErrTruncatedBody, StatusCode: 200, Method: "POST", URL: "u", Err: cause}
	assert.Equal(t, "POST u: truncated response body (HTTP 200): unexpected EOF", e2.Error())
	assert.ErrorIs(t, e2, leadkit.ErrTruncatedBody)
	assert.ErrorIs(t, e2, io.ErrUnexpectedEOF)

	// A vendor error wrapping it keeps both matches.
	wrapped := fmt.Errorf("zen: %w", e)
	var re *leadkit.ResponseError
	require.ErrorAs(t, wrapped, &re)
	assert.Equal(t, 503, re.StatusCode)

	// A nil Kind prints as an HTTP error and matches nothing.
	e3 := &leadkit.ResponseError{StatusCode: 500, Method: "GET", URL: "u"}
	assert.Equal(t, "GET u: HTTP 500", e3.Error())
	assert.False(t, e3.Is(nil))
	assert.NotErrorIs(t, e3, leadkit.ErrHTTPStatus)
}

func TestRateLimitError(t *testing.T) {
	t.Parallel()
	inner := &leadkit.ResponseError{Kind: leadkit.ErrHTTPStatus, StatusCode: 429, Method: "GET", URL: "u", Header: http.Header{}}
	e := &leadkit.RateLimitError{RetryAfter: 1500 * time.Millisecond, Err: inner}
	assert.Equal(t, "leadkit: rate limited (server), retry after 1.5s: GET u: HTTP 429", e.Error())
	assert.ErrorIs(t, e, leadkit.ErrHTTPStatus)
	c := &leadkit.RateLimitError{RetryAfter: 200 * time.Millisecond, ClientSide: true}
	assert.Equal(t, "leadkit: rate limited (client-side), retry after 200ms", c.Error())
	assert.Nil(t, errors.Unwrap(c))
	var rl *leadkit.RateLimitError
	require.ErrorAs(t, fmt.Errorf("x: %w", c), &rl)
	assert.True(t, rl.ClientSide)
}

func TestInputError(t *testing.T) {
	t.Parallel()
	err := leadkit.Invalid("email", "must contain @, got %q", "ana")
	assert.Equal(t, `leadkit: invalid email: must contain @, got "ana"`, err.Error())
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.ErrorIs(t, fmt.Errorf("zen: %w", err), leadkit.ErrInvalidInput)
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "email", ie.Field)
	assert.NotErrorIs(t, err, leadkit.ErrHTTPStatus)
}

func TestSentinelsAreDistinct(t *testing.T) {
	t.Parallel()
	all := []error{leadkit.ErrOutcomeUnknown, leadkit.ErrHTTPStatus, leadkit.ErrNotJSON, leadkit.ErrEmptyBody,
		leadkit.ErrTruncatedBody, leadkit.ErrBodyTooLarge, leadkit.ErrDecode, leadkit.ErrInvalidInput}
	seen := map[string]bool{}
	for i, a := range all {
		assert.True(t, strings.HasPrefix(a.Error(), "leadkit: "))
		assert.False(t, seen[a.Error()])
		seen[a.Error()] = true
		for j, b := range all {
			assert.Equal(t, i == j, errors.Is(a, b))
		}
	}
	assert.NotEmpty(t, leadkit.Version)
}
