package transport

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeJSONMasksRawMessages: every json.RawMessage DecodeJSON fills
// (a field, in a slice, behind a pointer, a map value, the target itself)
// has the key masked and stays valid JSON; the decoded fields are left as
// they are, and a Raw without a secret is unchanged.
func TestDecodeJSONMasksRawMessages(t *testing.T) {
	t.Parallel()
	const key = "rawCANARY+k/ey=77xyz"
	type item struct {
		Name string
		Raw  json.RawMessage
	}
	type page struct {
		Items []item
		First *item
		ByID  map[string]json.RawMessage
		Extra map[string]item
		Clean json.RawMessage
	}
	body := `{"Items":[{"Name":"a","Raw":{"k":"` + key + `"}}],"First":{"Name":"b","Raw":"` + key + `"},` +
		`"ByID":{"x":{"apiKey":"` + key + `"}},"Extra":{"y":{"Raw":["` + key + `"]}},"Clean":{"n":1}}`
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, body) })
	c := newClient(t, srv.URL, withAuth(QueryKey("apikey", key)))
	resp, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"x"}})
	require.NoError(t, err)
	var p page
	require.NoError(t, resp.DecodeJSON(&p))
	var whole json.RawMessage
	require.NoError(t, resp.DecodeJSON(&whole))
	for _, raw := range []json.RawMessage{p.Items[0].Raw, p.First.Raw, p.ByID["x"], p.Extra["y"].Raw, whole} {
		assert.True(t, json.Valid(raw), "%s", raw)
		assert.NotContains(t, string(raw), key)
		assert.Contains(t, string(raw), Mask)
	}
	assert.Equal(t, "a", p.Items[0].Name)
	assert.JSONEq(t, `{"n":1}`, string(p.Clean))
}
