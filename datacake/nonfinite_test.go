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

// nanPriceERP answers a product whose price is NaN.
type nanPriceERP struct{ *datacaketest.MemoryERP }

func (e nanPriceERP) Products(ctx context.Context) ([]datacake.Product, error) {
	ps, err := e.MemoryERP.Products(ctx)
	if len(ps) > 0 {
		ps[0].Price = math.NaN()
	}
	return ps, err
}

// TestHandlerSendsNoNonFiniteNumber: the ERP adapter checks what the ERP
// answered as a client checks its body: a NaN price is a 500 (the ERP's
// fault), never "NaN" sent to Datacake.
func TestHandlerSendsNoNonFiniteNumber(t *testing.T) {
	t.Parallel()
	base := newLoopback(t, datacake.NewHandler(nanPriceERP{datacaketest.NewMemoryERP(1, 5)}, handlerToken))
	req, err := http.NewRequest(http.MethodGet, base+"/produtos", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+handlerToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.NotContains(t, string(body), "NaN")
}
