package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// selfEncoding encodes itself by handing a struct of its own to
// encoding/json, as the vendors' wire types do.
type selfEncoding struct {
	Name string `json:"nome"`
}

func (s selfEncoding) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		N string `json:"nome"`
	}{s.Name})
}

// TestInvalidUTF8IsRefusedNamingTheField: encoding/json replaces each byte
// of invalid UTF-8 with U+FFFD without a word: a name read from a Latin-1
// form ("Jo\xe3o") reached the vendor as "Jo\ufffdo", its letters silently
// changed. A body with a string (or a map key) that is not UTF-8 is an
// *leadkit.InputError naming the field, and nothing is sent.
func TestInvalidUTF8IsRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	c := newClient(t, srv.URL)
	type contact struct {
		Name  string            `json:"nome"`
		Notes []string          `json:"notas"`
		Extra map[string]string `json:"extra"`
	}
	for _, tc := range []struct {
		body  any
		field string
	}{
		{contact{Name: "Jo\xe3o"}, "nome"},
		{contact{Name: "Ana", Notes: []string{"ok", "S\xe3o Paulo"}}, "notas[1]"},
		{contact{Name: "Ana", Extra: map[string]string{"cidade": "S\xe3o Paulo"}}, `extra["cidade"]`},
		{map[string]any{"ra\xe7a": "x"}, "body"},
		{selfEncoding{Name: "Jo\xe3o"}, "nome"},
	} {
		_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, JSON: tc.body})
		var ie *leadkit.InputError
		require.True(t, errors.As(err, &ie), "%#v: %v", tc.body, err)
		assert.Equal(t, tc.field, ie.Field)
		assert.Contains(t, ie.Reason, "UTF-8")
	}
	assert.Equal(t, 0, srv.count(), "nothing was sent")
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, JSON: contact{Name: "João", Notes: []string{"São Paulo"}}})
	require.NoError(t, err)
}
