package relay_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
)

// fourEnds enqueues one lead per vendor, each made to end differently
// (Zen delivered, SalesMan reconciled after a 500 that followed the
// create, Zenvia failed on a 422, Datacake needing review after a 502
// that followed the prospect's create), delivers them and returns their
// keys by the event each must cause.
func fourEnds(t *testing.T, r *relay.Relay[any], sb *sandboxes, clients relay.Clients) map[relay.EventKind]string {
	t.Helper()
	ctx := context.Background()
	sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true})
	sb.zenvia.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "/lead", Status: http.StatusUnprocessableEntity,
		Body: `{"code":"INVALID","message":"phone ` + zenviaLead(43).Lead.Phones[0] + ` rejected"}`, Header: http.Header{"Content-Type": {"application/json"}}})
	sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "prospecto", Status: http.StatusBadGateway, AfterVendor: true})
	keys := map[relay.EventKind]string{}
	for kind, job := range map[relay.EventKind]relay.Job{
		relay.EventDelivered: zenLead(41), relay.EventReconciled: salesmanLead(42),
		relay.EventFailed: zenviaLead(43), relay.EventNeedsReview: datacakeProspect(44),
	} {
		k, err := r.Enqueue(ctx, job)
		require.NoError(t, err)
		keys[kind] = k
	}
	require.NoError(t, r.Start(ctx, clients))
	waitFor(t, r, 30*time.Second, settled(4))
	return keys
}

// collectEvents reads events from ch until want has been seen (or fails after d).
func collectEvents(t *testing.T, ch <-chan relay.Event, want map[relay.EventKind]string, d time.Duration) map[string]relay.Event {
	t.Helper()
	got := map[string]relay.Event{}
	timeout := time.After(d)
	for {
		done := true
		for kind, key := range want {
			if e, ok := got[key]; !ok || e.Kind != kind {
				done = false
			}
		}
		if done {
			return got
		}
		select {
		case e, ok := <-ch:
			require.True(t, ok, "channel closed early")
			got[e.Key] = e
		case <-timeout:
			t.Fatalf("events after %s: %+v, want %v", d, got, want)
		}
	}
}

// TestEvents: a subscription sees each of the four ends once, with the
// vendor id of what was delivered; after the relay is closed (a crash,
// as far as the subscriber is concerned) a new process subscribing from
// before re-sends them from the database (at least once).
func TestEvents(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		start := time.Now()
		ch, err := r.Subscribe(ctx, relay.SubscribeConfig{})
		require.NoError(t, err)
		keys := fourEnds(t, r, sb, clientsFor(t, sb.urls, nil, nil))
		got := collectEvents(t, ch, keys, 15*time.Second)
		for kind, key := range keys {
			e := got[key]
			assert.Equal(t, kind, e.Kind, key)
			d, err := r.Status(context.Background(), key)
			require.NoError(t, err)
			assert.Equal(t, d.Vendor, e.Vendor)
			assert.Equal(t, d.Updated.UnixMilli(), e.At.UnixMilli())
			if kind == relay.EventDelivered || kind == relay.EventReconciled {
				assert.NotEmpty(t, e.VendorID)
				assert.Equal(t, d.VendorID, e.VendorID)
			}
		}
		// No event is sent twice to one subscription.
		select {
		case e := <-ch:
			t.Fatalf("a fifth event: %+v", e)
		case <-time.After(1500 * time.Millisecond):
		}
		// Only the kinds asked for.
		only, err := r.Subscribe(ctx, relay.SubscribeConfig{Since: start, Kinds: []relay.EventKind{relay.EventNeedsReview}})
		require.NoError(t, err)
		e := <-only
		assert.Equal(t, keys[relay.EventNeedsReview], e.Key)

		// The subscriber's process dies; so does the relay's. A new one,
		// subscribing from before, is sent every event again.
		cancel()
		require.NoError(t, closeRelay(r))
		for range ch {
		}
		r2 := open(t, b)
		ctx2, cancel2 := context.WithCancel(context.Background())
		defer cancel2()
		ch2, err := r2.Subscribe(ctx2, relay.SubscribeConfig{Since: start.Add(-relay.EventLookback)})
		require.NoError(t, err)
		collectEvents(t, ch2, keys, 15*time.Second)

		// A later resolution is a new event: MarkDelivered the review.
		require.NoError(t, r2.MarkDelivered(ctx2, keys[relay.EventNeedsReview], "4242"))
		e = collectEvents(t, ch2, map[relay.EventKind]string{relay.EventDelivered: keys[relay.EventNeedsReview]}, 15*time.Second)[keys[relay.EventNeedsReview]]
		assert.Equal(t, "4242", e.VendorID)
	})
}

// TestEventsNeverBlockDelivery: a subscriber that reads nothing (its
// channel holds one event) does not hold delivery back; when it reads, it
// catches up with every event.
func TestEventsNeverBlockDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch, err := r.Subscribe(ctx, relay.SubscribeConfig{ChanSize: 1})
		require.NoError(t, err)
		const n = 12
		want := map[string]bool{}
		for i := range n {
			k, err := r.Enqueue(ctx, zenLead(100+i))
			require.NoError(t, err)
			want[k] = true
		}
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		waitFor(t, r, 30*time.Second, settled(n))
		timeout := time.After(15 * time.Second)
		for len(want) > 0 {
			select {
			case e := <-ch:
				assert.Equal(t, relay.EventDelivered, e.Kind)
				delete(want, e.Key)
			case <-timeout:
				t.Fatalf("%d events never came", len(want))
			}
		}
	})
}

func TestSubscribeRefusesBadConfig(t *testing.T) {
	r := open(t, sqliteBackend(t))
	_, err := r.Subscribe(context.Background(), relay.SubscribeConfig{Kinds: []relay.EventKind{"sent"}})
	require.ErrorContains(t, err, "Kinds[0]")
	_, err = r.Subscribe(context.Background(), relay.SubscribeConfig{ChanSize: -1})
	require.ErrorContains(t, err, "ChanSize")
	require.NoError(t, closeRelay(r))
	_, err = r.Subscribe(context.Background(), relay.SubscribeConfig{})
	require.ErrorIs(t, err, relay.ErrClosed)
}
