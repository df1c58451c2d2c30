package zenviatest

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"time"
)

// quote is a prospect's quote; prices are exact decimals.
type quote struct {
	ID, ProspectID, Status                        string
	Items                                         []quoteItem
	CreatedAt, AcceptedAt, RejectedAt, FinishedAt time.Time
}

// quoteItem is one line of a quote; Price is nil when the item has none.
type quoteItem struct {
	Quantity                float64
	Price                   *big.Rat
	Concept, Code, Product  string
	priceText, quantityText string // as received, answered as sent
}

// order is an order a prospect placed from a catalogue.
type order struct {
	ID      string
	Created time.Time
	Items   []map[string]any // ProductOrder, catalogue fields as the catalogue writes them
}

// channel is a messaging channel of the sandbox's account.
type channel struct {
	Name, ID  string
	Templates []map[string]string
}

// moreState is the state of the operations beyond leads, prospects,
// interactions, agents, groups and subscriptions. Every access holds
// Server.mu.
type moreState struct {
	quotes       map[string][]*quote // by prospect id, oldest first
	orders       map[string][]*order // by prospect id
	channels     []channel
	selections   map[string][]string // selection id → prospect ids
	selectionIDs []string
	integration  string // the id of the key's integration
	ratings      []Rating
	events       []AppEvent
	notices      []AppNotification
}

// Rating is a satisfaction rating the sandbox received
// (POST /prospect/{id}/csat).
type Rating struct {
	ProspectID string    `json:"prospectId"`
	Result     float64   `json:"result"`
	Comment    string    `json:"comment,omitempty"`
	Created    time.Time `json:"createdAt"`
}

// AppEvent is an event a custom app posted (POST /apps/event), without
// the key it carried.
type AppEvent struct {
	Event      string         `json:"event"`
	Type       string         `json:"type"`
	ProspectID string         `json:"prospectId,omitempty"`
	UserID     string         `json:"userId,omitempty"`
	Details    map[string]any `json:"details,omitempty"`
}

// AppNotification is a notification a custom app posted
// (POST /apps/notifications), with the users it reached.
type AppNotification struct {
	Type         string         `json:"type"`
	Target       map[string]any `json:"target"`
	Platforms    map[string]any `json:"platforms"`
	FinalTargets []string       `json:"finalTargets"`
}

// seedMore seeds the state of moreState: channels, orders, selections and
// the key's integration, from a generator of its own (so the data seeded
// before it is the same as without it).
func (st *state) seedMore(opts *Options) {
	r := rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e0a7))
	m := &moreState{quotes: map[string][]*quote{}, orders: map[string][]*order{}, selections: map[string][]string{}}
	st.more = m
	at := seedBase(opts.Now().UTC())
	m.integration = st.newID(at)
	m.channels = []channel{
		{Name: "whatsapp", ID: st.newID(at), Templates: []map[string]string{
			{"key": "boas_vindas", "name": "Boas-vindas", "body": "Olá {{1}}, obrigado pelo contato!", "template": "Olá {{1}}, obrigado pelo contato! Podemos falar agora?"},
			{"key": "lembrete_visita", "name": "Lembrete de visita", "body": "Lembrete: sua visita é {{1}}.", "template": "Olá {{1}}, lembrete: sua visita é {{2}}."},
		}},
		{Name: "instagram", ID: st.newID(at), Templates: []map[string]string{}},
	}
	for _, name := range []string{"new", "followUp", "withEmail"} {
		id := st.newID(at)
		m.selectionIDs = append(m.selectionIDs, id)
		for _, p := range st.prospects {
			if (name == "withEmail" && len(p.Emails) > 0) || p.Status == name {
				m.selections[id] = append(m.selections[id], p.ID)
			}
		}
	}
	for i, p := range st.prospects {
		if i%5 == 0 {
			m.orders[p.ID] = []*order{seedOrder(r, fmt.Sprintf("ord-%05d", i), p.Created.Add(48*time.Hour))}
		}
	}
}

// seedOrder returns an order of one or two catalogue products.
func seedOrder(r *rand.Rand, id string, at time.Time) *order {
	o := &order{ID: id, Created: at}
	for k := 0; k <= r.IntN(2); k++ {
		cents := 1990 + r.IntN(50000)
		name := pick(r, []string{"Tênis Corrida", "Camiseta Dry", "Mochila Urbana", "Boné Aba Curva"})
		o.Items = append(o.Items, map[string]any{
			"id": fmt.Sprintf("%d", 700000+r.IntN(99999)), "retailer_id": fmt.Sprintf("SKU-%04d", r.IntN(9999)),
			"name": name, "brand": pick(r, []string{"Pampa", "Horizonte", "Avenida"}), "category": "Vestuário",
			"price": fmt.Sprintf("%d.%02d BRL", cents/100, cents%100), "availability": "in stock",
			"inventory": r.IntN(40), "url": "https://loja.example.com/p/" + id, "image_url": "https://loja.example.com/i/" + id + ".jpg",
		})
	}
	return o
}
