package datacake_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

// A catalogue cut off mid-body is a truncated body, not a mis-shaped one
// (found by internal/faulttest: a wrapped list cut in half gave ErrDecode).
func TestListTruncatedBody(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		body string
		kind error
	}{
		"wrapped list cut":     {`{"registros":"3","dados":[{"id_servico":101,"nome":"Fibra 100`, leadkit.ErrTruncatedBody},
		"bare list cut":        {`[{"id_servico":"101","nome":"Fibra`, leadkit.ErrTruncatedBody},
		"html page":            {`<html><body>502</body></html>`, leadkit.ErrNotJSON},
		"empty":                {``, leadkit.ErrEmptyBody},
		"a string, not a list": {`"em manutenção"`, leadkit.ErrDecode},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			mock.RegisterResponder(http.MethodGet, "=~/produtos", func(r *http.Request) (*http.Response, error) {
				if r.Header.Get("Authorization") != "Bearer tok-trunc" {
					return httpmock.NewStringResponse(401, `{"error":"token"}`), nil
				}
				return httpmock.NewStringResponse(200, tc.body), nil
			})
			c, err := datacake.NewClient("https://erp.example.com.br/api", "tok-trunc",
				datacake.WithHTTPClient(&http.Client{Transport: mock}), datacake.WithMaxRetries(0))
			require.NoError(t, err)
			_, err = c.Catalogues.Products(context.Background())
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
		})
	}
}
