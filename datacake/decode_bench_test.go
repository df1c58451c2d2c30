package datacake

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// body500 is 500 products as an ERP sends them.
func body500() []byte {
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < 500; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id_servico":"%d","nome":"Fibra %d Mega","descricao":"Internet fibra óptica %d Mbps, Wi-Fi incluso","valor":"%d.90","obs":""}`, 100+i, 100+i, 100+i, 79+i%100)
	}
	b.WriteByte(']')
	return []byte(b.String())
}

type bp struct {
	ID          string `json:"id_servico"`
	Name        string `json:"nome"`
	Description string `json:"descricao"`
	Price       string `json:"valor"`
	Notes       string `json:"obs"`
}

// BenchmarkDecodeProducts500 decodes 500 products as the client does (tolerant wire, then public types).
func BenchmarkDecodeProducts500(b *testing.B) {
	body := body500()
	b.ResetTimer()
	for range b.N {
		var ws []productWire
		_ = json.Unmarshal(body, &ws)
		out := make([]Product, len(ws))
		for i := range ws {
			out[i] = ws[i].public()
		}
	}
}

// BenchmarkDecodeProducts500Bare is the baseline: bare encoding/json into strings.
func BenchmarkDecodeProducts500Bare(b *testing.B) {
	body := body500()
	b.ResetTimer()
	for range b.N {
		var ws []bp
		_ = json.Unmarshal(body, &ws)
	}
}
