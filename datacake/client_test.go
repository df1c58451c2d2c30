package datacake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

const (
	testBase  = "https://erp.example.com.br/api"
	testToken = "tok-1234567890"
)

func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "datacake", name))
	require.NoError(t, err)
	return b
}

// mockClient returns a client whose innermost transport is a fresh mock.
func mockClient(t *testing.T, opts ...datacake.Option) (*datacake.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	opts = append([]datacake.Option{
		datacake.WithHTTPClient(&http.Client{Transport: mock}),
		datacake.WithRetryWait(time.Millisecond, 2*time.Millisecond),
	}, opts...)
	c, err := datacake.NewClient(testBase, testToken, opts...)
	require.NoError(t, err)
	return c, mock
}

// authed answers body with status only when the request carries the token
// as "Authorization: Bearer", and 401 otherwise.
func authed(t *testing.T, status int, body []byte) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			return httpmock.NewStringResponse(401, `{"error":"token inválido"}`), nil
		}
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	}
}

func TestClientCustomer(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponderWithQuery("GET", testBase+"/cliente", "cnpj_cpf=529.982.247-25", authed(t, 200, golden(t, "customer.json")))
	cu, err := c.Customers.Get(context.Background(), " 529.982.247-25 ")
	require.NoError(t, err)
	assert.Equal(t, "1001", cu.ID)
	assert.Equal(t, "Maria Aparecida da Silva", cu.Name)
	assert.Equal(t, datacake.PersonNatural, cu.PersonType)
	assert.Equal(t, datacake.SexFemale, cu.Sex)
	assert.Equal(t, "N", cu.ICMSTaxpayer)
	assert.Equal(t, "São Paulo", cu.City)
	assert.InDelta(t, -23.56375, cu.Latitude, 1e-9)
	assert.Equal(t, "(11) 99630-3108", cu.WhatsApp)
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestClientCustomerVariants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, name, id, street string
		lat                    float64
	}{
		{"customer_numbers_nulls.json", "Maria Aparecida da Silva", "1001", "Rua Sete de Setembro", -23.56375},
		{"customer_newer_revision.json", "Maria Aparecida da Silva", "1001", "Rua Sete de Setembro", 0},
		{"customer_in_array.json", "Maria Aparecida da Silva", "1001", "Rua Sete de Setembro", -23.56375},
		{"customer_seed.json", "", "", "", 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			c, mock := mockClient(t)
			mock.RegisterResponder("GET", "=~/cliente", authed(t, 200, golden(t, tc.file)))
			cu, err := c.Customers.Get(context.Background(), "52998224725")
			require.NoError(t, err)
			assert.Equal(t, tc.name, cu.Name)
			assert.Equal(t, tc.id, cu.ID)
			assert.Equal(t, tc.street, cu.Street)
			assert.InDelta(t, tc.lat, cu.Latitude, 1e-9)
		})
	}
}

