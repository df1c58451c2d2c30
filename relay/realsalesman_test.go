package relay_test

// TestRealSalesman runs against the vendor's own SalesMan server, not a
// sandbox, and only when LEADKIT_SALESMAN_REAL_URL is set (CI does not set it).
//
// To run it: bring up the vendor's open-source server (GitHub
// vladandreevg/salesmancrm, 2025.4) on loopback by following the team's
// procedure in shared/vendors/salesman-server.md: PHP 8.2's built-in server
// with 16 workers and a small router, MariaDB with time_zone +03:00, the
// installer's steps 3-5, an API key, a second user, the leads module's row
// and the one-line v1 shim. Then:
//
//	LEADKIT_SALESMAN_REAL_URL=http://127.0.0.1:8088 \
//	LEADKIT_SALESMAN_REAL_LOGIN=ivan.adminov@example.ru \
//	LEADKIT_SALESMAN_REAL_APIKEY=<the api_key set in app_settings> \
//	go -C relay test -run TestRealSalesman -parallel 16 -v -count 1 .
//
// For each API version (V1, V2, V3) and each kind of unknown outcome a fault
// proxy in front of the server can make, it delivers two leads of one person
// (same e-mail and phone, other titles and descriptions, seconds apart)
// through a relay on SQLite, the fault falling on the first lead's first
// create or on the second's (when on the first, the proxy holds the relay's
// lookups until the second lead's create has reached it, so that a lookup
// always sees the person's other lead). Then it lists what the server stored (a V2 list
// of the leads of that person, each lead known by a token in its description)
// and asks of each delivery: stored exactly once with the delivery's vendor id,
// or in needs_review with a note. A lead delivered but not on the server is
// lost; a lead stored twice is duplicated; a delivery holding another lead's id
// is wrong. The log ends with a table of every case.

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
)

// The environment the test reads.
const (
	envRealURL   = "LEADKIT_SALESMAN_REAL_URL"
	envRealLogin = "LEADKIT_SALESMAN_REAL_LOGIN"
	envRealKey   = "LEADKIT_SALESMAN_REAL_APIKEY"
)

// The relay's knobs in this test: an attempt gives up after realJobTimeout,
// and a lead in doubt is looked up realSettle after its attempt, long enough
// for the other lead of the person to be stored in between.
const (
	realJobTimeout = 4 * time.Second
	realSettle     = 5 * time.Second
	realApart      = 1500 * time.Millisecond // between the two leads of a person
	realDeadline   = 3 * time.Minute         // for both deliveries to end
)

// realFault is what the proxy does to one create request.
type realFault string

const (
	faultNotSent    realFault = "hung up before the server" // nothing forwarded
	faultDropAnswer realFault = "stored, answer dropped"
	fault500        realFault = "stored, then 500"
	faultCutBody    realFault = "stored, 2xx body cut short"
	faultSlow       realFault = "stored, answered after the job timeout"
)

var realFaults = []realFault{faultNotSent, faultDropAnswer, fault500, faultCutBody, faultSlow}

// realToken finds the token a test lead carries in its description.
var realToken = regexp.MustCompile(`rsm[0-9a-z]{6}x[0-9]{2}[ab]`)

// realProxy forwards every request to the real server. The first create whose
// body carries a token of plan meets that token's fault; every create that
// reached the server is counted by token. When the fault is on the person's
// first lead, reads (the relay's lookups) wait until the second lead's first
// create has been handled (or realGateCap has passed), so that the lookup of
// the lead in doubt sees the person's other lead: the timing of a double
// submission, made certain however slow the machine is.
type realProxy struct {
	target string
	hc     *http.Client
	second string // the token whose first create opens the gate; "" for no gate
	gate   chan struct{}

	mu         sync.Mutex
	plan       map[string]realFault
	fired      map[string]bool
	forwarded  map[string]int
	unanswered int // requests the proxy forwarded and the server did not answer
}

// realGateCap bounds how long a read waits at the gate: a second lead that
// never reaches the proxy must not stall the first one's lookups for ever.
const realGateCap = 30 * time.Second

func newRealProxy(target, second string) *realProxy {
	p := &realProxy{target: strings.TrimRight(target, "/"), hc: &http.Client{Timeout: 60 * time.Second},
		second: second, gate: make(chan struct{}),
		plan: map[string]realFault{}, fired: map[string]bool{}, forwarded: map[string]int{}}
	if second == "" {
		close(p.gate)
	}
	return p
}

