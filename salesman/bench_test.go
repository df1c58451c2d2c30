package salesman_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"testing"

	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// benchLeads is how many sandbox leads the All benchmarks walk.
const benchLeads = 100_000

// memWatch samples the heap while a benchmark walks leads.
type memWatch struct {
	start, peak uint64
	total0      uint64
}

func newMemWatch() *memWatch {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return &memWatch{start: m.HeapAlloc, peak: m.HeapAlloc, total0: m.TotalAlloc}
}

func (w *memWatch) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	w.peak = max(w.peak, m.HeapAlloc)
}

func (w *memWatch) report(b *testing.B, leads int) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.TotalAlloc-w.total0)/float64(leads), "B/lead")
	b.ReportMetric(float64(w.peak-w.start)/(1<<20), "peak-heap-growth-MB")
	b.ReportMetric(float64(leads)/float64(b.N), "leads/op")
}

// BenchmarkAll walks 100,000 sandbox leads with Leads.All (V2, which pages).
// B/lead counts every allocation in the process (the in-process sandbox's
// too, the same in the baseline), and peak-heap-growth-MB is the highest heap
// seen during the walk above the heap before it: it stays a few MB, however
// many leads are walked, because All holds one page at a time.
// Run: go test -run '^$' -bench 'All' -benchtime 1x ./salesman/
func BenchmarkAll(b *testing.B) {
	s := salesmantest.NewServer(&salesmantest.Options{Leads: benchLeads})
	defer s.Close()
	c := sandboxClient(b, s, salesman.V2)
	ctx := context.Background()
	b.ResetTimer()
	w := newMemWatch()
	leads := 0
	for i := 0; i < b.N; i++ {
		n := 0
		for l, err := range c.Leads.All(ctx, nil) {
			if err != nil {
				b.Fatal(err)
			}
			_ = l
			n++
			if n%20_000 == 0 {
				w.sample()
			}
		}
		if n != benchLeads {
			b.Fatalf("walked %d leads, want %d", n, benchLeads)
		}
		leads += n
	}
	w.report(b, leads)
}

// baselineLead is the V2 list row decoded by bare encoding/json.
type baselineLead struct {
	ID             int     `json:"id"`
	Datum          string  `json:"datum"`
	DatumDo        *string `json:"datum_do"`
	Email          string  `json:"email"`
	Phone          string  `json:"phone"`
	Site           string  `json:"site"`
	Company        string  `json:"company"`
	City           string  `json:"city"`
	Country        string  `json:"country"`
	Content        string  `json:"content"`
	Clid           int     `json:"clid"`
	Client         *string `json:"client"`
	Pid            int     `json:"pid"`
	Person         *string `json:"person"`
	Did            int     `json:"did"`
	Deal           *string `json:"deal"`
	User           int     `json:"user"`
	UserName       string  `json:"userName"`
	Status         int     `json:"status"`
	StatusName     string  `json:"statusName"`
	Rezult         int     `json:"rezult"`
	RezultName     string  `json:"rezultName"`
	ClientPath     string  `json:"clientpath"`
	ClientPathName *string `json:"clientpathName"`
}

// BenchmarkAllBaseline does the same walk with bare net/http and
// encoding/json into a struct of the exact V2 shape (no tolerance, no dates,
// no retries): the ratio to BenchmarkAll is leadkit's overhead.
func BenchmarkAllBaseline(b *testing.B) {
	s := salesmantest.NewServer(&salesmantest.Options{Leads: benchLeads})
	defer s.Close()
	hc := &http.Client{}
	cr := s.Credentials()
	b.ResetTimer()
	w := newMemWatch()
	leads := 0
	for i := 0; i < b.N; i++ {
		n := 0
		for page := 0; ; page++ {
			q := url.Values{"action": {"list"}, "login": {cr["SALESMAN_LOGIN"]}, "apikey": {cr["SALESMAN_APIKEY"]},
				"offset": {strconv.Itoa(page)}, "first": {"new"}}
			resp, err := hc.Get(cr["SALESMAN_URL"] + "/developer/v2/lead?" + q.Encode())
			if err != nil {
				b.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var out struct {
				Data  []baselineLead `json:"data"`
				Error *struct{}      `json:"error"`
			}
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
			n += len(out.Data)
			if n%20_000 == 0 {
				w.sample()
			}
			if out.Error != nil || len(out.Data) < salesman.PageSize {
				break
			}
		}
		if n != benchLeads {
			b.Fatalf("walked %d leads, want %d", n, benchLeads)
		}
		leads += n
	}
	w.report(b, leads)
}

// BenchmarkList fetches one page of 200 leads (V1, the real shape: numbers
// as strings, Content-Type text/html).
func BenchmarkList(b *testing.B) {
	s := salesmantest.NewServer(nil)
	defer s.Close()
	c := sandboxClient(b, s, salesman.V1)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page, err := c.Leads.List(ctx, nil)
		if err != nil || len(page) != salesman.PageSize {
			b.Fatal(len(page), err)
		}
	}
}
