package datacake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

const handlerToken = "handler-token-3b1f"

// failingERP is a MemoryERP whose catalogue calls fail or panic.
type failingERP struct {
	*datacaketest.MemoryERP
	err      error
	panicked bool
}

func (f *failingERP) Products(ctx context.Context) ([]datacake.Product, error) {
	if f.panicked {
		panic("nil map somewhere")
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.MemoryERP.Products(ctx)
}

// nilERP answers nothing: nil lists, nil customer, nil status.
type nilERP struct{ datacake.ERP }

func (nilERP) Customer(context.Context, string) (*datacake.Customer, error) { return nil, nil }
func (nilERP) Cities(context.Context) ([]datacake.City, error)              { return nil, nil }
func (nilERP) CreateProspect(context.Context, *datacake.Prospect) (*datacake.Status, error) {
	return nil, nil
}

type call struct {
	method, target, body string
	header               http.Header
}

func do(h http.Handler, c call) *httptest.ResponseRecorder {
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	r := httptest.NewRequest(c.method, c.target, body)
	if c.header == nil {
		r.Header.Set("Authorization", "Bearer "+handlerToken)
	}
	for k, vs := range c.header {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func errorText(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
	require.NotEmpty(t, e.Error)
	assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
	return e.Error
}

func uploadJSON(id string, files ...[2]string) string {
	type f struct {
		Nome   string `json:"nome"`
		Base64 string `json:"base64"`
	}
	var fs []f
	for _, x := range files {
		fs = append(fs, f{x[0], x[1]})
	}
	b, _ := json.Marshal(map[string]any{"id_prospecto": id, "arquivos": fs})
	return string(b)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestHandlerStatuses(t *testing.T) {
	t.Parallel()
	erp := datacaketest.NewMemoryERP(1, 20)
	st, err := erp.CreateProspect(context.Background(), &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF})
	require.NoError(t, err)
	pid := st.ProspectID
	h := datacake.NewHandler(erp, handlerToken, datacake.WithHandlerMaxBytes(4096, 8192, 1024))
	bigPDF := b64(append(append([]byte{}, pdfBytes...), make([]byte, 2000)...))
	for _, tc := range []struct {
		name   string
		c      call
		status int
		want   string // part of the error text
	}{
		{"no token", call{"GET", "/produtos", "", http.Header{}}, 401, "token"},
		{"wrong token", call{"GET", "/produtos", "", http.Header{"Authorization": {"Bearer nope"}}}, 401, "token"},
		{"token without scheme", call{"GET", "/produtos", "", http.Header{"Authorization": {handlerToken}}}, 401, "token"},
		{"token in another header", call{"GET", "/produtos", "", http.Header{"Token": {handlerToken}}}, 401, "token"},
		{"unknown route", call{"GET", "/nada", "", nil}, 404, "route"},
		{"root", call{"GET", "/", "", nil}, 404, "route"},
		{"unknown customer", call{"GET", "/cliente?cnpj_cpf=" + datacaketest.UnknownCPF, "", nil}, 404, "not found"},
		{"unknown prospect", call{"GET", "/prospectos/999/status", "", nil}, 404, "not found"},
		{"unknown customer id", call{"GET", "/faturas?id_cliente=42", "", nil}, 404, "not found"},
		{"update unknown", call{"PUT", "/prospectos/999", `{"obs":"x"}`, nil}, 404, "not found"},
		{"POST on a GET route", call{"POST", "/produtos", "{}", nil}, 405, "POST"},
		{"DELETE prospect", call{"DELETE", "/prospectos/1", "", nil}, 405, "DELETE"},
		{"invalid CPF", call{"GET", "/cliente?cnpj_cpf=52998224724", "", nil}, 400, "cnpj_cpf"},
		{"missing CPF", call{"GET", "/cliente", "", nil}, 400, "cnpj_cpf"},
		{"GET body not JSON", call{"GET", "/cliente", "cnpj_cpf=1", nil}, 400, "JSON"},
		{"GET body param not a string", call{"GET", "/cliente", `{"cnpj_cpf":{"a":1}}`, nil}, 400, "cnpj_cpf"},
		{"missing id_cliente", call{"GET", "/instalacoes", "", nil}, 400, "id_cliente"},
		{"create without body", call{"POST", "/prospectos", "", nil}, 400, "empty"},
		{"create not JSON", call{"POST", "/prospectos", "nome=x", nil}, 400, "JSON"},
		{"create wrong type", call{"POST", "/prospectos", `{"nome":["x"]}`, nil}, 400, "expected a string"},
		{"create without name", call{"POST", "/prospectos", `{"cnpj_cpf":"52998224725"}`, nil}, 400, "nome"},
		{"create invalid CNPJ", call{"POST", "/prospectos", `{"nome":"X","cnpj_cpf":"11222333000182"}`, nil}, 400, "cnpj_cpf"},
		{"create unknown product", call{"POST", "/prospectos", `{"nome":"X","cnpj_cpf":"11222333000181","servicos":[{"id_servico":"999"}]}`, nil}, 400, "unknown product"},
		{"update nothing", call{"PUT", "/prospectos/" + pid, `{}`, nil}, 400, "at least one field"},
		{"update bad email", call{"PUT", "/prospectos/" + pid, `{"email":"x"}`, nil}, 400, "email"},
		{"upload no files", call{"POST", "/prospectos/" + pid + "/arquivos", `{"arquivos":[]}`, nil}, 400, "arquivos"},
		{"upload not base64", call{"POST", "/prospectos/" + pid + "/arquivos", uploadJSON("", [2]string{"a.png", "!!!"}), nil}, 400, "base64"},
		{"upload empty file", call{"POST", "/prospectos/" + pid + "/arquivos", uploadJSON("", [2]string{"a.png", ""}), nil}, 400, "empty"},
		{"upload no name", call{"POST", "/prospectos/" + pid + "/arquivos", uploadJSON("", [2]string{"", b64(pngBytes)}), nil}, 400, "nome"},
		{"upload exe", call{"POST", "/prospectos/" + pid + "/arquivos", uploadJSON("", [2]string{"a.png", b64([]byte("MZ\x90\x00\x03\x00\x00\x00program"))}), nil}, 400, "not JPEG, PNG, GIF or PDF"},
		{"upload html named pdf", call{"POST", "/prospectos/" + pid + "/arquivos", uploadJSON("", [2]string{"a.pdf", b64([]byte("<!DOCTYPE html><html>x</html>"))}), nil}, 400, "text/html"},
		{"upload file over cap", call{"POST", "/prospectos/" + pid + "/arquivos", uploadJSON("", [2]string{"big.pdf", bigPDF}), nil}, 413, "more than 1024"},
		{"upload body over cap", call{"POST", "/prospectos/" + pid + "/arquivos", uploadJSON("", [2]string{"a.pdf", bigPDF}, [2]string{"b.pdf", bigPDF}, [2]string{"c.pdf", bigPDF}), nil}, 413, "8192"},
		{"create body over cap", call{"POST", "/prospectos", `{"nome":"` + strings.Repeat("a", 5000) + `"}`, nil}, 413, "4096"},
		{"GET body over cap", call{"GET", "/cliente", `{"cnpj_cpf":"` + strings.Repeat("1", 5000) + `"}`, nil}, 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(h, tc.c)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			msg := errorText(t, w)
			assert.Contains(t, msg, tc.want)
			if tc.status == 405 {
				assert.NotEmpty(t, w.Header().Get("Allow"))
			}
			if tc.status == 401 {
				assert.Equal(t, `Bearer realm="datacake"`, w.Header().Get("WWW-Authenticate"))
			}
		})
	}
	p, ok := erp.Prospect(pid)
	require.True(t, ok)
	assert.Empty(t, p.Files)
	assert.Zero(t, p.Updates)
	assert.Equal(t, 1, erp.ProspectCount())
}

func TestHandlerAllowHeader(t *testing.T) {
	t.Parallel()
	h := datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), handlerToken)
	w := do(h, call{"PATCH", "/prospectos/5", "", nil})
	require.Equal(t, 405, w.Code)
	assert.Equal(t, "PUT", w.Header().Get("Allow"))
	w = do(h, call{"GET", "/prospectos", "", nil})
	require.Equal(t, 405, w.Code)
	assert.Equal(t, "POST", w.Header().Get("Allow"))
	w = do(h, call{"HEAD", "/produtos", "", nil})
	require.Equal(t, 200, w.Code)
}

