package relay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// chaosKnobs are the timing options of the chaos run, in the parent and
// the workers. Twelve attempts: enough for the faults (an attempt is spent
// only on a lookup that fails or a send that fails without proof), few
// enough that River gives up on the leads whose lookups always fail.
func chaosKnobs() knobs {
	return knobs{Poll: 50 * time.Millisecond, Retries: 12, MaxBackoff: 150 * time.Millisecond, JobTimeout: 3 * time.Second,
		RescueAfter: 6 * time.Second, Workers: 8, Settle: 300 * time.Millisecond, Sweep: 2 * time.Second}
}

// chaosVendors are the vendors of a run, in the order of their jobs.
var chaosVendors = []relay.Vendor{relay.VendorSalesman, relay.VendorZen, relay.VendorZenvia, relay.VendorDatacake}

// The people of a run: lead i belongs to person(i). One lead in four is a
// double submission (the person of the lead before, enqueued seconds
// apart); in the second half, one lead in five is a repeat visitor (a
// person of the first half, enqueued later in the run).
func person(i, n int) int {
	switch {
	case i%4 == 1:
		return person(i-1, n)
	case i >= n/2 && i%5 == 3:
		return person(i-n/2, n)
	}
	return i
}

// doomed: every lookup of this lead fails (SalesMan V3's search by its
// marker, Zenvia's by its person), and its first create is stored and
// then cut off, so that it is in doubt: River gives up on it.
func doomed(i int) bool { return i%53 == 7 }

// refused: Zenvia refuses this lead (422) on every attempt: it fails, with
// Zenvia's message.
func refused(i int) bool { return i%61 == 11 }

func chaosKey(v relay.Vendor, i int) string { return fmt.Sprintf("chaos-%s-%06d", v, i) }

// chaosJob is lead i of vendor v: it names itself chaos<i> in a field the
// vendor stores, and has its person's e-mail and phone.
func chaosJob(v relay.Vendor, i, n int) relay.Job {
	p, key := person(i, n), chaosKey(v, i)
	switch v {
	case relay.VendorSalesman:
		return relay.SalesmanLead{Key: key, Lead: &salesman.NewLead{Title: fmt.Sprintf("chaos%06d Иван", i),
			Email: fmt.Sprintf("s%06d@example.ru", p), Phone: fmt.Sprintf("+7916%07d", p), Description: "Перезвоните"}}
	case relay.VendorZen:
		return relay.ZenLead{Key: key, Lead: &zen.LeadEntry{Name: fmt.Sprintf("chaos%06d Ana", i),
			Email: fmt.Sprintf("z%06d@example.com.br", p), Phone: fmt.Sprintf("+55119%08d", p)}}
	case relay.VendorZenvia:
		return relay.ZenviaLead{Key: key, Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "site",
			FirstName: fmt.Sprintf("chaos%06d", i), Phones: []string{fmt.Sprintf("+55219%08d", p)}, Emails: []string{fmt.Sprintf("v%06d@example.com.br", p)}}}
	}
	return relay.DatacakeProspect{Key: key, Prospect: &datacake.Prospect{Name: fmt.Sprintf("chaos%06d Maria", i),
		PersonType: datacake.PersonNatural, Document: datacaketest.CPF(100000000 + i), Email: fmt.Sprintf("d%06d@example.com.br", p)}}
}

// chaos sits in front of the sandboxes: it answers a share of requests
// with 503 or 429, drops connections before or after the vendor stored the
// lead, cuts 2xx bodies short, fails every lookup of the doomed leads,
// refuses the refused ones, and counts what each vendor itself accepted
// (the creates it answered 2xx, by the lead's chaos<i> token) and the id
// it gave.
type chaos struct {
	mu     sync.Mutex
	rnd    *rand.Rand
	stored map[string]int    // vendor/token → creates the vendor accepted
	ids    map[string]string // vendor/token → the vendor's id of the lead
	faults map[string]int    // fault → times
	// doom: SalesMan marker tokens and Zenvia phones and e-mails whose
	// lookups fail; refuse: Zenvia tokens refused; cut: tokens whose first
	// create is stored then cut off.
	doom, refuse, cut map[string]bool
}

