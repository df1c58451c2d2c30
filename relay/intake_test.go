package relay_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
	"github.com/leadkit/leadkit/zenvia"
)

const inboxSecret = "inbox-secret-CANARY-93d1e0"

// counter counts how often each id was handled.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[id]++
}

// check reports the ids handled other than once, and how many were.
func (c *counter) check() (distinct int, twice []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, n := range c.n {
		if n != 1 {
			twice = append(twice, fmt.Sprintf("%s×%d", id, n))
		}
	}
	return len(c.n), twice
}

// inboxLead is the SalesMan lead an inbox test makes of event id.
func inboxLead(id string) relay.SalesmanLead {
	return relay.SalesmanLead{Lead: &salesman.NewLead{Title: "inbox " + id[:16], Email: id[:16] + "@example.ru"}}
}

// TestInboxHandlesEachEventOnce: a burst of Zenvia's webhook events and
// redeliveries of them are each committed before the 200 and handled once,
// a failing first attempt included, with a delivery enqueued in the
// event's transaction.
func TestInboxHandlesEachEventOnce(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		sb := startSandboxes(t, nil)
		r := open(t, b)
		var handled counter
		inbox, err := r.ZenviaInbox("zenvia", inboxSecret, func(ctx context.Context, tx any, ev relay.InboxEvent) error {
			if ev.Attempt == 1 && ev.ID[0] < '4' { // a quarter fail once: nothing of the attempt stays
				if _, err := r.EnqueueTx(ctx, tx, inboxLead(ev.ID)); err != nil {
					return err
				}
				return errors.New("first attempt fails")
			}
			if ev.Event.Prospect == nil {
				return fmt.Errorf("event %s is not a prospect", ev.ID)
			}
			if _, err := r.EnqueueTx(ctx, tx, inboxLead(ev.ID)); err != nil {
				return err
			}
			handled.add(ev.ID)
			return nil
		})
		require.NoError(t, err)
		srv := httptest.NewServer(inbox)
		t.Cleanup(srv.Close)
		vc, err := zenvia.NewClient(sbZenviaKey, zenvia.WithBaseURL(sb.urls["zenvia"]))
		require.NoError(t, err)
		_, err = vc.Notifications.Create(ctx, []string{zenvia.TopicProspects}, srv.URL+"/zenvia?secret="+inboxSecret)
		require.NoError(t, err)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))

		sb.zenvia.Burst(40)
		sb.zenvia.WaitDeliveries()
		evs := sb.zenvia.Events()
		require.Len(t, evs, 40)
		for i, ev := range evs[:15] {
			require.NoError(t, sb.zenvia.Redeliver(ev.ID, 1+i%3))
		}
		sb.zenvia.Burst(10)
		sb.zenvia.WaitDeliveries()
		evs = sb.zenvia.Events()
		for _, ev := range evs {
			assert.True(t, ev.Acknowledged, ev.ID)
		}
		require.Eventually(t, func() bool {
			s, err := r.InboxStats(ctx, "zenvia")
			return err == nil && s.Handled == len(evs)
		}, 30*time.Second, 20*time.Millisecond)
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == len(evs) })
		distinct, twice := handled.check()
		assert.Equal(t, len(evs), distinct)
		assert.Empty(t, twice)
		s, err := r.InboxStats(ctx, "zenvia")
		require.NoError(t, err)
		assert.Equal(t, relay.InboxStats{Handled: len(evs)}, s)
	})
}

