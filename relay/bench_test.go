package relay_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/zen"
)

// The benchmarks put the relay beside River doing the same with an empty
// job, on the same database, in the same run, and report the ratio (the
// relay's rate ÷ River's) beside the settings:
//
//	go -C relay test -run '^$' -bench 'EnqueueMany|Deliver|Latency|SlowVendor' -benchtime 3x -timeout 30m
//
// (BenchmarkDeliver and BenchmarkLatency read their sizes from
// LEADKIT_BENCH_LEADS and LEADKIT_BENCH_SAMPLES; b.N repeats the whole
// measurement.)

// benchSize reads a size from the environment, or def.
func benchSize(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkEnqueueMany: EnqueueMany of 10,000 leads (validated, marked,
// River's jobs and the relay's deliveries in one transaction) beside
// River's InsertMany of 10,000 empty jobs.
func BenchmarkEnqueueMany(b *testing.B) {
	const batch = 10_000
	for _, c := range []struct {
		name    string
		backend func(testing.TB) backend
	}{{"sqlite", sqliteBackend}, {"postgres", postgresBackend}} {
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			r := open(b, c.backend(b))
			rc := riverBaseline(b, c.name, 1, time.Millisecond, nil)
			b.Logf("batch %d; relay: %s defaults; River: InsertMany of emptyArgs, no unique opts", batch, c.name)
			var relayT, riverT time.Duration
			next := 0
			for range b.N {
				jobs := make([]relay.Job, batch)
				for i := range jobs {
					jobs[i] = salesmanLead(next)
					next++
				}
				start := time.Now()
				res, err := r.EnqueueMany(ctx, jobs)
				relayT += time.Since(start)
				require.NoError(b, err)
				require.Len(b, res, batch)
				params := make([]river.InsertManyParams, batch)
				for i := range params {
					params[i] = river.InsertManyParams{Args: emptyArgs{N: i}}
				}
				start = time.Now()
				_, err = rc.insertMany(ctx, params)
				riverT += time.Since(start)
				require.NoError(b, err)
			}
			reportPair(b, "leads/s", float64(b.N*batch)/relayT.Seconds(), float64(b.N*batch)/riverT.Seconds())
		})
	}
}

// reportPair reports the relay's rate, River's, and their ratio.
func reportPair(b *testing.B, unit string, relayRate, riverRate float64) {
	b.ReportMetric(relayRate, "relay-"+unit)
	b.ReportMetric(riverRate, "river-"+unit)
	b.ReportMetric(relayRate/riverRate, "ratio")
	b.Logf("relay %.0f %s, River %.0f: %.2f×", relayRate, unit, riverRate, relayRate/riverRate)
}