func TestHandlerERPFailures(t *testing.T) {
	t.Parallel()
	secret := errors.New("pq: password authentication failed for user erp at 10.0.0.5")
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	erp := &failingERP{MemoryERP: datacaketest.NewMemoryERP(1, 5), err: secret}
	h := datacake.NewHandler(erp, handlerToken, datacake.WithHandlerLogger(logger))
	w := do(h, call{"GET", "/produtos", "", nil})
	require.Equal(t, 500, w.Code)
	assert.Equal(t, "internal error", errorText(t, w))
	assert.NotContains(t, w.Body.String(), "10.0.0.5")
	assert.Contains(t, logs.String(), "10.0.0.5") // the operator sees it
	assert.NotContains(t, logs.String(), handlerToken)

	h = datacake.NewHandler(erp, handlerToken, datacake.WithHandlerErrorDetails())
	w = do(h, call{"GET", "/produtos", "", nil})
	require.Equal(t, 500, w.Code)
	assert.Contains(t, errorText(t, w), "10.0.0.5")

	// A not-found and an input error from the ERP keep their meaning.
	erp.err = fmt.Errorf("catalogue: %w", datacake.ErrNotFound)
	assert.Equal(t, 404, do(h, call{"GET", "/produtos", "", nil}).Code)
	erp.err = leadkit.Invalid("id_servico", "catalogue frozen")
	w = do(h, call{"GET", "/produtos", "", nil})
	assert.Equal(t, 400, w.Code)
	assert.Contains(t, errorText(t, w), "catalogue frozen")

	erp.err, erp.panicked = nil, true
	w = do(datacake.NewHandler(erp, handlerToken), call{"GET", "/produtos", "", nil})
	require.Equal(t, 500, w.Code)
	assert.Equal(t, "internal error", errorText(t, w))
}

