package datacake_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

// maria is the customer of the golden bodies, every field of both
// revisions set.
var maria = datacake.Customer{
	ID: "1001", Name: "Maria Aparecida da Silva", PersonType: datacake.PersonNatural, Document: "529.982.247-25",
	IDDocument: "25.659.253-2", RGIssuer: "SSP/SP", ICMSTaxpayer: "N", Nationality: "Brasileira",
	BirthCity: "São Paulo", BirthState: "SP", BirthDate: "1971-12-16", MaritalStatus: "Casado(a)", Active: "S",
	Sex: datacake.SexFemale, Occupation: "Professora", RegisteredAt: "2021-04-18 16:45:00",
	Address: datacake.Address{ZIP: "01265-986", Street: "Rua Sete de Setembro", Number: "136", Complement: "Apto 12",
		District: "Centro", City: "São Paulo", State: "SP", Latitude: -23.56375, Longitude: -46.617095},
	MobilePhone: "(11) 99630-3108", WhatsApp: "(11) 99630-3108", Email: "maria.silva@example.com.br",
	ContractID: "70001",
}

var mariaInvoice = datacake.Invoice{
	ID: "F100102", CustomerName: "Maria Aparecida da Silva", InitialValue: 9990, CurrentValue: 10423,
	IssuedOn: "2025-12-02", DueOn: "2026-02-10", DigitableLine: "23790.12345 60000.123456 78901.234567 8 12340000009990",
	URL: "https://boletos.example.com.br/1001/02.pdf", Code: "FT-1001-02", DocumentNumber: "7000102", RemoteID: "900001",
	Interest: 233, Fine: 200,
}

var mariaNote = datacake.FiscalNote{ID: "NF100109", Status: "Paga", Amount: 9990, AmountPaid: 9990, IssuedOn: "2025-09-01",
	DueOn: "2025-09-10", PaidOn: "2025-09-08", URL: "https://nfe.example.com.br/NF100109.pdf"}

var mariaLine = datacake.StatementEntry{ID: "EX100110", PostedOn: "2025-10-01", DueOn: "2025-10-10", PaidOn: "2025-10-08",
	InvoiceID: "B100110", NoteID: "NF100110", Amount: 9990, AmountPaid: 9490, Discount: 500, Notes: "Desconto por pagamento antecipado"}

// revisionERP serves the golden bodies of one revision, reading the
// parameters that revision sends.
func revisionERP(t *testing.T, rev datacake.Revision) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		byContract := datacake.NormalizeDocument(q.Get("document")) == "52998224725" && q.Get("id_contrato") == "70001"
		var file string
		switch r.URL.Path {
		case "/cliente":
			file = map[datacake.Revision]string{datacake.RevisionSeed: "customer.json", datacake.RevisionCurrent: "customer_current.json"}[rev]
		case "/faturas":
			if rev == datacake.RevisionSeed && q.Get("id_cliente") == "1001" {
				file = "invoices_seed.json"
			}
			if rev == datacake.RevisionCurrent && byContract {
				file = "invoices_current.json"
			}
		case "/notas-fiscais":
			if byContract {
				file = "fiscal_notes.json"
			}
		case "/extratos-financeiros":
			if byContract {
				file = "statements.json"
			}
		}
		if file == "" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"not found"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(golden(t, file))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestClientReadsEachRevision is issue 16: the current revision's customer
