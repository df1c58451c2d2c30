package relay_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/zenvia"
)

// The intake's benchmarks put the durable inbox beside zenvia's in-memory
// webhook handler (and River) in the same run:
//
//	LEADKIT_BENCH_SAMPLES=200 LEADKIT_BENCH_EVENTS=2000 go -C relay test -count=1 -run '^$' -bench Inbox -benchtime 1x -timeout 10m
//
// (sizes from LEADKIT_BENCH_SAMPLES and LEADKIT_BENCH_EVENTS; b.N repeats
// the whole measurement.)

// benchEventN numbers the benchmarks' events: every body is a new event.
var benchEventN atomic.Int64

// benchEvent is a new Zenvia prospect event's body.
func benchEvent() string {
	n := benchEventN.Add(1)
	return fmt.Sprintf(`{"id":"bench-%d","leads":[],"phones":[],"email":"bench%d@example.com"}`, n, n)
}

// postEvent posts one event to url (a webhook handler behind a loopback
// server) and fails unless it is answered 200.
func postEvent(b testing.TB, hc *http.Client, url string) {
	resp, err := hc.Post(url+"/?secret="+inboxSecret+"&topic=prospects", "application/json", bytes.NewBufferString(benchEvent()))
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Errorf("status %d", resp.StatusCode)
	}
}

// loopback serves h on 127.0.0.1 for the benchmark.
func loopback(b testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	return srv.URL
}

// memoryHandler is zenvia's in-memory webhook handler (sync, or async
// with a queue of 4,096) whose fn counts the events.
func memoryHandler(b testing.TB, async bool, got *atomic.Int64) string {
	opts := []zenvia.HandlerOption{}
	if async {
		opts = append(opts, zenvia.WithHandlerAsync(4096))
	}
	h := zenvia.NewWebhookHandler(inboxSecret, func(context.Context, zenvia.Event) error { got.Add(1); return nil }, opts...)
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
	})
	return loopback(b, h)
}