func TestClientCustomerValidatesFirst(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	for _, doc := range []string{"", "123", "529.982.247-24", "11.222.333/0001-82", "111.111.111-11"} {
		_, err := c.Customers.Get(context.Background(), doc)
		require.ErrorIs(t, err, leadkit.ErrInvalidInput, doc)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "cnpj_cpf", ie.Field)
	}
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestClientJSONBodyOnGet(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t, datacake.WithJSONBodyOnGet())
	mock.RegisterResponder("GET", testBase+"/cliente", func(r *http.Request) (*http.Response, error) {
		if r.URL.RawQuery != "" {
			return httpmock.NewStringResponse(400, `{"error":"query not expected"}`), nil
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"cnpj_cpf":"12.ABC.345/01DE-35"}` || r.Header.Get("Content-Type") != "application/json" {
			return httpmock.NewStringResponse(400, `{"error":"bad body `+string(b)+`"}`), nil
		}
		return authed(t, 200, golden(t, "customer.json"))(r)
	})
	_, err := c.Customers.Get(context.Background(), "12.ABC.345/01DE-35")
	require.NoError(t, err)
}

func TestClientInstallationsAndInvoices(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponderWithQuery("GET", testBase+"/instalacoes", "id_cliente=1001", authed(t, 200, golden(t, "installations_wrapped.json")))
	mock.RegisterResponderWithQuery("GET", testBase+"/faturas", "id_cliente=1001", authed(t, 200, golden(t, "invoices_numbers.json")))
	ctx := context.Background()
	ins, err := c.Customers.Installations(ctx, "1001")
	require.NoError(t, err)
	require.Len(t, ins, 2)
	assert.Equal(t, "1001-1", ins[0].ID)
	require.Len(t, ins[0].Services, 2)
	assert.Equal(t, datacake.Amount(9990), ins[0].Services[0].Price)
	assert.Equal(t, datacake.Amount(5990), ins[0].Services[1].Price) // "59,90"
	assert.Equal(t, "S/N", ins[1].Number)
	assert.Empty(t, ins[1].Services)
	assert.NotNil(t, ins[1].Services)

	inv, err := c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: "1001"})
	require.NoError(t, err)
	require.Len(t, inv, 1)
	assert.Equal(t, "100101", inv[0].ID)
	assert.Equal(t, datacake.Amount(10235), inv[0].CurrentValue)
	assert.Equal(t, "2026-01-10", inv[0].DueOn)

	_, err = c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{})
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

func TestClientCatalogues(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	for path, file := range map[string]string{
		"/produtos": "products_wrapped_numbers.json", "/revendedores": "resellers.json",
		"/funcionarios": "employees.json", "/vencimentos": "due_dates.json", "/origens": "origins.json",
		"/cidades": "cities_seed_key.json", "/status-prospecto": "prospect_statuses.json",
	} {
		mock.RegisterResponder("GET", testBase+path, authed(t, 200, golden(t, file)))
	}
	ctx := context.Background()
	ps, err := c.Catalogues.Products(ctx)
	require.NoError(t, err)
	require.Len(t, ps, 3)
	assert.Equal(t, datacake.Product{ID: "101", Name: "Fibra 100 Mega", Price: 7990}, ps[0])
	assert.Equal(t, datacake.Amount(8990), ps[2].Price)

	rs, err := c.Catalogues.Resellers(ctx)
	require.NoError(t, err)
	assert.Equal(t, []datacake.Reseller{{ID: "1", Name: "Loja Centro"}, {ID: "2", Name: "Quiosque Shopping Boa Vista"}}, rs)
	es, err := c.Catalogues.Employees(ctx)
	require.NoError(t, err)
	assert.Equal(t, "30", es[1].DepartmentID)
	ds, err := c.Catalogues.DueDates(ctx)
	require.NoError(t, err)
	assert.Equal(t, datacake.DueDate{ID: "1", Date: "5", Notes: "Todo dia 5"}, ds[0])
	os, err := c.Catalogues.CommercialOrigins(ctx)
	require.NoError(t, err)
	require.Len(t, os, 4)
	assert.Equal(t, "Indicação de Amigo", os[2].Name)
	cs, err := c.Catalogues.Cities(ctx)
	require.NoError(t, err)
	assert.Equal(t, datacake.City{ID: "3550308", Name: "São Paulo", Notes: "SP"}, cs[0])
	ss, err := c.Catalogues.ProspectStatuses(ctx)
	require.NoError(t, err)
	require.Len(t, ss, 6)
	assert.Equal(t, datacake.ProspectStatus{ID: "2", Name: "Em análise"}, ss[1])
	assert.Equal(t, 7, mock.GetTotalCallCount())
}

func TestClientListShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		n    int
		kind error
	}{
		{"products.json", 3, nil},
		{"products_seed.json", 1, nil},
		{"products_wrapped_numbers.json", 3, nil},
		{"products_seed_literal.txt", 1, nil},
		{"invoices_empty.json", 0, nil},
		{"invoices_null.json", 0, nil},
		{"error_html.html", 0, leadkit.ErrNotJSON},
		{"status.json", 0, nil}, // an object with no array: an empty list
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			c, mock := mockClient(t)
			mock.RegisterResponder("GET", testBase+"/produtos", authed(t, 200, golden(t, tc.file)))
			ps, err := c.Catalogues.Products(context.Background())
			if tc.kind != nil {
				require.ErrorIs(t, err, tc.kind)
				return
			}
			require.NoError(t, err)
			assert.Len(t, ps, tc.n)
		})
	}
	for body, kind := range map[string]error{
		`{"a":[],"b":[]}`:                    leadkit.ErrDecode,
		`[{"id_servico":{}}]`:                leadkit.ErrDecode,
		`[{"id_servico":"1","valor":"abc"}]`: leadkit.ErrDecode,
		`[{"id_servico":"1"`:                 leadkit.ErrTruncatedBody,
		``:                                   leadkit.ErrEmptyBody,
		`"products"`:                         leadkit.ErrDecode,
	} {
		c, mock := mockClient(t)
		mock.RegisterResponder("GET", testBase+"/produtos", authed(t, 200, []byte(body)))
		_, err := c.Catalogues.Products(context.Background())
		require.ErrorIs(t, err, kind, body)
		var re *leadkit.ResponseError
		require.ErrorAs(t, err, &re, body)
	}
}

func TestClientErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status   int
		file     string
		sentinel error
		msg      string
	}{
		{404, "error.json", datacake.ErrNotFound, "cliente não encontrado"},
		{401, "error_mensagem.json", datacake.ErrUnauthorized, "Token inválido"},
		{400, "error.json", datacake.ErrBadRequest, "cliente não encontrado"},
		{413, "error.json", datacake.ErrTooLarge, "cliente não encontrado"},
	} {
		c, mock := mockClient(t)
		mock.RegisterResponder("GET", "=~/cliente", httpmock.NewBytesResponder(tc.status, golden(t, tc.file)))
		_, err := c.Customers.Get(context.Background(), "52998224725")
		require.ErrorIs(t, err, tc.sentinel)
		require.ErrorIs(t, err, leadkit.ErrHTTPStatus)
		var de *datacake.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, tc.status, de.StatusCode)
		assert.Equal(t, tc.msg, de.Message)
		var re *leadkit.ResponseError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "GET", re.Method)
	}

	c, mock := mockClient(t, datacake.WithMaxRetries(0))
	mock.RegisterResponder("GET", testBase+"/produtos", httpmock.NewStringResponder(429, `{"error":"devagar"}`).
		HeaderSet(http.Header{"Retry-After": {"7"}}))
	_, err := c.Catalogues.Products(context.Background())
	var rl *datacake.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 7*time.Second, rl.RetryAfter)
	var de *datacake.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "devagar", de.Message)
}

func TestClientCreateProspect(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var got map[string]any
	mock.RegisterResponder("POST", testBase+"/prospectos", func(r *http.Request) (*http.Response, error) {
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			return nil, err
		}
		return authed(t, 200, []byte(`{"status":"1","id_prospecto":5001}`))(r)
	})
	st, err := c.Prospects.Create(context.Background(), &datacake.Prospect{
		Name: "João Pereira Lima", Document: "111.444.777-35", Sex: datacake.SexMale,
		Address:    datacake.Address{ZIP: "80010-000", City: "Curitiba", State: "PR", Latitude: -25.4284},
		ProductIDs: []string{"102", "201"}, DueDateID: "2", OriginID: "1", CityID: "4106902", StatusID: "1",
		DepartmentID: "10", ResellerID: "5",
	})
	require.NoError(t, err)
	assert.Equal(t, &datacake.Status{Status: "1", ProspectID: "5001"}, st)
	assert.Equal(t, map[string]any{
		"nome": "João Pereira Lima", "cnpj_cpf": "111.444.777-35", "Sexo": "M", "cep": "80010-000",
		"cidade": "Curitiba", "uf": "PR", "latitude": "-25.4284",
		"servicos":      []any{map[string]any{"id_servico": "102"}, map[string]any{"id_servico": "201"}},
		"id_vencimento": "2", "id_origem": "1", "id_cidade": "4106902", "status_prospeccao": "1",
		"id_departamento": "10", "id_revendedor": "5",
	}, got)
}

func TestClientCreateProspectValidates(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	ctx := context.Background()
	for field, p := range map[string]*datacake.Prospect{
		"prospect": nil,
		"nome":     {Document: "11144477735"},
		"cnpj_cpf": {Name: "X", Document: "11144477736"},
		"email":    {Name: "X", Document: "11144477735", Email: "not an address"},
		"uf":       {Name: "X", Document: "11144477735", Address: datacake.Address{State: "São Paulo"}},
		"cep":      {Name: "X", Document: "11144477735", Address: datacake.Address{ZIP: "123"}},
		"servicos": {Name: "X", Document: "11144477735", ProductIDs: []string{""}},
	} {
		_, err := c.Prospects.Create(ctx, p)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, field, ie.Field)
	}
	_, err := c.Prospects.Update(ctx, "5001", &datacake.Prospect{})
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Prospects.Update(ctx, "", &datacake.Prospect{Name: "x"})
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Prospects.Update(ctx, "..", &datacake.Prospect{Name: "x"})
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Prospects.Status(ctx, " ")
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.Zero(t, mock.GetTotalCallCount())
}

// A create answered 502 may have been processed: it is not resent.
func TestClientCreateNotResentOnGatewayError(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("POST", testBase+"/prospectos", httpmock.NewStringResponder(502, "<html>bad gateway</html>"))
	_, err := c.Prospects.Create(context.Background(), &datacake.Prospect{Name: "X", Document: "11144477735"})
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	assert.Equal(t, 1, mock.GetTotalCallCount())

	mock.RegisterResponder("POST", testBase+"/prospectos/5001/arquivos", httpmock.NewStringResponder(504, ""))
	_, err = c.Prospects.UploadFiles(context.Background(), "5001", datacake.File{Name: "a.png", Data: pngBytes})
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	assert.Equal(t, 2, mock.GetTotalCallCount())
}

// An update is a PUT: a 502 is retried.
func TestClientUpdateProspectRetried(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var bodies []string
	mock.RegisterResponder("PUT", testBase+"/prospectos/5001", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if len(bodies) == 1 {
			return httpmock.NewStringResponse(502, "bad gateway"), nil
		}
		return authed(t, 200, []byte(`{"status":"2"}`))(r)
	})
	st, err := c.Prospects.Update(context.Background(), "5001", &datacake.Prospect{StatusID: "2", Email: "a@b.com.br"})
	require.NoError(t, err)
	assert.Equal(t, "2", st.Status)
	require.Len(t, bodies, 2)
	assert.Equal(t, `{"email":"a@b.com.br","status_prospeccao":"2"}`, bodies[0])
	assert.Equal(t, bodies[0], bodies[1])
}

func TestClientRoutesAndAuthHeader(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t,
		datacake.WithRoutes(datacake.Routes{
			UpdateProspect: "/v2/prospect/update", ProspectStatus: "/v2/prospect/status",
			UploadFiles: "/v2/prospect/{id}/docs", Customer: "/v2/clientes/buscar",
		}),
		datacake.WithAuthHeader("token", ""))
	check := func(body string) httpmock.Responder {
		return func(r *http.Request) (*http.Response, error) {
			if r.Header.Get("token") != testToken || r.Header.Get("Authorization") != "" {
				return httpmock.NewStringResponse(401, `{"error":"no"}`), nil
			}
			return httpmock.NewStringResponse(200, body), nil
		}
	}
	var putBody string
	mock.RegisterResponder("PUT", testBase+"/v2/prospect/update", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		putBody = string(b)
		return check(`{"status":"ok"}`)(r)
	})
	mock.RegisterResponderWithQuery("GET", testBase+"/v2/prospect/status", "id_prospecto=a%2Fb", check(`{"status":"3","nome":"Reprovado"}`))
	mock.RegisterResponder("POST", testBase+"/v2/prospect/a%2Fb/docs", check(`{"status":"ok"}`))
	mock.RegisterResponder("GET", "=~^"+testBase+"/v2/clientes/buscar", check(string(golden(t, "customer.json"))))
	ctx := context.Background()
	_, err := c.Prospects.Update(ctx, "77", &datacake.Prospect{Notes: "ligar à tarde"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id_prospecto":"77","obs":"ligar à tarde"}`, putBody)
	st, err := c.Prospects.Status(ctx, "a/b")
	require.NoError(t, err)
	assert.Equal(t, "Reprovado", st.Name)
	_, err = c.Prospects.UploadFiles(ctx, "a/b", datacake.File{Name: "x.gif", Data: gifBytes})
	require.NoError(t, err)
	_, err = c.Customers.Get(ctx, "52998224725")
	require.NoError(t, err)
	assert.Equal(t, 4, mock.GetTotalCallCount())
}

func TestClientOptionErrors(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]datacake.Option{
		"Routes.Customer":       datacake.WithRoutes(datacake.Routes{Customer: "cliente"}),
		"Routes.UpdateProspect": datacake.WithRoutes(datacake.Routes{UpdateProspect: "/p/{id}/{id}"}),
		"Routes.Products":       datacake.WithRoutes(datacake.Routes{Products: "/produtos?x=1"}),
		"Routes.Resellers":      datacake.WithRoutes(datacake.Routes{Resellers: "/produtos"}),
		"AuthHeader":            datacake.WithAuthHeader("bad header", ""),
		"MaxFileBytes":          datacake.WithMaxFileBytes(0),
	} {
		_, err := datacake.NewClient(testBase, testToken, opt)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, name, ie.Field)
	}
	_, err := datacake.NewClient(testBase, "")
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = datacake.NewClient("ftp://x", testToken)
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = datacake.NewClient("", testToken)
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

// Tiny valid files of each allowed type.
var (
	pngBytes, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
	gifBytes    = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	jpegBytes   = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
	pdfBytes    = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
)

func TestClientUploadFiles(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var got struct {
		ID       *string `json:"id_prospecto"`
		Arquivos []struct {
			Nome, Tipo, Base64 string
		} `json:"arquivos"`
	}
	mock.RegisterResponder("POST", testBase+"/prospectos/5001/arquivos", func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("Content-Type") != "application/json" {
			return httpmock.NewStringResponse(415, ""), nil
		}
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			return nil, err
		}
		return authed(t, 200, []byte(`{"status":"1"}`))(r)
	})
	bigPDF := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("stream \x00\x01\x02\xff"), 100000)...)
	files := []datacake.File{
		{Name: "rg.png", ContentType: "text/plain", Data: pngBytes},
		{Name: "selfie.jpg", Data: jpegBytes},
		{Name: "anim\"ação\".gif", Data: gifBytes},
		{Name: "comprovante.pdf", Reader: bytes.NewReader(bigPDF)},
	}
	_, err := c.Prospects.UploadFiles(context.Background(), "5001", files...)
	require.NoError(t, err)
	assert.Nil(t, got.ID) // the route carries the id
	require.Len(t, got.Arquivos, 4)
	want := [][]byte{pngBytes, jpegBytes, gifBytes, bigPDF}
	types := []string{datacake.TypePNG, datacake.TypeJPEG, datacake.TypeGIF, datacake.TypePDF}
	for i, a := range got.Arquivos {
		assert.Equal(t, files[i].Name, a.Nome)
		assert.Equal(t, types[i], a.Tipo)
		data, err := base64.StdEncoding.DecodeString(a.Base64)
		require.NoError(t, err)
		assert.Equal(t, want[i], data)
	}
}

