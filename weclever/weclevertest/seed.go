package weclevertest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/leadkit/leadkit/weclever"
)

var (
	firstNames = []string{"Ana", "João", "Maria", "Pedro", "Luísa", "Gabriel", "Beatriz", "Rafael", "Camila", "Lucas",
		"Fernanda", "Thiago", "Juliana", "Mateus", "Larissa", "Felipe", "Aline", "Gustavo", "Letícia", "Bruno",
		"Marta", "Javier", "Lucía", "Diego"}
	lastNames = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
		"Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo", "Melo", "Barbosa", "Cardoso", "Conceição",
		"García", "Fernández"}
	regions = []struct {
		state, regional, ddd string
	}{
		{"SP", "Sudeste", "11"}, {"SP", "Sudeste", "19"}, {"RJ", "Sudeste", "21"}, {"MG", "Sudeste", "31"},
		{"ES", "Sudeste", "27"}, {"PR", "Sul", "41"}, {"SC", "Sul", "48"}, {"RS", "Sul", "51"},
		{"BA", "Nordeste", "71"}, {"PE", "Nordeste", "81"}, {"CE", "Nordeste", "85"}, {"GO", "Centro-Oeste", "62"},
		{"DF", "Centro-Oeste", "61"}, {"AM", "Norte", "92"}, {"PA", "Norte", "91"},
	}
	statuses = []struct{ status, mapped string }{
		{"Venda realizada", "won"}, {"Sem interesse", "lost"}, {"Não respondeu", "no_answer"},
		{"Agendou visita", "scheduled"}, {"Contato inválido", "invalid"}, {"Encaminhado ao consultor", "forwarded"},
	}
	inbound = []string{
		"Olá, vi o anúncio e gostaria de mais informações.", "Qual o valor?", "Vocês atendem na minha cidade?",
		"Pode me mandar o catálogo?", "Tem desconto à vista?", "Obrigado pelo retorno!", "Prefiro ser contatado à tarde.",
		"Ainda está disponível?", "Não tenho interesse no momento.", "Pode me ligar amanhã?",
	}
	outbound = []string{
		"Olá! Sou a assistente virtual da loja. Como posso ajudar?", "Claro! Vou te enviar os detalhes agora.",
		"Temos condições especiais nesta semana.", "Um consultor vai entrar em contato em breve.",
		"Qual o melhor horário para falarmos?", "Perfeito, agendado! Até lá.", "Posso ajudar em algo mais?",
	}
	csatComments = []string{"Atendimento excelente", "Bom, mas demorou", "Resolveu minha dúvida", "Poderia ser mais rápido", ""}
)

// seedDays is how many days before the sandbox's first day the seeded
// leads start.
const seedDays = 90

// seedRange is the range of the seeded leads of a sandbox made at now: the
// 90 days up to now's day, at midnight in Location.
func seedRange(now time.Time) (from, to time.Time) {
	loc := Location()
	n := now.In(loc)
	to = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	return to.AddDate(0, 0, -seedDays), to
}

// seedLeads builds n deterministic leads with ids from firstID, finalized
// between from and to's end. Lead 0 has client_lead_id "00123", lead 1 the
// number 9007199254740993 and lead 2 null, so tests can rely on each kind.
func seedLeads(seed int64, n int, firstID int64, from, to time.Time) []*Lead {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x3c1e7e4))
	span := int64(to.AddDate(0, 0, 1).Sub(from) / time.Second)
	out := make([]*Lead, n)
	chatID := int64(5000000)
	for i := range out {
		out[i] = newLead(rng, i, firstID+int64(i), &chatID, func() time.Time {
			return from.Add(time.Duration(rng.Int64N(span)) * time.Second)
		})
	}
	return out
}