// TestInboxHostileInput: bad input never gets a 5xx and never reaches the
// database; the one 5xx is an event that could not be committed; the
// secret is in no log line.
func TestInboxHostileInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		var logs bytes.Buffer
		var lmu sync.Mutex
		logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			lmu.Lock()
			defer lmu.Unlock()
			return logs.Write(p)
		}), nil))
		r := open(t, b)
		inbox, err := r.ZenviaInbox("hostile", inboxSecret, func(context.Context, any, relay.InboxEvent) error { return nil },
			zenvia.WithHandlerMaxBytes(4096), zenvia.WithHandlerLogger(logger))
		require.NoError(t, err)
		good := `{"id":"p-1","leads":[],"phones":[],"email":"a@example.com"}`
		cases := []struct {
			name, method, target, body string
			want                       int
		}{
			{"get", http.MethodGet, "/?secret=" + inboxSecret, "", http.StatusMethodNotAllowed},
			{"no secret", http.MethodPost, "/", good, http.StatusUnauthorized},
			{"wrong secret", http.MethodPost, "/?secret=" + inboxSecret + "x", good, http.StatusUnauthorized},
			{"too large", http.MethodPost, "/?secret=" + inboxSecret, `{"x":"` + strings.Repeat("a", 5000) + `"}`, http.StatusRequestEntityTooLarge},
			{"not json", http.MethodPost, "/?secret=" + inboxSecret, "secret=" + inboxSecret, http.StatusBadRequest},
			{"array of scalars", http.MethodPost, "/?secret=" + inboxSecret, `[1,2]`, http.StatusBadRequest},
			{"good", http.MethodPost, "/?secret=" + inboxSecret + "&topic=prospects", good, http.StatusOK},
			{"redelivery", http.MethodPost, "/?secret=" + inboxSecret + "&topic=prospects", good, http.StatusOK},
			{"invalid utf-8 topic", http.MethodPost, "/?secret=" + inboxSecret + "&topic=%ff%00", `{"x":1}`, http.StatusOK},
		}
		for _, c := range cases {
			rec := httptest.NewRecorder()
			inbox.ServeHTTP(rec, httptest.NewRequest(c.method, c.target, strings.NewReader(c.body)))
			assert.Equal(t, c.want, rec.Code, c.name)
		}
		s, err := r.InboxStats(ctx, "hostile")
		require.NoError(t, err)
		assert.Equal(t, 2, s.Pending, "the good event once, and the odd topic's")
		// The database is gone: the event is not acknowledged.
		require.NoError(t, closeRelay(r))
		rec := httptest.NewRecorder()
		inbox.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?secret="+inboxSecret, strings.NewReader(`{"id":"p-2","email":"b@example.com"}`)))
		assert.Equal(t, http.StatusInternalServerError, rec.Code)
		lmu.Lock()
		defer lmu.Unlock()
		assert.NotContains(t, logs.String(), inboxSecret)
		assert.NotContains(t, fmt.Sprintf("%v %+v %#v", inbox, inbox, inbox), inboxSecret)
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestInboxRefusesBadRegistration names the field.
func TestInboxRefusesBadRegistration(t *testing.T) {
	r := open(t, sqliteBackend(t))
	fn := func(context.Context, any, relay.InboxEvent) error { return nil }
	for _, c := range []struct {
		name, secret, field string
		fn                  func(context.Context, any, relay.InboxEvent) error
	}{
		{"", "s", "name", fn}, {"Bad Name", "s", "name", fn}, {"ok", "", "secret", fn}, {"ok", "s", "fn", nil},
	} {
		_, err := r.ZenviaInbox(c.name, c.secret, c.fn)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, c.field, ie.Field)
	}
	_, err := r.ZenviaInbox("twice", "s", fn)
	require.NoError(t, err)
	_, err = r.ZenviaInbox("twice", "s", fn)
	require.Error(t, err)
}

