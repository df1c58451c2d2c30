package relay_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/relay"
)

// pauseKnobs: an attempt's lease is 4.5 s (3 s job timeout and its
// margin), River rescues a job running for 5 s.
func pauseKnobs() knobs {
	return knobs{Poll: 50 * time.Millisecond, Retries: 50, MaxBackoff: 200 * time.Millisecond, JobTimeout: 3 * time.Second,
		RescueAfter: 5 * time.Second, Workers: 2, Settle: 300 * time.Millisecond, Sweep: time.Minute}
}

// stall is a SalesMan in front of the sandbox whose first create either
// answers 429 with Retry-After: 2 (the client waits, then retries), or
// stores the lead and holds the answer back (a slow send). It says when
// that first create arrived, and counts the leads the vendor stored.
type stall struct {
	slow    bool
	creates atomic.Int32
	stored  atomic.Int32
	first   chan struct{}
	release chan struct{}
}

func (s *stall) wrap(vendor string, h http.Handler) http.Handler {
	if vendor != "salesman" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		n := s.creates.Add(1)
		if n == 1 && !s.slow {
			close(s.first)
			w.Header().Set("Retry-After", "2")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		rec := &recorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		if rec.status == 0 || rec.status < 300 {
			s.stored.Add(1)
		}
		if n == 1 {
			close(s.first)
			<-s.release // the answer comes after the worker was taken over
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(max(rec.status, 200))
		_, _ = io.WriteString(w, rec.body.String())
	})
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// TestPausedWorkerDoesNotSendAgain: a worker process is frozen (SIGSTOP)
// in the middle of an attempt, past its lease and River's rescue time;
// River gives the job to another process, which reconciles and delivers;
// then the frozen one resumes (SIGCONT). It must neither send (its lease
// is over: the HTTP core starts no attempt past the deadline) nor write
// over the newer record (its fence moved on). Two ways to be frozen: in a
// 429's wait, before the retry; and in a slow send, the vendor having
// stored the lead. Before: the retry after the wait went out (a second
// lead), and the resumed worker's record replaced the delivered one.
func TestPausedWorkerDoesNotSendAgain(t *testing.T) {
	if testing.Short() {
		t.Skip("freezes worker processes past River's rescue (about 20 s a case)")
	}
	for _, newBackend := range []func(testing.TB) backend{sqliteBackend, postgresBackend} {
		for _, slow := range []bool{false, true} {
			name := map[bool]string{false: "429 wait", true: "slow send"}[slow]
			b := newBackend(t)
			t.Run(b.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				pausedOnce(t, b, slow)
			})
		}
	}
}

func pausedOnce(t *testing.T, b backend, slow bool) {
	st := &stall{slow: slow, first: make(chan struct{}), release: make(chan struct{})}
	sb := startSandboxes(t, st.wrap)
	t.Cleanup(func() { close(st.release) }) // before the sandbox closes (cleanups run last first)
	ctx := context.Background()
	r, err := relay.Open(ctx, b.dsn, append(b.opts, pauseKnobs().options()...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = closeRelay(r) })
	cfg := workerConfig{DSN: b.dsn, Schema: b.schema, URLs: sb.urls, Knobs: pauseKnobs(), MaxWait: 30 * time.Second, Log: true}
	var logsA, logsB testutil.SyncBuffer
	a := startWorker(t, cfg, &logsA)
	key, err := r.Enqueue(ctx, salesmanLead(1))
	require.NoError(t, err)
	select {
	case <-st.first:
	case <-time.After(30 * time.Second):
		t.Fatalf("the first create never came: %s", logsA.String())
	}
	a.signal(syscall.SIGSTOP)
	frozen := time.Now()
	startWorker(t, cfg, &logsB) // River's leader moves to it, and its rescuer hands it the job
	waitFor(t, r, 90*time.Second, func(s relay.Stats) bool { return s.Delivered == 1 })
	d, err := r.Status(ctx, key)
	require.NoError(t, err)
	t.Logf("delivered by the second worker %s after the freeze: vendor id %s, reconciled %v, attempts %d",
		time.Since(frozen).Round(time.Millisecond), d.VendorID, d.Reconciled, d.Attempts)
	require.Greater(t, time.Since(frozen), pauseKnobs().RescueAfter, "frozen past the rescue time")
	assert.Equal(t, slow, d.Reconciled, "slow send: found; 429: proved absent and sent")

	resumed := len(logsA.String())
	a.signal(syscall.SIGCONT)
	line := a.waitLogAfter(t, resumed, "relay: attempt", 30*time.Second) // the frozen attempt's end
	time.Sleep(500 * time.Millisecond)                                   // anything it would still send or write
	after, err := r.Status(ctx, key)
	require.NoError(t, err)
	assert.Contains(t, line, "outcome=taken_over", "the resumed attempt stopped")
	assert.Equal(t, relay.StateDelivered, after.State, "the resumed worker wrote nothing over it: %+v", after)
	assert.Equal(t, d.VendorID, after.VendorID)
	assert.Equal(t, int32(1), st.stored.Load(), "the vendor holds the lead once")
	if t.Failed() {
		t.Logf("frozen worker:\n%s\nsecond worker:\n%s", logsA.String(), logsB.String())
	}
}