var chaosToken = regexp.MustCompile(`chaos(\d{6})`)

func newChaos(seed uint64, n int) *chaos {
	c := &chaos{rnd: rand.New(rand.NewPCG(seed, 7)), stored: map[string]int{}, ids: map[string]string{}, faults: map[string]int{},
		doom: map[string]bool{}, refuse: map[string]bool{}, cut: map[string]bool{}}
	for i := range n {
		tok := fmt.Sprintf("chaos%06d", i)
		if doomed(i) {
			_, st, _ := leadkit.FindMarker(leadkit.Marker(chaosKey(relay.VendorSalesman, i)))
			c.doom[st] = true
			c.doom[transport.Digits(fmt.Sprintf("+55219%08d", person(i, n)))] = true
			c.doom[fmt.Sprintf("v%06d@example.com.br", person(i, n))] = true
			c.cut["salesman/"+tok], c.cut["zenvia/"+tok] = true, true
		}
		if refused(i) {
			c.refuse[tok] = true
		}
	}
	return c
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

// faultCounts returns a copy of the faults counted so far.
func (c *chaos) faultCounts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.faults)
}

// doomedLookup reports a lookup of a doomed lead.
func (c *chaos) doomedLookup(r *http.Request) bool {
	q := r.URL.Query()
	return c.doom[q.Get("word")] || c.doom[transport.Digits(q.Get("phoneNumber"))] || c.doom[q.Get("search")]
}

func (c *chaos) wrap(vendor string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		token := chaosToken.FindString(string(body))
		if r.Method != http.MethodPost || token == "" {
			c.read(w, r, h)
			return
		}
		if vendor == "zenvia" && c.refuse[token] {
			c.note("refused")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"code":"INVALID","message":"chaos refused %s"}`, token)
			return
		}
		p := c.roll()
		c.mu.Lock()
		cut := c.cut[vendor+"/"+token]
		delete(c.cut, vendor+"/"+token)
		c.mu.Unlock()
		if cut {
			p = 0.15 // stored, then dropped
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
			c.record(vendor, token, rec.Body.Bytes(), body)
		}
		c.answer(w, rec, p)
	})
}

// read passes a read on, failing the doomed leads' lookups and 5% of the
// others.
func (c *chaos) read(w http.ResponseWriter, r *http.Request, h http.Handler) {
	if c.doomedLookup(r) {
		c.note("doomed lookup")
		http.Error(w, "chaos: lookup down", http.StatusServiceUnavailable)
		return
	}
	if c.roll() < 0.05 {
		c.note("read 503")
		http.Error(w, "chaos", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// answer sends the vendor's answer, or loses it (p from 0.15 on).
func (c *chaos) answer(w http.ResponseWriter, rec *httptest.ResponseRecorder, p float64) {
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
}

// record counts a create the vendor accepted and keeps the id it gave.
func (c *chaos) record(vendor, token string, answer, request []byte) {
	var a struct {
		ID       json.RawMessage `json:"id"`
		Result   json.RawMessage `json:"result"`
		Prospect json.RawMessage `json:"id_prospecto"`
	}
	_ = json.Unmarshal(answer, &a)
	id := strings.Trim(string(a.ID), `"`)
	switch vendor {
	case "salesman":
		var v1 struct {
			ID json.Number `json:"id"`
		}
		if json.Unmarshal(a.Result, &v1) == nil && v1.ID != "" {
			id = v1.ID.String()
		}
	case "zen":
		form, _ := url.ParseQuery(string(request))
		id = form.Get("integracao")
	case "datacake":
		if p := strings.Trim(string(a.Prospect), `"`); p != "" {
			id = p
		}
	}
	c.mu.Lock()
	c.stored[vendor+"/"+token]++
	c.ids[vendor+"/"+token] = id
	c.mu.Unlock()
}

