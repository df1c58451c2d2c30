package datacake_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

// TestHandlerServesUncleanPaths: a path with "//" or "/./" (a front end
// whose base URL ends in a slash) met http.ServeMux's redirect to the
// cleaned path: an HTML 307, not the contract's JSON, and under a prefix
// (http.StripPrefix, as the doc comment's mux suggests) a Location outside
// it, "/produtos" for "/erp/v1//produtos", where a client following it
// resent a create's body to another application. The handler serves the
// cleaned path itself, and an answer is always JSON (found by FuzzHandler:
// method "0", path "/.").
func TestHandlerServesUncleanPaths(t *testing.T) {
	t.Parallel()
	h := http.StripPrefix("/erp/v1", datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), handlerToken))
	for _, c := range []struct {
		call call
		want int
	}{
		{call{method: "GET", target: "/erp/v1//produtos"}, 200},
		{call{method: "GET", target: "/erp/v1/./produtos"}, 200},
		{call{method: "GET", target: "/erp/v1/x/../produtos"}, 200},
		{call{method: "POST", target: "/erp/v1//prospectos", body: `{"nome":"Ana","cnpj_cpf":"52998224725"}`}, 200},
		{call{method: "GET", target: "/erp/v1/."}, 404},
		{call{method: "0", target: "/erp/v1/."}, 404},
	} {
		w := do(h, c.call)
		assert.Equal(t, c.want, w.Code, "%s %s: %s", c.call.method, c.call.target, w.Body.String())
		assert.Empty(t, w.Header().Get("Location"), "%s %s", c.call.method, c.call.target)
		assert.True(t, json.Valid(w.Body.Bytes()), "%s %s: %q", c.call.method, c.call.target, w.Body.String())
	}
}
