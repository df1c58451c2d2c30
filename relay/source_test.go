package relay_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestRouteZenLeadsByUser: leads entering Zen during the walk, some of
// them backdated into pages already read, are each handed on once, and
// the polls keep to Zen's window through the relay's shared limiter (the
// sandbox enforces it: no call is answered 429).
func TestRouteZenLeadsByUser(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		const window = 40 * time.Millisecond
		zs := zentest.NewServer(&zentest.Options{Token: sbZenToken, Seed: 5, NoSeed: true, LeadsByUserWindow: window})
		t.Cleanup(zs.Close)
		r := open(t, b)
		// The client keeps a margin over the sandbox's window: two calls
		// granted a window apart may reach the server a few milliseconds
		// closer on a loaded machine (at Zen's minute, the margin is noise).
		zc, err := zen.NewClient(zs.URL, sbZenToken, zen.WithLimits(zen.Limits{LeadsByUser: window * 3 / 2}), zen.WithLimiter(r.ZenLimiter()))
		require.NoError(t, err)
		src, err := relay.ZenLeadsByUser(zc, relay.ZenLeadsOptions{})
		require.NoError(t, err)
		var handled counter
		require.NoError(t, relay.Route(r, src, func(ctx context.Context, tx any, l zen.UserLead) error {
			handled.add(l.RecordID)
			return nil
		}, relay.WithPollEvery(10*time.Millisecond), relay.WithMaxPages(3)))
		require.NoError(t, r.Start(ctx, relay.Clients{}))
		var want []string
		want = append(want, zs.AddLeads(120)...)
		for i := range 6 {
			time.Sleep(60 * time.Millisecond)
			want = append(want, zs.AddLeads(9)...)
			want = append(want, zs.AddLeadAt(time.Now().Add(-time.Duration(i+1)*time.Hour)))
		}
		require.Eventually(t, func() bool {
			s, err := r.RouteStats(ctx, src.Name())
			return err == nil && s.Handled == len(want)
		}, 30*time.Second, 20*time.Millisecond)
		distinct, twice := handled.check()
		assert.Equal(t, len(want), distinct)
		assert.Empty(t, twice)
		for _, id := range want {
			handled.mu.Lock()
			assert.Equal(t, 1, handled.n[id], id)
			handled.mu.Unlock()
		}
		for _, q := range zs.Requests() {
			assert.NotEqual(t, http.StatusTooManyRequests, q.Status, "a call over Zen's window")
		}
	})
}

// TestRouteZenviaProspects: prospects created while the route walks back
// from the newest are each handed on once; those created before the first
// poll are not (the source starts from now).
func TestRouteZenviaProspects(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		zs := zenviatest.NewServer(&zenviatest.Options{APIKey: sbZenviaKey, NoRateLimits: true, Seed: 9, Prospects: 30})
		t.Cleanup(zs.Close)
		vc, err := zenvia.NewClient(sbZenviaKey, zenvia.WithBaseURL(zs.URL))
		require.NoError(t, err)
		src, err := relay.ZenviaProspects(vc, relay.ZenviaProspectsOptions{PageSize: 7})
		require.NoError(t, err)
		r := open(t, b)
		var handled counter
		require.NoError(t, relay.Route(r, src, func(ctx context.Context, tx any, p zenvia.Prospect) error {
			handled.add(p.ID)
			return nil
		}, relay.WithPollEvery(10*time.Millisecond)))
		require.NoError(t, r.Start(ctx, relay.Clients{}))
		require.Eventually(t, func() bool {
			s, err := r.RouteStats(ctx, src.Name())
			return err == nil && s.Cursor != ""
		}, 10*time.Second, 10*time.Millisecond)
		var want []string
		for range 8 {
			want = append(want, zs.Burst(9)...)
			time.Sleep(25 * time.Millisecond)
		}
		require.Eventually(t, func() bool {
			s, err := r.RouteStats(ctx, src.Name())
			return err == nil && s.Handled >= len(want)
		}, 30*time.Second, 20*time.Millisecond)
		time.Sleep(100 * time.Millisecond)
		distinct, twice := handled.check()
		assert.Equal(t, len(want), distinct)
		assert.Empty(t, twice)
		for _, id := range want {
			handled.mu.Lock()
			assert.Equal(t, 1, handled.n[id], id)
			handled.mu.Unlock()
		}
	})
}
