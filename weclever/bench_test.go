package weclever_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadkit/leadkit/weclever"
)

// The full call (HTTP + decode) is measured against a bare net/http client
// in internal/benchtest; these benchmarks isolate the decoding.

// bigLeadBody is a lead with n messages, in the documented shape.
func bigLeadBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"lead":{"email":"ana.silva@exemplo.com.br","name":"Ana Silva","phone":"+5511987654321","state":"SP","regional":"Sudeste","status":"Venda realizada","chats":{"metrics":{"date_difference":"02:10:00","total_messages":`)
	fmt.Fprint(&b, n)
	b.WriteString(`},"messages":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id_chat":%d,"body":"Olá, gostaria de saber o valor do plano %d à vista","media_url":"","content_type":"text/plain","date_created":"2024-03-12 14:%02d:%02d","sid":"SM0123456789abcdef0123456789ab%04d","message_type":"text","direction":"inbound","status":"delivered"}`, 5000000+i, i, i%60, i%60, i)
	}
	b.WriteString(`]},"feelings":{"total_messages":200,"positive_feeling":120,"neutral_feeling":60,"negative_feeling":20},"csat":{"message":"Ótimo","rating":"5"}}}`)
	return []byte(b.String())
}

// bareLead is what a hand-written client would decode into.
type bareLead struct {
	Lead struct {
		Email, Name, Phone, State, Regional, Status string
		Chats                                       struct {
			Metrics struct {
				DateDifference string `json:"date_difference"`
				TotalMessages  int    `json:"total_messages"`
			} `json:"metrics"`
			Messages []struct {
				ID          int64  `json:"id_chat"`
				Body        string `json:"body"`
				MediaURL    string `json:"media_url"`
				ContentType string `json:"content_type"`
				DateCreated string `json:"date_created"`
				SID         string `json:"sid"`
				Type        string `json:"message_type"`
				Direction   string `json:"direction"`
				Status      string `json:"status"`
			} `json:"messages"`
		} `json:"chats"`
		Feelings struct {
			TotalMessages int `json:"total_messages"`
			Positive      int `json:"positive_feeling"`
			Neutral       int `json:"neutral_feeling"`
			Negative      int `json:"negative_feeling"`
		} `json:"feelings"`
		CSAT struct {
			Message string `json:"message"`
			Rating  string `json:"rating"`
		} `json:"csat"`
	} `json:"lead"`
}

func BenchmarkDecodeLead200(b *testing.B) {
	body := bigLeadBody(200)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := weclever.DecodeLead(body, time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLead200Baseline(b *testing.B) {
	body := bigLeadBody(200)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var v bareLead
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}
