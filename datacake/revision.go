package datacake

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/leadkit/leadkit"
)

// Revision names a revision of Datacake's contract page. ERPs answer in
// either; the client reads both, and NewHandler writes the one chosen with
// WithHandlerRevision.
//
// The customer answer in each revision, and the Customer field both land in:
//
//	seed revision           current revision        Customer field
//	id_cliente              id_remoto               ID
//	—                       id_contrato             ContractID
//	nome                    nome_completo           Name
//	cnpj_cpf                document                Document
//	data_nascimento         aniversario             BirthDate
//	data_cadastro           data_registro           RegisteredAt
//	ativo                   ativo                   Active
//	endereco                rua_endereco            Street
//	numero                  numero_endereco         Number
//	cep                     cep_endereco            ZIP
//	cidade                  cidade_endereco         City
//	complemento             complemento_endereco    Complement
//	bairro                  bairro_endereco         District
//	uf                      estado_endereco         State
//	(the seed's other keys) —                       (their fields)
//
// When an answer carries a key of both revisions for one field, the seed's
// wins. Open invoices: the seed's revision looks them up by id_cliente, the
// current one by document and id_contrato (InvoiceQuery); its invoices add
// code_fatura, document_number, remote_id, juros, multa and desconto to the
// seed's keys. Fiscal notes ("Pegar notas fiscais") and financial statements
// ("extratos financeiros") exist in the current revision only. "Declaração
// de quitação de débitos" is left out: no public copy of the page shows its
// answer.
type Revision int

// The revisions of the contract.
const (
	// RevisionSeed is the revision of the original integration page (the
	// default of NewHandler).
	RevisionSeed Revision = iota
	// RevisionCurrent is Datacake's current integration page.
	RevisionCurrent
)

// String names the revision.
func (r Revision) String() string {
	switch r {
	case RevisionSeed:
		return "seed"
	case RevisionCurrent:
		return "current"
	}
	return fmt.Sprintf("Revision(%d)", int(r))
}

func (r Revision) valid() bool { return r == RevisionSeed || r == RevisionCurrent }

// customerCurrent is the customer answer of the current revision.
type customerCurrent struct {
	RemoteID    str `json:"id_remoto"`
	ContractID  str `json:"id_contrato"`
	FullName    str `json:"nome_completo"`
	Document    str `json:"document"`
	Birthday    str `json:"aniversario"`
	Registered  str `json:"data_registro"`
	Active      str `json:"ativo"`
	Street      str `json:"rua_endereco"`
	Number      str `json:"numero_endereco"`
	ZIP         str `json:"cep_endereco"`
	City        str `json:"cidade_endereco"`
	Complement  str `json:"complemento_endereco"`
	District    str `json:"bairro_endereco"`
	StateRegion str `json:"estado_endereco"`
}

func (c *Customer) current() customerCurrent {
	return customerCurrent{
		RemoteID: str(c.ID), ContractID: str(c.ContractID), FullName: str(c.Name), Document: str(c.Document),
		Birthday: str(c.BirthDate), Registered: str(c.RegisteredAt), Active: str(c.Active),
		Street: str(c.Street), Number: str(c.Number), ZIP: str(c.ZIP), City: str(c.City),
		Complement: str(c.Complement), District: str(c.District), StateRegion: str(c.State),
	}
}

// invoiceCurrent is an invoice of the current revision: the seed's keys and
// six more.
type invoiceCurrent struct {
	invoiceWire
	Code           str    `json:"code_fatura"`
	DocumentNumber str    `json:"document_number"`
	RemoteID       str    `json:"remote_id"`
	Interest       Amount `json:"juros"`
	Fine           Amount `json:"multa"`
	Discount       Amount `json:"desconto"`
}

func (v *Invoice) current() invoiceCurrent {
	return invoiceCurrent{invoiceWire: v.wire(), Code: str(v.Code), DocumentNumber: str(v.DocumentNumber),
		RemoteID: str(v.RemoteID), Interest: v.Interest, Fine: v.Fine, Discount: v.Discount}
}

// InvoiceQuery selects a customer's invoices, fiscal notes or financial
// statements: by the customer's id (the seed's revision, "id_cliente"), or
// by the customer's document and contract id (the current revision,
// "document" and "id_contrato"). Set one way or the other.
type InvoiceQuery struct {
	CustomerID string // id_cliente
	Document   string // document: the customer's CPF or CNPJ
	ContractID string // id_contrato
}

// validate checks q and returns its parameters.
func (q *InvoiceQuery) params() (map[string]string, error) {
	if q == nil {
		return nil, leadkit.Invalid("id_cliente", "a query is required (id_cliente, or document and id_contrato)")
	}
	byID := strings.TrimSpace(q.CustomerID) != ""
	byContract := strings.TrimSpace(q.Document) != "" || strings.TrimSpace(q.ContractID) != ""
	switch {
	case byID && byContract:
		return nil, leadkit.Invalid("id_cliente", "set id_cliente, or document and id_contrato, not both")
	case byID:
		if err := requireID("id_cliente", q.CustomerID); err != nil {
			return nil, err
		}
		return map[string]string{"id_cliente": q.CustomerID}, nil
	case byContract:
		if err := ValidateDocument(q.Document); err != nil {
			return nil, err
		}
		if err := requireID("id_contrato", q.ContractID); err != nil {
			return nil, err
		}
		return map[string]string{"document": strings.TrimSpace(q.Document), "id_contrato": q.ContractID}, nil
	}
	return nil, leadkit.Invalid("id_cliente", "is required (or document and id_contrato)")
}