// lost seven fields and the contract id, and its invoices could not be
// looked up. Against an ERP answering each revision's exact keys, every
// field arrives.
func TestClientReadsEachRevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	seed, err := datacake.NewClient(revisionERP(t, datacake.RevisionSeed).URL, "tok")
	require.NoError(t, err)
	cu, err := seed.Customers.Get(ctx, "52998224725")
	require.NoError(t, err)
	want := maria
	want.ContractID = "" // the seed's revision has no contract
	assert.Equal(t, want, *cu)
	inv, err := seed.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: "1001"})
	require.NoError(t, err)
	wantInv := mariaInvoice
	wantInv.Code, wantInv.DocumentNumber, wantInv.RemoteID, wantInv.Interest, wantInv.Fine = "", "", "", 0, 0
	assert.Equal(t, []datacake.Invoice{wantInv}, inv)

	cur, err := datacake.NewClient(revisionERP(t, datacake.RevisionCurrent).URL, "tok")
	require.NoError(t, err)
	cu, err = cur.Customers.Get(ctx, "52998224725")
	require.NoError(t, err)
	assert.Equal(t, datacake.Customer{
		ID: "1001", ContractID: "70001", Name: maria.Name, Document: maria.Document, BirthDate: maria.BirthDate,
		RegisteredAt: maria.RegisteredAt, Active: "S",
		Address: datacake.Address{Street: maria.Street, Number: maria.Number, ZIP: maria.ZIP, City: maria.City,
			Complement: maria.Complement, District: maria.District, State: maria.State},
	}, *cu, "every key of the current revision lands in a field")
	q := &datacake.InvoiceQuery{Document: cu.Document, ContractID: cu.ContractID}
	inv, err = cur.Customers.OpenInvoices(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, []datacake.Invoice{mariaInvoice}, inv)
	notes, err := cur.Customers.FiscalNotes(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, []datacake.FiscalNote{mariaNote}, notes)
	lines, err := cur.Customers.FinancialStatements(ctx, q)
	require.NoError(t, err)
	assert.Equal(t, []datacake.StatementEntry{mariaLine}, lines)

	_, err = cur.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: "1001", ContractID: "70001"})
	assert.Error(t, err, "one way or the other")
	_, err = cur.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{Document: "52998224725"})
	assert.Error(t, err, "a contract goes with the document")
	_, err = cur.Customers.OpenInvoices(ctx, nil)
	assert.Error(t, err)
}

// fixedERP answers the golden values; operations it does not need are left
// to the embedded nil ERP.
type fixedERP struct{ datacake.ERP }

func (fixedERP) Customer(context.Context, string) (*datacake.Customer, error) {
	c := maria
	return &c, nil
}

func (fixedERP) OpenInvoices(context.Context, *datacake.InvoiceQuery) ([]datacake.Invoice, error) {
	return []datacake.Invoice{mariaInvoice}, nil
}

type fullERP struct{ fixedERP }

func (fullERP) FiscalNotes(context.Context, *datacake.InvoiceQuery) ([]datacake.FiscalNote, error) {
	return []datacake.FiscalNote{mariaNote}, nil
}

func (fullERP) FinancialStatements(context.Context, *datacake.InvoiceQuery) ([]datacake.StatementEntry, error) {
	return []datacake.StatementEntry{mariaLine}, nil
}

