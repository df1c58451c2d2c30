package datacake

import "encoding/json"

// The types below mirror the JSON of the contract page ("Versões
// comparadas" of Datacake's integration page). The JSON tags are the
// contract's keys exactly, "Sexo" with its capital S included. On the wire
// every value is a string; the Go fields are typed where the meaning is
// clear (amounts are an exact Amount in centavos, coordinates float64) and
// decode from strings and numbers alike ("89.90", "89,90", 89.9, "" and
// null). Encoding writes strings again, so a value read from an ERP and
// served by NewHandler keeps the contract's shape.

// PersonType is "tipo_pessoa": a natural person (CPF) or a company (CNPJ).
// Values an ERP sends beyond the constants are kept as they are.
type PersonType string

// Person types as Brazilian ERPs spell them.
const (
	PersonNatural PersonType = "F" // pessoa física (CPF)
	PersonLegal   PersonType = "J" // pessoa jurídica (CNPJ)
)

// String returns the value as sent ("F", "J" or whatever the ERP sent).
func (p PersonType) String() string { return string(p) }

// Sex is the customer's "Sexo". Values beyond the constants are kept.
type Sex string

// Sexes as Brazilian ERPs spell them.
const (
	SexMale   Sex = "M" // masculino
	SexFemale Sex = "F" // feminino
)

// String returns the value as sent.
func (s Sex) String() string { return string(s) }

// Address is the address block the contract repeats in the customer, each
// installation and (inferred) the prospect: cep, endereco, numero,
// complemento, bairro, cidade, uf, latitude, longitude.
type Address struct {
	ZIP        string  `json:"cep"`         // CEP, as sent ("01310-100" or "01310100")
	Street     string  `json:"endereco"`    // street
	Number     string  `json:"numero"`      // house number ("S/N" happens)
	Complement string  `json:"complemento"` // apartment, block, ...
	District   string  `json:"bairro"`      // neighbourhood
	City       string  `json:"cidade"`      // city name
	State      string  `json:"uf"`          // two-letter state
	Latitude   float64 `json:"latitude"`    // 0 when unknown (sent as "")
	Longitude  float64 `json:"longitude"`   // 0 when unknown (sent as "")
}

type addressWire struct {
	ZIP        str   `json:"cep"`
	Street     str   `json:"endereco"`
	Number     str   `json:"numero"`
	Complement str   `json:"complemento"`
	District   str   `json:"bairro"`
	City       str   `json:"cidade"`
	State      str   `json:"uf"`
	Latitude   coord `json:"latitude"`
	Longitude  coord `json:"longitude"`
}

func (w *addressWire) public() Address {
	return Address{
		ZIP: string(w.ZIP), Street: string(w.Street), Number: string(w.Number),
		Complement: string(w.Complement), District: string(w.District), City: string(w.City),
		State: string(w.State), Latitude: float64(w.Latitude), Longitude: float64(w.Longitude),
	}
}

func (a *Address) wire() addressWire {
	return addressWire{
		ZIP: str(a.ZIP), Street: str(a.Street), Number: str(a.Number),
		Complement: str(a.Complement), District: str(a.District), City: str(a.City),
		State: str(a.State), Latitude: coord(a.Latitude), Longitude: coord(a.Longitude),
	}
}

