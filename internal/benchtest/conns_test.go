package benchtest

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/leadkit/leadkit/datacake"
)

// A small catalogue: the point here is connections, not decoding.
var smallProducts = []byte(`[{"id_servico":"1","nome":"Fibra 300 Mega","descricao":"Internet fibra óptica","valor":"99.90","obs":""},` +
	`{"id_servico":"2","nome":"Fibra 600 Mega","descricao":"Internet fibra óptica","valor":"129.90","obs":""}]`)

const (
	workers  = 64
	totalGET = 10_000
)

// countingServer serves smallProducts and counts the connections it accepts.
func countingServer(tb testing.TB) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(smallProducts)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv, &conns
}

// fanOut runs n calls of do spread over workers goroutines and returns the
// first error.
func fanOut(n, workers int, do func() error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := do(); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func sharedSDK(tb testing.TB, base string) func() error {
	c, err := datacake.NewClient(base, datacakeToken) // default transport: nothing tuned
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	return func() error {
		ps, err := c.Products(ctx)
		if err == nil && len(ps) != 2 {
			tb.Errorf("got %d products", len(ps))
		}
		return err
	}
}

func sharedBare(tb testing.TB, base string) func() error {
	hc := bareClient(tb) // tuned: MaxIdleConnsPerHost 128
	ctx := context.Background()
	h := http.Header{"Authorization": {"Bearer " + datacakeToken}}
	return func() error {
		var ps []struct {
			ID          string `json:"id_servico"`
			Name        string `json:"nome"`
			Description string `json:"descricao"`
			Price       string `json:"valor"`
			Notes       string `json:"obs"`
		}
		b, err := bareGet(ctx, hc, base+"/produtos", h)
		if err == nil {
			err = json.Unmarshal(b, &ps)
		}
		if err == nil && len(ps) != 2 {
			tb.Errorf("got %d products", len(ps))
		}
		return err
	}
}

// TestSharedClientReusesConnections: one client with its default settings,
// shared by 64 goroutines doing 10,000 GETs, opens at most one connection
// per goroutine (Go's own default transport keeps only 2 idle connections
// per host and would open thousands). Run it with -race.
func TestSharedClientReusesConnections(t *testing.T) {
	t.Parallel()
	srv, conns := countingServer(t)
	n := totalGET
	if testing.Short() {
		n = 2_000
	}
	if err := fanOut(n, workers, sharedSDK(t, srv.URL)); err != nil {
		t.Fatal(err)
	}
	got := conns.Load()
	t.Logf("%d GETs from %d goroutines over %d connections", n, workers, got)
	if got > workers {
		t.Errorf("opened %d connections for %d goroutines", got, workers)
	}
}

// BenchmarkSharedClientSDK: one op is one GET; 64 goroutines share the
// client (default settings). conns/op-total reports the connections opened.
func BenchmarkSharedClientSDK(b *testing.B) { benchShared(b, sharedSDK) }

// BenchmarkSharedClientBare: the same with net/http on a tuned transport.
func BenchmarkSharedClientBare(b *testing.B) { benchShared(b, sharedBare) }

func benchShared(b *testing.B, mk func(testing.TB, string) func() error) {
	srv, conns := countingServer(b)
	do := mk(b, srv.URL)
	b.ReportAllocs()
	b.SetParallelism((workers + 1) / 2) // GOMAXPROCS is 2 here: 64 goroutines
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := do(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(conns.Load()), "conns")
}
