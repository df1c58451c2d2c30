package benchtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// The fixtures are the vendors' real (quirky) shapes, rendered once by each
// vendor's sandbox (Zen's is a golden file) and then served as fixed bytes.

var zenTotals = sync.OnceValues(func() (fixture, error) {
	b, err := os.ReadFile("../../testdata/zen/totals-300-users.json")
	return fixture{contentType: "application/json", body: b}, err
})

// salesmanPage is a V1 "list" page of 200 leads: ids and codes as strings,
// nulls, escaped "/" and Cyrillic, Content-Type text/html.
var salesmanPage = sync.OnceValues(func() (fixture, error) {
	s := salesmantest.NewServer(nil)
	defer s.Close()
	cr := s.Credentials()
	q := url.Values{"action": {"list"}, "login": {cr["SALESMAN_LOGIN"]}, "apikey": {cr["SALESMAN_APIKEY"]}}
	return rawGet(cr["SALESMAN_URL"]+"/developer/v1/leads?"+q.Encode(), nil)
})

// wecleverLead is one lead with 200 chat messages, with the sandbox's
// quirks (total_messages as a string, a numeric rating as a number, null for
// empty media URLs).
var wecleverLead = sync.OnceValues(func() (fixture, error) {
	s := weclevertest.NewServer(&weclevertest.Options{Leads: -1})
	defer s.Close()
	loc := weclevertest.Location()
	start := time.Date(2024, 3, 12, 14, 0, 0, 0, loc)
	d := weclever.Lead{
		Email: "joao.souza42@exemplo.com.br", Name: "João Souza", Phone: "+5511987654321",
		State: "SP", Regional: "Sudeste", Status: "Venda realizada",
		Chats:    weclever.Chats{Metrics: weclever.Metrics{DateDifference: "03:19:00", TotalMessages: 200}},
		Feelings: weclever.Feelings{TotalMessages: 200, Positive: 120, Neutral: 60, Negative: 20},
		CSAT:     weclever.CSAT{Message: "Atendimento excelente", Rating: "5"},
	}
	for i := range 200 {
		m := weclever.Message{
			ID: int64(5_000_000 + i), ContentType: "text/plain", Type: "text", Status: "delivered",
			SID:     fmt.Sprintf("SM%032x", 0xabcdef0123+i),
			Created: start.Add(time.Duration(i) * time.Minute),
		}
		if i%2 == 0 {
			m.Direction, m.Body = "outbound", fmt.Sprintf("Olá! O plano %d custa R$ %d,90 à vista ou em 12x. Posso ajudar em algo mais?", i, 79+i)
		} else {
			m.Direction, m.Body = "inbound", "Qual o valor? É à vista? Obrigado pela atenção"
		}
		if i%25 == 0 {
			m.Body, m.ContentType, m.Type = "", "image/jpeg", "image"
			m.MediaURL = fmt.Sprintf("https://media.weclever.co/x/%d.jpg", m.ID)
		}
		d.Chats.Messages = append(d.Chats.Messages, m)
	}
	id := s.AddLead(weclevertest.Lead{MappedStatus: "won", FinalizedAt: start, Details: d})
	cr := s.Credentials()
	_ = cr
	basic := base64.StdEncoding.EncodeToString([]byte(weclevertest.DefaultUser + ":" + weclevertest.DefaultPassword))
	tok, err := rawGet(s.URL+"/solution/token/basic/"+weclevertest.DefaultPlatformID, http.Header{"Authorization": {"Basic " + basic}})
	if err != nil {
		return fixture{}, err
	}
	var t struct{ Token string }
	if err := json.Unmarshal(tok.body, &t); err != nil {
		return fixture{}, err
	}
	return rawGet(s.URL+"/lead/find/weclever_id/"+strconv.FormatInt(id, 10), http.Header{"Authorization": {"Bearer " + t.Token}})
})

// zenviaPage is a page of 100 prospects as the quirky sandbox answers it.
var zenviaPage = sync.OnceValues(func() (fixture, error) {
	s := zenviatest.NewServer(&zenviatest.Options{Prospects: 300})
	defer s.Close()
	return rawGet(s.URL+"/prospects?limit=100&api-key="+url.QueryEscape(s.Credentials()["ZENVIA_API_KEY"]), nil)
})

// datacakeProducts is a catalogue of 500 products as the quirky sandbox
// answers it.
var datacakeProducts = sync.OnceValues(func() (fixture, error) {
	s := datacaketest.NewServer(nil)
	defer s.Close()
	ps := make([]datacake.Product, 500)
	for i := range ps {
		ps[i] = datacake.Product{
			ID: strconv.Itoa(100 + i), Name: fmt.Sprintf("Fibra %d Mega", 100+i),
			Description: fmt.Sprintf("Internet fibra óptica %d Mbps, Wi-Fi incluso", 100+i),
			Price:       datacake.Amount((79+i%100)*100 + 90),
		}
		if i%7 == 0 {
			ps[i].Notes = "Instalação grátis na região metropolitana"
		}
	}
	s.ERP.SetProducts(ps)
	return rawGet(s.URL+"/produtos", http.Header{"Authorization": {"Bearer " + datacaketest.DefaultToken}})
})