// zenStub is a zero-latency Zen: it answers every create at once and
// counts them.
func zenStub(b testing.TB, delay time.Duration, got *atomic.Int64) *zen.Client {
	stub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if delay > 0 {
			time.Sleep(delay)
		}
		n := got.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"Sucesso":"Lead inserido e distribuído","id":%d}`, n)
	}))
	b.Cleanup(stub.Close)
	zc, err := zen.NewClient(stub.URL, sbZenToken, zen.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(b, err)
	return zc
}

// BenchmarkDeliver: leads delivered per second to a zero-latency Zen stub
// beside River working empty jobs, both with a 1 ms fetch cooldown (with
// River's 10 ms or 100 ms both run one job per worker per cooldown and the
// ratio cannot see what a job costs) and a 10 ms poll, the same workers.
func BenchmarkDeliver(b *testing.B) {
	n := benchSize("LEADKIT_BENCH_LEADS", 3000)
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
		b.Run(c.name, func(b *testing.B) {
			b.Logf("%d leads per measurement; fetch cooldown 1ms, poll 10ms, %d workers; Zen stub answering at once", n, c.workers)
			var relayRate, riverRate float64
			for range b.N {
				riverRate += riverDrain(b, c.backend(b).name, c.workers, n)
				relayRate += relayDrain(b, c.backend(b), c.workers, n)
			}
			reportPair(b, "leads/s", relayRate/float64(b.N), riverRate/float64(b.N))
		})
	}
}

// relayDrain enqueues n Zen leads, then times their delivery.
func relayDrain(b *testing.B, be backend, workers, n int) float64 {
	ctx := context.Background()
	var got atomic.Int64
	zc := zenStub(b, 0, &got)
	r := open(b, be, relay.WithWorkers(workers), relay.WithPollInterval(10*time.Millisecond), relay.WithFetchCooldown(time.Millisecond))
	enqueueZen(b, r, 0, n)
	start := time.Now()
	require.NoError(b, r.Start(ctx, relay.Clients{Zen: zc}))
	for got.Load() < int64(n) {
		time.Sleep(time.Millisecond)
	}
	rate := float64(n) / time.Since(start).Seconds()
	require.NoError(b, closeRelay(r))
	return rate
}

// enqueueZen enqueues Zen leads from to from+n, in batches of 1,000.
func enqueueZen(b testing.TB, r *relay.Relay[any], from, n int) {
	for i := from; i < from+n; i += 1000 {
		jobs := make([]relay.Job, 0, 1000)
		for j := i; j < min(i+1000, from+n); j++ {
			jobs = append(jobs, zenLead(j))
		}
		_, err := r.EnqueueMany(context.Background(), jobs)
		require.NoError(b, err)
	}
}

// riverDrain inserts n empty jobs, then times River working them.
func riverDrain(b *testing.B, db string, workers, n int) float64 {
	ctx := context.Background()
	var done atomic.Int64
	rc := riverBaseline(b, db, workers, time.Millisecond, &done)
	for i := 0; i < n; i += 1000 {
		params := make([]river.InsertManyParams, 0, 1000)
		for j := i; j < min(i+1000, n); j++ {
			params = append(params, river.InsertManyParams{Args: emptyArgs{N: j}})
		}
		_, err := rc.insertMany(ctx, params)
		require.NoError(b, err)
	}
	start := time.Now()
	require.NoError(b, rc.start(ctx))
	for done.Load() < int64(n) {
		time.Sleep(time.Millisecond)
	}
	rate := float64(n) / time.Since(start).Seconds()
	require.NoError(b, rc.stop(ctx))
	return rate
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

// baselineClient is River's own client on a database of its own (a SQLite
// file with the relay's settings, or a PostgreSQL schema), whatever its
// transaction type.
type baselineClient struct {
	insertMany func(context.Context, []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	start      func(context.Context) error
	stop       func(context.Context) error
}

func riverBaseline(b testing.TB, db string, workers int, cooldown time.Duration, done *atomic.Int64) baselineClient {
	ctx := context.Background()
	if done == nil {
		done = &atomic.Int64{}
	}
	if db == "sqlite" {
		sdb, err := sql.Open("sqlite", relay.SQLiteDSN(filepath.Join(b.TempDir(), "river.db")))
		require.NoError(b, err)
		sdb.SetMaxOpenConns(1)
		b.Cleanup(func() { sdb.Close() })
		return newRiverClient(b, riversqlite.New(sdb), "", workers, cooldown, done)
	}
	pool, err := pgxpool.New(ctx, pgURL())
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	schema := freshSchema(b)
	_, err = pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS "`+schema+`"`)
	require.NoError(b, err)
	return newRiverClient(b, riverpgxv5.New(pool), schema, workers, cooldown, done)
}

func newRiverClient[TTx any](b testing.TB, drv riverdriver.Driver[TTx], schema string, workers int, cooldown time.Duration, done *atomic.Int64) baselineClient {
	ctx := context.Background()
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Schema: schema, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	require.NoError(b, err)
	ws := river.NewWorkers()
	river.AddWorker(ws, &emptyWorker{done: done})
	c, err := river.NewClient(drv, &river.Config{
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}}, Workers: ws, Schema: schema,
		FetchPollInterval: 10 * time.Millisecond, FetchCooldown: cooldown, Logger: slog.New(slog.DiscardHandler),
	})
	require.NoError(b, err)
	return baselineClient{insertMany: c.InsertMany, start: c.Start, stop: c.Stop}
}

// BenchmarkLatency: enqueue → delivered (the relay's record of the
// vendor's answer) for one lead at a time on an idle relay with default
// settings, to a zero-latency Zen stub; median and p99.
func BenchmarkLatency(b *testing.B) {
	for _, c := range []struct {
		name    string
		backend func(testing.TB) backend
		samples int
	}{{"sqlite", sqliteBackend, benchSize("LEADKIT_BENCH_SAMPLES", 40)}, {"postgres", postgresBackend, benchSize("LEADKIT_BENCH_SAMPLES", 100)}} {
		b.Run(c.name, func(b *testing.B) {
			b.Logf("%d leads one at a time, 150-250 ms apart; default settings (poll 1s, cooldown 100ms, 4 workers per queue)", c.samples)
			var all []time.Duration
			for range b.N {
				all = append(all, latencies(b, c.backend(b), c.samples)...)
			}
			slices.Sort(all)
			p50, p99 := all[len(all)/2], all[min(len(all)-1, len(all)*99/100)]
			b.ReportMetric(float64(p50.Microseconds())/1000, "ms-p50")
			b.ReportMetric(float64(p99.Microseconds())/1000, "ms-p99")
			b.Logf("median %s, p99 %s", p50.Round(100*time.Microsecond), p99.Round(100*time.Microsecond))
		})
	}
}

