package relay_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/relay"
)

// chaosKnobs are the timing options of the chaos run, in the parent and
// the workers.
func chaosKnobs() knobs {
	return knobs{Poll: 50 * time.Millisecond, Retries: 1000, MaxBackoff: 200 * time.Millisecond, JobTimeout: 3 * time.Second,
		RescueAfter: 6 * time.Second, Workers: 8, Settle: 300 * time.Millisecond, Sweep: time.Minute}
}

// chaos sits in front of a sandbox: it answers a share of requests with
// 503 or 429, drops connections before or after the vendor stored the lead,
// cuts 2xx bodies short, and counts what the vendor itself accepted: the
// create requests it answered 2xx, by the lead's chaos<i> token.
type chaos struct {
	mu     sync.Mutex
	rnd    *rand.Rand
	stored map[string]int // token → creates the vendor accepted
	faults map[string]int // fault → times
}

var chaosToken = regexp.MustCompile(`chaos(\d{6})`)

func newChaos(seed uint64) *chaos {
	return &chaos{rnd: rand.New(rand.NewPCG(seed, 7)), stored: map[string]int{}, faults: map[string]int{}}
}

func (c *chaos) roll() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rnd.Float64()
}

func (c *chaos) note(fault string) {
	c.mu.Lock()
	c.faults[fault]++
	c.mu.Unlock()
}