// TestHandlerERPErrorQuotingTheToken: an ERP that proxies to another
// service can fail with an error that quotes the request, token included.
// The handler masks its own token in the log and in a detailed 500.
func TestHandlerERPErrorQuotingTheToken(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	erp := &failingERP{MemoryERP: datacaketest.NewMemoryERP(1, 5),
		err: errors.New("upstream refused GET /produtos with Authorization=Bearer " + handlerToken + " (" + url.QueryEscape(handlerToken) + ")")}
	h := datacake.NewHandler(erp, handlerToken, datacake.WithHandlerLogger(logger), datacake.WithHandlerErrorDetails())
	w := do(h, call{"GET", "/produtos", "", nil})
	require.Equal(t, 500, w.Code)
	require.Contains(t, errorText(t, w), "upstream refused", "the detail is shown, so the scan means something")
	require.Contains(t, logs.String(), "upstream refused")
	for _, text := range []string{w.Body.String(), logs.String()} {
		assert.NotContains(t, text, handlerToken)
		assert.NotContains(t, text, "3b1f")
	}
}

func TestHandlerNilAnswers(t *testing.T) {
	t.Parallel()
	h := datacake.NewHandler(nilERP{}, handlerToken)
	w := do(h, call{"GET", "/cidades", "", nil})
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "[]", w.Body.String())
	w = do(h, call{"GET", "/cliente?cnpj_cpf=52998224725", "", nil})
	assert.Equal(t, 404, w.Code)
	w = do(h, call{"POST", "/prospectos", `{"nome":"X","cnpj_cpf":"52998224725"}`, nil})
	require.Equal(t, 200, w.Code)
	assert.JSONEq(t, `{"status":""}`, w.Body.String())
}

func TestHandlerMisconfigured(t *testing.T) {
	t.Parallel()
	erp := datacaketest.NewMemoryERP(1, 5)
	for name, h := range map[string]http.Handler{
		"nil erp":    datacake.NewHandler(nil, handlerToken),
		"bad routes": datacake.NewHandler(erp, handlerToken, datacake.WithHandlerRoutes(datacake.Routes{Products: "produtos"})),
		"bad header": datacake.NewHandler(erp, handlerToken, datacake.WithHandlerAuthHeader("", "")),
		"bad caps":   datacake.NewHandler(erp, handlerToken, datacake.WithHandlerMaxBytes(-1, 0, 0)),
		"dup routes": datacake.NewHandler(erp, handlerToken, datacake.WithHandlerRoutes(datacake.Routes{Cities: "/produtos"})),
		// Both match GET /p/x/status and neither is more specific: the
		// ServeMux cannot choose, and the handler says so (not a panic).
		"ambiguous routes": datacake.NewHandler(erp, handlerToken, datacake.WithHandlerRoutes(datacake.Routes{
			ProspectStatus: "/p/{id}/status", Products: "/p/x/{id}"})),
	} {
		w := do(h, call{"GET", "/produtos", "", nil})
		require.Equal(t, 500, w.Code, name)
		assert.Contains(t, errorText(t, w), "misconfigured", name)
	}
	// An empty token refuses everything, even an empty Authorization.
	h := datacake.NewHandler(erp, "")
	for _, hdr := range []http.Header{{}, {"Authorization": {"Bearer "}}, {"Authorization": {"Bearer"}}} {
		assert.Equal(t, 401, do(h, call{"GET", "/produtos", "", hdr}).Code)
	}
}

