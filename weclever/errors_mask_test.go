package weclever

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMessageMaskedBeforeClip is issue 13, item 6: a password straddling
// the 300-byte cut of an error message left its first bytes in the error.
func TestMessageMaskedBeforeClip(t *testing.T) {
	t.Parallel()
	const password = "wcCANARY+straddle/Yh41=Zt"
	for shift := 0; shift < len(password); shift++ {
		msg := strings.Repeat("x", maxMessage-shift-1) + " " + password + " tail"
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"` + msg + `"}`))
		}))
		c, err := NewClient("pid", "ana", password, WithBaseURL(srv.URL), WithMaxRetries(0))
		require.NoError(t, err)
		_, err = c.Token(context.Background())
		srv.Close()
		require.Error(t, err)
		for n := 4; n <= len(password); n++ {
			assert.NotContains(t, err.Error(), password[:n], "shift %d: the start of the password", shift)
		}
	}
}
