package datacake_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

func newSandbox(t *testing.T, opts *datacaketest.Options, copts ...datacake.Option) (*datacaketest.Server, *datacake.Client) {
	t.Helper()
	srv := datacaketest.NewServer(opts)
	t.Cleanup(srv.Close)
	copts = append([]datacake.Option{datacake.WithRetryWait(time.Millisecond, 5*time.Millisecond)}, copts...)
	c, err := datacake.NewClient(srv.URL, srv.Credentials()["DATACAKE_TOKEN"], copts...)
	require.NoError(t, err)
	return srv, c
}

// signUp runs every operation of the contract against a sandbox.
func signUp(t *testing.T, srv *datacaketest.Server, c *datacake.Client) {
	t.Helper()
	ctx := context.Background()
	for _, doc := range []string{"529.982.247-25", datacaketest.ExampleCNPJ, "12.abc.345/01de-35"} {
		_, err := c.Customers.Get(ctx, doc)
		require.NoError(t, err, doc)
	}
	cu, err := c.Customers.Get(ctx, datacaketest.ExampleCPF)
	require.NoError(t, err)
	assert.Equal(t, "Maria Aparecida da Silva", cu.Name)
	assert.Equal(t, datacake.SexFemale, cu.Sex)
	_, err = c.Customers.Get(ctx, datacaketest.UnknownCPF)
	require.ErrorIs(t, err, datacake.ErrNotFound)

	ins, err := c.Customers.Installations(ctx, cu.ID)
	require.NoError(t, err)
	require.NotEmpty(t, ins)
	require.NotEmpty(t, ins[0].Services)
	assert.Positive(t, ins[0].Services[0].Price)
	_, err = c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: cu.ID})
	require.NoError(t, err)

	ps, err := c.Catalogues.Products(ctx)
	require.NoError(t, err)
	require.Len(t, ps, 10)
	assert.Equal(t, datacake.Product{ID: "101", Name: "Fibra 100 Mega", Description: "Internet fibra óptica 100 Mbps, Wi-Fi incluso", Price: 7990}, ps[0])
	rs, err := c.Catalogues.Resellers(ctx)
	require.NoError(t, err)
	es, err := c.Catalogues.Employees(ctx)
	require.NoError(t, err)
	ds, err := c.Catalogues.DueDates(ctx)
	require.NoError(t, err)
	os, err := c.Catalogues.CommercialOrigins(ctx)
	require.NoError(t, err)
	cs, err := c.Catalogues.Cities(ctx)
	require.NoError(t, err)
	ss, err := c.Catalogues.ProspectStatuses(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Inicial", ss[0].Name)

	p := &datacake.Prospect{
		Name: "João Pereira Lima", Document: datacaketest.UnknownCPF, PersonType: datacake.PersonNatural,
		Email: "joao@example.com.br", Address: datacake.Address{ZIP: "80010-000", City: "Curitiba", State: "PR"},
		ProductIDs: []string{ps[1].ID}, ResellerID: rs[0].ID, DepartmentID: es[0].DepartmentID,
		DueDateID: ds[1].ID, OriginID: os[0].ID, CityID: cs[3].ID,
	}
	st, err := c.Prospects.Create(ctx, p)
	require.NoError(t, err)
	require.NotEmpty(t, st.ProspectID)
	assert.Equal(t, datacaketest.StatusInitial, st.Status)

	_, err = c.Prospects.UploadFiles(ctx, st.ProspectID, datacake.File{Name: "rg.jpg", Data: jpegBytes}, datacake.File{Name: "c.pdf", Reader: bytes.NewReader(pdfBytes)})
	require.NoError(t, err)
	up, err := c.Prospects.Update(ctx, st.ProspectID, &datacake.Prospect{StatusID: datacaketest.StatusAnalysis, Notes: "docs ok"})
	require.NoError(t, err)
	assert.Equal(t, "Em análise", up.Name)
	require.NoError(t, srv.ERP.SetProspectStatus(st.ProspectID, datacaketest.StatusApproved))
	now, err := c.Prospects.Status(ctx, st.ProspectID)
	require.NoError(t, err)
	assert.Equal(t, datacake.Status{Status: "5", ProspectID: st.ProspectID, Name: "Aprovado"}, *now)

	stored, ok := srv.ERP.Prospect(st.ProspectID)
	require.True(t, ok)
	assert.Equal(t, "docs ok", stored.Prospect.Notes)
	assert.Equal(t, "João Pereira Lima", stored.Prospect.Name)
	assert.Equal(t, []string{"102"}, stored.Prospect.ProductIDs)
	require.Len(t, stored.Files, 2)
	assert.Equal(t, datacake.TypeJPEG, stored.Files[0].ContentType)
	assert.Equal(t, pdfBytes, stored.Files[1].Data)

	_, err = c.Prospects.Update(ctx, "999", &datacake.Prospect{Notes: "x"})
	require.ErrorIs(t, err, datacake.ErrNotFound)
	_, err = c.Prospects.Create(ctx, &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF, DueDateID: "99"})
	require.ErrorIs(t, err, datacake.ErrBadRequest)
	assert.Contains(t, err.Error(), "id_vencimento")
}

func TestSandboxEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tidy := range []bool{false, true} {
		srv, c := newSandbox(t, &datacaketest.Options{Tidy: tidy, Seed: 7})
		signUp(t, srv, c)
	}
}

func TestSandboxJSONBodyOnGet(t *testing.T) {
	t.Parallel()
	srv, c := newSandbox(t, nil, datacake.WithJSONBodyOnGet())
	signUp(t, srv, c)
	for _, r := range srv.Requests() {
		if r.Method == "GET" {
			assert.Empty(t, r.Query, r.Path)
		}
	}
}

func TestSandboxCustomRoutesUnderPrefix(t *testing.T) {
	t.Parallel()
	routes := datacake.Routes{ProspectStatus: "/prospect-status", UpdateProspect: "/prospect", UploadFiles: "/files"}
	srv := datacaketest.NewUnstartedServer(&datacaketest.Options{Routes: routes})
	mux := http.NewServeMux()
	mux.Handle("/erp/", http.StripPrefix("/erp", srv))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	c, err := datacake.NewClient(hs.URL+"/erp", srv.Credentials()["DATACAKE_TOKEN"], datacake.WithRoutes(routes))
	require.NoError(t, err)
	signUp(t, srv, c)
	assert.Equal(t, 2, srv.Count("PUT", "/prospect")) // one update, one for an unknown id
}

func TestSandboxCredentialsAndReset(t *testing.T) {
	t.Parallel()
	srv, c := newSandbox(t, &datacaketest.Options{Token: "my-token"})
	assert.Equal(t, map[string]string{"DATACAKE_URL": srv.URL, "DATACAKE_TOKEN": "my-token"}, srv.Credentials())
	_, err := c.Prospects.Create(context.Background(), &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF})
	require.NoError(t, err)
	assert.Equal(t, 1, srv.ERP.ProspectCount())
	srv.Reset()
	assert.Zero(t, srv.ERP.ProspectCount())
	assert.Empty(t, srv.Requests())

	bad, err := datacake.NewClient(srv.URL, "wrong")
	require.NoError(t, err)
	_, err = bad.Catalogues.Products(context.Background())
	require.ErrorIs(t, err, datacake.ErrUnauthorized)
}

// A create whose connection drops after the ERP read it is not resent: the
// server received it once and the caller learns the outcome is unknown.
func TestSandboxCreateNeverResent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF}

	t.Run("dropped before answering", func(t *testing.T) {
		t.Parallel()
		srv, c := newSandbox(t, nil)
		srv.Fail(datacaketest.Fault{Path: "/prospectos", Method: "POST", Drop: true})
		_, err := c.Prospects.Create(ctx, p)
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.Count("POST", "/prospectos"))
	})
	t.Run("processed, dropped mid-answer", func(t *testing.T) {
		t.Parallel()
		srv, c := newSandbox(t, nil)
		srv.Fail(datacaketest.Fault{Path: "/prospectos", Method: "POST", DropMidBody: true})
		_, err := c.Prospects.Create(ctx, p)
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.Count("POST", "/prospectos"))
		assert.Equal(t, 1, srv.ERP.ProspectCount()) // created exactly once
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		srv := datacaketest.NewServer(nil)
		t.Cleanup(srv.Close)
		c, err := datacake.NewClient(srv.URL, srv.Credentials()["DATACAKE_TOKEN"], datacake.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}),
			datacake.WithRetryWait(time.Millisecond, time.Millisecond))
		require.NoError(t, err)
		srv.Fail(datacaketest.Fault{Path: "/prospectos", Method: "POST", Delay: 300 * time.Millisecond})
		_, err = c.Prospects.Create(ctx, p)
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.Count("POST", "/prospectos"))
	})
	t.Run("upload dropped mid-answer", func(t *testing.T) {
		t.Parallel()
		srv, c := newSandbox(t, nil)
		st, err := c.Prospects.Create(ctx, p)
		require.NoError(t, err)
		srv.Fail(datacaketest.Fault{Path: "/arquivos", Method: "POST", DropMidBody: true})
		_, err = c.Prospects.UploadFiles(ctx, st.ProspectID, datacake.File{Name: "a.png", Data: pngBytes})
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.Count("POST", "/arquivos"))
		stored, _ := srv.ERP.Prospect(st.ProspectID)
		assert.Len(t, stored.Files, 1)
	})
	t.Run("503 says not processed: resent", func(t *testing.T) {
		t.Parallel()
		srv, c := newSandbox(t, nil)
		srv.Fail(datacaketest.Fault{Path: "/prospectos", Method: "POST", Status: 503, Body: `{"error":"manutenção"}`,
			Header: http.Header{"Retry-After": {"0"}}})
		_, err := c.Prospects.Create(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.Count("POST", "/prospectos"))
		assert.Equal(t, 1, srv.ERP.ProspectCount())
	})
	t.Run("500 not resent", func(t *testing.T) {
		t.Parallel()
		srv, c := newSandbox(t, nil)
		srv.Fail(datacaketest.Fault{Path: "/prospectos", Method: "POST", Status: 500, Body: `{"error":"internal error"}`})
		_, err := c.Prospects.Create(ctx, p)
		var de *datacake.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, 500, de.StatusCode)
		assert.Equal(t, 1, srv.Count("POST", "/prospectos"))
	})
}

