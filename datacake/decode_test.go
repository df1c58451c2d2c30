package datacake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

func goldenFiles(f *testing.F) [][]byte {
	names, err := filepath.Glob(filepath.Join("..", "testdata", "datacake", "*"))
	require.NoError(f, err)
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		require.NoError(f, err)
		out = append(out, b)
	}
	return out
}

// fuzzClient answers every request with body.
func fuzzClient(t *testing.T, body []byte) *datacake.Client {
	mock := httpmock.NewMockTransport()
	mock.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		return httpmock.NewBytesResponse(200, body), nil
	})
	c, err := datacake.NewClient(testBase, testToken, datacake.WithHTTPClient(&http.Client{Transport: mock}), datacake.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

// checkDecodeErr: a decoder either succeeds or returns a typed error.
func checkDecodeErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re, err.Error())
}

// FuzzDecodeLists feeds every list decoder arbitrary bodies.
func FuzzDecodeLists(f *testing.F) {
	for _, b := range goldenFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, body)
		ctx := context.Background()
		ps, err := c.Catalogues.Products(ctx)
		checkDecodeErr(t, err)
		if err == nil {
			// What decodes re-encodes and decodes to the same.
			b, err := json.Marshal(ps)
			require.NoError(t, err)
			var back []datacake.Product
			require.NoError(t, json.Unmarshal(b, &back))
			require.Len(t, back, len(ps))
		}
		_, err = c.Customers.Installations(ctx, "1")
		checkDecodeErr(t, err)
		_, err = c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: "1"})
		checkDecodeErr(t, err)
		_, err = c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{Document: "52998224725", ContractID: "70001"})
		checkDecodeErr(t, err)
		notes, err := c.Customers.FiscalNotes(ctx, &datacake.InvoiceQuery{CustomerID: "1"})
		checkDecodeErr(t, err)
		if err == nil {
			b, err := json.Marshal(notes)
			require.NoError(t, err)
			var back []datacake.FiscalNote
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, notes, back)
		}
		_, err = c.Customers.FinancialStatements(ctx, &datacake.InvoiceQuery{CustomerID: "1"})
		checkDecodeErr(t, err)
		_, err = c.Catalogues.Cities(ctx)
		checkDecodeErr(t, err)
		_, err = c.Catalogues.ProspectStatuses(ctx)
		checkDecodeErr(t, err)
	})
}

// FuzzDecodeObjects feeds the customer and status decoders.
func FuzzDecodeObjects(f *testing.F) {
	for _, b := range goldenFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c := fuzzClient(t, body)
		ctx := context.Background()
		cu, err := c.Customers.Get(ctx, "52998224725")
		checkDecodeErr(t, err)
		if err == nil {
			b, err := json.Marshal(cu)
			require.NoError(t, err)
			var back datacake.Customer
			require.NoError(t, json.Unmarshal(b, &back))
			require.Equal(t, cu.Name, back.Name)
		}
		_, err = c.Prospects.Status(ctx, "1")
		checkDecodeErr(t, err)
		var p datacake.Prospect
		if json.Unmarshal(body, &p) == nil {
			b, err := json.Marshal(p)
			require.NoError(t, err)
			var back datacake.Prospect
			require.NoError(t, json.Unmarshal(b, &back))
		}
	})
}

// productsBody is a realistic answer of 500 products.
func productsBody(n int) []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id_servico":"%d","nome":"Fibra %d Mega","descricao":"Internet fibra óptica %d Mbps, Wi-Fi incluso","valor":"%d.90","obs":""}`, 100+i, 100+i, 100+i, 79+i%100)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// bareProduct is what a hand-written client would decode into.
type bareProduct struct {
	ID          string `json:"id_servico"`
	Name        string `json:"nome"`
	Description string `json:"descricao"`
	Price       string `json:"valor"`
	Notes       string `json:"obs"`
}

func benchServer(b *testing.B, body []byte) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/produtos", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	srv := newLoopback(b, mux)
	return srv
}

// BenchmarkProducts500 lists 500 products through the client.
func BenchmarkProducts500(b *testing.B) {
	url := benchServer(b, productsBody(500))
	c, err := datacake.NewClient(url, testToken)
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ps, err := c.Catalogues.Products(ctx)
		if err != nil || len(ps) != 500 {
			b.Fatal(err, len(ps))
		}
	}
}

// BenchmarkProducts500Bare is the baseline: bare net/http and encoding/json.
func BenchmarkProducts500Bare(b *testing.B) {
	url := benchServer(b, productsBody(500))
	hc := &http.Client{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req, _ := http.NewRequest("GET", url+"/produtos", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var ps []bareProduct
		err = json.NewDecoder(resp.Body).Decode(&ps)
		resp.Body.Close()
		if err != nil || len(ps) != 500 {
			b.Fatal(err, len(ps))
		}
	}
}
