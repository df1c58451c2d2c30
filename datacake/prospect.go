package datacake

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Prospect is the request of "Criar prospectos (POST)" and "Edição do
// prospecto (PUT)": a sign-up the ERP follows until it becomes a customer.
//
// The copy of the contract cut the request model, so its shape is inferred
// from what the page says the catalogues are for. Modelled from the seed:
// the customer's personal data and address use the customer object's keys
// (nome, cnpj_cpf, Sexo, cep, endereco, ...), and each link uses its
// catalogue's id key: id_servico (products, sent as "servicos":
// [{"id_servico": ...}] as in the installation's services), id_revendedor,
// id_departamento (the employees catalogue), id_vencimento, id_origem and
// status_prospeccao. Inferred: id_cliente for an existing customer,
// id_cidade for the city (the seed's city catalogue mislabels its id) and
// the list form of the products.
//
// Every field is optional on the wire and omitted when empty, so that
// UpdateProspect sends only what changed ("nem todos os campos são
// necessariamente editados"). Prospects.Create needs Name and a valid
// Document.
type Prospect struct {
	CustomerID    string     `json:"id_cliente,omitempty"` // inferred: an existing customer
	Name          string     `json:"nome,omitempty"`
	TradeName     string     `json:"fantasia,omitempty"`
	PersonType    PersonType `json:"tipo_pessoa,omitempty"`
	Document      string     `json:"cnpj_cpf,omitempty"`
	IDDocument    string     `json:"ie_identidade,omitempty"`
	RGIssuer      string     `json:"rg_orgao_emissor,omitempty"`
	BirthDate     string     `json:"data_nascimento,omitempty"`
	MaritalStatus string     `json:"estado_civil,omitempty"`
	Sex           Sex        `json:"Sexo,omitempty"`
	Occupation    string     `json:"profissao,omitempty"`
	Address
	Phone       string `json:"fone,omitempty"`
	MobilePhone string `json:"telefone_celular,omitempty"`
	WhatsApp    string `json:"whatsapp,omitempty"`
	Email       string `json:"email,omitempty"`
	Notes       string `json:"obs,omitempty"`

	ProductIDs   []string `json:"servicos,omitempty"`          // id_servico of each product
	ResellerID   string   `json:"id_revendedor,omitempty"`     // from Resellers
	DepartmentID string   `json:"id_departamento,omitempty"`   // from Employees
	DueDateID    string   `json:"id_vencimento,omitempty"`     // from DueDates
	OriginID     string   `json:"id_origem,omitempty"`         // from CommercialOrigins
	CityID       string   `json:"id_cidade,omitempty"`         // from Cities (inferred key)
	StatusID     string   `json:"status_prospeccao,omitempty"` // from ProspectStatuses
}

type productRef struct {
	ID str `json:"id_servico"`
}

type prospectWire struct {
	ProspectID    str   `json:"id_prospecto,omitempty"` // set by the client when a route has no {id}
	CustomerID    str   `json:"id_cliente,omitempty"`
	Name          str   `json:"nome,omitempty"`
	TradeName     str   `json:"fantasia,omitempty"`
	PersonType    str   `json:"tipo_pessoa,omitempty"`
	Document      str   `json:"cnpj_cpf,omitempty"`
	IDDocument    str   `json:"ie_identidade,omitempty"`
	RGIssuer      str   `json:"rg_orgao_emissor,omitempty"`
	BirthDate     str   `json:"data_nascimento,omitempty"`
	MaritalStatus str   `json:"estado_civil,omitempty"`
	Sex           str   `json:"Sexo,omitempty"`
	Occupation    str   `json:"profissao,omitempty"`
	ZIP           str   `json:"cep,omitempty"`
	Street        str   `json:"endereco,omitempty"`
	Number        str   `json:"numero,omitempty"`
	Complement    str   `json:"complemento,omitempty"`
	District      str   `json:"bairro,omitempty"`
	City          str   `json:"cidade,omitempty"`
	State         str   `json:"uf,omitempty"`
	Latitude      coord `json:"latitude,omitempty"`
	Longitude     coord `json:"longitude,omitempty"`
	Phone         str   `json:"fone,omitempty"`
	MobilePhone   str   `json:"telefone_celular,omitempty"`
	WhatsApp      str   `json:"whatsapp,omitempty"`
	Email         str   `json:"email,omitempty"`
	Notes         str   `json:"obs,omitempty"`

	Products     []productRef `json:"servicos,omitempty"`
	ProductID    str          `json:"id_servico,omitempty"` // read only: one product, flat
	ResellerID   str          `json:"id_revendedor,omitempty"`
	DepartmentID str          `json:"id_departamento,omitempty"`
	DueDateID    str          `json:"id_vencimento,omitempty"`
	OriginID     str          `json:"id_origem,omitempty"`
	CityID       str          `json:"id_cidade,omitempty"`
	StatusID     str          `json:"status_prospeccao,omitempty"`
}