// Customer is the answer of "Pegar infos de clientes (GET)": the ERP's
// customer found by CPF/CNPJ. Both revisions of the contract decode into it
// without loss (the table of keys is on Revision): ContractID is the only
// field of the current revision alone, the others are the seed's. It
// encodes in the seed's keys; NewHandler writes the current revision's when
// told to.
type Customer struct {
	ID                    string     `json:"id_cliente"`
	Name                  string     `json:"nome"`
	TradeName             string     `json:"fantasia"`    // nome fantasia (companies)
	PersonType            PersonType `json:"tipo_pessoa"` // "F" or "J"
	Document              string     `json:"cnpj_cpf"`
	IDDocument            string     `json:"ie_identidade"`       // state registration (IE) or identity card (RG)
	RGIssuer              string     `json:"rg_orgao_emissor"`    // issuing body of the RG ("SSP/SP")
	MunicipalRegistration string     `json:"inscricao_municipal"` // inscrição municipal
	ICMSTaxpayer          string     `json:"contribuinte_icms"`   // "S" or "N" (the seed shows "N")
	Nationality           string     `json:"nacionalidade"`
	BirthCity             string     `json:"cidade_naturalidade"`
	BirthState            string     `json:"estado_nascimento"`
	BirthDate             string     `json:"data_nascimento"` // as the ERP writes it; the page shows no format
	MaritalStatus         string     `json:"estado_civil"`
	Active                string     `json:"ativo"` // as the ERP writes it ("S", "N", "1", ...)
	Sex                   Sex        `json:"Sexo"`  // capital S, as documented
	Occupation            string     `json:"profissao"`
	RegisteredAt          string     `json:"data_cadastro"` // as the ERP writes it
	Address
	Phone         string `json:"fone"`
	BusinessPhone string `json:"telefone_comercial"`
	MobilePhone   string `json:"telefone_celular"`
	WhatsApp      string `json:"whatsapp"`
	Email         string `json:"email"`
	Notes         string `json:"obs"`
	Alert         string `json:"alerta"` // a warning the ERP shows about the customer
	// ContractID is the customer's contract ("id_contrato", current
	// revision), which looks up its invoices there.
	ContractID string `json:"id_contrato,omitempty"`
}

type customerWire struct {
	ID                    str `json:"id_cliente"`
	Name                  str `json:"nome"`
	TradeName             str `json:"fantasia"`
	PersonType            str `json:"tipo_pessoa"`
	Document              str `json:"cnpj_cpf"`
	IDDocument            str `json:"ie_identidade"`
	RGIssuer              str `json:"rg_orgao_emissor"`
	MunicipalRegistration str `json:"inscricao_municipal"`
	ICMSTaxpayer          str `json:"contribuinte_icms"`
	Nationality           str `json:"nacionalidade"`
	BirthCity             str `json:"cidade_naturalidade"`
	BirthState            str `json:"estado_nascimento"`
	BirthDate             str `json:"data_nascimento"`
	MaritalStatus         str `json:"estado_civil"`
	Active                str `json:"ativo"`
	Sex                   str `json:"Sexo"`
	Occupation            str `json:"profissao"`
	RegisteredAt          str `json:"data_cadastro"`
	addressWire
	Phone         str `json:"fone"`
	BusinessPhone str `json:"telefone_comercial"`
	MobilePhone   str `json:"telefone_celular"`
	WhatsApp      str `json:"whatsapp"`
	Email         str `json:"email"`
	Notes         str `json:"obs"`
	Alert         str `json:"alerta"`
	// Keys of the current revision, read when the seed's are empty (encoding
	// the seed's shape leaves them out).
	FullName   str `json:"nome_completo,omitempty"`
	Birthday   str `json:"aniversario,omitempty"`
	Registered str `json:"data_registro,omitempty"`
	StreetNew  str `json:"rua_endereco,omitempty"`
	NumberNew  str `json:"numero_endereco,omitempty"`
	ZIPNew     str `json:"cep_endereco,omitempty"`
	CityNew    str `json:"cidade_endereco,omitempty"`
	Compl      str `json:"complemento_endereco,omitempty"`
	DistNew    str `json:"bairro_endereco,omitempty"`
	StateNew   str `json:"estado_endereco,omitempty"`
	Document2  str `json:"document,omitempty"`
	RemoteID   str `json:"id_remoto,omitempty"`
	ContractID str `json:"id_contrato,omitempty"`
}

func (w *customerWire) public() Customer {
	c := Customer{
		ID: string(w.ID), Name: string(w.Name), TradeName: string(w.TradeName),
		PersonType: PersonType(w.PersonType), Document: string(w.Document), IDDocument: string(w.IDDocument),
		RGIssuer: string(w.RGIssuer), MunicipalRegistration: string(w.MunicipalRegistration),
		ICMSTaxpayer: string(w.ICMSTaxpayer), Nationality: string(w.Nationality), BirthCity: string(w.BirthCity),
		BirthState: string(w.BirthState), BirthDate: string(w.BirthDate), MaritalStatus: string(w.MaritalStatus),
		Active: string(w.Active), Sex: Sex(w.Sex), Occupation: string(w.Occupation),
		RegisteredAt: string(w.RegisteredAt), Address: w.addressWire.public(),
		Phone: string(w.Phone), BusinessPhone: string(w.BusinessPhone), MobilePhone: string(w.MobilePhone),
		WhatsApp: string(w.WhatsApp), Email: string(w.Email), Notes: string(w.Notes), Alert: string(w.Alert),
	}
	fill(&c.ID, w.RemoteID)
	fill(&c.Name, w.FullName)
	fill(&c.BirthDate, w.Birthday)
	fill(&c.RegisteredAt, w.Registered)
	fill(&c.Street, w.StreetNew)
	fill(&c.Number, w.NumberNew)
	fill(&c.ZIP, w.ZIPNew)
	fill(&c.City, w.CityNew)
	fill(&c.Complement, w.Compl)
	fill(&c.District, w.DistNew)
	fill(&c.State, w.StateNew)
	fill(&c.Document, w.Document2)
	c.ContractID = string(w.ContractID)
	return c
}

