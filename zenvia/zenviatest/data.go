package zenviatest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var (
	firstNamesPT = []string{"João", "Maria", "Ana", "Pedro", "Lucas", "Juliana", "Fernanda", "Rafael", "Camila", "Thiago", "Beatriz", "Gabriel", "Letícia", "Mateus", "Larissa", "Felipe"}
	lastNamesPT  = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Conceição"}
	firstNamesES = []string{"Santiago", "Valentina", "Mateo", "Sofía", "Martín", "Camila", "Joaquín", "Lucía", "Tomás", "Martina", "Benjamín", "Florencia"}
	lastNamesES  = []string{"González", "Rodríguez", "Fernández", "López", "Martínez", "García", "Pérez", "Sánchez", "Romero", "Díaz", "Álvarez", "Muñoz"}
	// Brazilian area codes (DDD) of valid mobile numbers.
	ddds       = []int{11, 21, 31, 41, 47, 48, 51, 61, 71, 81, 85}
	providers  = []string{"gmail.com", "hotmail.com", "yahoo.com.br", "outlook.com", "uol.com.br", "terra.com.br"}
	utmSources = []string{"google", "facebook", "instagram", "olx", "mercadolibre", "webmotors", "zapimoveis", "site"}
	companies  = []string{"Concessionária Avenida", "Imobiliária Lar Doce", "Seguros Horizonte", "Loja Bom Preço", "Autos del Sur", "Inmobiliaria Pampa"}
	stores     = []string{"Porto Alegre - Centro", "São Paulo - Moema", "Curitiba - Batel", "Buenos Aires - Palermo", "Recife - Boa Viagem"}
	statuses   = []string{"unclaimed", "new", "new", "followUp", "processing", "archived"}
	leadTypes  = []string{"retail", "insurance", "realEstate", "vehicle", "savingPlan"}
	categories = []string{"Default", "Usados", "0km", "Aluguel", "Venda"}
)

// industryType maps the intake URL's industry to a LeadData type.
var industryType = map[string]string{
	"retail": "retail", "insurance": "insurance", "vehicle": "vehicle",
	"saving-plan": "savingPlan", "real-estate": "realEstate",
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func asciiFold(s string) string {
	rep := strings.NewReplacer("á", "a", "à", "a", "ã", "a", "â", "a", "é", "e", "ê", "e", "í", "i", "ó", "o", "ô", "o", "õ", "o", "ú", "u", "ç", "c", "ñ", "n", "Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U")
	return strings.ToLower(rep.Replace(s))
}

// seedBase is the creation time of the first seeded object: the seeded
// prospects then spread over about a year that ends the day before now.
func seedBase(now time.Time) time.Time {
	return time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC).AddDate(-1, 0, -2)
}

// seed fills st with groups, agents, prospects and interactions,
// deterministically for opts.Seed and the day of opts.Now.
func (st *state) seed(opts *Options) {
	r := rand.New(rand.NewPCG(uint64(opts.Seed), 0x2e3f1a))
	st.rng = r
	now := opts.Now().UTC()
	at := seedBase(now)
	next := func() (string, time.Time) {
		at = at.Add(time.Duration(30+r.IntN(90)) * time.Minute)
		return st.newID(at), at
	}
	st.seedGroups(next)
	st.seedAgents(r, next)
	n := opts.Prospects
	if n == 0 {
		n = DefaultProspects
	}
	if n <= 0 {
		return
	}
	// The prospects spread over the year up to the day before now: their
	// gaps are drawn first, then laid out backwards from that day.
	gaps := make([]time.Duration, n)
	step := 365 * 24 * time.Hour / time.Duration(n)
	var total time.Duration
	for i := range gaps {
		gaps[i] = step/2 + time.Duration(r.Int64N(int64(step/2)+1))
		total += gaps[i]
	}
	at = time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1).Add(-total)
	for i := 0; i < n; i++ {
		at = at.Add(gaps[i])
		st.seedProspect(r, at)
	}
}

// seedGroups makes the group tree: a root and four leaf groups.
func (st *state) seedGroups(next func() (string, time.Time)) {
	rootID, _ := next()
	root := &group{ID: rootID, Name: "Comercial"}
	st.groups = []*group{root}
	st.groupByID = map[string]*group{rootID: root}
	for _, name := range []string{"Vendas São Paulo", "Vendas Porto Alegre", "Ventas Buenos Aires", "Ventas Ciudad de México"} {
		id, _ := next()
		g := &group{ID: id, Name: name, parent: root}
		root.Children = append(root.Children, g)
		st.groupByID[id] = g
	}
	st.leafGroups = root.Children
}