func (p *Prospect) wire() prospectWire {
	w := prospectWire{
		CustomerID: str(p.CustomerID), Name: str(p.Name), TradeName: str(p.TradeName),
		PersonType: str(p.PersonType), Document: str(p.Document), IDDocument: str(p.IDDocument),
		RGIssuer: str(p.RGIssuer), BirthDate: str(p.BirthDate), MaritalStatus: str(p.MaritalStatus),
		Sex: str(p.Sex), Occupation: str(p.Occupation),
		ZIP: str(p.ZIP), Street: str(p.Street), Number: str(p.Number), Complement: str(p.Complement),
		District: str(p.District), City: str(p.City), State: str(p.State),
		Latitude: coord(p.Latitude), Longitude: coord(p.Longitude),
		Phone: str(p.Phone), MobilePhone: str(p.MobilePhone), WhatsApp: str(p.WhatsApp),
		Email: str(p.Email), Notes: str(p.Notes),
		ResellerID: str(p.ResellerID), DepartmentID: str(p.DepartmentID), DueDateID: str(p.DueDateID),
		OriginID: str(p.OriginID), CityID: str(p.CityID), StatusID: str(p.StatusID),
	}
	for _, id := range p.ProductIDs {
		w.Products = append(w.Products, productRef{str(id)})
	}
	return w
}

func (w *prospectWire) public() Prospect {
	p := Prospect{
		CustomerID: string(w.CustomerID), Name: string(w.Name), TradeName: string(w.TradeName),
		PersonType: PersonType(w.PersonType), Document: string(w.Document), IDDocument: string(w.IDDocument),
		RGIssuer: string(w.RGIssuer), BirthDate: string(w.BirthDate), MaritalStatus: string(w.MaritalStatus),
		Sex: Sex(w.Sex), Occupation: string(w.Occupation),
		Address: Address{ZIP: string(w.ZIP), Street: string(w.Street), Number: string(w.Number),
			Complement: string(w.Complement), District: string(w.District), City: string(w.City),
			State: string(w.State), Latitude: float64(w.Latitude), Longitude: float64(w.Longitude)},
		Phone: string(w.Phone), MobilePhone: string(w.MobilePhone), WhatsApp: string(w.WhatsApp),
		Email: string(w.Email), Notes: string(w.Notes),
		ResellerID: string(w.ResellerID), DepartmentID: string(w.DepartmentID), DueDateID: string(w.DueDateID),
		OriginID: string(w.OriginID), CityID: string(w.CityID), StatusID: string(w.StatusID),
	}
	for _, r := range w.Products {
		p.ProductIDs = append(p.ProductIDs, string(r.ID))
	}
	if w.ProductID != "" {
		p.ProductIDs = append(p.ProductIDs, string(w.ProductID))
	}
	return p
}

// MarshalJSON writes the fields that are set, every value a string.
func (p Prospect) MarshalJSON() ([]byte, error) { return json.Marshal(p.wire()) }

// UnmarshalJSON reads a prospect, tolerating numbers and nulls, and a
// single product sent flat as "id_servico".
func (p *Prospect) UnmarshalJSON(b []byte) error {
	var w prospectWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = w.public()
	return nil
}

// IsZero reports whether no field is set (an update that changes nothing).
func (p *Prospect) IsZero() bool {
	if p == nil {
		return true
	}
	w := p.wire()
	b, _ := json.Marshal(w)
	return string(b) == "{}"
}

// Validate checks p before it is sent (client) or handed to the ERP
// (handler). A create needs Name and Document; Document, Email, State (uf)
// and ZIP (cep) are checked when present; product ids must not be empty;
// latitude and longitude must be finite.
func (p *Prospect) Validate(create bool) error {
	if p == nil {
		return leadkit.Invalid("prospect", "must not be nil")
	}
	if create {
		if strings.TrimSpace(p.Name) == "" {
			return leadkit.Invalid("nome", "must not be empty")
		}
		if strings.TrimSpace(p.Document) == "" {
			return leadkit.Invalid(documentField, "must not be empty")
		}
	} else if p.IsZero() {
		return leadkit.Invalid("prospect", "an update must change at least one field")
	}
	if p.Document != "" {
		if err := ValidateDocument(p.Document); err != nil {
			return err
		}
	}
	if p.Email != "" {
		if err := transport.CheckEmail("email", p.Email); err != nil {
			return err
		}
	}
	if p.State != "" && (len(p.State) != 2 || !isLetters(p.State)) {
		return leadkit.Invalid("uf", "is a two-letter state, got %q", p.State)
	}
	if p.ZIP != "" {
		z := strings.ReplaceAll(strings.ReplaceAll(p.ZIP, "-", ""), ".", "")
		if _, err := strconv.ParseUint(z, 10, 32); len(z) != 8 || err != nil {
			return leadkit.Invalid("cep", "a CEP has 8 digits, got %q", p.ZIP)
		}
	}
	for i, id := range p.ProductIDs {
		if strings.TrimSpace(id) == "" {
			return leadkit.Invalid("servicos", "product %d has an empty id_servico", i)
		}
	}
	// A NaN or infinite latitude would go out as "NaN": named, never sent.
	return transport.CheckEncodable("", p.wire())
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}