func serve(t *testing.T, h http.Handler, target string) (int, []byte) {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Authorization", "Bearer tok")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

// TestHandlerWritesEachRevision: set to a revision, the handler answers in
// exactly that revision's keys (the golden bodies), and reads the requests
// of both.
func TestHandlerWritesEachRevision(t *testing.T) {
	t.Parallel()
	for rev, files := range map[datacake.Revision][2]string{
		datacake.RevisionSeed:    {"customer.json", "invoices_seed.json"},
		datacake.RevisionCurrent: {"customer_current.json", "invoices_current.json"},
	} {
		h := datacake.NewHandler(fullERP{}, "tok", datacake.WithHandlerRevision(rev))
		code, body := serve(t, h, "/cliente?cnpj_cpf=52998224725")
		require.Equal(t, 200, code, string(body))
		assert.JSONEq(t, string(golden(t, files[0])), string(body), "%s customer", rev)
		for _, target := range []string{"/faturas?id_cliente=1001", "/faturas?document=529.982.247-25&id_contrato=70001"} {
			code, body = serve(t, h, target)
			require.Equal(t, 200, code, string(body))
			assert.JSONEq(t, string(golden(t, files[1])), string(body), "%s invoices %s", rev, target)
		}
		code, body = serve(t, h, "/notas-fiscais?document=52998224725&id_contrato=70001")
		require.Equal(t, 200, code, string(body))
		assert.JSONEq(t, string(golden(t, "fiscal_notes.json")), string(body))
		code, body = serve(t, h, "/extratos-financeiros?id_cliente=1001")
		require.Equal(t, 200, code, string(body))
		assert.JSONEq(t, string(golden(t, "statements.json")), string(body))
	}
	code, body := serve(t, datacake.NewHandler(fullERP{}, "tok", datacake.WithHandlerRevision(7)), "/cliente?cnpj_cpf=52998224725")
	assert.Equal(t, 500, code, "an unknown revision is a misconfiguration: %s", body)
}

// TestOptionalOperations: an ERP without fiscal notes or statements is
// answered 501, which the client reports as ErrNotImplemented.
func TestOptionalOperations(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(datacake.NewHandler(fixedERP{}, "tok"))
	defer srv.Close()
	c, err := datacake.NewClient(srv.URL, "tok")
	require.NoError(t, err)
	q := &datacake.InvoiceQuery{CustomerID: "1001"}
	_, err = c.Customers.FiscalNotes(context.Background(), q)
	assert.ErrorIs(t, err, datacake.ErrNotImplemented)
	_, err = c.Customers.FinancialStatements(context.Background(), q)
	assert.ErrorIs(t, err, datacake.ErrNotImplemented)
	_, err = c.Customers.OpenInvoices(context.Background(), q)
	assert.NoError(t, err)
}

// TestSandboxEachRevision: datacaketest serves either revision.
func TestSandboxEachRevision(t *testing.T) {
	t.Parallel()
	for _, rev := range []datacake.Revision{datacake.RevisionSeed, datacake.RevisionCurrent} {
		for _, tidy := range []bool{false, true} {
			s := datacaketest.NewServer(&datacaketest.Options{Revision: rev, Tidy: tidy})
			c, err := datacake.NewClient(s.URL, s.Credentials()["DATACAKE_TOKEN"])
			require.NoError(t, err)
			ctx := context.Background()
			cu, err := c.Customers.Get(ctx, datacaketest.ExampleCPF)
			require.NoError(t, err)
			assert.Equal(t, "1001", cu.ID)
			assert.NotEmpty(t, cu.Street)
			assert.NotEmpty(t, cu.City)
			if rev == datacake.RevisionCurrent {
				require.NotEmpty(t, cu.ContractID)
				assert.Empty(t, cu.Email, "the current revision's customer has no e-mail key")
			} else {
				assert.Empty(t, cu.ContractID)
				cu.ContractID = "70001" // known from the sandbox's seed
			}
			byContract, err := c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{Document: cu.Document, ContractID: cu.ContractID})
			require.NoError(t, err)
			byID, err := c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: "1001"})
			require.NoError(t, err)
			assert.Equal(t, byID, byContract)
			for _, inv := range byID {
				assert.Equal(t, rev == datacake.RevisionCurrent, inv.Code != "", "%s: invoice keys of the revision", rev)
			}
			notes, err := c.Customers.FiscalNotes(ctx, &datacake.InvoiceQuery{CustomerID: "1001"})
			require.NoError(t, err)
			assert.Len(t, notes, 3)
			lines, err := c.Customers.FinancialStatements(ctx, &datacake.InvoiceQuery{Document: cu.Document, ContractID: cu.ContractID})
			require.NoError(t, err)
			assert.Len(t, lines, 3)

			raw, err := http.NewRequest(http.MethodGet, s.URL+"/cliente?cnpj_cpf="+datacaketest.ExampleCPF, nil)
			require.NoError(t, err)
			raw.Header.Set("Authorization", "Bearer "+s.Credentials()["DATACAKE_TOKEN"])
			resp, err := http.DefaultClient.Do(raw)
			require.NoError(t, err)
			var keys map[string]json.RawMessage
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&keys))
			resp.Body.Close()
			_, hasCurrent := keys["nome_completo"]
			_, hasSeed := keys["nome"]
			assert.Equal(t, rev == datacake.RevisionCurrent, hasCurrent, "%s", rev)
			assert.Equal(t, rev == datacake.RevisionSeed, hasSeed, "%s", rev)
			s.Close()
		}
	}
}
