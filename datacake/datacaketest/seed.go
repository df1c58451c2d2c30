package datacaketest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/leadkit/leadkit/datacake"
)

// Documents of seeded customers that are the same for every seed, for
// examples and tests.
const (
	// ExampleCPF belongs to customer "1001", Maria Aparecida da Silva (a
	// CPF widely used in examples: 529.982.247-25).
	ExampleCPF = "52998224725"
	// ExampleCNPJ belongs to customer "1002", a company (11.222.333/0001-81).
	ExampleCNPJ = "11222333000181"
	// ExampleAlphaCNPJ belongs to customer "1003", a company with an
	// alphanumeric CNPJ of the kind issued from July 2026 (12.ABC.345/01DE-35).
	ExampleAlphaCNPJ = "12ABC34501DE35"
	// UnknownCPF is a valid CPF that no seeded customer has.
	UnknownCPF = "11144477735"
)

var (
	firstNames = []string{"Ana", "Maria", "João", "José", "Francisca", "Antônio", "Carlos", "Paulo", "Lucas",
		"Juliana", "Fernanda", "Rafael", "Marcos", "Patrícia", "Aline", "Bruno", "Camila", "Diego", "Eduarda",
		"Felipe", "Gabriela", "Gustavo", "Helena", "Igor", "Larissa", "Letícia", "Mateus", "Natália", "Otávio",
		"Raimundo", "Sebastião", "Tatiane", "Vinícius", "Yasmin", "Conceição", "Luíza"}
	surnames = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
		"Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
		"Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado",
		"Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira", "Araújo"}
	streets = []string{"Rua das Flores", "Avenida Brasil", "Rua Sete de Setembro", "Rua XV de Novembro",
		"Avenida Getúlio Vargas", "Rua Dom Pedro II", "Travessa São José", "Rua Tiradentes",
		"Avenida Presidente Vargas", "Rua da Consolação", "Rua Barão do Rio Branco", "Alameda Santos",
		"Rua Marechal Deodoro", "Avenida Independência", "Rua Padre Anchieta"}
	districts = []string{"Centro", "Jardim América", "Vila Nova", "Boa Vista", "Santa Cecília", "Industrial",
		"São Cristóvão", "Bela Vista", "Jardim Europa", "Cidade Alta", "Vila Operária", "Planalto"}
	occupations = []string{"Professora", "Comerciante", "Motorista", "Enfermeiro", "Autônomo", "Estudante",
		"Aposentada", "Pedreiro", "Analista de sistemas", "Vendedora", "Agricultor", "Cabeleireira"}
	marital   = []string{"Solteiro(a)", "Casado(a)", "Divorciado(a)", "Viúvo(a)", "União estável"}
	companies = []string{"Padaria Pão Quente", "Mercearia São Jorge", "Auto Peças Rodovia", "Farmácia Popular do Bairro",
		"Clínica Sorriso", "Oficina Irmãos Costa", "Escola Pequeno Príncipe", "Restaurante Sabor Mineiro",
		"Loja Moda Bela", "Construtora Horizonte"}
)

type city struct {
	ibge, name, uf string
	lat, lon       float64
	cep            string
}

var cities = []city{
	{"3550308", "São Paulo", "SP", -23.5505, -46.6333, "01"},
	{"3304557", "Rio de Janeiro", "RJ", -22.9068, -43.1729, "20"},
	{"3106200", "Belo Horizonte", "MG", -19.9167, -43.9345, "30"},
	{"4106902", "Curitiba", "PR", -25.4284, -49.2733, "80"},
	{"4314902", "Porto Alegre", "RS", -30.0346, -51.2177, "90"},
	{"2927408", "Salvador", "BA", -12.9714, -38.5014, "40"},
	{"2304400", "Fortaleza", "CE", -3.7319, -38.5267, "60"},
	{"2611606", "Recife", "PE", -8.0476, -34.8770, "50"},
	{"5208707", "Goiânia", "GO", -16.6869, -49.2648, "74"},
	{"1501402", "Belém", "PA", -1.4558, -48.4902, "66"},
	{"3509502", "Campinas", "SP", -22.9099, -47.0626, "13"},
	{"4205407", "Florianópolis", "SC", -27.5954, -48.5480, "88"},
	{"3170206", "Uberlândia", "MG", -18.9186, -48.2772, "38"},
	{"2111300", "São Luís", "MA", -2.5307, -44.3068, "65"},
	{"5002704", "Campo Grande", "MS", -20.4697, -54.6201, "79"},
}

