package relay_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/zen"
)

// The relay's throughput beside River's own for an empty job, on the same
// database, with the same number of workers, in the same run: the ratio is
// what the relay costs over the engine's floor (a delivery is two SQL
// writes of the relay's own plus the HTTP call to a zero-latency sandbox).
//
//	go -C relay test -run '^$' -bench . -benchtime 2000x
func BenchmarkDeliver(b *testing.B) {
	for _, c := range []struct {
		name    string
		backend func(testing.TB) backend
		workers int
	}{
		{"sqlite/workers=1", sqliteBackend, 1},
		{"postgres/workers=1", postgresBackend, 1},
		{"postgres/workers=4", postgresBackend, 4},
		{"postgres/workers=16", postgresBackend, 16},
	} {
		b.Run(c.name+"/relay", func(b *testing.B) { benchRelay(b, c.backend(b), c.workers) })
		b.Run(c.name+"/river_empty_job", func(b *testing.B) { benchRiverEmpty(b, c.backend(b), c.workers) })
	}
}

func benchRelay(b *testing.B, be backend, workers int) {
	var delivered atomic.Int64
	sb := startSandboxes(b, func(_ string, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r)
			if r.Method == http.MethodPost {
				delivered.Add(1)
			}
		})
	})
	r := open(b, be, relay.WithWorkers(workers), relay.WithPollInterval(10*time.Millisecond))
	ctx := context.Background()
	for i := range b.N {
		_, err := r.Enqueue(ctx, salesmanLead(i))
		require.NoError(b, err)
	}
	b.ResetTimer()
	require.NoError(b, r.Start(ctx, clientsFor(b, sb.urls, nil, nil)))
	for delivered.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
}

type emptyArgs struct {
	N int `json:"n"`
}

func (emptyArgs) Kind() string { return "bench_empty" }

type emptyWorker struct {
	river.WorkerDefaults[emptyArgs]
	done *atomic.Int64
}

func (w *emptyWorker) Work(context.Context, *river.Job[emptyArgs]) error {
	w.done.Add(1)
	return nil
}

func benchRiverEmpty(b *testing.B, be backend, workers int) {
	ctx := context.Background()
	switch be.name {
	case "sqlite":
		db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "river.db")+"?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		require.NoError(b, err)
		db.SetMaxOpenConns(1)
		b.Cleanup(func() { db.Close() })
		runRiverEmpty(b, riversqlite.New(db), "", workers)
	default:
		pool, err := pgxpool.New(ctx, pgURL())
		require.NoError(b, err)
		b.Cleanup(pool.Close)
		_, err = pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS "`+be.schema+`"`)
		require.NoError(b, err)
		runRiverEmpty(b, riverpgxv5.New(pool), be.schema, workers)
	}
}

func runRiverEmpty[TTx any](b *testing.B, drv riverdriver.Driver[TTx], schema string, workers int) {
	ctx := context.Background()
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Schema: schema})
	require.NoError(b, err)
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	require.NoError(b, err)
	var done atomic.Int64
	ws := river.NewWorkers()
	river.AddWorker(ws, &emptyWorker{done: &done})
	c, err := river.NewClient(drv, &river.Config{
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}}, Workers: ws, Schema: schema,
		FetchPollInterval: 10 * time.Millisecond, FetchCooldown: 10 * time.Millisecond,
	})
	require.NoError(b, err)
	for i := range b.N {
		_, err := c.Insert(ctx, emptyArgs{N: i}, nil)
		require.NoError(b, err)
	}
	b.ResetTimer()
	require.NoError(b, c.Start(ctx))
	for done.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
	require.NoError(b, c.Stop(ctx))
}

// BenchmarkDrainMemory drains b.N leads (run it with -benchtime 100000x)
// to a Zen stub that stores nothing (so that only the relay's memory is
// measured), and reports the live heap sampled while they drain: its peak
// beside the heap before the workers started. Flat: the peak does not grow
// with b.N.
func BenchmarkDrainMemory(b *testing.B) {
	be := postgresBackend(b)
	var delivered atomic.Int64
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n := delivered.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"Sucesso":"Lead inserido e distribuído","id":%d}`, n)
	}))
	b.Cleanup(stub.Close)
	zc, err := zen.NewClient(stub.URL, sbZenToken, zen.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(b, err)
	r := open(b, be, relay.WithWorkers(8), relay.WithPollInterval(10*time.Millisecond))
	ctx := context.Background()
	sem := make(chan struct{}, 16)
	var failed atomic.Value
	for i := range b.N {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			if _, err := r.Enqueue(ctx, zenLead(i)); err != nil {
				failed.Store(err)
			}
		}()
	}
	for range cap(sem) {
		sem <- struct{}{}
	}
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	b.ResetTimer()
	require.NoError(b, r.Start(ctx, relay.Clients{Zen: zc}))
	var peak uint64
	var samples []string
	for delivered.Load() < int64(b.N) {
		time.Sleep(time.Second)
		h := heap()
		peak = max(peak, h)
		samples = append(samples, fmt.Sprintf("%d:%.1f", delivered.Load(), float64(h)/(1<<20)))
	}
	b.StopTimer()
	b.ReportMetric(float64(before)/(1<<20), "MiB-heap-before")
	b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-peak")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "leads/s")
	fmt.Fprintf(b.Output(), "drained %d leads; live heap %.1f MiB before, %.1f MiB at its peak; delivered:MiB each second %v\n",
		b.N, float64(before)/(1<<20), float64(peak)/(1<<20), samples)
}