// An update is a PUT: a dropped connection is retried and lands once more.
func TestSandboxUpdateRetried(t *testing.T) {
	t.Parallel()
	srv, c := newSandbox(t, nil)
	ctx := context.Background()
	st, err := c.Prospects.Create(ctx, &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF})
	require.NoError(t, err)
	srv.Fail(datacaketest.Fault{Path: "/prospectos/", Method: "PUT", Drop: true})
	_, err = c.Prospects.Update(ctx, st.ProspectID, &datacake.Prospect{Notes: "x"})
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Count("PUT", "/prospectos/"))
	srv.Fail(datacaketest.Fault{Path: "/produtos", DropMidBody: true})
	_, err = c.Catalogues.Products(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Count("GET", "/produtos"))
}

func TestSandboxFailRate(t *testing.T) {
	t.Parallel()
	// The sandbox's 503s say Retry-After: 1, and the core does not retry a
	// wait longer than its maximum, so the maximum must allow a second.
	srv, c := newSandbox(t, &datacaketest.Options{FailRate: 0.25, Seed: 3}, datacake.WithMaxRetries(10),
		datacake.WithRetryWait(time.Millisecond, 1500*time.Millisecond))
	for i := 0; i < 4; i++ {
		_, err := c.Catalogues.DueDates(context.Background())
		require.NoError(t, err)
	}
	assert.Greater(t, srv.Count("GET", "/vencimentos"), 4) // some were answered 503 and retried
}

// The token never appears in an error string or a log line, on success and
// failure paths alike.
func TestTokenCanary(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-tok-9f8e7d6c5b4a"
	srv := datacaketest.NewServer(&datacaketest.Options{Token: canary})
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := datacake.NewClient(srv.URL, canary, datacake.WithLogger(logger), datacake.WithRetryWait(time.Millisecond, time.Millisecond),
		datacake.WithJSONBodyOnGet())
	require.NoError(t, err)
	ctx := context.Background()
	var errs []error
	keep := func(_ any, err error) { errs = append(errs, err) }
	keep(c.Catalogues.Products(ctx))
	keep(c.Customers.Get(ctx, datacaketest.UnknownCPF))
	keep(c.Customers.Get(ctx, "bad"))
	// An ERP that echoes the token in its error body and headers.
	srv.Fail(datacaketest.Fault{Path: "/produtos", Times: -1, Status: 400,
		Body: `{"error":"token ` + canary + ` refused", "Authorization":"Bearer ` + canary + `"}`})
	keep(c.Catalogues.Products(ctx))
	srv.ClearFaults()
	srv.Fail(datacaketest.Fault{Path: "/prospectos", Drop: true})
	keep(c.Prospects.Create(ctx, &datacake.Prospect{Name: "X", Document: datacaketest.UnknownCPF}))
	srv.Fail(datacaketest.Fault{Path: "/cidades", Status: 200, Body: "<html>" + canary + "</html>"})
	keep(c.Catalogues.Cities(ctx))
	srv.Fail(datacaketest.Fault{Path: "/vencimentos", Times: -1, Status: 502, Body: canary})
	keep(c.Catalogues.DueDates(ctx))
	bad, err := datacake.NewClient(srv.URL, canary+"x", datacake.WithLogger(logger))
	require.NoError(t, err)
	keep(bad.Catalogues.Products(ctx))
	n := 0
	for _, err := range errs {
		if err != nil {
			n++
			assert.NotContains(t, err.Error(), canary)
			assert.NotContains(t, err.Error(), "9f8e7d6c5b4a")
		}
	}
	assert.GreaterOrEqual(t, n, 6)
	require.NotEmpty(t, logs.String())
	assert.NotContains(t, logs.String(), "9f8e7d6c5b4a")
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Header["Authorization"], "9f8e7d6c5b4a")
	}
	// Nor in the handler's own log.
	var hlogs bytes.Buffer
	h := datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), canary,
		datacake.WithHandlerLogger(slog.New(slog.NewTextHandler(&hlogs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	for _, auth := range []string{"Bearer " + canary + "x", "Bearer " + canary} {
		r := httptest.NewRequest("GET", "/cliente?cnpj_cpf=1", nil)
		r.Header.Set("Authorization", auth)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.NotContains(t, w.Body.String(), "9f8e7d6c5b4a")
	}
	require.NotEmpty(t, hlogs.String())
	assert.False(t, strings.Contains(hlogs.String(), "9f8e7d6c5b4a"))
}