// clock is a test's clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestRouteWeCleverFinalized: leads finalized over time, a third of them
// late (into windows already read), are each handed on once by windows
// that overlap by the lag; those finalized before the lag are not (what
// the source cannot see), and a lead the function refuses is in review.
func TestRouteWeCleverFinalized(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, weclevertest.Location())}
		wc := weclevertest.NewServer(&weclevertest.Options{Leads: -1, Seed: 7, Now: clk.now,
			Finalizing: weclevertest.Finalizing{Every: 2 * time.Second, LateRate: 0.3, LateBy: 20 * time.Second}})
		t.Cleanup(wc.Close)
		cr := wc.Credentials()
		c, err := weclever.NewClient(cr["WECLEVER_PLATFORM_ID"], cr["WECLEVER_USER"], cr["WECLEVER_PASSWORD"], weclever.WithBaseURL(wc.URL))
		require.NoError(t, err)
		src, err := relay.WeCleverFinalized(c, relay.WeCleverFinalizedOptions{Lag: 30 * time.Second, Since: clk.now(), Now: clk.now, Details: b.name == "postgres"})
		require.NoError(t, err)
		r := open(t, b)
		var handled counter
		require.NoError(t, relay.Route(r, src, func(ctx context.Context, tx any, l relay.WeCleverLead) error {
			if (l.Details != nil) != (b.name == "postgres") {
				return fmt.Errorf("lead %d: details %v", l.ID, l.Details != nil)
			}
			if l.ID%17 == 0 {
				return leadkit.Invalid("lead", "refused by the test")
			}
			handled.add(fmt.Sprint(l.ID))
			return nil
		}, relay.WithPollEvery(10*time.Millisecond)))
		require.NoError(t, r.Start(ctx, relay.Clients{}))
		for range 120 { // four minutes of the sandbox's clock, a poll or so every step
			clk.add(2 * time.Second)
			time.Sleep(15 * time.Millisecond)
		}
		var want []int64
		for _, l := range wc.Finalizations() {
			want = append(want, l.ID)
		}
		require.Greater(t, len(want), 100)
		review := 0
		for _, id := range want {
			if id%17 == 0 {
				review++
			}
		}
		require.Eventually(t, func() bool {
			s, err := r.RouteStats(ctx, src.Name())
			return err == nil && s.Handled+s.Review == len(want)
		}, 30*time.Second, 20*time.Millisecond)
		distinct, twice := handled.check()
		assert.Equal(t, len(want)-review, distinct)
		assert.Empty(t, twice)
		s, err := r.RouteStats(ctx, src.Name())
		require.NoError(t, err)
		assert.Equal(t, review, s.Review)
		assert.Empty(t, s.LastError)
		if b.name == "postgres" {
			assert.Equal(t, len(want), wc.Count(http.MethodGet, "/weclever_id/"), "details fetched once per lead, not per window")
		}
		for _, id := range want {
			if id%17 != 0 {
				handled.mu.Lock()
				n := handled.n[fmt.Sprint(id)]
				handled.mu.Unlock()
				assert.Equal(t, 1, n, "lead %d", id)
			}
		}
	})
}

// TestRouteSalesmanNewLeads: the account's leads and those arriving while
// the route walks its pages are each enqueued once for delivery.
func TestRouteSalesmanNewLeads(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		src := salesmantest.NewServer(&salesmantest.Options{Login: "src@example.ru", APIKey: "src-key-CANARY-11", NoRateLimits: true,
			Leads: 450, Seed: 3})
		t.Cleanup(src.Close)
		sc, err := salesman.NewClient(src.URL, "src@example.ru", "src-key-CANARY-11", salesman.WithAPIVersion(salesman.V3))
		require.NoError(t, err)
		s, err := relay.SalesmanNewLeads(sc, relay.SalesmanNewLeadsOptions{})
		require.NoError(t, err)
		r := open(t, b)
		var handled counter
		require.NoError(t, relay.Route(r, s, func(ctx context.Context, tx any, l salesman.Lead) error {
			handled.add(fmt.Sprint(l.ID))
			return nil
		}, relay.WithPollEvery(10*time.Millisecond), relay.WithMaxPages(2)))
		require.NoError(t, r.Start(ctx, relay.Clients{}))
		for range 5 {
			time.Sleep(50 * time.Millisecond)
			src.AddLeads(7)
		}
		require.Eventually(t, func() bool {
			st, err := r.RouteStats(ctx, s.Name())
			return err == nil && st.Handled == src.LeadCount()
		}, 30*time.Second, 20*time.Millisecond)
		distinct, twice := handled.check()
		assert.Equal(t, src.LeadCount(), distinct)
		assert.Empty(t, twice)
	})
}