// handled records that a create carrying tok was faulted or answered.
func (p *realProxy) handled(tok string) {
	if tok == "" || tok != p.second {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// take returns the fault planned for tok, once.
func (p *realProxy) take(tok string) realFault {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.plan[tok]
	if !ok || p.fired[tok] {
		return ""
	}
	p.fired[tok] = true
	return f
}

// fail plans fault for the first create carrying tok.
func (p *realProxy) fail(tok string, fault realFault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan[tok] = fault
}

func (p *realProxy) hasFired(tok string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired[tok]
}

// sent returns how many creates carrying tok reached the server.
func (p *realProxy) sent(tok string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.forwarded[tok]
}

// failures returns how many requests the proxy could not forward.
func (p *realProxy) failures() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unanswered
}

func (p *realProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	tok := realToken.FindString(string(body))
	if tok == "" && r.Method == http.MethodGet {
		select {
		case <-p.gate:
		case <-time.After(realGateCap):
		case <-r.Context().Done():
			return
		}
	}
	fault := p.take(tok)
	defer p.handled(tok)
	if fault == faultNotSent {
		hangUp(w)
		return
	}
	rec, err := p.forward(r, body)
	if err != nil {
		// Never the error itself: it names the URL, whose query holds the apikey.
		p.mu.Lock()
		p.unanswered++
		p.mu.Unlock()
		hangUp(w)
		return
	}
	if tok != "" {
		p.mu.Lock()
		p.forwarded[tok]++
		p.mu.Unlock()
	}
	switch fault {
	case faultDropAnswer:
		hangUp(w)
		return
	case fault500:
		http.Error(w, "fault proxy", http.StatusInternalServerError)
		return
	case faultCutBody:
		cutShort(w, rec)
		return
	case faultSlow:
		select { // the client gives up at the job timeout
		case <-r.Context().Done():
		case <-time.After(4 * realJobTimeout):
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// forward sends r to the server and reads the whole answer; it finishes even
// when the client has gone (the server then holds what it stored).
func (p *realProxy) forward(r *http.Request, body []byte) (*httptest.ResponseRecorder, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.Method, p.target+r.URL.RequestURI(), strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		if k != "Accept-Encoding" && k != "Connection" {
			req.Header[k] = v
		}
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		rec.Header().Set("Content-Type", ct)
	}
	rec.WriteHeader(resp.StatusCode)
	_, _ = rec.Write(b)
	return rec, nil
}

// realCase is one run: an API version, a fault, and which of the person's
// two leads (0 the first, 1 the second) meets it on its first create.
type realCase struct {
	version salesman.APIVersion
	fault   realFault
	faulted int
}

func (c realCase) name() string {
	return fmt.Sprintf("%s/%s/lead%d", c.version, strings.ReplaceAll(string(c.fault), " ", "_"), c.faulted+1)
}

// realLead is what became of one lead: its delivery and the server's leads
// carrying its token.
type realLead struct {
	token    string
	delivery *relay.Delivery
	onServer []int
	verdict  string // "" when it is right
}

type realResult struct {
	realCase
	leads     [2]realLead
	forwarded [2]int
}

// realEnv is the server the test runs against.
type realEnv struct {
	url, login, key string
	run             string // this run's part of every token, e-mail and phone
	phone           int    // five digits of this run for the phones
	started         time.Time
	logs            *testutil.SyncBuffer
	log             *slog.Logger
	red             *transport.Redactor
}

func realSalesmanEnv(t *testing.T) *realEnv {
	t.Helper()
	u := os.Getenv(envRealURL)
	if u == "" {
		t.Skipf("%s is not set: this test runs against the vendor's own SalesMan server (see the comment at the top of realsalesman_test.go)", envRealURL)
	}
	e := &realEnv{url: u, login: os.Getenv(envRealLogin), key: os.Getenv(envRealKey), started: time.Now()}
	if e.login == "" || e.key == "" {
		t.Fatalf("%s is set: %s and %s must be set too", envRealURL, envRealLogin, envRealKey)
	}
	e.red = transport.NewRedactor(e.key)
	e.run = randomToken(t, 6)
	n, err := rand.Int(rand.Reader, big.NewInt(100000))
	require.NoError(t, err)
	e.phone = int(n.Int64())
	e.logs = &testutil.SyncBuffer{}
	e.log = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return e
}

func randomToken(t *testing.T, n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		require.NoError(t, err)
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

func TestRealSalesman(t *testing.T) {
	env := realSalesmanEnv(t)
	var cases []realCase
	for _, v := range []salesman.APIVersion{salesman.V1, salesman.V2, salesman.V3} {
		for _, f := range realFaults {
			for faulted := range 2 {
				cases = append(cases, realCase{version: v, fault: f, faulted: faulted})
			}
		}
	}
	results := make([]realResult, len(cases))
	t.Run("cases", func(t *testing.T) {
		for i, c := range cases {
			t.Run(c.name(), func(t *testing.T) {
				t.Parallel()
				results[i].realCase = c // a case that stops early shows as not finished
				results[i] = runRealCase(t, env, c, i)
			})
		}
	})
	t.Log("\n" + realSummary(env, results))
	if env.logs.String() == "" {
		return // -run chose no case
	}
	assert.Contains(t, env.logs.String(), "relay: attempt", "the relay logged no attempt: the check below would prove nothing")
	assert.NotContains(t, env.logs.String(), env.key, "the apikey reached a log line")
	for _, r := range results {
		for _, l := range r.leads {
			if d := l.delivery; d != nil {
				assert.NotContains(t, d.LastError+d.Review+string(d.Job), env.key, "the apikey reached a delivery record")
			}
		}
	}
}

// runRealCase delivers the two leads of case c (index i) and judges them.
func runRealCase(t *testing.T, env *realEnv, c realCase, i int) realResult {
	res := realResult{realCase: c}
	for k := range res.leads {
		res.leads[k].token = fmt.Sprintf("rsm%sx%02d%c", env.run, i, 'a'+k)
	}
	second := ""
	if c.faulted == 0 {
		second = res.leads[1].token
	}
	proxy := newRealProxy(env.url, second)
	proxy.fail(res.leads[c.faulted].token, c.fault)
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	email, jobs := realJobs(env, c, i, res.leads)
	r := startRealRelay(t, env, c, srv.URL)
	ctx := context.Background()

	keys := [2]string{}
	var err error
	keys[0], err = r.Enqueue(ctx, jobs[0])
	require.NoError(t, err)
	first := func() bool { // the first lead met its fault, or was delivered
		if c.faulted == 0 {
			return proxy.hasFired(res.leads[0].token)
		}
		d, err := r.Status(ctx, keys[0])
		return err == nil && d.State == relay.StateDelivered
	}
	if !assert.Eventually(t, first, time.Minute, 50*time.Millisecond, "the first lead never met its fault or was never delivered") {
		d, err := r.Status(ctx, keys[0])
		require.NoError(t, err)
		t.Fatalf("lead 1: %s after %d attempts: %s", d.State, d.Attempts, env.red.Redact(d.LastError+" "+d.Review))
	}
	time.Sleep(realApart)
	keys[1], err = r.Enqueue(ctx, jobs[1])
	require.NoError(t, err)
	// A delivery still retrying at the deadline is judged (stranded) below.
	assert.Eventually(t, func() bool {
		s, err := r.Stats(ctx, relay.VendorSalesman)
		return err == nil && s.Total() == 2 && s.Queued == 0 && s.Retrying == 0
	}, realDeadline, 50*time.Millisecond, "both deliveries end")
	for k, key := range keys {
		res.leads[k].delivery, err = r.Status(ctx, key)
		require.NoError(t, err)
		res.forwarded[k] = proxy.sent(res.leads[k].token)
	}
	if n := proxy.failures(); n > 0 {
		t.Logf("the server did not answer %d requests the proxy forwarded (outcome unknown to the relay)", n)
	}
	res.leads = judgeReal(t, env, email, res.leads)
	reportReal(t, env, res.leads)
	return res
}

// realJobs returns the person's e-mail and two leads: same e-mail and phone,
// other titles and descriptions, each description carrying its lead's token.
func realJobs(env *realEnv, c realCase, i int, leads [2]realLead) (string, [2]relay.SalesmanLead) {
	email := fmt.Sprintf("rsm-%s-%02d@example.com", env.run, i)
	phone := fmt.Sprintf("+7 (985) %05d-%02d", env.phone, i)
	var jobs [2]relay.SalesmanLead
	for k := range jobs {
		jobs[k] = relay.SalesmanLead{Lead: &salesman.NewLead{
			Title:       fmt.Sprintf("Иван Реалов %s-%02d, заявка %d", env.run, i, k+1),
			Email:       email,
			Phone:       phone,
			Description: fmt.Sprintf("Заявка %d с сайта (%s), код %s", k+1, c.fault, leads[k].token),
		}}
	}
	return email, jobs
}

// startRealRelay opens a relay on SQLite and starts it with a client of c's
// API version talking to the proxy at proxyURL.
func startRealRelay(t *testing.T, env *realEnv, c realCase, proxyURL string) *relay.Relay[any] {
	t.Helper()
	r := open(t, sqliteBackend(t), relay.WithJobTimeout(realJobTimeout), relay.WithSettle(relay.VendorSalesman, realSettle),
		relay.WithRetries(30, time.Second), relay.WithPollInterval(50*time.Millisecond), relay.WithLogger(env.log))
	sc, err := salesman.NewClient(proxyURL, env.login, env.key, salesman.WithAPIVersion(c.version),
		salesman.WithMaxRetries(2), salesman.WithRetryWait(50*time.Millisecond, 500*time.Millisecond), salesman.WithLogger(env.log))
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), relay.Clients{Salesman: sc}))
	return r
}

// reportReal logs what became of each lead and fails the wrong ones.
func reportReal(t *testing.T, env *realEnv, leads [2]realLead) {
	t.Helper()
	for k, l := range leads {
		d := l.delivery
		t.Logf("lead %d: %s (reconciled %v) vendor id %q after %d attempts, on server %v; review %q; last error %q",
			k+1, d.State, d.Reconciled, d.VendorID, d.Attempts, l.onServer, env.red.Redact(d.Review), env.red.Redact(d.LastError))
		if l.verdict != "" {
			t.Errorf("lead %d (%s): %s", k+1, l.token, env.red.Redact(l.verdict))
		}
	}
}

// judgeReal lists the person's leads on the server (a V2 client, straight to
// the server) and sets each lead's onServer and verdict.
func judgeReal(t *testing.T, env *realEnv, email string, leads [2]realLead) [2]realLead {
	t.Helper()
	c, err := salesman.NewClient(env.url, env.login, env.key, salesman.WithAPIVersion(salesman.V2), salesman.WithLogger(env.log))
	require.NoError(t, err)
	// Both bounds a day wide of the run: a server whose dates drift by its
	// time zone still has the leads inside.
	opts := &salesman.ListOptions{DateStart: env.started.Add(-24 * time.Hour), DateEnd: time.Now().Add(48 * time.Hour)}
	for l, err := range c.Leads.All(context.Background(), opts) {
		require.NoError(t, err, "list the server's leads")
		if !strings.EqualFold(strings.TrimSpace(l.Email), email) {
			continue
		}
		tok := realToken.FindString(l.Content)
		if tok == "" {
			t.Errorf("lead %d of %s carries no test token: %q", l.ID, email, l.Content)
		}
		for k := range leads {
			if tok == leads[k].token {
				leads[k].onServer = append(leads[k].onServer, l.ID)
			}
		}
	}
	for k := range leads {
		leads[k].verdict = realVerdict(leads[k])
	}
	return leads
}

// realVerdict says what is wrong with l, or "".
func realVerdict(l realLead) string {
	d := l.delivery
	switch {
	case len(l.onServer) > 1:
		return fmt.Sprintf("DUPLICATED: stored %d times (%v), delivery %s", len(l.onServer), l.onServer, d.State)
	case d.State == relay.StateNeedsReview && strings.TrimSpace(d.Review) == "":
		return "needs_review without a note"
	case d.State == relay.StateNeedsReview:
		return ""
	case d.State == relay.StateDelivered && len(l.onServer) == 0:
		return fmt.Sprintf("LOST: delivered (reconciled %v, vendor id %s) but not on the server", d.Reconciled, d.VendorID)
	case d.State == relay.StateDelivered && d.VendorID != strconv.Itoa(l.onServer[0]):
		return fmt.Sprintf("WRONG ID: delivered as lead %s (reconciled %v), stored as lead %d", d.VendorID, d.Reconciled, l.onServer[0])
	case d.State == relay.StateDelivered:
		return ""
	case d.State == relay.StateFailed:
		return fmt.Sprintf("FAILED (stored %d times): %s", len(l.onServer), d.LastError)
	}
	return fmt.Sprintf("STRANDED: still %s after %s (stored %d times)", d.State, realDeadline, len(l.onServer))
}

// realSummary is the table the test logs: one line per case.
func realSummary(env *realEnv, results []realResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %s against %s\n", env.run, env.red.Redact(env.url))
	b.WriteString("| version | fault | on lead | lead 1: state, vendor id, on server, sent | lead 2: state, vendor id, on server, sent | verdict |\n|---|---|---|---|---|---|\n")
	for _, r := range results {
		if r.version == 0 {
			continue // not run (-run chose other cases)
		}
		if r.leads[0].delivery == nil || r.leads[1].delivery == nil {
			fmt.Fprintf(&b, "| %s | %s | %d | (did not finish) | | |\n", r.version, r.fault, r.faulted+1)
			continue
		}
		verdict := "ok"
		var bad []string
		for k, l := range r.leads {
			if l.verdict != "" {
				bad = append(bad, fmt.Sprintf("lead %d %s", k+1, strings.SplitN(l.verdict, ":", 2)[0]))
			}
		}
		if len(bad) > 0 {
			verdict = strings.Join(bad, ", ")
		}
		cell := func(k int) string {
			d := r.leads[k].delivery
			st := string(d.State)
			if d.Reconciled {
				st += " (reconciled)"
			}
			return fmt.Sprintf("%s, %q, %v, %d", st, d.VendorID, r.leads[k].onServer, r.forwarded[k])
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |\n", r.version, r.fault, r.faulted+1, cell(0), cell(1), verdict)
	}
	return b.String()
}