func TestClientUploadFilesRefused(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t, datacake.WithMaxFileBytes(1000))
	ctx := context.Background()
	for name, files := range map[string][]datacake.File{
		"arquivos":         nil,
		"arquivos[0].nome": {{Data: pngBytes}},
		"arquivos[1]":      {{Name: "a.png", Data: pngBytes}, {Name: "a.exe", Data: []byte("MZ\x90\x00 this is a program")}},
		"arquivos[0]":      {{Name: "big.pdf", Data: append(pdfBytes, make([]byte, 1000)...)}},
	} {
		_, err := c.Prospects.UploadFiles(ctx, "5001", files...)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, name)
		assert.Equal(t, name, ie.Field)
	}
	for _, f := range []datacake.File{
		{Name: "empty.png", Data: []byte{}},
		{Name: "none.png"},
		{Name: "html.png", Data: []byte("<html><body>not an image</body></html>")},
		{Name: "big.pdf", Reader: io.MultiReader(bytes.NewReader(pdfBytes), bytes.NewReader(make([]byte, 1000)))},
	} {
		_, err := c.Prospects.UploadFiles(ctx, "5001", f)
		require.ErrorIs(t, err, leadkit.ErrInvalidInput, f.Name)
	}
	_, err := c.Prospects.UploadFiles(ctx, "5001", datacake.File{Name: "r.pdf", Reader: errReader{}})
	require.Error(t, err)
	assert.Zero(t, mock.GetTotalCallCount())
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestClientStatusDecoding(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]datacake.Status{
		"status.json":          {Status: "1", ProspectID: "5001", Name: "Inicial"},
		"status_seed.json":     {},
		"status_alt_keys.json": {Status: "2", ProspectID: "5001"},
	} {
		c, mock := mockClient(t)
		mock.RegisterResponder("GET", testBase+"/prospectos/5001/status", authed(t, 200, golden(t, file)))
		st, err := c.Prospects.Status(context.Background(), "5001")
		require.NoError(t, err, file)
		assert.Equal(t, want, *st, file)
	}
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", testBase+"/prospectos/5001/status", authed(t, 200, golden(t, "status_seed_literal.txt")))
	_, err := c.Prospects.Status(context.Background(), "5001")
	require.ErrorIs(t, err, leadkit.ErrNotJSON) // the page's trailing comma is not JSON
	assert.True(t, strings.Contains(err.Error(), "status"))
}
