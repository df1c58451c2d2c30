package benchtest

import (
	"context"
	"runtime"
	"testing"

	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// heapInUse is the heap in use after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// walk iterates seq, sampling the heap in use (after a GC, while the
// iterator holds its current page) when the count reaches each mark.
// The sandbox serving the pages runs in the same process; its heap counts too.
// before runs before each sample (nil: nothing).
func walk[T any](tb testing.TB, seq func(func(T, error) bool), before func(), marks ...int) (n int, heap map[int]uint64) {
	tb.Helper()
	heap = map[int]uint64{}
	var err error
	seq(func(_ T, e error) bool {
		if e != nil {
			err = e
			return false
		}
		n++
		for _, m := range marks {
			if n == m {
				if before != nil {
					before()
				}
				heap[m] = heapInUse()
			}
		}
		return true
	})
	if err != nil {
		tb.Fatalf("after %d: %v", n, err)
	}
	return n, heap
}

// salesmanWalk walks total leads of a V2 sandbox (V2 pages; V1 does not).
func salesmanWalk(tb testing.TB, total int, marks ...int) map[int]uint64 {
	s := salesmantest.NewServer(&salesmantest.Options{Leads: total})
	tb.Cleanup(s.Close)
	cr := s.Credentials()
	c, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V2))
	if err != nil {
		tb.Fatal(err)
	}
	// Reset empties the sandbox's request log (one entry per page, up to
	// 10,000 kept), which would otherwise count as growth; SalesMan's sandbox
	// keeps its generated leads across a reset.
	n, heap := walk[salesman.Lead](tb, c.Leads.All(context.Background(), nil), s.Reset, marks...)
	if n != total {
		tb.Fatalf("walked %d leads, want %d", n, total)
	}
	return heap
}

func zenviaWalk(tb testing.TB, total int, marks ...int) map[int]uint64 {
	s := zenviatest.NewServer(&zenviatest.Options{Prospects: total})
	tb.Cleanup(s.Close)
	c, err := zenvia.NewClient(s.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(s.URL))
	if err != nil {
		tb.Fatal(err)
	}
	// Zenvia's sandbox re-seeds on Reset, so its request log (one entry per
	// page: 100 for 10,000 prospects) stays in the numbers.
	n, heap := walk[zenvia.Prospect](tb, c.Prospects.All(context.Background(), &zenvia.ProspectListOptions{Limit: 100}), nil, marks...)
	if n != total {
		tb.Fatalf("walked %d prospects, want %d", n, total)
	}
	return heap
}

// growth is how much larger the heap at b is than at a, in percent.
func growth(heap map[int]uint64, a, b int) float64 {
	return (float64(heap[b]) - float64(heap[a])) / float64(heap[a]) * 100
}

// TestPagingMemoryIsFlat walks 20,000 SalesMan leads and 2,000 Zenvia
// prospects (a few seconds even with -race; 10,000 and 1,000 with -short)
// and checks that the heap in
// use at the end is not larger than at a tenth of the way by more than a
// generous bound: the iterators hold one page at a time. The benchmarks
// report the exact numbers; the bound here only catches a leak (a walk that
// kept every lead would grow the heap many times over).
func TestPagingMemoryIsFlat(t *testing.T) {
	sm, zv := 20_000, 2_000
	if testing.Short() {
		sm, zv = 10_000, 1_000
	}
	const bound = 50.0 // percent
	t.Run("SalesMan", func(t *testing.T) {
		heap := salesmanWalk(t, sm, sm/10, sm)
		g := growth(heap, sm/10, sm)
		t.Logf("heap in use: %d KB at %d leads, %d KB at %d (%+.1f%%)", heap[sm/10]>>10, sm/10, heap[sm]>>10, sm, g)
		if g > bound {
			t.Errorf("heap grew %.1f%% from %d to %d leads, want < %.0f%%", g, sm/10, sm, bound)
		}
	})
	t.Run("Zenvia", func(t *testing.T) {
		heap := zenviaWalk(t, zv, zv/10, zv)
		g := growth(heap, zv/10, zv)
		t.Logf("heap in use: %d KB at %d prospects, %d KB at %d (%+.1f%%)", heap[zv/10]>>10, zv/10, heap[zv]>>10, zv, g)
		if g > bound {
			t.Errorf("heap grew %.1f%% from %d to %d prospects, want < %.0f%%", g, zv/10, zv, bound)
		}
	})
}

// BenchmarkPagingSalesMan100k walks 100,000 leads per op and reports the
// heap in use at 10,000 and at 100,000 leads and the growth between them.
func BenchmarkPagingSalesMan100k(b *testing.B) {
	b.ResetTimer()
	for range b.N {
		heap := salesmanWalk(b, 100_000, 10_000, 100_000)
		b.ReportMetric(float64(heap[10_000])/(1<<10), "heap-KB@10k")
		b.ReportMetric(float64(heap[100_000])/(1<<10), "heap-KB@100k")
		b.ReportMetric(growth(heap, 10_000, 100_000), "growth-%")
	}
}

// BenchmarkPagingZenvia10k walks 10,000 prospects per op and reports the
// heap in use at 1,000 and at 10,000.
func BenchmarkPagingZenvia10k(b *testing.B) {
	b.ResetTimer()
	for range b.N {
		heap := zenviaWalk(b, 10_000, 1_000, 10_000)
		b.ReportMetric(float64(heap[1_000])/(1<<10), "heap-KB@1k")
		b.ReportMetric(float64(heap[10_000])/(1<<10), "heap-KB@10k")
		b.ReportMetric(growth(heap, 1_000, 10_000), "growth-%")
	}
}
