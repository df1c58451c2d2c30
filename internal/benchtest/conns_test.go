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
	"time"

	"github.com/leadkit/leadkit/datacake"
)

// A small catalogue: the point here is connections, not decoding.
var smallProducts = []byte(`[{"id_servico":"1","nome":"Fibra 300 Mega","descricao":"Internet fibra óptica","valor":"99.90","obs":""},` +
	`{"id_servico":"2","nome":"Fibra 600 Mega","descricao":"Internet fibra óptica","valor":"129.90","obs":""}]`)

const (
	workers  = 64
	totalGET = 10_000
)

// connCount counts the connections a server accepted and those that ended.
type connCount struct{ opened, closed atomic.Int64 }

// countingServer serves smallProducts and counts connections.
func countingServer(tb testing.TB) (*httptest.Server, *connCount) {
	var n connCount
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(smallProducts)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			n.opened.Add(1)
		case http.StateClosed, http.StateHijacked:
			n.closed.Add(1)
		}
	}
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv, &n
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
		ps, err := c.Catalogues.Products(ctx)
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
// per host and would open thousands). Run it with -race. A connection the
// transport discards mid-run may be replaced: under heavy load (-race on a
// busy machine) net/http drops a connection whose request write was not
// confirmed within 50ms of its response. So the assertion is that the
// connections opened, less those that ended during the run, never exceed the
// goroutines; without load nothing ends and exactly 64 are opened.
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
	opened := conns.opened.Load()
	// A connection the client closed reaches StateClosed a moment later.
	for deadline := time.Now().Add(time.Second); opened-conns.closed.Load() > workers && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	closed := conns.closed.Load()
	t.Logf("%d GETs from %d goroutines: %d connections opened, %d of them ended during the run", n, workers, opened, closed)
	if opened-closed > workers {
		t.Errorf("opened %d connections (%d ended) for %d goroutines", opened, closed, workers)
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
	b.ReportMetric(float64(conns.opened.Load()), "conns")
}