// newLead builds lead number i (0, 1 and 2 have the special client ids of
// seedLeads; use -1 for none) with the given id, drawing everything from rng
// in a fixed order; finalized returns its finalization time (it may draw
// from rng too) and chatID numbers its messages.
func newLead(rng *rand.Rand, i int, id int64, chatID *int64, finalized func() time.Time) *Lead {
	first := firstNames[rng.IntN(len(firstNames))]
	last := lastNames[rng.IntN(len(lastNames))]
	reg := regions[rng.IntN(len(regions))]
	st := statuses[rng.IntN(len(statuses))]
	fin := finalized()
	cid := clientLeadID(rng, i)
	nmsg := rng.IntN(13)
	if i == 3 {
		nmsg = 0 // an empty chat
	}
	chats, feelings := seedChat(rng, nmsg, fin, chatID)
	rating, comment := "", ""
	if rng.IntN(3) > 0 {
		rating = fmt.Sprint(1 + rng.IntN(5))
		comment = csatComments[rng.IntN(len(csatComments))]
	}
	email := strings.ToLower(fold(first) + "." + fold(last) + fmt.Sprint(rng.IntN(100)) + "@exemplo.com.br")
	return &Lead{
		ID: id, ClientLeadID: cid, MappedStatus: st.mapped, FinalizedAt: fin,
		Details: weclever.Lead{
			Email: email, Name: first + " " + last,
			Phone: fmt.Sprintf("+55%s9%04d%04d", reg.ddd, rng.IntN(10000), rng.IntN(10000)),
			State: reg.state, Regional: reg.regional, Status: st.status,
			Chats: chats, Feelings: feelings, CSAT: weclever.CSAT{Message: comment, Rating: rating},
		},
	}
}

// clientLeadID is the CRM's id of seeded lead i: text, a number or null.
func clientLeadID(rng *rand.Rand, i int) weclever.ClientLeadID {
	var cid weclever.ClientLeadID
	switch {
	case i == 0:
		cid = weclever.StringClientLeadID("00123")
	case i == 1:
		cid, _ = weclever.NumberClientLeadID("9007199254740993")
	case i == 2:
	default:
		switch rng.IntN(10) {
		case 0, 1, 2, 3:
			cid = weclever.StringClientLeadID(fmt.Sprintf("%07d", rng.IntN(2000000)))
		case 4, 5, 6:
			cid = weclever.IntClientLeadID(int64(300000 + rng.IntN(700000)))
		case 7:
			cid = weclever.StringClientLeadID(fmt.Sprintf("CRM-%d", 10000+rng.IntN(90000)))
		}
	}
	return cid
}

// seedChat builds a chat of n messages that ends before fin, the bot and
// the customer in turns, and the sentiment of the customer's messages.
func seedChat(rng *rand.Rand, n int, fin time.Time, chatID *int64) (weclever.Chats, weclever.Feelings) {
	msgs := make([]weclever.Message, n)
	start := fin.Add(-time.Duration(30+rng.IntN(600)) * time.Minute).Truncate(time.Second)
	at := start
	var f weclever.Feelings
	for j := range msgs {
		dir, body, typ := "outbound", outbound[rng.IntN(len(outbound))], "text"
		if j%2 == 1 {
			dir, body = "inbound", inbound[rng.IntN(len(inbound))]
			switch rng.IntN(3) {
			case 0:
				f.Positive++
			case 1:
				f.Neutral++
			default:
				f.Negative++
			}
		}
		media, ctype := "", "text/plain"
		if rng.IntN(12) == 0 {
			typ, ctype = "image", "image/jpeg"
			media = fmt.Sprintf("https://media.weclever.co/sandbox/%d.jpg", *chatID)
		}
		*chatID++
		msgs[j] = weclever.Message{
			ID: *chatID, Body: body, MediaURL: media, ContentType: ctype,
			SID:  fmt.Sprintf("SM%016x%016x", rng.Uint64(), rng.Uint64()),
			Type: typ, Direction: dir, Status: []string{"delivered", "read", "received"}[rng.IntN(3)],
			Created: at,
		}
		at = at.Add(time.Duration(20+rng.IntN(900)) * time.Second)
	}
	diff := "00:00:00"
	if n > 0 {
		d := at.Sub(start)
		diff = fmt.Sprintf("%02d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	}
	f.TotalMessages = f.Positive + f.Neutral + f.Negative
	return weclever.Chats{Metrics: weclever.Metrics{DateDifference: diff, TotalMessages: n}, Messages: msgs}, f
}

// fold strips the accents of s for an e-mail address.
func fold(s string) string {
	r := strings.NewReplacer("á", "a", "ã", "a", "â", "a", "é", "e", "ê", "e", "í", "i", "ó", "o", "ô", "o",
		"ú", "u", "ç", "c", "Á", "A", "É", "E")
	return r.Replace(s)
}
