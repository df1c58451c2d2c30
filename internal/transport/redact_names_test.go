package transport

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRedactOAuthStyleNames: the usual names of token-endpoint answers and
// OAuth parameters are masked without knowing their values.
func TestRedactOAuthStyleNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`refresh_token=r1&page=2`:             `refresh_token=REDACTED&page=2`,
		`client_secret=s3cr3t`:                `client_secret=REDACTED`,
		`?auth_token=abc`:                     `?auth_token=REDACTED`,
		`{"accessToken":"eyJ.x.y"}`:           `{"accessToken":"REDACTED"}`,
		`{"refresh_token": "r2", "n": 1}`:     `{"refresh_token": "REDACTED", "n": 1}`,
		`{"id_token":"i3","expires_in":3600}`: `{"id_token":"REDACTED","expires_in":3600}`,
		`{"client_secret":"c4"}`:              `{"client_secret":"REDACTED"}`,
		`{"tokenType":"Bearer"}`:              `{"tokenType":"Bearer"}`,
	} {
		assert.Equal(t, want, RedactPatterns(in), in)
	}
}