func seedProducts() []datacake.Product {
	return []datacake.Product{
		{ID: "101", Name: "Fibra 100 Mega", Description: "Internet fibra óptica 100 Mbps, Wi-Fi incluso", Price: 7990},
		{ID: "102", Name: "Fibra 300 Mega", Description: "Internet fibra óptica 300 Mbps, Wi-Fi 5", Price: 9990},
		{ID: "103", Name: "Fibra 500 Mega", Description: "Internet fibra óptica 500 Mbps, Wi-Fi 6", Price: 11990},
		{ID: "104", Name: "Fibra 1 Giga", Description: "Internet fibra óptica 1 Gbps, Wi-Fi 6 mesh", Price: 17990},
		{ID: "105", Name: "Rádio 20 Mega", Description: "Internet via rádio para zona rural", Price: 8990, Notes: "Sujeito a viabilidade"},
		{ID: "106", Name: "Empresarial 600 Mega", Description: "Fibra dedicada com IP fixo", Price: 29990, Notes: "Somente CNPJ"},
		{ID: "201", Name: "TV 120 canais", Description: "TV por assinatura, 120 canais", Price: 5990},
		{ID: "301", Name: "Telefone fixo ilimitado", Description: "Ligações ilimitadas para fixo e celular", Price: 2990},
		{ID: "401", Name: "Ponto adicional Wi-Fi", Description: "Roteador mesh adicional", Price: 1990},
		{ID: "501", Name: "Taxa de instalação", Description: "Instalação padrão", Price: 0, Notes: "Isenta com fidelidade de 12 meses"},
	}
}

func seedResellers() []datacake.Reseller {
	return []datacake.Reseller{
		{ID: "1", Name: "Loja Centro"}, {ID: "2", Name: "Quiosque Shopping Boa Vista"},
		{ID: "3", Name: "Revenda Marcos Lima", Notes: "Atende zona rural"}, {ID: "4", Name: "Televendas"},
		{ID: "5", Name: "Site"}, {ID: "6", Name: "Parceiro Mercearia São Jorge"},
	}
}

func seedEmployees() []datacake.Employee {
	return []datacake.Employee{
		{DepartmentID: "10", Name: "Juliana Rocha", Notes: "Comercial"},
		{DepartmentID: "10", Name: "Rafael Gomes", Notes: "Comercial"},
		{DepartmentID: "20", Name: "Patrícia Nunes", Notes: "Financeiro"},
		{DepartmentID: "30", Name: "Bruno Teixeira", Notes: "Suporte técnico"},
		{DepartmentID: "30", Name: "Igor Cardoso", Notes: "Suporte técnico"},
		{DepartmentID: "40", Name: "Conceição Araújo", Notes: "Instalação"},
		{DepartmentID: "50", Name: "Otávio Machado", Notes: "Retenção"},
		{DepartmentID: "60", Name: "Aline Freitas", Notes: "Cadastro"},
	}
}

func seedDueDates() []datacake.DueDate {
	var out []datacake.DueDate
	for i, d := range []int{5, 10, 15, 20, 25} {
		out = append(out, datacake.DueDate{ID: strconv.Itoa(i + 1), Date: strconv.Itoa(d), Notes: fmt.Sprintf("Todo dia %d", d)})
	}
	return out
}

func seedOrigins() []datacake.CommercialOrigin {
	return []datacake.CommercialOrigin{
		{ID: "1", Name: "Google"}, {ID: "2", Name: "Outdoor"}, {ID: "3", Name: "Indicação de Amigo"},
		{ID: "4", Name: "Anúncio de Rádio"}, {ID: "5", Name: "Instagram"}, {ID: "6", Name: "Panfleto"},
	}
}

func seedCities() []datacake.City {
	out := make([]datacake.City, len(cities))
	for i, c := range cities {
		out[i] = datacake.City{ID: c.ibge, Name: c.name, Notes: c.uf}
	}
	return out
}

// Prospect status codes of the sandbox ERP.
const (
	StatusInitial   = "1" // Inicial
	StatusAnalysis  = "2" // Em análise
	StatusRejected  = "3" // Reprovado
	StatusSuspended = "4" // Suspenso
	StatusApproved  = "5" // Aprovado
	StatusCancelled = "6" // Cancelado
)

func seedStatuses() []datacake.ProspectStatus {
	return []datacake.ProspectStatus{
		{ID: StatusInitial, Name: "Inicial"}, {ID: StatusAnalysis, Name: "Em análise"},
		{ID: StatusRejected, Name: "Reprovado"}, {ID: StatusSuspended, Name: "Suspenso"},
		{ID: StatusApproved, Name: "Aprovado"}, {ID: StatusCancelled, Name: "Cancelado"},
	}
}

