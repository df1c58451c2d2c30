package zentest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// A seeded catalogue: who receives leads and how they are tagged.
var (
	users = []struct{ name, email string }{
		{"Ana Paula Ferreira", "ana.ferreira@imobiliariasol.com.br"},
		{"João Carlos Oliveira", "joao.oliveira@imobiliariasol.com.br"},
		{"Mariana Souza Lima", "mariana.lima@imobiliariasol.com.br"},
		{"Rafael Gonçalves", "rafael.goncalves@imobiliariasol.com.br"},
		{"Beatriz Almeida Santos", "beatriz.santos@imobiliariasol.com.br"},
		{"Lucas Pereira da Silva", "lucas.silva@imobiliariasol.com.br"},
		{"Camila Rodrigues", "camila.rodrigues@imobiliariasol.com.br"},
		{"Thiago Martins Costa", "thiago.costa@imobiliariasol.com.br"},
	}
	origins     = [][2]string{{"1", "Site"}, {"2", "Facebook Ads"}, {"3", "Google Ads"}, {"4", "Indicação"}, {"5", "ZAP Imóveis"}}
	segments    = [][2]string{{"10", "Residencial"}, {"11", "Comercial"}, {"12", "Rural"}}
	automations = [][2]string{{"20", "Boas-vindas WhatsApp"}, {"21", "Follow-up 24h"}}
	products    = [][2]string{{"30", "Apartamento 2 quartos"}, {"31", "Casa em condomínio"}, {"32", "Sala comercial"}, {"33", "Terreno"}}
	stages      = []string{"Primeiro contato", "Visita agendada", "Proposta enviada", "Negociação", "Fechamento"}
	firstNames  = []string{"Pedro", "Larissa", "Gabriel", "Juliana", "Felipe", "Fernanda", "Bruno", "Letícia", "Diego", "Patrícia", "Rodrigo", "Aline", "Vinícius", "Renata"}
	lastNames   = []string{"Barbosa", "Ribeiro", "Carvalho", "Araújo", "Mendes", "Cardoso", "Teixeira", "Moreira", "Nascimento", "Rocha"}
)

// lead is a seeded or entered lead.
type lead struct {
	id, code                          string
	user                              int
	origin, segment, automation, prod int // -1: none
	entered, redistributed            time.Time
	name, email, phone                string
	status, class, stage              string
	changed                           time.Time
}

// dayLeads returns the seeded leads of one calendar day, the same for a
// given seed and day whatever else happened.
func dayLeads(seed int64, day time.Time, loc *time.Location) []lead {
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	if d.Weekday() == time.Sunday {
		return nil // nothing happens on Sundays: the archive's HTTP 400 quirk
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s", seed, d.Format("2006-01-02"))
	rng := rand.New(rand.NewPCG(h.Sum64(), uint64(seed)))
	n := 12 + rng.IntN(30)
	out := make([]lead, n)
	for i := range out {
		entered := d.Add(time.Duration(8*3600+rng.IntN(11*3600)) * time.Second)
		out[i] = newLead(rng, i, fmt.Sprintf("%d%03d", d.Unix()/86400, i), fmt.Sprintf("ZEN-%s-%03d", d.Format("060102"), i), entered)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].entered.Before(out[j].entered) })
	return out
}

// newLead draws a lead entered at entered from rng, in a fixed order; n
// tells its e-mail address from its namesakes'.
func newLead(rng *rand.Rand, n int, id, code string, entered time.Time) lead {
	fn, ln := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	l := lead{
		id:         id,
		code:       code,
		user:       rng.IntN(len(users)),
		origin:     rng.IntN(len(origins)),
		segment:    rng.IntN(len(segments)),
		automation: -1,
		prod:       rng.IntN(len(products)),
		entered:    entered,
		name:       fn + " " + ln,
		email:      strings.ToLower(fmt.Sprintf("%s.%s%d@exemplo.com.br", fold(fn), fold(ln), n)),
		phone:      fmt.Sprintf("+55 11 9%04d-%04d", rng.IntN(10000), rng.IntN(10000)),
		stage:      stages[rng.IntN(len(stages))],
		changed:    entered.Add(time.Duration(rng.IntN(3*3600)) * time.Second),
	}
	if rng.IntN(3) == 0 {
		l.automation = rng.IntN(len(automations))
	}
	if rng.IntN(5) == 0 {
		l.redistributed = entered.Add(time.Duration(1+rng.IntN(90)) * time.Minute)
	}
	switch rng.IntN(6) {
	case 0:
		l.status = "Finalizado"
	case 1:
		l.status = "Cancelado"
	default:
		l.status = "Andamento"
	}
	l.class = []string{"Prospectando", "Qualificado", "Não Qualificado"}[rng.IntN(3)]
	return l
}

// dayErrors returns the seeded error buckets of a day.
func dayErrors(seed int64, day time.Time) [4]int {
	if day.Weekday() == time.Sunday {
		return [4]int{}
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "errors/%d/%s", seed, day.Format("2006-01-02"))
	rng := rand.New(rand.NewPCG(h.Sum64(), 7))
	return [4]int{rng.IntN(4), rng.IntN(3), rng.IntN(2), rng.IntN(5)}
}

func fold(s string) string {
	r := strings.NewReplacer("á", "a", "à", "a", "ã", "a", "â", "a", "é", "e", "ê", "e", "í", "i", "ó", "o", "ô", "o", "õ", "o", "ú", "u", "ç", "c")
	return r.Replace(strings.ToLower(s))
}