// percentiles are p50 and p99 of d (sorted in place).
func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(d)
	return d[len(d)/2], d[min(len(d)-1, len(d)*99/100)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// BenchmarkInboxAck: the time from a valid Zenvia POST to its 200, one at
// a time over loopback HTTP with a keep-alive client, for the durable
// inbox (the event and its River job committed before 200; the relay
// started, its worker handling the events meanwhile) beside zenvia's
// in-memory handler, synchronous (fn runs before 200) and async (queued
// before 200), the three interleaved sample by sample; p50 and p99 and
// the inbox's ratio to each.
func BenchmarkInboxAck(b *testing.B) {
	samples := benchSize("LEADKIT_BENCH_SAMPLES", 400)
	for _, c := range []struct {
		name    string
		backend func(testing.TB) backend
	}{{"sqlite", sqliteBackend}, {"postgres", postgresBackend}} {
		b.Run(c.name, func(b *testing.B) {
			b.Logf("%d events one at a time, interleaved inbox/sync/async; relay %s, test knobs (poll 20ms), 1 worker; memory async queue 4096",
				samples, c.name)
			ctx := context.Background()
			var inboxD, syncD, asyncD []time.Duration
			for range b.N {
				r := open(b, c.backend(b), relay.WithWorkers(1))
				var handled, memSync, memAsync atomic.Int64
				in, err := r.ZenviaInbox("bench", inboxSecret, func(context.Context, any, relay.InboxEvent) error { handled.Add(1); return nil })
				require.NoError(b, err)
				require.NoError(b, r.Start(ctx, relay.Clients{}))
				urls := []string{loopback(b, in), memoryHandler(b, false, &memSync), memoryHandler(b, true, &memAsync)}
				outs := []*[]time.Duration{&inboxD, &syncD, &asyncD}
				hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
				for _, u := range urls { // warm the connections
					postEvent(b, hc, u)
				}
				for range samples {
					for k, u := range urls {
						start := time.Now()
						postEvent(b, hc, u)
						*outs[k] = append(*outs[k], time.Since(start))
					}
				}
				require.Eventually(b, func() bool { return handled.Load() == int64(samples+1) }, time.Minute, 10*time.Millisecond)
				hc.CloseIdleConnections()
			}
			i50, i99 := percentiles(inboxD)
			s50, s99 := percentiles(syncD)
			a50, a99 := percentiles(asyncD)
			b.ReportMetric(ms(i50), "inbox-ms-p50")
			b.ReportMetric(ms(i99), "inbox-ms-p99")
			b.ReportMetric(ms(s50), "memsync-ms-p50")
			b.ReportMetric(ms(s99), "memsync-ms-p99")
			b.ReportMetric(ms(a50), "memasync-ms-p50")
			b.ReportMetric(ms(a99), "memasync-ms-p99")
			b.ReportMetric(float64(i50)/float64(s50), "p50-ratio-vs-sync")
			b.ReportMetric(float64(i99)/float64(s99), "p99-ratio-vs-sync")
			b.Logf("inbox p50 %s p99 %s; memory sync p50 %s p99 %s; memory async p50 %s p99 %s; inbox/sync p50 %.1f×, p99 %.1f×; inbox/async p50 %.1f×, p99 %.1f×",
				i50.Round(time.Microsecond), i99.Round(time.Microsecond), s50.Round(time.Microsecond), s99.Round(time.Microsecond),
				a50.Round(time.Microsecond), a99.Round(time.Microsecond),
				float64(i50)/float64(s50), float64(i99)/float64(s99), float64(i50)/float64(a50), float64(i99)/float64(a99))
		})
	}
}

// postAll posts n new events to url from conc goroutines and returns when
// all are answered.
func postAll(b testing.TB, url string, n, conc int) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
	defer hc.CloseIdleConnections()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				postEvent(b, hc, url)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkInboxEvents: events per second on PostgreSQL, from the first
// POST until the user's function has handled all of them (each POSTed by
// one of 16 concurrent posters over loopback HTTP, committed and
// acknowledged, then handled in its own River job and transaction), beside
// River in the same run on the same database with the same workers and
// knobs: the same 16 goroutines each inserting one empty job per
// transaction (InsertMany of one), worked to completion. Also reported:
// the inbox's acknowledged rate (all POSTs answered) and zenvia's
// in-memory async handler's rate under the same posters.
func BenchmarkInboxEvents(b *testing.B) {
	n := benchSize("LEADKIT_BENCH_EVENTS", 2000)
	const posters = 16
	for _, workers := range []int{4, 16} {
		b.Run(fmt.Sprintf("postgres/workers=%d", workers), func(b *testing.B) {
			b.Logf("%d events per measurement; %d concurrent posters (keep-alive); %d workers, poll 10ms, fetch cooldown 1ms (relay and River alike)",
				n, posters, workers)
			ctx := context.Background()
			var inboxRate, ackRate, riverRate, memRate float64
			for range b.N {
				// The inbox.
				r := open(b, postgresBackend(b), relay.WithWorkers(workers), relay.WithPollInterval(10*time.Millisecond),
					relay.WithFetchCooldown(time.Millisecond))
				var handled atomic.Int64
				in, err := r.ZenviaInbox("bench", inboxSecret, func(context.Context, any, relay.InboxEvent) error { handled.Add(1); return nil })
				require.NoError(b, err)
				require.NoError(b, r.Start(ctx, relay.Clients{}))
				url := loopback(b, in)
				start := time.Now()
				postAll(b, url, n, posters)
				ackRate += float64(n) / time.Since(start).Seconds()
				for handled.Load() < int64(n) {
					time.Sleep(time.Millisecond)
				}
				inboxRate += float64(n) / time.Since(start).Seconds()
				require.NoError(b, closeRelay(r))

				// River: one job per insert transaction, worked by the same workers.
				var done atomic.Int64
				rc := riverBaseline(b, "postgres", workers, time.Millisecond, &done)
				require.NoError(b, rc.start(ctx))
				start = time.Now()
				var next atomic.Int64
				var wg sync.WaitGroup
				for range posters {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := next.Add(1); i <= int64(n); i = next.Add(1) {
							if _, err := rc.insertMany(ctx, []river.InsertManyParams{{Args: emptyArgs{N: int(i)}}}); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				for done.Load() < int64(n) && !b.Failed() {
					time.Sleep(time.Millisecond)
				}
				riverRate += float64(n) / time.Since(start).Seconds()
				require.NoError(b, rc.stop(ctx))

				// zenvia's in-memory async handler.
				var got atomic.Int64
				murl := memoryHandler(b, true, &got)
				start = time.Now()
				postAll(b, murl, n, posters)
				for got.Load() < int64(n) {
					time.Sleep(100 * time.Microsecond)
				}
				memRate += float64(n) / time.Since(start).Seconds()
			}
			k := float64(b.N)
			inboxRate, ackRate, riverRate, memRate = inboxRate/k, ackRate/k, riverRate/k, memRate/k
			b.ReportMetric(inboxRate, "inbox-events/s")
			b.ReportMetric(ackRate, "inbox-acked/s")
			b.ReportMetric(riverRate, "river-jobs/s")
			b.ReportMetric(memRate, "memory-events/s")
			b.ReportMetric(inboxRate/riverRate, "ratio-vs-river")
			b.ReportMetric(inboxRate/memRate, "ratio-vs-memory")
			b.Logf("inbox %.0f events/s handled (%.0f/s acknowledged); River one job per insert %.0f/s; memory async %.0f/s; inbox/River %.2f×, inbox/memory %.3f×",
				inboxRate, ackRate, riverRate, memRate, inboxRate/riverRate, inboxRate/memRate)
		})
	}
}