// cpfCheck appends a CPF's two check digits to nine digits.
func cpfCheck(d string) string {
	for len(d) < 11 {
		sum, w := 0, len(d)+1
		for i := 0; i < len(d); i++ {
			sum += int(d[i]-'0') * w
			w--
		}
		r := sum * 10 % 11
		if r == 10 {
			r = 0
		}
		d += strconv.Itoa(r)
	}
	return d
}

// CPF returns a valid CPF (11 digits, check digits computed) whose first
// nine digits are n modulo 10⁹, zero-padded: distinct documents for the
// prospects of a test. Nine equal digits (000000000, 111111111, ...), which
// no CPF may have, get their last digit raised by one.
func CPF(n int) string {
	if n < 0 {
		n = -n
	}
	d := []byte(fmt.Sprintf("%09d", n%1_000_000_000))
	if strings.Count(string(d), string(d[0])) == len(d) {
		d[8] = '0' + (d[8]-'0'+1)%10
	}
	return cpfCheck(string(d))
}

// cnpjCheck appends a CNPJ's two check digits to 12 characters.
func cnpjCheck(d string) string {
	for len(d) < 14 {
		sum, w := 0, 2
		for i := len(d) - 1; i >= 0; i-- {
			sum += int(d[i]-'0') * w
			if w++; w > 9 {
				w = 2
			}
		}
		r := sum % 11
		if r < 2 {
			d += "0"
		} else {
			d += strconv.Itoa(11 - r)
		}
	}
	return d
}

func formatCPF(d string) string { return d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:] }
func formatCNPJ(d string) string {
	return d[:2] + "." + d[2:5] + "." + d[5:8] + "/" + d[8:12] + "-" + d[12:]
}

type customerData struct {
	c             datacake.Customer
	installations []datacake.Installation
	invoices      []datacake.Invoice
	notes         []datacake.FiscalNote
	statements    []datacake.StatementEntry
}

// seedCustomers builds n customers deterministically from seed, their
// invoices and history dated around day (the ERP's "today").
func seedCustomers(seed int64, n int, products []datacake.Product, day time.Time) []customerData {
	rng := rand.New(rand.NewPCG(uint64(seed), 0xdc))
	used := map[string]bool{}
	out := make([]customerData, 0, n)
	for i := 0; i < n; i++ {
		c, ct := seedIdentity(rng, i, used)
		used[datacake.NormalizeDocument(c.Document)] = true
		c.ID = strconv.Itoa(1001 + i)
		c.ContractID = strconv.Itoa(70001 + i)
		seedPersonal(rng, &c, ct)
		c.Email = emailFor(c.Name, i)
		cd := customerData{c: c, installations: seedInstallations(rng, &c, ct, products)}
		price := cd.installations[0].Services[0].Price
		if c.Active == "S" {
			cd.invoices = seedInvoices(rng, &c, i, price, day)
		}
		cd.notes, cd.statements = seedHistory(c.ID, price, day)
		out = append(out, cd)
	}
	return out
}

// seedIdentity is customer i's name, person type and document (the three
// example customers first), and its city.
func seedIdentity(rng *rand.Rand, i int, used map[string]bool) (datacake.Customer, city) {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	ct := cities[rng.IntN(len(cities))]
	switch {
	case i == 0:
		return datacake.Customer{Name: "Maria Aparecida da Silva", PersonType: datacake.PersonNatural, Document: formatCPF(ExampleCPF), Sex: datacake.SexFemale}, cities[0]
	case i == 1:
		return datacake.Customer{Name: "Padaria Pão Quente Ltda", TradeName: "Padaria Pão Quente", PersonType: datacake.PersonLegal, Document: formatCNPJ(ExampleCNPJ)}, cities[3]
	case i == 2:
		return datacake.Customer{Name: "Oficina Irmãos Costa Ltda", TradeName: "Oficina Irmãos Costa", PersonType: datacake.PersonLegal, Document: formatCNPJ(ExampleAlphaCNPJ)}, cities[2]
	case i%9 == 0:
		var doc string
		for doc == "" || used[doc] {
			base := fmt.Sprintf("%08d0001", rng.IntN(99999999))
			if i%18 == 0 { // an alphanumeric CNPJ
				b := []byte(base)
				for k := 0; k < 3; k++ {
					b[2+k] = byte('A' + rng.IntN(26))
				}
				base = string(b)
			}
			doc = cnpjCheck(base)
		}
		name := pick(companies)
		return datacake.Customer{Name: name + " Ltda", TradeName: name, PersonType: datacake.PersonLegal, Document: formatCNPJ(doc)}, ct
	}
	var doc string
	for doc == "" || used[doc] || doc == cpfCheck(UnknownCPF[:9]) {
		doc = cpfCheck(fmt.Sprintf("%09d", rng.IntN(999999999)))
	}
	sex := datacake.SexMale
	first := pick(firstNames)
	if strings.HasSuffix(first, "a") || first == "Conceição" || first == "Yasmin" || first == "Helena" {
		sex = datacake.SexFemale
	}
	return datacake.Customer{Name: first + " " + pick(surnames) + " " + pick(surnames),
		PersonType: datacake.PersonNatural, Document: formatCPF(doc), Sex: sex}, ct
}