// FiscalNote is one element of "Pegar notas fiscais (GET)" (current
// revision): a fiscal note (nota fiscal) of the customer.
type FiscalNote struct {
	ID         string `json:"id_nota"`
	Status     string `json:"status"`
	Amount     Amount `json:"valor"`
	AmountPaid Amount `json:"valor_pago"`
	IssuedOn   string `json:"data_lancamento"` // as the ERP writes it
	DueOn      string `json:"data_vencimento"` // as the ERP writes it
	PaidOn     string `json:"data_baixa"`      // "" until paid
	URL        string `json:"url_nota_fiscal"`
}

type fiscalNoteWire struct {
	ID         str    `json:"id_nota"`
	Status     str    `json:"status"`
	Amount     Amount `json:"valor"`
	AmountPaid Amount `json:"valor_pago"`
	IssuedOn   str    `json:"data_lancamento"`
	DueOn      str    `json:"data_vencimento"`
	PaidOn     str    `json:"data_baixa"`
	URL        str    `json:"url_nota_fiscal"`
}

// MarshalJSON writes the contract's shape, every value a string.
func (n FiscalNote) MarshalJSON() ([]byte, error) {
	return json.Marshal(fiscalNoteWire{ID: str(n.ID), Status: str(n.Status), Amount: n.Amount,
		AmountPaid: n.AmountPaid, IssuedOn: str(n.IssuedOn), DueOn: str(n.DueOn), PaidOn: str(n.PaidOn), URL: str(n.URL)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (n *FiscalNote) UnmarshalJSON(b []byte) error {
	var w fiscalNoteWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*n = FiscalNote{ID: string(w.ID), Status: string(w.Status), Amount: w.Amount, AmountPaid: w.AmountPaid,
		IssuedOn: string(w.IssuedOn), DueOn: string(w.DueOn), PaidOn: string(w.PaidOn), URL: string(w.URL)}
	return nil
}

// StatementEntry is one element of "extratos financeiros (GET)" (current
// revision): a line of the customer's financial statement.
type StatementEntry struct {
	ID         string `json:"id_extrato_financeiro"`
	PostedOn   string `json:"data_lancamento"` // as the ERP writes it
	DueOn      string `json:"data_vencimento"`
	PaidOn     string `json:"data_baixa"` // "" until paid
	InvoiceID  string `json:"id_boleto"`
	NoteID     string `json:"id_nota"`
	Amount     Amount `json:"valor"`
	AmountPaid Amount `json:"valor_pago"`
	Fine       Amount `json:"multa"`
	Interest   Amount `json:"juros"`
	Discount   Amount `json:"desconto"`
	Notes      string `json:"obs"`
}

type statementWire struct {
	ID         str    `json:"id_extrato_financeiro"`
	PostedOn   str    `json:"data_lancamento"`
	DueOn      str    `json:"data_vencimento"`
	PaidOn     str    `json:"data_baixa"`
	InvoiceID  str    `json:"id_boleto"`
	NoteID     str    `json:"id_nota"`
	Amount     Amount `json:"valor"`
	AmountPaid Amount `json:"valor_pago"`
	Fine       Amount `json:"multa"`
	Interest   Amount `json:"juros"`
	Discount   Amount `json:"desconto"`
	Notes      str    `json:"obs"`
}

// MarshalJSON writes the contract's shape, every value a string.
func (s StatementEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(statementWire{ID: str(s.ID), PostedOn: str(s.PostedOn), DueOn: str(s.DueOn), PaidOn: str(s.PaidOn),
		InvoiceID: str(s.InvoiceID), NoteID: str(s.NoteID), Amount: s.Amount, AmountPaid: s.AmountPaid,
		Fine: s.Fine, Interest: s.Interest, Discount: s.Discount, Notes: str(s.Notes)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (s *StatementEntry) UnmarshalJSON(b []byte) error {
	var w statementWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = StatementEntry{ID: string(w.ID), PostedOn: string(w.PostedOn), DueOn: string(w.DueOn), PaidOn: string(w.PaidOn),
		InvoiceID: string(w.InvoiceID), NoteID: string(w.NoteID), Amount: w.Amount, AmountPaid: w.AmountPaid,
		Fine: w.Fine, Interest: w.Interest, Discount: w.Discount, Notes: string(w.Notes)}
	return nil
}

// FiscalNoteLister is the optional part of an ERP that answers "Pegar notas
// fiscais" (current revision). An ERP that does not implement it is answered
// 501 by NewHandler.
type FiscalNoteLister interface {
	FiscalNotes(ctx context.Context, q *InvoiceQuery) ([]FiscalNote, error)
}

// StatementLister is the optional part of an ERP that answers "extratos
// financeiros" (current revision). An ERP that does not implement it is
// answered 501 by NewHandler.
type StatementLister interface {
	FinancialStatements(ctx context.Context, q *InvoiceQuery) ([]StatementEntry, error)
}
