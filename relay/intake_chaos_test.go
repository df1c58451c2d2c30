package relay_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// intakeWorker is what a worker process of the intake chaos test brings
// in: its inbox's address and the sources (through its slot's proxies).
type intakeWorker struct {
	InboxAddr              string
	WeCleverURL, SourceURL string
	Since                  time.Time
	Lag, Poll              time.Duration
}

const (
	srcSalesmanLogin = "source@example.ru"
	srcSalesmanKey   = "source-key-CANARY-2b7c51"
)

// startIntake registers the chaos test's routes and inbox on r, each
// delivering to SalesMan (the destination sandbox) with a marker of where
// it came from in the description, and serves the inbox.
func startIntake(r *relay.Relay[any], w *intakeWorker) error {
	quiet := slog.New(slog.DiscardHandler)
	wc, err := weclever.NewClient(weclevertest.DefaultPlatformID, weclevertest.DefaultUser, weclevertest.DefaultPassword,
		weclever.WithBaseURL(w.WeCleverURL), weclever.WithRetryWait(5*time.Millisecond, 50*time.Millisecond), weclever.WithLogger(quiet))
	if err != nil {
		return err
	}
	wsrc, err := relay.WeCleverFinalized(wc, relay.WeCleverFinalizedOptions{Lag: w.Lag, Since: w.Since, Details: true})
	if err != nil {
		return err
	}
	err = relay.RouteJobs(r, wsrc, func(l relay.WeCleverLead) (relay.Job, error) {
		id := strconv.FormatInt(l.ID, 10)
		return relay.SalesmanLead{Key: "wc-" + id, Lead: &salesman.NewLead{Title: "WeClever " + id + " " + l.Details.Name,
			Email: l.Details.Email, Phone: l.Details.Phone, Description: "wc " + id}}, nil
	}, relay.WithPollEvery(w.Poll))
	if err != nil {
		return err
	}
	sc, err := salesman.NewClient(w.SourceURL, srcSalesmanLogin, srcSalesmanKey, salesman.WithAPIVersion(salesman.V3),
		salesman.WithRetryWait(5*time.Millisecond, 50*time.Millisecond), salesman.WithLogger(quiet))
	if err != nil {
		return err
	}
	ssrc, err := relay.SalesmanNewLeads(sc, relay.SalesmanNewLeadsOptions{})
	if err != nil {
		return err
	}
	err = relay.RouteJobs(r, ssrc, func(l salesman.Lead) (relay.Job, error) {
		id := strconv.Itoa(l.ID)
		return relay.SalesmanLead{Key: "sm-" + id, Lead: &salesman.NewLead{Title: "SalesMan " + id + " " + l.Title,
			Email: l.Email, Phone: l.Phone, Description: "sm " + id}}, nil
	}, relay.WithPollEvery(w.Poll), relay.WithMaxPages(3))
	if err != nil {
		return err
	}
	inbox, err := r.ZenviaInbox("zenvia", inboxSecret, func(ctx context.Context, tx any, ev relay.InboxEvent) error {
		p := ev.Event.Prospect
		if p == nil {
			return fmt.Errorf("event %s is not a prospect's", ev.ID)
		}
		l := &salesman.NewLead{Title: "Zenvia " + p.ID + " " + p.FirstName, Description: "ev " + p.ID}
		if len(p.Emails) > 0 {
			l.Email = p.Emails[0]
		}
		if len(p.Phones) > 0 {
			l.Phone = p.Phones[0]
		}
		_, err := r.EnqueueTx(ctx, tx, relay.SalesmanLead{Key: "ev-" + ev.ID[:32], Lead: l})
		return err
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", w.InboxAddr)
	if err != nil {
		return err
	}
	go func() { _ = http.Serve(ln, inbox) }()
	return nil
}

// intakeSizes are a run's sizes: WeClever's finalized leads, SalesMan's
// seeded and added leads, the leads of Zenvia's bursts.
type intakeSizes struct{ wc, smSeed, smAdd, ev int }

func intakeChaosSizes(short bool) intakeSizes {
	if short {
		return intakeSizes{wc: 40, smSeed: 30, smAdd: 30, ev: 40}
	}
	return intakeSizes{wc: 400, smSeed: 200, smAdd: 200, ev: 400}
}

// slot is one worker process of the run, restarted after each kill, with
// its inbox address and its proxies to the sources.
type slot struct {
	mu      sync.Mutex
	w       *worker
	cfg     workerConfig
	dead    bool
	name    string
	wcProxy *httptest.Server
	smProxy *httptest.Server
}

// intakeChaos is one run's shared state.
type intakeChaos struct {
	t     *testing.T
	b     backend
	slots []*slot
	logs  testutil.SyncBuffer
	mu    sync.Mutex
	rnd   *rand.Rand
	kills map[string]int // why → kills left
	done  []string       // the kills made
	next  int            // round robin of the inbox proxy
}

// maybeKill SIGKILLs the slot's process with probability p while kills
// for why are left.
func (c *intakeChaos) maybeKill(s *slot, why string, p float64) {
	c.mu.Lock()
	if c.kills[why] <= 0 || c.rnd.Float64() >= p {
		c.mu.Unlock()
		return
	}
	c.kills[why]--
	c.done = append(c.done, s.name+": "+why)
	c.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dead {
		s.w.kill()
		s.dead = true
	}
}

// restart starts the dead slots again.
func (c *intakeChaos) restart() {
	for _, s := range c.slots {
		s.mu.Lock()
		if s.dead {
			s.w = startWorker(c.t, s.cfg, &c.logs)
			s.dead = false
		}
		s.mu.Unlock()
	}
}

// pageKiller passes the slot's reads to a source sandbox and, right after
// a page of the source's list is answered, may kill the process that read
// it: the page was read and nothing of it handled.
func (c *intakeChaos) pageKiller(s func() *slot, h http.Handler, page string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if rec.Code == http.StatusOK && strings.Contains(r.URL.Path, page) {
			http.NewResponseController(w).Flush()
			c.maybeKill(s(), "right after a poll read a page", 0.04)
		}
	})
}

