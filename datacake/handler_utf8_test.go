package datacake_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
)

// latin1ERP answers a customer whose name came from a Latin-1 table.
type latin1ERP struct{ *datacaketest.MemoryERP }

func (e latin1ERP) Customer(ctx context.Context, document string) (*datacake.Customer, error) {
	c, err := e.MemoryERP.Customer(ctx, document)
	if c != nil {
		c.Name = "Jo\xe3o da Silva"
	}
	return c, err
}

// TestHandlerRefusesAnswerNotUTF8: an ERP answer with a string that is not
// UTF-8 is refused as a NaN is (500, the field named in the log), not sent
// with U+FFFD in place of its letters.
func TestHandlerRefusesAnswerNotUTF8(t *testing.T) {
	t.Parallel()
	logger, logs := testutil.DebugLogger()
	h := datacake.NewHandler(latin1ERP{datacaketest.NewMemoryERP(1, 5)}, handlerToken, datacake.WithHandlerLogger(logger))
	w := do(h, call{method: "GET", target: "/cliente?cnpj_cpf=52998224725"})
	assert.Equal(t, http.StatusInternalServerError, w.Code, w.Body.String())
	assert.NotContains(t, w.Body.String(), "\ufffd")
	assert.True(t, strings.Contains(logs.String(), "UTF-8"), logs.String())
}