// Routes are ServeMux patterns: a literal segment with a space or an
// escaped slash is matched as the ERP wrote it, and an id holding an escaped
// slash stays one segment.
func TestHandlerRoutesAsPatterns(t *testing.T) {
	t.Parallel()
	erp := datacaketest.NewMemoryERP(1, 5)
	h := datacake.NewHandler(erp, handlerToken, datacake.WithHandlerRoutes(datacake.Routes{
		Products: "/catálogo/meus produtos", ProspectStatus: "/prospectos/{id}/status",
	}))
	w := do(h, call{"GET", "/cat%C3%A1logo/meus%20produtos", "", nil})
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(h, call{"POST", "/cat%C3%A1logo/meus%20produtos", "", nil})
	require.Equal(t, 405, w.Code)
	assert.Equal(t, "GET", w.Header().Get("Allow"))
	w = do(h, call{"GET", "/prospectos/a%2Fb/status", "", nil})
	assert.Equal(t, 404, w.Code, "the ERP's 404 for the prospect a/b: %s", w.Body.String())
	assert.Equal(t, "not found", errorText(t, w))
	w = do(h, call{"GET", "/produtos", "", nil})
	assert.Equal(t, 404, w.Code)
	assert.Equal(t, "no such route", errorText(t, w))
}

func TestHandlerParamsFromJSONBody(t *testing.T) {
	t.Parallel()
	erp := datacaketest.NewMemoryERP(1, 5)
	h := datacake.NewHandler(erp, handlerToken, datacake.WithHandlerAuthHeader("token", ""),
		datacake.WithHandlerRoutes(datacake.Routes{ProspectStatus: "/status", UploadFiles: "/arquivos", UpdateProspect: "/prospecto"}))
	auth := http.Header{"Token": {handlerToken}}
	w := do(h, call{"GET", "/cliente", `{"cnpj_cpf": "529.982.247-25"}`, auth})
	require.Equal(t, 200, w.Code, w.Body.String())
	var cu map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &cu))
	assert.Equal(t, "1001", cu["id_cliente"])
	assert.Equal(t, "F", cu["Sexo"])
	for k, v := range cu {
		assert.IsType(t, "", v, k) // every value a string, as the contract shows
	}
	w = do(h, call{"GET", "/faturas", `{"id_cliente": 1001}`, auth})
	require.Equal(t, 200, w.Code, w.Body.String())

	st, err := erp.CreateProspect(context.Background(), &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF})
	require.NoError(t, err)
	w = do(h, call{"GET", "/status", `{"id_prospecto":"` + st.ProspectID + `"}`, auth})
	require.Equal(t, 200, w.Code, w.Body.String())
	assert.JSONEq(t, `{"status":"1","id_prospecto":"5001","nome":"Inicial"}`, w.Body.String())
	w = do(h, call{"GET", "/status?id_prospecto=" + st.ProspectID, "", auth})
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(h, call{"GET", "/status", "", auth})
	require.Equal(t, 400, w.Code)

	w = do(h, call{"PUT", "/prospecto", `{"id_prospecto":5001,"status_prospeccao":"2"}`, auth})
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(h, call{"PUT", "/prospecto", `{"status_prospeccao":"2"}`, auth})
	require.Equal(t, 400, w.Code)
	assert.Contains(t, errorText(t, w), "id_prospecto")

	w = do(h, call{"POST", "/arquivos", string(golden(t, "upload.json")), auth})
	require.Equal(t, 200, w.Code, w.Body.String())
	w = do(h, call{"POST", "/arquivos", string(golden(t, "upload_data_url.json")), auth})
	require.Equal(t, 400, w.Code) // no id_prospecto
	p, _ := erp.Prospect("5001")
	require.Len(t, p.Files, 1)
	assert.Equal(t, datacake.File{Name: "rg.png", ContentType: "image/png", Data: pngBytes}, p.Files[0])
	assert.Equal(t, "2", p.StatusID)
}

