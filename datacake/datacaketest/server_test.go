package datacaketest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

func TestSeedDeterministicAndValid(t *testing.T) {
	t.Parallel()
	a := datacaketest.NewMemoryERP(42, 0).Customers()
	b := datacaketest.NewMemoryERP(42, 0).Customers()
	c := datacaketest.NewMemoryERP(43, 0).Customers()
	require.Len(t, a, datacaketest.DefaultCustomers)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a[10], c[10])
	docs := map[string]bool{}
	var cnpj, alpha int
	for _, cu := range a {
		require.NoError(t, datacake.ValidateDocument(cu.Document), cu.Document)
		n := datacake.NormalizeDocument(cu.Document)
		require.False(t, docs[n], "duplicate %s", n)
		docs[n] = true
		if datacake.KindOf(n) == datacake.DocumentCNPJ {
			cnpj++
			if n[2] >= 'A' {
				alpha++
			}
		}
		assert.NotEmpty(t, cu.Name)
		assert.NotEmpty(t, cu.City)
	}
	assert.Greater(t, cnpj, 10)
	assert.Greater(t, alpha, 5)
	assert.False(t, docs[datacaketest.UnknownCPF])
	assert.Equal(t, "Maria Aparecida da Silva", a[0].Name)
	assert.Equal(t, datacaketest.ExampleAlphaCNPJ, datacake.NormalizeDocument(a[2].Document))
}

func TestQuirkyShapes(t *testing.T) {
	t.Parallel()
	get := func(tidy bool) string {
		srv := datacaketest.NewServer(&datacaketest.Options{Tidy: tidy})
		defer srv.Close()
		req, _ := http.NewRequest("GET", srv.URL+"/produtos", nil)
		req.Header.Set("Authorization", "Bearer "+datacaketest.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	tidy, quirky := get(true), get(false)
	assert.Contains(t, tidy, `[{"id_servico":"101","nome":"Fibra 100 Mega"`)
	assert.Contains(t, tidy, `"valor":"79.90"`)
	assert.Contains(t, quirky, `"registros":"10"`)
	assert.Contains(t, quirky, `"id_servico":101`)
	assert.Contains(t, quirky, `"valor":79.90`)
}

func TestUnderPrefixAndAdmin(t *testing.T) {
	t.Parallel()
	srv := datacaketest.NewUnstartedServer(nil)
	mux := http.NewServeMux()
	mux.Handle("/sandbox/datacake/", http.StripPrefix("/sandbox/datacake", srv))
	w := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/sandbox/datacake/cidades", nil)
	req.Header.Set("Authorization", "Bearer "+datacaketest.DefaultToken)
	mux.ServeHTTP(w, req)
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, 1, srv.Count("GET", "/cidades"))
	assert.Equal(t, "REDACTED", srv.Requests()[0].Header["Authorization"][len("Bearer "):])
}

func TestCPFIsValid(t *testing.T) {
	for _, n := range []int{0, 1, 100000007, 999999999, 1234567890, -5} {
		assert.NoError(t, datacake.ValidateCPF(datacaketest.CPF(n)), n)
	}
	assert.NotEqual(t, datacaketest.CPF(1), datacaketest.CPF(2))
}

// The sandbox's invoices are dated around its clock's day, where a user
// looks: this month's falls due on the 10th of next month, the overdue ones
// in the months before; the paid history is of the three months before.
func TestDatesAroundTheClock(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	srv := datacaketest.NewServer(&datacaketest.Options{Tidy: true, Customers: 30, Now: now, Revision: datacake.RevisionCurrent})
	defer srv.Close()
	c, err := datacake.NewClient(srv.URL, datacaketest.DefaultToken)
	require.NoError(t, err)
	ctx := context.Background()
	seen := 0
	for _, cu := range srv.ERP.Customers() {
		inv, err := c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: cu.ID})
		require.NoError(t, err)
		for _, v := range inv {
			seen++
			assert.Contains(t, []string{"2026-04-10", "2026-03-10", "2026-02-10", "2026-01-10"}, v.DueOn, v.ID)
			if v.DueOn == "2026-04-10" {
				assert.Equal(t, v.InitialValue, v.CurrentValue, "not due yet: no fine")
			} else {
				assert.Equal(t, v.CurrentValue, v.InitialValue+v.Fine+v.Interest, "overdue: fine and interest, exact")
				assert.Positive(t, v.Fine)
			}
		}
		notes, err := c.Customers.FiscalNotes(ctx, &datacake.InvoiceQuery{CustomerID: cu.ID})
		require.NoError(t, err)
		for _, n := range notes {
			assert.Contains(t, []string{"2025-12-01", "2026-01-01", "2026-02-01"}, n.IssuedOn)
		}
	}
	assert.Greater(t, seen, 10)
}