func (c *chaos) wrap(vendor string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		token := chaosToken.FindString(string(body))
		isCreate := r.Method == http.MethodPost && token != ""
		p := c.roll()
		if !isCreate {
			if p < 0.05 {
				c.note("read 503")
				http.Error(w, "chaos", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
			return
		}
		switch {
		case p < 0.08:
			c.note("503")
			w.Header().Set("Retry-After", "0")
			http.Error(w, "chaos", http.StatusServiceUnavailable)
			return
		case p < 0.12:
			c.note("429")
			w.Header().Set("Retry-After", "1")
			http.Error(w, "chaos", http.StatusTooManyRequests)
			return
		case p < 0.15:
			c.note("dropped before the vendor")
			hangUp(w)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code >= 200 && rec.Code < 300 {
			c.mu.Lock()
			c.stored[vendor+"/"+token]++
			c.mu.Unlock()
		}
		switch {
		case p < 0.19:
			c.note("dropped after the vendor")
			hangUp(w)
			return
		case p < 0.23:
			c.note("2xx body cut short")
			cutShort(w, rec)
			return
		case p < 0.25:
			c.note("500 after the vendor")
			http.Error(w, "chaos", http.StatusInternalServerError)
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// cutShort sends the vendor's status and headers and half its body, then
// closes the connection.
func cutShort(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	b := rec.Body.Bytes()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", rec.Code, http.StatusText(rec.Code),
		rec.Header().Get("Content-Type"), len(b))
	_, _ = buf.Write(b[:len(b)/2])
	_ = buf.Flush()
}

func chaosLeads() int {
	if n, err := strconv.Atoi(os.Getenv("LEADKIT_CHAOS_LEADS")); err == nil && n > 0 {
		return n
	}
	return 1000
}

// TestChaos is the relay's promise: every lead delivered exactly once, none
// lost, none duplicated, through faults on every vendor and worker
// processes killed with SIGKILL mid-run.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("the chaos test delivers 4,000 leads through killed processes; run without -short")
	}
	t.Run("sqlite_one_process", func(t *testing.T) { runChaos(t, sqliteBackend(t), 1) })
	t.Run("postgres_three_processes", func(t *testing.T) { runChaos(t, postgresBackend(t), 3) })
}

func runChaos(t *testing.T, b backend, procs int) {
	n := chaosLeads()
	ch := newChaos(uint64(procs))
	sb := startSandboxes(t, ch.wrap)
	opts := append(append([]relay.Option{}, b.opts...), chaosKnobs().options()...)
	ctx := context.Background()
	r, err := relay.Open(ctx, b.dsn, opts...)
	require.NoError(t, err)
	defer r.Close()
	keys := map[string]string{} // token → key
	for i := range n {
		for _, j := range []relay.Job{salesmanLead(i), zenLead(i), zenviaLead(i), datacakeProspect(i)} {
			k, err := r.Enqueue(ctx, j)
			require.NoError(t, err)
			keys[fmt.Sprintf("%s/chaos%06d", j.Kind(), i)] = k
		}
	}
	total := 4 * n
	t.Logf("%s: %d leads enqueued, %d worker process(es)", b.name, total, procs)

	var logs testutil.SyncBuffer
	start := func() *worker {
		return startWorker(t, workerConfig{DSN: b.dsn, Schema: b.schema, URLs: sb.urls, Knobs: chaosKnobs()}, &logs)
	}
	kill := func(w *worker) { w.kill() }
	workers := make([]*worker, procs)
	for i := range workers {
		workers[i] = start()
	}
	began := time.Now()
	rnd := rand.New(rand.NewPCG(uint64(procs), 11))
	kills := 0
	for kills < 3 {
		time.Sleep(time.Duration(800+rnd.IntN(1200)) * time.Millisecond)
		s, err := r.Stats(ctx, "")
		require.NoError(t, err)
		if s.Queued == 0 && s.Retrying == 0 {
			break // drained before the kills: too small a run
		}
		i := rnd.IntN(procs)
		kill(workers[i])
		kills++
		t.Logf("%s: SIGKILL worker %d at %s (%+v)", b.name, i, time.Since(began).Round(time.Millisecond), s)
		workers[i] = start()
	}
	require.Equal(t, 3, kills, "the run must still be going at the third kill (raise LEADKIT_CHAOS_LEADS)")
	s := waitFor(t, r, 5*time.Minute, settled(total))
	t.Logf("%s: settled in %s: %+v; faults: %v", b.name, time.Since(began).Round(time.Millisecond), s, ch.faults)

	// Counted by the sandboxes: every lead exactly once.
	ch.mu.Lock()
	defer ch.mu.Unlock()
	lost, dup, review := 0, 0, 0
	for i := range n {
		tok := fmt.Sprintf("chaos%06d", i)
		for _, kind := range []string{"salesman", "zen", "zenvia", "datacake"} {
			jobKind := map[string]string{"salesman": relay.SalesmanLead{}.Kind(), "zen": relay.ZenLead{}.Kind(),
				"zenvia": relay.ZenviaLead{}.Kind(), "datacake": relay.DatacakeProspect{}.Kind()}[kind]
			d, err := r.Status(ctx, keys[jobKind+"/"+tok])
			require.NoError(t, err)
			got := ch.storedBy(kind, tok)
			switch {
			case got > 1:
				dup++
				t.Errorf("%s %s stored %d times (%+v)", kind, tok, got, d)
			case d.State == relay.StateNeedsReview && kind == "datacake":
				review++ // stored 0 or 1 times; the review says what to check
			case d.State != relay.StateDelivered || got != 1:
				lost++
				t.Errorf("%s %s: state %s, stored %d times (%+v)", kind, tok, d.State, got, d)
			}
		}
	}
	assert.Zero(t, lost, "lost")
	assert.Zero(t, dup, "duplicated")
	assert.Zero(t, s.Failed)
	assert.Positive(t, s.Reconciled, "unknown outcomes happened and were reconciled")
	assert.Equal(t, review, s.NeedsReview, "only Datacake, which cannot be searched, parks leads for review")
	t.Logf("%s: %d delivered (%d reconciled after an unknown outcome), %d Datacake prospects for review, 0 lost, 0 duplicated",
		b.name, s.Delivered, s.Reconciled, s.NeedsReview)
	if t.Failed() {
		t.Logf("worker logs:\n%s", logs.String())
	}
}

// storedBy counts the creates of one vendor's sandbox for a token; the
// chaos wrappers share one map, so tokens are told apart by vendor.
func (c *chaos) storedBy(vendor, tok string) int { return c.stored[vendor+"/"+tok] }