func (c *chaos) storedBy(vendor relay.Vendor, tok string) (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stored[string(vendor)+"/"+tok], c.ids[string(vendor)+"/"+tok]
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

func chaosLeads(short bool) int {
	if n, err := strconv.Atoi(os.Getenv("LEADKIT_CHAOS_LEADS")); err == nil && n > 0 {
		return n
	}
	if short {
		return 60
	}
	return 500
}

// TestChaos is the relay's promise: every lead delivered exactly once, none
// lost, none duplicated, none stranded, through faults on every vendor;
// people who send several leads (double submissions seconds apart, repeat
// visitors later in the run) on every vendor and every SalesMan API version
// (each worker process speaks one, in turn); worker processes killed with
// SIGKILL and frozen with SIGSTOP past River's rescue, then resumed; leads
// whose lookups fail until River gives up; six replicas opening a fresh
// database at once; and an operator resolving what needs review from two
// replicas at once. Under -short: fewer leads, no kills, no freezes.
func TestChaos(t *testing.T) {
	// The two runs share nothing (their own sandboxes, database and
	// worker processes) and mostly wait (frozen workers, River's rescue),
	// so they run side by side.
	t.Run("sqlite_one_process", func(t *testing.T) { t.Parallel(); runChaos(t, sqliteBackend(t), 1) })
	t.Run("postgres_three_processes", func(t *testing.T) { t.Parallel(); runChaos(t, postgresBackend(t), 3) })
}

// chaosRun is one run's shared state.
type chaosRun struct {
	t       *testing.T
	b       backend
	n       int
	ch      *chaos
	sb      *sandboxes
	r, r2   *relay.Relay[any] // two replicas (of six opened at once)
	logs    testutil.SyncBuffer
	version int // the SalesMan API version of the next worker
}

func runChaos(t *testing.T, b backend, procs int) {
	short := testing.Short()
	c := &chaosRun{t: t, b: b, n: chaosLeads(short)}
	c.ch = newChaos(uint64(procs), c.n)
	c.sb = startSandboxes(t, c.ch.wrap)
	c.openSix()
	began := time.Now()
	c.enqueue(0, c.n/4)
	workers := make([]*worker, procs)
	for i := range workers {
		workers[i] = c.startWorker()
	}
	if short {
		c.enqueue(c.n/4, c.n)
	} else {
		c.disturb(workers)
	}
	total := 4 * c.n
	s := waitFor(t, c.r, 4*time.Minute, settled(total))
	t.Logf("%s: settled in %s: %+v; faults: %v", b.name, time.Since(began).Round(time.Millisecond), s, c.ch.faultCounts())
	review := c.judge()
	// The operator resolves what needs review; a lead sent again can meet
	// the faults again and come back to review: a few rounds.
	for round := 1; len(review) > 0 && round <= 5; round++ {
		c.resolve(review)
		s = waitFor(t, c.r, 2*time.Minute, settled(total))
		review = c.inReview()
	}
	c.final()
	t.Logf("%s: %d leads, %s in all: after the operator, %+v", b.name, total, time.Since(began).Round(time.Millisecond), s)
	if t.Failed() {
		t.Logf("worker logs:\n%s", c.logs.String())
	}
}

// openSix opens six relays on the fresh database at once (replicas
// starting together), and keeps two.
func (c *chaosRun) openSix() {
	opts := append(append([]relay.Option{}, c.b.opts...), chaosKnobs().options()...)
	relays := make([]*relay.Relay[any], 6)
	errs := make([]error, 6)
	var wg sync.WaitGroup
	for i := range relays {
		wg.Add(1)
		go func() { defer wg.Done(); relays[i], errs[i] = relay.Open(context.Background(), c.b.dsn, opts...) }()
	}
	wg.Wait()
	for i := range relays {
		require.NoError(c.t, errs[i], "Open %d of 6 on a fresh database", i+1)
		if i >= 2 {
			require.NoError(c.t, closeRelay(relays[i]))
		} else {
			c.t.Cleanup(func() { _ = closeRelay(relays[i]) })
		}
	}
	c.r, c.r2 = relays[0], relays[1]
}

// enqueue enqueues leads from to to: ten at a time with Enqueue, the next
// ten in batches with EnqueueMany (each batch ends with its first job
// again, which must come back a duplicate), and so on.
func (c *chaosRun) enqueue(from, to int) {
	var batch []relay.Job
	flush := func() {
		if len(batch) == 0 {
			return
		}
		batch = append(batch, batch[0])
		res, err := c.r.EnqueueMany(context.Background(), batch)
		require.NoError(c.t, err)
		for i, e := range res {
			require.Equal(c.t, i == len(batch)-1, e.Duplicate, "job %d of the batch", i)
		}
		batch = nil
	}
	for i := from; i < to; i++ {
		for _, v := range chaosVendors {
			if (i/10)%2 == 1 {
				batch = append(batch, chaosJob(v, i, c.n))
				continue
			}
			_, err := c.r.Enqueue(context.Background(), chaosJob(v, i, c.n))
			require.NoError(c.t, err)
		}
		if len(batch) >= 40 {
			flush()
		}
	}
	flush()
}

// startWorker starts a worker process speaking the next SalesMan version.
func (c *chaosRun) startWorker() *worker {
	c.version = c.version%3 + 1
	return startWorker(c.t, workerConfig{DSN: c.b.dsn, Schema: c.b.schema, URLs: c.sb.urls, Knobs: chaosKnobs(),
		Version: salesman.APIVersion(c.version), Log: true}, &c.logs)
}

// disturb enqueues the rest of the leads in three waves (the last half
// holds the repeat visitors), and between them kills a worker, freezes
// workers past River's rescue (on SQLite a second process takes over
// meanwhile) and resumes them, and kills two more.
func (c *chaosRun) disturb(workers []*worker) {
	t, rnd := c.t, rand.New(rand.NewPCG(uint64(len(workers)), 11))
	kill := func(why string) {
		i := rnd.IntN(len(workers))
		workers[i].kill()
		s, _ := c.r.Stats(context.Background(), "")
		t.Logf("%s: SIGKILL worker %d (%s): %+v", c.b.name, i, why, s)
		workers[i] = c.startWorker()
	}
	time.Sleep(time.Second)
	kill("first")
	c.enqueue(c.n/4, c.n/2)
	time.Sleep(time.Second)
	kill("second")
	c.enqueue(c.n/2, 3*c.n/4)
	frozen := workers[:max(1, len(workers)-1)]
	for _, w := range frozen {
		w.signal(syscall.SIGSTOP)
	}
	var helper *worker
	if len(workers) == 1 {
		helper = c.startWorker() // River's leadership and the frozen one's jobs move to it
	}
	s, _ := c.r.Stats(context.Background(), "")
	t.Logf("%s: SIGSTOP %d worker(s) for 20 s: %+v", c.b.name, len(frozen), s)
	time.Sleep(20 * time.Second)
	for _, w := range frozen {
		w.signal(syscall.SIGCONT)
	}
	c.enqueue(3*c.n/4, c.n)
	time.Sleep(time.Second)
	if helper != nil {
		helper.kill()
	}
	kill("third")
}

// each calls fn for every lead of every vendor with its delivery and what
// its vendor holds (how many times, under which id).
func (c *chaosRun) each(fn func(i int, v relay.Vendor, tok string, d *relay.Delivery, got int, id string)) {
	for i := range c.n {
		tok := fmt.Sprintf("chaos%06d", i)
		for _, v := range chaosVendors {
			d, err := c.r.Status(context.Background(), chaosKey(v, i))
			require.NoError(c.t, err)
			got, id := c.ch.storedBy(v, tok)
			fn(i, v, tok, d, got, id)
		}
	}
}

// judge checks every delivery after the run, counted at the sandboxes:
// delivered with the vendor's id of a lead stored once, failed with the
// vendor's reason and nothing stored, or in review with a note and stored
// at most once. It returns the deliveries in review.
func (c *chaosRun) judge() []*relay.Delivery {
	t := c.t
	var review []*relay.Delivery
	counts := map[string]int{}
	c.each(func(i int, v relay.Vendor, tok string, d *relay.Delivery, got int, id string) {
		counts[string(v)+" "+string(d.State)]++
		switch {
		case got > 1:
			t.Errorf("DUPLICATED: %s %s stored %d times (%s)", v, tok, got, d.State)
		case d.State == relay.StateDelivered && (got != 1 || d.VendorID != id):
			t.Errorf("LOST or WRONG ID: %s %s delivered as %q, stored %d times as %q", v, tok, d.VendorID, got, id)
		case d.State == relay.StateFailed && (got != 0 || !strings.Contains(d.LastError, "chaos refused "+tok)):
			t.Errorf("FAILED without its reason: %s %s stored %d times: %s", v, tok, got, d.LastError)
		case d.State == relay.StateNeedsReview && d.Review == "":
			t.Errorf("REVIEW without a note: %s %s", v, tok)
		case d.State == relay.StateNeedsReview:
			review = append(review, d)
		case d.State != relay.StateDelivered && d.State != relay.StateFailed:
			t.Errorf("STRANDED: %s %s is %s", v, tok, d.State)
		}
		if doomed(i) && v == relay.VendorZenvia {
			// River gave up on its lookups: the last one failed, or the
			// process was killed during it (River's rescuer ended the job).
			rescued := strings.Contains(d.Review, "rescued by JobRescuer while an attempt's outcome was unknown")
			if !rescued {
				assert.Contains(t, d.Review, "the lookup failed on every attempt", "%s: River gave up on its lookups", tok)
			}
		}
	})
	t.Logf("%s: after the run: %v", c.b.name, counts)
	return review
}

// resolve is the operator: for each delivery in review, what the vendor
// holds decides (MarkDelivered with its id, or Resend), pressed on two
// replicas at once; exactly one of the two wins.
func (c *chaosRun) resolve(review []*relay.Delivery) {
	t, ctx := c.t, context.Background()
	marked, resent := 0, 0
	for _, d := range review {
		tok := chaosToken.FindString(string(d.Job))
		got, id := c.ch.storedBy(d.Vendor, tok)
		act := func(r *relay.Relay[any]) error { return r.Resend(ctx, d.Key) }
		if got == 1 {
			act = func(r *relay.Relay[any]) error { return r.MarkDelivered(ctx, d.Key, id) }
			marked++
		} else {
			resent++
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k, r := range []*relay.Relay[any]{c.r, c.r2} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[k] = act(r) }()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if !errors.Is(err, relay.ErrConflict) {
				t.Errorf("%s: %v", d.Key, err)
			}
		}
		assert.Equal(t, 1, wins, "%s: one of two concurrent operator actions wins: %v", d.Key, errs)
	}
	t.Logf("%s: the operator marked %d delivered and resent %d, each from two replicas at once", c.b.name, marked, resent)
}

// inReview returns the deliveries in review.
func (c *chaosRun) inReview() []*relay.Delivery {
	var out []*relay.Delivery
	c.each(func(_ int, _ relay.Vendor, _ string, d *relay.Delivery, _ int, _ string) {
		if d.State == relay.StateNeedsReview {
			out = append(out, d)
		}
	})
	return out
}

// final: every lead the vendors did not refuse is stored exactly once and
// delivered with its id.
func (c *chaosRun) final() {
	t := c.t
	lost, dup := 0, 0
	c.each(func(i int, v relay.Vendor, tok string, d *relay.Delivery, got int, id string) {
		want, state := 1, relay.StateDelivered
		if v == relay.VendorZenvia && refused(i) {
			want, state = 0, relay.StateFailed
		}
		switch {
		case got > 1:
			dup++
			t.Errorf("DUPLICATED: %s %s stored %d times", v, tok, got)
		case got != want || d.State != state || (state == relay.StateDelivered && d.VendorID != id):
			lost++
			t.Errorf("%s %s: %s as %q, stored %d times as %q", v, tok, d.State, d.VendorID, got, id)
		}
	})
	assert.Zero(t, lost, "lost")
	assert.Zero(t, dup, "duplicated")
}