func fill(dst *string, alt str) {
	if *dst == "" {
		*dst = string(alt)
	}
}

func (c *Customer) wire() customerWire {
	return customerWire{
		ID: str(c.ID), Name: str(c.Name), TradeName: str(c.TradeName), PersonType: str(c.PersonType),
		Document: str(c.Document), IDDocument: str(c.IDDocument), RGIssuer: str(c.RGIssuer),
		MunicipalRegistration: str(c.MunicipalRegistration), ICMSTaxpayer: str(c.ICMSTaxpayer),
		Nationality: str(c.Nationality), BirthCity: str(c.BirthCity), BirthState: str(c.BirthState),
		BirthDate: str(c.BirthDate), MaritalStatus: str(c.MaritalStatus), Active: str(c.Active),
		Sex: str(c.Sex), Occupation: str(c.Occupation), RegisteredAt: str(c.RegisteredAt),
		addressWire: c.Address.wire(), Phone: str(c.Phone), BusinessPhone: str(c.BusinessPhone),
		MobilePhone: str(c.MobilePhone), WhatsApp: str(c.WhatsApp), Email: str(c.Email),
		Notes: str(c.Notes), Alert: str(c.Alert),
	}
}

// MarshalJSON writes the contract's shape, every value a string.
func (c Customer) MarshalJSON() ([]byte, error) { return json.Marshal(c.wire()) }

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (c *Customer) UnmarshalJSON(b []byte) error {
	var w customerWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = w.public()
	return nil
}

// Service is one service of an installation ("servicos" in the seed).
type Service struct {
	ID          string `json:"id_servico"`
	Name        string `json:"nome"`
	Description string `json:"descricao"`
	Price       Amount `json:"valor"`
	Status      string `json:"status"`
	Notes       string `json:"obs"`
}

type serviceWire struct {
	ID          str    `json:"id_servico"`
	Name        str    `json:"nome"`
	Description str    `json:"descricao"`
	Price       Amount `json:"valor"`
	Status      str    `json:"status"`
	Notes       str    `json:"obs"`
}

// Installation is one element of the answer the seed shows under "Pegar
// boletos abertos/faturas (GET)": a customer's installation (address,
// coordinates) and its services. The seed's diff hides the heading of this
// operation; the package models it as its own operation, Installations.
type Installation struct {
	ID string `json:"id_instalacao"`
	Address
	Notes    string    `json:"obs"`
	Services []Service `json:"servicos"`
}

type installationWire struct {
	ID str `json:"id_instalacao"`
	addressWire
	Notes    str           `json:"obs"`
	Services []serviceWire `json:"servicos"`
}

func (w *installationWire) public() Installation {
	in := Installation{ID: string(w.ID), Address: w.addressWire.public(), Notes: string(w.Notes),
		Services: make([]Service, len(w.Services))}
	for i := range w.Services {
		s := &w.Services[i]
		in.Services[i] = Service{ID: string(s.ID), Name: string(s.Name), Description: string(s.Description),
			Price: s.Price, Status: string(s.Status), Notes: string(s.Notes)}
	}
	return in
}

func (in *Installation) wire() installationWire {
	w := installationWire{ID: str(in.ID), addressWire: in.Address.wire(), Notes: str(in.Notes),
		Services: make([]serviceWire, len(in.Services))}
	for i, s := range in.Services {
		w.Services[i] = serviceWire{ID: str(s.ID), Name: str(s.Name), Description: str(s.Description),
			Price: s.Price, Status: str(s.Status), Notes: str(s.Notes)}
	}
	return w
}