// inboxProxy is Zenvia's way to the workers' inboxes (a load balancer):
// each delivery goes to the next live process; right after a 200 it may
// kill that process.
func (c *intakeChaos) inboxProxy() http.Handler {
	client := &http.Client{Timeout: 5 * time.Second}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var s *slot
		c.mu.Lock()
		for range c.slots {
			c.next = (c.next + 1) % len(c.slots)
			cand := c.slots[c.next]
			cand.mu.Lock()
			dead := cand.dead
			cand.mu.Unlock()
			if !dead {
				s = cand
				break
			}
		}
		c.mu.Unlock()
		if s == nil {
			http.Error(w, "no live replica", http.StatusBadGateway)
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, "http://"+s.cfg.Intake.InboxAddr+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		resp, err := client.Do(req)
		if err != nil {
			http.Error(w, "replica down", http.StatusBadGateway)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(b)
		if resp.StatusCode == http.StatusOK {
			http.NewResponseController(w).Flush()
			c.maybeKill(s, "right after a webhook's 200", 0.03)
		}
	})
}

// freeAddr is a loopback address no one listens on (for a worker's inbox).
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

var intakeMarker = regexp.MustCompile(`\b(wc|sm|ev) (\S+)`)

// TestIntakeChaos is the intake's promise: every lead that appears at a
// source reaches its destination exactly once (or is in review with a
// note), none lost, none duplicated, and every webhook event acknowledged
// is handled exactly once: WeClever finalizing leads over time, a third of
// them late (into windows read already); SalesMan leads added while the
// route walks its pages; Zenvia's webhook bursts and redeliveries (on its
// own and on demand) through a load balancer; worker processes SIGKILLed
// right after a webhook's 200, right after a poll read a page, and at
// random. On SQLite with one process, on PostgreSQL with three.
func TestIntakeChaos(t *testing.T) {
	// Independent runs that mostly wait: side by side, as TestChaos's.
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); runIntakeChaos(t, sqliteBackend(t), 1) })
	t.Run("postgres_three_processes", func(t *testing.T) { t.Parallel(); runIntakeChaos(t, postgresBackend(t), 3) })
}