// seedPersonal fills c's registration data, address and contacts.
func seedPersonal(rng *rand.Rand, c *datacake.Customer, ct city) {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	if c.PersonType == datacake.PersonNatural {
		c.IDDocument = fmt.Sprintf("%d.%03d.%03d-%d", 10+rng.IntN(40), rng.IntN(1000), rng.IntN(1000), rng.IntN(10))
		c.RGIssuer = "SSP/" + ct.uf
		c.Nationality = "Brasileira"
		c.BirthCity = ct.name
		c.BirthState = ct.uf
		c.BirthDate = fmt.Sprintf("%04d-%02d-%02d", 1950+rng.IntN(55), 1+rng.IntN(12), 1+rng.IntN(28))
		c.MaritalStatus = pick(marital)
		c.Occupation = pick(occupations)
		c.ICMSTaxpayer = "N"
	} else {
		c.IDDocument = fmt.Sprintf("%09d", rng.IntN(999999999))
		c.MunicipalRegistration = fmt.Sprintf("%07d", rng.IntN(9999999))
		c.ICMSTaxpayer = "S"
	}
	c.Active = "S"
	if rng.IntN(10) == 0 {
		c.Active = "N"
		c.Alert = "Cliente com contrato cancelado"
	}
	c.RegisteredAt = fmt.Sprintf("%04d-%02d-%02d %02d:%02d:00", 2015+rng.IntN(10), 1+rng.IntN(12), 1+rng.IntN(28), 8+rng.IntN(10), rng.IntN(60))
	c.Address = address(rng, ct)
	mobile := fmt.Sprintf("(%s) 9%04d-%04d", ddd(ct.uf), rng.IntN(10000), rng.IntN(10000))
	c.MobilePhone = mobile
	c.WhatsApp = mobile
	if rng.IntN(3) == 0 {
		c.Phone = fmt.Sprintf("(%s) 3%03d-%04d", ddd(ct.uf), rng.IntN(1000), rng.IntN(10000))
	}
}

// seedInstallations gives c one or two installations with a plan each
// (sometimes an extra service).
func seedInstallations(rng *rand.Rand, c *datacake.Customer, ct city, products []datacake.Product) []datacake.Installation {
	var out []datacake.Installation
	st := "Ativo"
	if c.Active == "N" {
		st = "Cancelado"
	}
	n := 1 + rng.IntN(2)
	for k := 0; k < n; k++ {
		in := datacake.Installation{ID: fmt.Sprintf("%s-%d", c.ID, k+1), Address: c.Address}
		if k > 0 {
			in.Address = address(rng, ct)
		}
		p := products[rng.IntN(6)]
		in.Services = append(in.Services, datacake.Service{ID: p.ID, Name: p.Name, Description: p.Description, Price: p.Price, Status: st})
		if rng.IntN(3) == 0 {
			p := products[6+rng.IntN(3)]
			in.Services = append(in.Services, datacake.Service{ID: p.ID, Name: p.Name, Description: p.Description, Price: p.Price, Status: st})
		}
		out = append(out, in)
	}
	return out
}

