package weclever_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/weclever"
)

// TestClippedValueMaskedBeforeTheCut: a client_lead_id WeClever sent as an
// object was quoted in the decode error clipped to 300 bytes first, and
// masked after (by the client, on the error's text): a credential the cut
// fell inside lost its end, so the masker no longer knew it, and its first
// part reached the error. Mask first, clip after.
func TestClippedValueMaskedBeforeTheCut(t *testing.T) {
	t.Parallel()
	const password = "CANARYclipPassw0rd-5d8a1f3e9b7c2d4a6e8f0b1c3d5e7f9a"
	var bodies []string
	for pad := 240; pad < 300; pad += 7 {
		// The CRM's id, an object: quoted clipped to 300 bytes.
		value := `{"note":"` + strings.Repeat("x", pad) + " " + password + `"}`
		bodies = append(bodies, `{"leads":[{"weclever_lead_id":7,"mapped_status":"won","client_lead_id":`+value+`}]}`)
	}
	for pad := 0; pad < 40; pad += 3 {
		// WeClever's id, a text that is not a number: quoted clipped to
		// 40 bytes by internal/jsonx (every vendor's tolerant scalars).
		value := `"` + strings.Repeat("y", pad) + " " + password + `"`
		bodies = append(bodies, `{"leads":[{"weclever_lead_id":`+value+`,"mapped_status":"won","client_lead_id":1}]}`)
	}
	for pad, body := range bodies {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if strings.HasPrefix(r.URL.Path, "/solution/token/") {
				fmt.Fprint(w, `{"token":"tok-0123456789abcdef"}`)
				return
			}
			fmt.Fprint(w, body)
		}))
		c, err := weclever.NewClient("7", "user", password, weclever.WithBaseURL(srv.URL), weclever.WithMaxRetries(0))
		require.NoError(t, err)
		day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		_, err = c.Leads.Finalized(context.Background(), day, day)
		srv.Close()
		require.Error(t, err, "pad %d", pad)
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			s := fmt.Sprintf(verb, err)
			assert.NotContains(t, s, "CANARYclip", "pad %d, %s: %s", pad, verb, s)
		}
	}
}