// MarshalJSON writes the contract's shape, every value a string.
func (in Installation) MarshalJSON() ([]byte, error) { return json.Marshal(in.wire()) }

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (in *Installation) UnmarshalJSON(b []byte) error {
	var w installationWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*in = w.public()
	return nil
}

// Invoice is an open invoice (boleto) of "Pegar boletos abertos/faturas
// (GET)": the seed's keys, and the six the current revision adds (Code to
// Discount, zero when an ERP of the seed's revision answers). It encodes in
// the seed's keys; NewHandler writes the current revision's when told to.
type Invoice struct {
	ID            string `json:"id_fatura"`
	CustomerName  string `json:"nome_cliente"`
	InitialValue  Amount `json:"valor_inicial"`   // amount when issued
	CurrentValue  Amount `json:"valor_atual"`     // amount today (interest, fines)
	IssuedOn      string `json:"data_emissao"`    // as the ERP writes it
	DueOn         string `json:"data_vencimento"` // as the ERP writes it
	DigitableLine string `json:"linha_digitavel"` // the boleto's linha digitável
	URL           string `json:"url_boleto"`      // link to the boleto's PDF

	Code           string `json:"code_fatura,omitempty"`     // current revision: the invoice's code
	DocumentNumber string `json:"document_number,omitempty"` // current revision: número do documento
	RemoteID       string `json:"remote_id,omitempty"`       // current revision: the ERP's id
	Interest       Amount `json:"juros,omitempty"`           // current revision: interest
	Fine           Amount `json:"multa,omitempty"`           // current revision: late fine
	Discount       Amount `json:"desconto,omitempty"`        // current revision: discount
}

type invoiceWire struct {
	ID            str    `json:"id_fatura"`
	CustomerName  str    `json:"nome_cliente"`
	InitialValue  Amount `json:"valor_inicial"`
	CurrentValue  Amount `json:"valor_atual"`
	IssuedOn      str    `json:"data_emissao"`
	DueOn         str    `json:"data_vencimento"`
	DigitableLine str    `json:"linha_digitavel"`
	URL           str    `json:"url_boleto"`
}

// invoiceRead reads an invoice of either revision.
type invoiceRead struct {
	invoiceWire
	Code           str    `json:"code_fatura"`
	DocumentNumber str    `json:"document_number"`
	RemoteID       str    `json:"remote_id"`
	Interest       Amount `json:"juros"`
	Fine           Amount `json:"multa"`
	Discount       Amount `json:"desconto"`
}

func (w *invoiceRead) public() Invoice {
	v := w.invoiceWire.public()
	v.Code, v.DocumentNumber, v.RemoteID = string(w.Code), string(w.DocumentNumber), string(w.RemoteID)
	v.Interest, v.Fine, v.Discount = w.Interest, w.Fine, w.Discount
	return v
}

func (w *invoiceWire) public() Invoice {
	return Invoice{ID: string(w.ID), CustomerName: string(w.CustomerName), InitialValue: w.InitialValue,
		CurrentValue: w.CurrentValue, IssuedOn: string(w.IssuedOn), DueOn: string(w.DueOn),
		DigitableLine: string(w.DigitableLine), URL: string(w.URL)}
}

func (v *Invoice) wire() invoiceWire {
	return invoiceWire{ID: str(v.ID), CustomerName: str(v.CustomerName), InitialValue: v.InitialValue,
		CurrentValue: v.CurrentValue, IssuedOn: str(v.IssuedOn), DueOn: str(v.DueOn),
		DigitableLine: str(v.DigitableLine), URL: str(v.URL)}
}

// MarshalJSON writes the contract's shape, every value a string.
func (v Invoice) MarshalJSON() ([]byte, error) { return json.Marshal(v.wire()) }

// UnmarshalJSON reads either revision's shape, tolerating numbers and nulls.
func (v *Invoice) UnmarshalJSON(b []byte) error {
	var w invoiceRead
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*v = w.public()
	return nil
}

// Product is one element of "Pegar todos os produtos (GET)": a plan or
// service the ERP sells, mapped to the e-commerce's products so that a
// prospect is created linked to it.
type Product struct {
	ID          string `json:"id_servico"`
	Name        string `json:"nome"`
	Description string `json:"descricao"`
	Price       Amount `json:"valor"`
	Notes       string `json:"obs"`
}

