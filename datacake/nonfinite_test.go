package datacake_test

import (
	"context"
	"io"
	"math"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

// TestNonFiniteCoordinateNeverSent is issue 23, item 9: a NaN latitude went
// to the ERP as "latitude":"NaN". A create or an update with a NaN or an
// infinite coordinate is an *leadkit.InputError naming it, before anything
// is sent; Validate (which the relay calls at enqueue) says the same.
func TestNonFiniteCoordinateNeverSent(t *testing.T) {
	t.Parallel()
	srv, c := newSandbox(t, &datacaketest.Options{Tidy: true})
	for _, tc := range []struct {
		addr  datacake.Address
		field string
	}{
		{datacake.Address{City: "Curitiba", Latitude: math.NaN()}, "latitude"},
		{datacake.Address{Longitude: math.Inf(-1)}, "longitude"},
	} {
		p := &datacake.Prospect{Name: "Ana", Document: datacaketest.ExampleCPF, Address: tc.addr}
		var ie *leadkit.InputError
		require.ErrorAs(t, p.Validate(true), &ie)
		assert.Equal(t, tc.field, ie.Field)
		_, err := c.Prospects.Create(context.Background(), p)
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, tc.field, ie.Field)
		_, err = c.Prospects.Update(context.Background(), "123", &datacake.Prospect{Address: tc.addr})
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, tc.field, ie.Field)
	}
	for _, r := range srv.Requests() {
		assert.NotEqual(t, http.MethodPost, r.Method, "no create reached the ERP: %s %s", r.Method, r.Path)
		assert.NotEqual(t, http.MethodPut, r.Method, "no update reached the ERP: %s %s", r.Method, r.Path)
	}
}

// nanCoordERP answers a customer whose latitude is NaN.
type nanCoordERP struct{ *datacaketest.MemoryERP }

func (e nanCoordERP) Customer(ctx context.Context, document string) (*datacake.Customer, error) {
	c, err := e.MemoryERP.Customer(ctx, document)
	if c != nil {
		c.Latitude = math.NaN()
	}
	return c, err
}

// TestHandlerSendsNoNonFiniteNumber: the ERP adapter checks what the ERP
// answered as a client checks its body: a NaN coordinate is a 500 (the
// ERP's fault), never "NaN" sent to Datacake.
func TestHandlerSendsNoNonFiniteNumber(t *testing.T) {
	t.Parallel()
	base := newLoopback(t, datacake.NewHandler(nanCoordERP{datacaketest.NewMemoryERP(1, 5)}, handlerToken))
	req, err := http.NewRequest(http.MethodGet, base+"/cliente?cnpj_cpf="+datacaketest.ExampleCPF, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+handlerToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode, "%s", body)
	assert.NotContains(t, string(body), "NaN")
}
