package zenvia_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestFastPathMasksRawFields: Prospects.Get and Prospects.List read the
// usual shape in one pass (prospect_fast.go), which copied the JSON kept
// as sent (AdditionalData, a lead's Product, the agent's ExternalID and
// AppFields, an interaction's Output) without masking it. The wire path
// (Response.DecodeJSON) masks every json.RawMessage: a server that echoes
// the key into a prospect (a form posted with it, an integration that
// stored the request) handed it back in clear, printed by %v and json.
func TestFastPathMasksRawFields(t *testing.T) {
	t.Parallel()
	const key = "CANARYfastRawKey7e1d9c"
	prospect := `{"id":"p1","name":"Ana","additionalData":{"echo":"` + key + `"},` +
		`"leads":[{"id":"l1","product":{"ref":"` + key + `"}}],` +
		`"agent":{"id":"a1","externalId":{"k":"` + key + `"},"appFields":{"k":"` + key + `"}},` +
		`"interactions":[{"id":"i1","output":{"k":"` + key + `"}}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/prospects" {
			fmt.Fprint(w, "["+prospect+"]")
			return
		}
		fmt.Fprint(w, prospect)
	}))
	t.Cleanup(srv.Close)
	c, err := zenvia.NewClient(key, zenvia.WithBaseURL(srv.URL), zenvia.WithMaxRetries(0))
	require.NoError(t, err)

	p, err := c.Prospects.Get(context.Background(), "5f1e0c3a9b7d2e4f6a8c0b1d")
	require.NoError(t, err)
	ps, err := c.Prospects.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.NotEmpty(t, p.AdditionalData, "the field is read, so the scan means something")
	for name, v := range map[string]any{"Get": p, "List": ps} {
		j, err := json.Marshal(v)
		require.NoError(t, err)
		for _, s := range []string{fmt.Sprintf("%v", v), fmt.Sprintf("%+v", v), fmt.Sprintf("%s", v), string(j)} {
			assert.NotContains(t, s, "CANARYfast", name)
		}
	}
}