type productWire struct {
	ID          str    `json:"id_servico"`
	Name        str    `json:"nome"`
	Description str    `json:"descricao"`
	Price       Amount `json:"valor"`
	Notes       str    `json:"obs"`
}

func (w *productWire) public() Product {
	return Product{ID: string(w.ID), Name: string(w.Name), Description: string(w.Description),
		Price: w.Price, Notes: string(w.Notes)}
}

func (p *Product) wire() productWire {
	return productWire{ID: str(p.ID), Name: str(p.Name), Description: str(p.Description),
		Price: p.Price, Notes: str(p.Notes)}
}

// MarshalJSON writes the contract's shape, every value a string.
func (p Product) MarshalJSON() ([]byte, error) { return json.Marshal(p.wire()) }

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (p *Product) UnmarshalJSON(b []byte) error {
	var w productWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = w.public()
	return nil
}

// Reseller is one element of "Pegar todos os revendedores (GET)": whoever
// made the sale, linked to the prospect for the reports.
type Reseller struct {
	ID    string `json:"id_revendedor"`
	Name  string `json:"nome"`
	Notes string `json:"obs"`
}

type resellerWire struct {
	ID    str `json:"id_revendedor"`
	Name  str `json:"nome"`
	Notes str `json:"obs"`
}

// MarshalJSON writes the contract's shape, every value a string.
func (r Reseller) MarshalJSON() ([]byte, error) {
	return json.Marshal(resellerWire{str(r.ID), str(r.Name), str(r.Notes)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (r *Reseller) UnmarshalJSON(b []byte) error {
	var w resellerWire
	err := json.Unmarshal(b, &w)
	*r = Reseller{string(w.ID), string(w.Name), string(w.Notes)}
	return err
}

// Employee is one element of "Pegar todos os funcionários (GET)", used to
// route the attendances the e-commerce or app creates. The seed labels each
// employee with a department id ("id_departamento"), kept as it is.
type Employee struct {
	DepartmentID string `json:"id_departamento"`
	Name         string `json:"nome"`
	Notes        string `json:"obs"`
}

type employeeWire struct {
	DepartmentID str `json:"id_departamento"`
	Name         str `json:"nome"`
	Notes        str `json:"obs"`
}

// MarshalJSON writes the contract's shape, every value a string.
func (e Employee) MarshalJSON() ([]byte, error) {
	return json.Marshal(employeeWire{str(e.DepartmentID), str(e.Name), str(e.Notes)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (e *Employee) UnmarshalJSON(b []byte) error {
	var w employeeWire
	err := json.Unmarshal(b, &w)
	*e = Employee{string(w.DepartmentID), string(w.Name), string(w.Notes)}
	return err
}

// DueDate is one element of "Pegar todos os vencimentos (GET)": a billing
// due date a prospect is created with. Date is as the ERP writes it (often
// the day of the month).
type DueDate struct {
	ID    string `json:"id_vencimento"`
	Date  string `json:"data"`
	Notes string `json:"obs"`
}

type dueDateWire struct {
	ID    str `json:"id_vencimento"`
	Date  str `json:"data"`
	Notes str `json:"obs"`
}

// MarshalJSON writes the contract's shape, every value a string.
func (d DueDate) MarshalJSON() ([]byte, error) {
	return json.Marshal(dueDateWire{str(d.ID), str(d.Date), str(d.Notes)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (d *DueDate) UnmarshalJSON(b []byte) error {
	var w dueDateWire
	err := json.Unmarshal(b, &w)
	*d = DueDate{string(w.ID), string(w.Date), string(w.Notes)}
	return err
}

// CommercialOrigin is one element of "Pegar as origens comerciáis (GET)":
// where the customer heard of the provider (Google, Outdoor, Indicação de
// Amigo, Anúncio de Rádio).
type CommercialOrigin struct {
	ID    string `json:"id_origem"`
	Name  string `json:"nome"`
	Notes string `json:"obs"`
}

type originWire struct {
	ID    str `json:"id_origem"`
	Name  str `json:"nome"`
	Notes str `json:"obs"`
}

// MarshalJSON writes the contract's shape, every value a string.
func (o CommercialOrigin) MarshalJSON() ([]byte, error) {
	return json.Marshal(originWire{str(o.ID), str(o.Name), str(o.Notes)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (o *CommercialOrigin) UnmarshalJSON(b []byte) error {
	var w originWire
	err := json.Unmarshal(b, &w)
	*o = CommercialOrigin{string(w.ID), string(w.Name), string(w.Notes)}
	return err
}

// City is one element of "Pegar todas as cidades (GET)": the ERP's own code
// for a city. The seed's example keys the id "id_tipo_de_atendimento", an
// apparent copy-paste slip; both that key and "id_cidade" are read, and
// "id_cidade" is written.
type City struct {
	ID    string `json:"id_cidade"`
	Name  string `json:"nome"`
	Notes string `json:"obs"`
}

type cityWire struct {
	ID     str `json:"id_cidade"`
	SeedID str `json:"id_tipo_de_atendimento,omitempty"`
	Name   str `json:"nome"`
	Notes  str `json:"obs"`
}

func (w *cityWire) public() City {
	c := City{ID: string(w.ID), Name: string(w.Name), Notes: string(w.Notes)}
	fill(&c.ID, w.SeedID)
	return c
}

// MarshalJSON writes the contract's shape, every value a string.
func (c City) MarshalJSON() ([]byte, error) {
	return json.Marshal(cityWire{ID: str(c.ID), Name: str(c.Name), Notes: str(c.Notes)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (c *City) UnmarshalJSON(b []byte) error {
	var w cityWire
	err := json.Unmarshal(b, &w)
	*c = w.public()
	return err
}

// ProspectStatus is one element of "Pegar todos os status de prospectos
// (GET)": a status a prospect can be in (Inicial, Em análise, Reprovado,
// Suspenso, Aprovado, Cancelado). ID is the ERP's code, sent as
// "status_prospeccao" when a prospect is created or updated.
type ProspectStatus struct {
	ID    string `json:"status_prospeccao"`
	Name  string `json:"nome"`
	Notes string `json:"obs"`
}

type prospectStatusWire struct {
	ID    str `json:"status_prospeccao"`
	Name  str `json:"nome"`
	Notes str `json:"obs"`
}

// MarshalJSON writes the contract's shape, every value a string.
func (s ProspectStatus) MarshalJSON() ([]byte, error) {
	return json.Marshal(prospectStatusWire{str(s.ID), str(s.Name), str(s.Notes)})
}

// UnmarshalJSON reads the contract's shape, tolerating numbers and nulls.
func (s *ProspectStatus) UnmarshalJSON(b []byte) error {
	var w prospectStatusWire
	err := json.Unmarshal(b, &w)
	*s = ProspectStatus{string(w.ID), string(w.Name), string(w.Notes)}
	return err
}

// Status is the answer of "Criar prospectos (POST)", "Edição do prospecto
// (PUT)", "Envio de arquivos (POST)" and "Status do Prospecto (GET)". The
// seed shows only {"status": ""}. ProspectID and Name are inferred: an ERP
// that creates a prospect must say which id it gave it for the later
// updates, uploads and status reads, and a status read is clearer with the
// status's name; both are omitted when empty. On reading, "status_prospeccao"
// is accepted for "status" and "id" for "id_prospecto".
type Status struct {
	Status     string `json:"status"`
	ProspectID string `json:"id_prospecto,omitempty"`
	Name       string `json:"nome,omitempty"`
}

type statusWire struct {
	Status     str `json:"status"`
	ProspectID str `json:"id_prospecto,omitempty"`
	Name       str `json:"nome,omitempty"`
	// accepted on reading only
	AltStatus str `json:"status_prospeccao,omitempty"`
	AltID     str `json:"id,omitempty"`
}

func (w *statusWire) public() Status {
	s := Status{Status: string(w.Status), ProspectID: string(w.ProspectID), Name: string(w.Name)}
	fill(&s.Status, w.AltStatus)
	fill(&s.ProspectID, w.AltID)
	return s
}

// MarshalJSON writes {"status": ...} and the inferred fields when set.
func (s Status) MarshalJSON() ([]byte, error) {
	return json.Marshal(statusWire{Status: str(s.Status), ProspectID: str(s.ProspectID), Name: str(s.Name)})
}

// UnmarshalJSON reads the status, tolerating numbers, nulls and the
// alternative keys.
func (s *Status) UnmarshalJSON(b []byte) error {
	var w statusWire
	err := json.Unmarshal(b, &w)
	*s = w.public()
	return err
}