// seedAgents gives each leaf group three agents: one online, one active,
// one inactive.
func (st *state) seedAgents(r *rand.Rand, next func() (string, time.Time)) {
	st.agentByID = map[string]*agent{}
	for gi, g := range st.leafGroups {
		es := gi >= 2
		for k := 0; k < 3; k++ {
			id, _ := next()
			fn, ln := pick(r, firstNamesPT), pick(r, lastNamesPT)
			if es {
				fn, ln = pick(r, firstNamesES), pick(r, lastNamesES)
			}
			a := &agent{
				ID: id, FirstName: fn, LastName: ln,
				Email:    fmt.Sprintf("%s.%s@vendas.example.com", asciiFold(fn), asciiFold(ln)),
				Phone:    fmt.Sprintf("55%d9%08d", pick(r, ddds), 60000000+r.IntN(39999999)),
				LegacyID: fmt.Sprintf("%d", 1000+len(st.agents)),
				GroupID:  g.ID, Active: k != 2, Online: k == 0,
			}
			st.agents = append(st.agents, a)
			st.agentByID[id] = a
		}
	}
}

// seedProspect adds one prospect created at at, with its leads and
// interactions.
func (st *state) seedProspect(r *rand.Rand, at time.Time) {
	id := st.newID(at)
	es := r.IntN(4) == 0
	fn, ln := pick(r, firstNamesPT), pick(r, lastNamesPT)
	if es {
		fn, ln = pick(r, firstNamesES), pick(r, lastNamesES)
	}
	g := st.leafGroups[r.IntN(len(st.leafGroups))]
	p := &prospect{
		ID: id, Created: at, GroupID: g.ID,
		FirstName: fn, LastName: ln, Category: pick(r, categories), Status: pick(r, statuses),
		Phones:         []string{fmt.Sprintf("+55%d9%08d", pick(r, ddds), 60000000+r.IntN(39999999))},
		AdditionalData: map[string]any{},
	}
	if r.IntN(3) > 0 {
		p.Emails = []string{fmt.Sprintf("%s.%s%d@%s", asciiFold(fn), asciiFold(ln), r.IntN(100), pick(r, providers))}
	}
	if r.IntN(3) == 0 {
		p.NIN = []nin{{Type: "CPF", Number: fmt.Sprintf("%011d", r.Int64N(99999999999))}}
	}
	if p.Status != "unclaimed" {
		ags := st.agentsOf(g.ID, true)
		a := ags[r.IntN(len(ags))]
		p.AgentID = a.ID
		p.Assigned = at.Add(time.Duration(1+r.IntN(120)) * time.Minute)
	}
	for k := 0; k <= r.IntN(2); k++ {
		p.Leads = append(p.Leads, seedLead(r, at.Add(time.Duration(k)*24*time.Hour)))
	}
	p.Merged = len(p.Leads) > 1
	st.insert(p)
	for k := 0; k < r.IntN(3); k++ {
		iid := st.newID(at.Add(time.Duration(k+1) * time.Hour))
		st.interactions[id] = append(st.interactions[id], &interaction{
			ID: iid, ProspectID: id, AgentID: p.AgentID, CreatedAt: at.Add(time.Duration(k+1) * time.Hour),
			Status: pick(r, []string{"finished", "pending", "expired"}), Via: pick(r, []string{"whatsapp", "phone", "email"}),
			Proactive: r.IntN(2) == 0,
		})
	}
}

// seedLead returns a lead created at at, with a product for vehicles.
func seedLead(r *rand.Rand, at time.Time) leadData {
	lt := pick(r, leadTypes)
	ld := leadData{
		Priority: float64(1 + r.IntN(3)), Created: at,
		Source: "API", UTMSource: pick(r, utmSources), Type: lt,
		Company: pick(r, companies), Store: pick(r, stores),
	}
	if lt == "vehicle" {
		ld.Product = map[string]any{"make": pick(r, []string{"Fiat", "Volkswagen", "Chevrolet", "Toyota"}), "model": pick(r, []string{"Argo", "Polo", "Onix", "Corolla"}), "year": 2019 + r.IntN(6)}
	}
	return ld
}