func runIntakeChaos(t *testing.T, b backend, procs int) {
	ctx := context.Background()
	short := testing.Short()
	n := intakeChaosSizes(short)
	c := &intakeChaos{t: t, b: b, rnd: rand.New(rand.NewPCG(uint64(procs), 26)),
		kills: map[string]int{"right after a webhook's 200": 3, "right after a poll read a page": 3, "at random": 1}}
	if short {
		c.kills = map[string]int{"right after a webhook's 200": 1, "right after a poll read a page": 1}
	}
	began := time.Now()
	sb := startSandboxes(t, nil) // the destination: sb.salesman
	const feed = 12 * time.Second
	lateBy := 1500 * time.Millisecond
	wcs := weclevertest.NewServer(&weclevertest.Options{Leads: -1, Seed: 26, FailRate: 0.03,
		Finalizing: weclevertest.Finalizing{Every: feed / time.Duration(n.wc), Limit: n.wc, LateRate: 0.3, LateBy: lateBy}})
	t.Cleanup(wcs.Close)
	sms := salesmantest.NewServer(&salesmantest.Options{Login: srcSalesmanLogin, APIKey: srcSalesmanKey, NoRateLimits: true,
		Leads: n.smSeed, Seed: 26, FailRate: 0.03})
	t.Cleanup(sms.Close)
	zvs := zenviatest.NewServer(&zenviatest.Options{APIKey: sbZenviaKey, NoRateLimits: true, Seed: 26, Prospects: -1,
		DeliveryAttempts: 30, DeliveryBackoff: 200 * time.Millisecond, RedeliverRate: 0.2})
	t.Cleanup(zvs.Close)
	proxy := httptest.NewServer(c.inboxProxy())
	t.Cleanup(proxy.Close)
	vc, err := zenvia.NewClient(sbZenviaKey, zenvia.WithBaseURL(zvs.URL))
	require.NoError(t, err)
	_, err = vc.Notifications.Create(ctx, []string{zenvia.TopicProspects}, proxy.URL+"/zenvia?secret="+inboxSecret)
	require.NoError(t, err)

	r, err := relay.Open(ctx, b.dsn, append(append([]relay.Option{}, b.opts...), chaosKnobs().options()...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = closeRelay(r) })
	since := time.Now()
	for i := range procs {
		s := &slot{name: fmt.Sprintf("worker %d", i)}
		s.wcProxy = httptest.NewServer(c.pageKiller(func() *slot { return s }, wcs, "/lead/find/finalized/"))
		s.smProxy = httptest.NewServer(c.pageKiller(func() *slot { return s }, sms, "lead/list"))
		t.Cleanup(s.wcProxy.Close)
		t.Cleanup(s.smProxy.Close)
		s.cfg = workerConfig{DSN: b.dsn, Schema: b.schema, URLs: sb.urls, Knobs: chaosKnobs(), Intake: &intakeWorker{
			InboxAddr: freeAddr(t), WeCleverURL: s.wcProxy.URL, SourceURL: s.smProxy.URL, Since: since,
			Lag: lateBy + 500*time.Millisecond, Poll: 100 * time.Millisecond}}
		s.w = startWorker(t, s.cfg, &c.logs)
		c.slots = append(c.slots, s)
	}

	// The feed: bursts of webhook events and redeliveries of old ones,
	// SalesMan leads arriving, while WeClever finalizes; a random kill.
	var bursts []string
	rnd := rand.New(rand.NewPCG(uint64(procs), 62))
	steps := 40
	for step := range steps {
		bursts = append(bursts, zvs.Burst(n.ev*(step+1)/steps-n.ev*step/steps)...)
		sms.AddLeads(n.smAdd*(step+1)/steps - n.smAdd*step/steps)
		if evs := zvs.Events(); len(evs) > 0 && step%3 == 0 {
			_ = zvs.Redeliver(evs[rnd.IntN(len(evs))].ID, 2)
		}
		if step == steps/2 {
			c.maybeKill(c.slots[rnd.IntN(len(c.slots))], "at random", 1)
		}
		c.restart()
		time.Sleep(feed / time.Duration(steps))
	}
	zvs.WaitDeliveries()

	// Settled: every source item handed on, every acknowledged event
	// handled, every delivery ended.
	deadline := time.Now().Add(90 * time.Second)
	var why string
	lastLog := time.Now()
	for {
		c.restart()
		var settled bool
		settled, why = c.settled(r, wcs, sms, zvs, n)
		if settled {
			break
		}
		if time.Since(lastLog) > 5*time.Second {
			t.Logf("%s: %s: %s", b.name, time.Since(began).Round(time.Second), why)
			if os.Getenv("LEADKIT_INTAKE_DEBUG") != "" && b.schema != "" {
				if pc, err := pgx.Connect(ctx, pgURL()); err == nil {
					rows, _ := pc.Query(ctx, `SELECT id, state, attempt, args::text, attempted_at, scheduled_at, finalized_at FROM "`+b.schema+`".river_job WHERE kind = 'leadkit_relay_poll' ORDER BY id DESC LIMIT 6`)
					for rows.Next() {
						v, _ := rows.Values()
						t.Logf("  %v", v)
					}
					rows.Close()
					rows, _ = pc.Query(ctx, `SELECT * FROM "`+b.schema+`".river_leader`)
					for rows.Next() {
						v, _ := rows.Values()
						t.Logf("  leader %v", v)
					}
					rows.Close()
					pc.Close(ctx)
				}
			}
			lastLog = time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not settled: %s\nkills: %v\nworker logs:\n%s", b.name, why, c.done, c.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.judge(r, sb, wcs, sms, zvs, bursts)
	t.Logf("%s: settled in %s: %s; kills: %v", b.name, time.Since(began).Round(time.Millisecond), why, c.done)
	if t.Failed() {
		t.Logf("worker logs:\n%s", c.logs.String())
	}
}

// settled reports whether the run is over, and its counts.
func (c *intakeChaos) settled(r *relay.Relay[any], wcs *weclevertest.Server, sms *salesmantest.Server, zvs *zenviatest.Server, n intakeSizes) (bool, string) {
	ctx := context.Background()
	wst, err1 := r.RouteStats(ctx, "weclever-finalized")
	sst, err2 := r.RouteStats(ctx, "salesman-leads")
	ist, err3 := r.InboxStats(ctx, "zenvia")
	st, err4 := r.Stats(ctx, relay.VendorSalesman)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return false, fmt.Sprint(err1, err2, err3, err4)
	}
	acked := 0
	for _, ev := range zvs.Events() {
		if ev.Acknowledged {
			acked++
		}
	}
	why := fmt.Sprintf("weclever %d/%d finalized handed on (%d in review), salesman %d/%d (%d in review), inbox %d/%d acknowledged handled (%d pending, %d failed); deliveries %+v",
		wst.Handled, len(wcs.Finalizations()), wst.Review, sst.Handled, sms.LeadCount(), sst.Review, ist.Handled, acked, ist.Pending, ist.Failed, st)
	ok := len(wcs.Finalizations()) == n.wc && wst.Handled+wst.Review == n.wc &&
		sst.Handled+sst.Review == sms.LeadCount() && ist.Handled+ist.Failed == acked && ist.Pending == 0 &&
		st.Total() == wst.Handled+sst.Handled+ist.Handled && st.Queued == 0 && st.Retrying == 0
	return ok, why
}

// judge counts both ends: every item of every source is at the
// destination exactly once, or its delivery is in review with a note.
func (c *intakeChaos) judge(r *relay.Relay[any], sb *sandboxes, wcs *weclevertest.Server, sms *salesmantest.Server, zvs *zenviatest.Server, bursts []string) {
	t, ctx := c.t, context.Background()
	dest, err := salesman.NewClient(sb.urls["salesman"], sbSalesmanLogin, sbSalesmanKey, salesman.WithAPIVersion(salesman.V3))
	require.NoError(t, err)
	at := map[string]int{}
	for l, err := range dest.Leads.All(ctx, nil) {
		require.NoError(t, err)
		if m := intakeMarker.FindStringSubmatch(l.Content); m != nil {
			at[m[1]+"-"+m[2]]++
		}
	}
	lost, dup, review := 0, 0, 0
	check := func(key string, deliveryKey string) {
		switch got := at[key]; {
		case got == 1:
		case got > 1:
			dup++
			t.Errorf("DUPLICATED: %s is at the destination %d times", key, got)
		default:
			d, err := r.Status(ctx, deliveryKey)
			if err == nil && d.State == relay.StateNeedsReview && d.Review != "" {
				review++
				return
			}
			lost++
			t.Errorf("LOST: %s is not at the destination (%v %v)", key, d, err)
		}
	}
	for _, l := range wcs.Finalizations() {
		id := strconv.FormatInt(l.ID, 10)
		check("wc-"+id, "wc-"+id)
	}
	source, err := salesman.NewClient(sms.URL, srcSalesmanLogin, srcSalesmanKey, salesman.WithAPIVersion(salesman.V3), salesman.WithMaxRetries(10))
	require.NoError(t, err)
	nsm := 0
	for l, err := range source.Leads.All(ctx, nil) {
		require.NoError(t, err)
		nsm++
		id := strconv.Itoa(l.ID)
		check("sm-"+id, "sm-"+id)
	}
	assert.Equal(t, sms.LeadCount(), nsm)
	acked := map[string]bool{}
	for _, ev := range zvs.Events() {
		if ev.Acknowledged {
			acked[ev.Object] = true
		}
	}
	for _, id := range bursts {
		if !acked[id] {
			continue // never acknowledged: Zenvia still holds it
		}
		if at["ev-"+id] != 1 {
			check("ev-"+id, "")
		}
	}
	ist, err := r.InboxStats(ctx, "zenvia")
	require.NoError(t, err)
	assert.Equal(t, len(acked), ist.Handled, "every acknowledged event handled once")
	assert.Zero(t, ist.Failed)
	assert.Zero(t, lost, "lost")
	assert.Zero(t, dup, "duplicated")
	total := len(wcs.Finalizations()) + nsm + len(acked)
	t.Logf("%s: %d source items (%d WeClever, %d SalesMan, %d Zenvia events acknowledged of %d): %d at the destination once, %d in review, %d lost, %d duplicated",
		c.b.name, total, len(wcs.Finalizations()), nsm, len(acked), len(bursts), total-lost-dup-review, review, lost, dup)
	if os.Getenv("LEADKIT_INTAKE_CHAOS_LOG") != "" {
		t.Logf("worker logs:\n%s", c.logs.String())
	}
}