// seedInvoices gives customer i up to three open invoices of price: this
// month's, due on the 10th of next month, and overdue ones of the months
// before, with a 2% fine and 0.33% interest a month, to the centavo.
func seedInvoices(rng *rand.Rand, c *datacake.Customer, i int, price datacake.Amount, day time.Time) []datacake.Invoice {
	var out []datacake.Invoice
	for k := 0; k < rng.IntN(4); k++ {
		inv := datacake.Invoice{
			ID: fmt.Sprintf("F%s%02d", c.ID, k+1), CustomerName: c.Name, InitialValue: price, CurrentValue: price,
			IssuedOn: monthDay(day, -k, 1+k), DueOn: monthDay(day, 1-k, 10),
			DigitableLine: digitable(rng),
			URL:           fmt.Sprintf("https://boletos.example.com.br/%s/%02d.pdf", c.ID, k+1),
			Code:          fmt.Sprintf("FT-%s-%02d", c.ID, k+1), DocumentNumber: fmt.Sprintf("%s%02d", c.ContractID, k+1),
			RemoteID: fmt.Sprintf("%d", 900000+100*i+k),
		}
		if k > 0 {
			inv.CurrentValue = price + (price*datacake.Amount(200+33*k)+5000)/10000
			inv.Fine = (price*2 + 50) / 100
			inv.Interest = inv.CurrentValue - price - inv.Fine
		}
		out = append(out, inv)
	}
	return out
}

// seedHistory is the last three months of paid fiscal notes and statement
// lines (one paid early, with a discount).
func seedHistory(id string, price datacake.Amount, day time.Time) ([]datacake.FiscalNote, []datacake.StatementEntry) {
	var notes []datacake.FiscalNote
	var lines []datacake.StatementEntry
	for m := 1; m <= 3; m++ {
		nid := fmt.Sprintf("NF%s%02d", id, m)
		posted, due, paid := monthDay(day, m-4, 1), monthDay(day, m-4, 10), monthDay(day, m-4, 8)
		notes = append(notes, datacake.FiscalNote{ID: nid, Status: "Paga", Amount: price, AmountPaid: price,
			IssuedOn: posted, DueOn: due, PaidOn: paid, URL: fmt.Sprintf("https://nfe.example.com.br/%s.pdf", nid)})
		line := datacake.StatementEntry{ID: fmt.Sprintf("EX%s%02d", id, m), PostedOn: posted, DueOn: due,
			PaidOn: paid, InvoiceID: fmt.Sprintf("B%s%02d", id, m), NoteID: nid, Amount: price, AmountPaid: price}
		if m == 2 {
			line.Discount = (price*5 + 50) / 100
			line.AmountPaid = price - line.Discount
			line.Notes = "Desconto por pagamento antecipado"
		}
		lines = append(lines, line)
	}
	return notes, lines
}

// monthDay is the given day of the month months after day's, as the ERP
// writes dates (YYYY-MM-DD).
func monthDay(day time.Time, months, d int) string {
	return time.Date(day.Year(), day.Month()+time.Month(months), d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func address(rng *rand.Rand, ct city) datacake.Address {
	a := datacake.Address{
		ZIP:      fmt.Sprintf("%s%03d-%03d", ct.cep, rng.IntN(1000), rng.IntN(1000)),
		Street:   streets[rng.IntN(len(streets))],
		Number:   strconv.Itoa(1 + rng.IntN(2500)),
		District: districts[rng.IntN(len(districts))],
		City:     ct.name, State: ct.uf,
		Latitude:  round6(ct.lat + (rng.Float64()-0.5)/20),
		Longitude: round6(ct.lon + (rng.Float64()-0.5)/20),
	}
	if rng.IntN(4) == 0 {
		a.Complement = fmt.Sprintf("Apto %d", 11+rng.IntN(150))
	}
	if rng.IntN(15) == 0 {
		a.Number = "S/N"
	}
	return a
}

func round6(f float64) float64 { return float64(int64(f*1e6)) / 1e6 }

func ddd(uf string) string {
	m := map[string]string{"SP": "11", "RJ": "21", "MG": "31", "PR": "41", "RS": "51", "BA": "71", "CE": "85",
		"PE": "81", "GO": "62", "PA": "91", "SC": "48", "MA": "98", "MS": "67"}
	if d, ok := m[uf]; ok {
		return d
	}
	return "11"
}

func emailFor(name string, i int) string {
	r := strings.NewReplacer("á", "a", "â", "a", "ã", "a", "à", "a", "é", "e", "ê", "e", "í", "i", "ó", "o",
		"ô", "o", "õ", "o", "ú", "u", "ç", "c", "Á", "a", "É", "e", "Ô", "o")
	parts := strings.Fields(strings.ToLower(r.Replace(name)))
	return fmt.Sprintf("%s.%s%d@example.com.br", parts[0], parts[len(parts)-1], i)
}

func digitable(rng *rand.Rand) string {
	return fmt.Sprintf("%05d.%05d %05d.%06d %05d.%06d %d %014d", rng.IntN(100000), rng.IntN(100000),
		rng.IntN(100000), rng.IntN(1000000), rng.IntN(100000), rng.IntN(1000000), 1+rng.IntN(9),
		rng.Int64N(100000000000000))
}