func TestHandlerBase64Forms(t *testing.T) {
	t.Parallel()
	erp := datacaketest.NewMemoryERP(1, 5)
	st, _ := erp.CreateProspect(context.Background(), &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF})
	h := datacake.NewHandler(erp, handlerToken)
	std := b64(pdfBytes)
	wrapped := ""
	for i := 0; i < len(std); i += 20 {
		wrapped += std[i:min(i+20, len(std))] + "\r\n"
	}
	for name, enc := range map[string]string{
		"std":      std,
		"raw":      strings.TrimRight(std, "="),
		"url":      base64.URLEncoding.EncodeToString(pdfBytes),
		"data url": "data:application/pdf;base64," + std,
		"wrapped":  wrapped,
	} {
		w := do(h, call{"POST", "/prospectos/" + st.ProspectID + "/arquivos", uploadJSON("", [2]string{name + ".pdf", enc}), nil})
		require.Equal(t, 200, w.Code, name+": "+w.Body.String())
	}
	body := `{"arquivos":[{"nome":"e.pdf","base64":"` + strings.ReplaceAll(std, "/", `\/`) + `"}]}`
	require.Equal(t, 200, do(h, call{"POST", "/prospectos/" + st.ProspectID + "/arquivos", body, nil}).Code)
	p, _ := erp.Prospect(st.ProspectID)
	require.Len(t, p.Files, 6)
	for _, f := range p.Files {
		assert.Equal(t, pdfBytes, f.Data, f.Name)
		assert.Equal(t, datacake.TypePDF, f.ContentType)
	}
}

func TestHandlerUnderPrefix(t *testing.T) {
	t.Parallel()
	h := http.StripPrefix("/erp/v1", datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), handlerToken))
	w := do(h, call{"GET", "/erp/v1/produtos", "", nil})
	require.Equal(t, 200, w.Code)
	var ps []datacake.Product
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &ps))
	assert.Len(t, ps, 10)
}

func FuzzHandler(f *testing.F) {
	f.Add("GET", "/cliente?cnpj_cpf=52998224725", "")
	f.Add("GET", "/cliente", `{"cnpj_cpf":"11.222.333/0001-81"}`)
	f.Add("POST", "/prospectos", string(golden(f, "prospect_create.json")))
	f.Add("POST", "/prospectos", string(golden(f, "prospect_flat_product.json")))
	f.Add("PUT", "/prospectos/5001", `{"status_prospeccao":"2"}`)
	f.Add("POST", "/prospectos/5001/arquivos", string(golden(f, "upload.json")))
	f.Add("POST", "/prospectos/5001/arquivos", string(golden(f, "upload_data_url.json")))
	f.Add("GET", "/prospectos/5001/status", "")
	f.Add("GET", "/faturas?id_cliente=1001", "")
	f.Add("GET", "/faturas?document=52998224725&id_contrato=70001", "")
	f.Add("GET", "/notas-fiscais", `{"document":"529.982.247-25","id_contrato":"70001"}`)
	f.Add("GET", "/extratos-financeiros?id_cliente=1001", "")
	f.Add("0", "/.", "0") // the mux's HTML redirect to the cleaned path
	erp := datacaketest.NewMemoryERP(1, 5)
	h := datacake.NewHandler(erp, handlerToken, datacake.WithHandlerMaxBytes(1<<16, 1<<16, 1<<14))
	f.Fuzz(func(t *testing.T, method, target, body string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") || strings.ContainsAny(method, " \r\n\t/") || method == "" {
			return
		}
		r, err := http.NewRequest(method, "http://erp"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		r.Header.Set("Authorization", "Bearer "+handlerToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		// The in-memory ERP never fails: a 500 is a handler bug.
		require.NotEqual(t, 500, w.Code, w.Body.String())
		require.True(t, json.Valid(w.Body.Bytes()), w.Body.String())
		if w.Code >= 400 {
			errorText(t, w)
		}
	})
}

// watchedBody records whether it was read: a body that must not be.
type watchedBody struct{ read *bool }

func (b watchedBody) Read([]byte) (int, error) {
	*b.read = true
	return 0, io.ErrUnexpectedEOF
}

// A body that declares more than the limit is refused with 413 before a
// byte of it is read: the answer does not depend on how fast the client
// sends (a slow one used to meet the read timeout first and get 400).
func TestHandlerRefusesADeclaredOversizedBody(t *testing.T) {
	h := datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), handlerToken, datacake.WithHandlerMaxBytes(4096, 8192, 1024))
	for _, c := range []struct{ method, path string }{{"POST", "/prospectos"}, {"GET", "/cliente"}} {
		read := false
		req := httptest.NewRequest(c.method, c.path, watchedBody{&read})
		req.ContentLength = 10 << 20
		req.Header.Set("Authorization", "Bearer "+handlerToken)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, "%s %s: %s", c.method, c.path, rec.Body.String())
		assert.False(t, read, "%s %s: the body was read", c.method, c.path)
	}
}