// deliveredLog signals every delivered attempt the relay logs (after its
// record is written).
type deliveredLog struct{ ch chan string }

func (h deliveredLog) Enabled(context.Context, slog.Level) bool { return true }
func (h deliveredLog) Handle(_ context.Context, rec slog.Record) error {
	var key, out string
	rec.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "key":
			key = a.Value.String()
		case "outcome":
			out = a.Value.String()
		}
		return true
	})
	if out == "delivered" {
		h.ch <- key
	}
	return nil
}
func (h deliveredLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h deliveredLog) WithGroup(string) slog.Handler      { return h }

func latencies(b *testing.B, be backend, samples int) []time.Duration {
	ctx := context.Background()
	var got atomic.Int64
	zc := zenStub(b, 0, &got)
	log := deliveredLog{make(chan string, 1)}
	r, err := relay.Open(ctx, be.dsn, append(be.opts, relay.WithLogger(slog.New(log)))...)
	require.NoError(b, err)
	b.Cleanup(func() { _ = closeRelay(r) })
	require.NoError(b, r.Start(ctx, relay.Clients{Zen: zc}))
	time.Sleep(200 * time.Millisecond) // the sweep's first run
	out := make([]time.Duration, 0, samples)
	for i := range samples {
		// Idle: past the fetch cooldown since the last delivery.
		time.Sleep(150*time.Millisecond + time.Duration(mrand.IntN(100))*time.Millisecond)
		start := time.Now()
		key, err := r.Enqueue(ctx, zenLead(i))
		require.NoError(b, err)
		select {
		case k := <-log.ch:
			require.Equal(b, key, k)
		case <-time.After(30 * time.Second):
			b.Fatalf("lead %d not delivered in 30s", i)
		}
		out = append(out, time.Since(start))
	}
	return out
}

// BenchmarkSlowVendor: Zen's throughput (a zero-latency stub) while
// SalesMan answers every create in 5 s, beside Zen's alone, on the same
// database with the same settings (4 workers per queue, fetch cooldown
// 1 ms; 40 SalesMan leads keep SalesMan's workers busy throughout).
func BenchmarkSlowVendor(b *testing.B) {
	n := benchSize("LEADKIT_BENCH_LEADS", 3000)
	for _, c := range []struct {
		name    string
		backend func(testing.TB) backend
	}{{"sqlite", sqliteBackend}, {"postgres", postgresBackend}} {
		b.Run(c.name, func(b *testing.B) {
			b.Logf("%d Zen leads; 4 workers per queue, cooldown 1ms, poll 10ms; SalesMan answers in 5s, 40 of its leads waiting", n)
			var alone, beside float64
			for range b.N {
				alone += zenBeside(b, c.backend(b), n, false)
				beside += zenBeside(b, c.backend(b), n, true)
			}
			alone, beside = alone/float64(b.N), beside/float64(b.N)
			b.ReportMetric(alone, "zen-alone-leads/s")
			b.ReportMetric(beside, "zen-beside-slow-leads/s")
			b.ReportMetric(beside/alone, "ratio")
			b.Logf("Zen alone %.0f leads/s, beside a 5 s SalesMan %.0f: %.2f×", alone, beside, beside/alone)
		})
	}
}

func zenBeside(b *testing.B, be backend, n int, slow bool) float64 {
	ctx := context.Background()
	var got atomic.Int64
	zc := zenStub(b, 0, &got)
	r := open(b, be, relay.WithWorkers(4), relay.WithPollInterval(10*time.Millisecond), relay.WithFetchCooldown(time.Millisecond),
		relay.WithJobTimeout(30*time.Second))
	cl := relay.Clients{Zen: zc}
	if slow {
		sb := startSandboxes(b, func(vendor string, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if vendor == "salesman" && req.Method == http.MethodPost {
					select {
					case <-time.After(5 * time.Second):
					case <-req.Context().Done():
						return
					}
				}
				h.ServeHTTP(w, req)
			})
		})
		cl.Salesman = clientsFor(b, sb.urls, nil, nil).Salesman
		jobs := make([]relay.Job, 40)
		for i := range jobs {
			jobs[i] = salesmanLead(i)
		}
		_, err := r.EnqueueMany(ctx, jobs)
		require.NoError(b, err)
	}
	enqueueZen(b, r, 0, n)
	start := time.Now()
	require.NoError(b, r.Start(ctx, cl))
	for got.Load() < int64(n) {
		time.Sleep(time.Millisecond)
	}
	rate := float64(n) / time.Since(start).Seconds()
	cctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = r.Close(cctx) // SalesMan's attempts are cancelled
	return rate
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
