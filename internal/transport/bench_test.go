package transport

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

type benchLead struct {
	ID      int     `json:"id"`
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Phone   string  `json:"phone"`
	City    string  `json:"city"`
	Status  string  `json:"status"`
	Value   float64 `json:"value"`
	Created string  `json:"created_at"`
}

type benchPage struct {
	Total int         `json:"total"`
	Page  int         `json:"page"`
	Leads []benchLead `json:"leads"`
}

// benchBody is a ~2 KB JSON page of leads.
func benchBody() []byte {
	p := benchPage{Total: 240, Page: 1}
	names := []string{"João Silva", "Maria Souza", "Ana Pereira", "Carlos Lima", "Lucía Gómez", "Иван Петров", "Pedro Alves", "Beatriz Costa", "José Santos", "Olga Smirnova", "Rafael Rocha"}
	for i, n := range names {
		p.Leads = append(p.Leads, benchLead{
			ID: 1000 + i, Name: n, Email: fmt.Sprintf("lead%d@example.com.br", i), Phone: "+55 11 9" + strings.Repeat(fmt.Sprint(i%10), 8),
			City: "São Paulo", Status: "new", Value: 1234.5 + float64(i), Created: "2026-01-02 15:04:05",
		})
	}
	b, _ := json.Marshal(p)
	return b
}

func benchServer(b *testing.B) (*httptest.Server, []byte) {
	body := benchBody()
	if len(body) < 1800 || len(body) > 2400 {
		b.Fatalf("body is %d bytes, want about 2 KB", len(body))
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(ts.Close)
	return ts, body
}

// BenchmarkDo is one GET through the core (auth, retry layer, attempt
// logging off, size-capped read, redacted URL) and DecodeJSON.
func BenchmarkDo(b *testing.B) {
	ts, _ := benchServer(b)
	tr := NewDefaultTransport()
	b.Cleanup(tr.CloseIdleConnections)
	s := DefaultSettings(ts.URL + "/api/v1")
	s.HTTPClient = &http.Client{Transport: tr}
	c, err := New(Config{Vendor: "bench", Settings: s, Auth: HeaderAuth{Name: "token", Value: NewSecret("bench-token-123")}})
	if err != nil {
		b.Fatal(err)
	}
	req := func() *Request {
		return &Request{Path: []string{"leads"}, Query: url.Values{"page": {"1"}}}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.ResetTimer()
	for range b.N {
		resp, err := c.Do(bg, req())
		if err != nil {
			b.Fatal(err)
		}
		var out benchPage
		if err := resp.DecodeJSON(&out); err != nil {
			b.Fatal(err)
		}
		if len(out.Leads) != 11 {
			b.Fatal("short page")
		}
	}
}

// BenchmarkBareNetHTTP is the same request with a plain http.Client on a
// tuned transport and encoding/json into the same struct.
func BenchmarkBareNetHTTP(b *testing.B) {
	ts, _ := benchServer(b)
	tr := NewDefaultTransport()
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	b.ResetTimer()
	for range b.N {
		req, err := http.NewRequestWithContext(bg, http.MethodGet, ts.URL+"/api/v1/leads?page=1", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("token", "bench-token-123")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "bench")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, DefaultMaxBodyBytes))
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
		var out benchPage
		if err := json.Unmarshal(data, &out); err != nil {
			b.Fatal(err)
		}
		if len(out.Leads) != 11 {
			b.Fatal("short page")
		}
	}
}
