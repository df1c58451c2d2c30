package zenviatest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// receiver is a webhook receiver on loopback: zenvia's own handler, whose
// function counts the events it handled by their body.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	handled map[string]int // body -> times fn succeeded
}

const hookSecret = "hook-secret-7f3a9c"

func newReceiver(t *testing.T, wrap func(http.Handler) http.Handler) *receiver {
	t.Helper()
	rc := &receiver{handled: map[string]int{}}
	var h http.Handler = zenvia.NewWebhookHandler(hookSecret, func(_ context.Context, ev zenvia.Event) error {
		rc.mu.Lock()
		rc.handled[string(ev.Raw)]++
		rc.mu.Unlock()
		return nil
	})
	if wrap != nil {
		h = wrap(h)
	}
	rc.Server = httptest.NewServer(h)
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) counts() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]int{}
	for k, v := range rc.handled {
		out[k] = v
	}
	return out
}

// subscribed starts a sandbox with opts whose prospects topic goes to rc.
func subscribed(t *testing.T, opts *zenviatest.Options, rc *receiver) (*zenviatest.Server, *zenvia.Client) {
	t.Helper()
	sb := zenviatest.NewServer(opts)
	t.Cleanup(sb.Close)
	c, err := zenvia.NewClient(sb.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(sb.URL))
	require.NoError(t, err)
	_, err = c.Notifications.Create(context.Background(), []string{zenvia.TopicProspects}, rc.URL+"/hook?secret="+hookSecret)
	require.NoError(t, err)
	return sb, c
}

// TestRedeliveryKeepsTheEventsIdentity: the event of a lead is delivered,
// then again, and then five copies at once: every delivery carries the same
// body, the handler acknowledges each and handles the event once.
func TestRedeliveryKeepsTheEventsIdentity(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, nil)
	sb, c := subscribed(t, &zenviatest.Options{Seed: 1, Prospects: -1}, rc)
	_, err := c.Leads.Create(context.Background(), zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Emails: []string{"ana@example.com"}})
	require.NoError(t, err)
	sb.WaitDeliveries()
	evs := sb.Events()
	require.Len(t, evs, 1)
	ev := evs[0]
	assert.True(t, ev.Acknowledged)
	assert.Equal(t, zenvia.TopicProspects, ev.Topic)
	assert.Equal(t, sb.ProspectIDs()[0], ev.Object)

	require.NoError(t, sb.Redeliver(ev.ID, 1))
	sb.WaitDeliveries()
	require.NoError(t, sb.Redeliver(ev.ID, 5))
	sb.WaitDeliveries()
	ds := sb.Deliveries()
	require.Len(t, ds, 7)
	for i, d := range ds {
		assert.Equal(t, ev.ID, d.Event)
		assert.Equal(t, ev.Body, d.Body, "the same bytes: the same identity")
		assert.Equal(t, i > 0, d.Redelivery)
		assert.Equal(t, http.StatusOK, d.Status, "a duplicate is acknowledged too")
	}
	assert.Equal(t, map[string]int{ev.Body: 1}, rc.counts(), "handled once")
	assert.Equal(t, 7, sb.Events()[0].Deliveries)

	assert.ErrorContains(t, sb.Redeliver("evt-999999", 1), `no event "evt-999999"`)
	assert.ErrorContains(t, sb.Redeliver(ev.ID, 0), "copies must be 1 or more")
	sb.Reset()
	assert.Empty(t, sb.Events())
}

// TestSlowReceiverGetsTheEventAgain: the receiver handles the first
// delivery but answers it only after DeliveryTimeout; the sandbox closes
// the connection and delivers again, and the handler, which kept the
// event, acknowledges the redelivery without handling it again.
func TestSlowReceiverGetsTheEventAgain(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	release := make(chan struct{})
	slow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := calls.Add(1)
			if n == 2 {
				close(release) // the sandbox gave up on the first answer
			}
			h.ServeHTTP(w, r)
			if n == 1 {
				select { // the answer stays in the buffer until then
				case <-release:
				case <-time.After(10 * time.Second):
				}
			}
		})
	}
	rc := newReceiver(t, slow)
	sb, c := subscribed(t, &zenviatest.Options{Seed: 1, Prospects: -1, DeliveryTimeout: 100 * time.Millisecond,
		DeliveryBackoff: 20 * time.Millisecond}, rc)
	_, err := c.Leads.Create(context.Background(), zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Emails: []string{"bia@example.com"}})
	require.NoError(t, err)
	sb.WaitDeliveries()
	ev := sb.Events()[0]
	assert.True(t, ev.Acknowledged)
	assert.Equal(t, 1, ev.Deliveries)
	assert.Equal(t, 2, ev.Calls, "delivered again after the timeout")
	ds := sb.Deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, http.StatusOK, ds[0].Status)
	assert.Equal(t, map[string]int{ev.Body: 1}, rc.counts(), "handled once")
}

// TestBurstWithRedeliveries: forty leads come in at once and their events
// are delivered together; about half are delivered again on their own.
// Every event is acknowledged and handled once, and the same seed
// redelivers the same events.
func TestBurstWithRedeliveries(t *testing.T) {
	t.Parallel()
	run := func(seed int64) (redelivered []int) {
		rc := newReceiver(t, nil)
		sb, _ := subscribed(t, &zenviatest.Options{Seed: seed, Prospects: -1, RedeliverRate: 0.5, RedeliverAfter: 5 * time.Millisecond}, rc)
		ids := sb.Burst(40)
		sb.WaitDeliveries()
		evs := sb.Events()
		require.Len(t, evs, 40)
		deliveries := 0
		for i, ev := range evs {
			assert.Equal(t, ids[i], ev.Object, "the events of the burst, in order")
			assert.True(t, ev.Acknowledged, ev.ID)
			deliveries += ev.Deliveries
			if ev.Deliveries == 2 {
				redelivered = append(redelivered, i)
			}
		}
		assert.Len(t, sb.Deliveries(), deliveries)
		handled := rc.counts()
		assert.Len(t, handled, 40, "forty distinct events")
		for _, ev := range evs {
			assert.Equal(t, 1, handled[ev.Body], "%s handled once", ev.ID)
		}
		assert.Equal(t, 40, sb.ProspectCount())
		return redelivered
	}
	a, b := run(3), run(3)
	assert.InDelta(t, 20, len(a), 10)
	assert.Equal(t, a, b, "the same events redelivered")
	assert.NotEqual(t, a, run(4))
}

// TestBurstWithoutSubscription: the prospects come in (a poller of
// prospects finds them, newest first); no event is made.
func TestBurstWithoutSubscription(t *testing.T) {
	t.Parallel()
	sb := zenviatest.NewServer(&zenviatest.Options{Seed: 2, Prospects: 10})
	defer sb.Close()
	ids := sb.Burst(3)
	require.Len(t, ids, 3)
	c, err := zenvia.NewClient(sb.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(sb.URL))
	require.NoError(t, err)
	page, err := c.Prospects.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{ids[2], ids[1], ids[0]}, []string{page[0].ID, page[1].ID, page[2].ID})
	assert.Equal(t, 13, sb.ProspectCount())
	assert.Empty(t, sb.Events())
}
