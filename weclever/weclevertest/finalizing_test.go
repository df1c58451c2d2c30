package weclevertest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

// t0 is the sandbox clock's start in these tests: a working morning.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, weclevertest.Location())

func client(t *testing.T, sb *weclevertest.Server) *weclever.Client {
	t.Helper()
	cr := sb.Credentials()
	c, err := weclever.NewClient(cr["WECLEVER_PLATFORM_ID"], cr["WECLEVER_USER"], cr["WECLEVER_PASSWORD"],
		weclever.WithBaseURL(cr["WECLEVER_URL"]))
	require.NoError(t, err)
	return c
}

func ids(leads []weclever.FinalizedLead) map[int64]bool {
	out := map[int64]bool{}
	for _, l := range leads {
		out[l.ID] = true
	}
	return out
}

// TestLateFinalizationInAWindowAlreadyRead: a poller reads five-minute
// windows back to back over an hour of the sandbox's clock. Every lead
// Finalizations reports is either seen by the window of its finalization
// or late: visible only after that window was read, and found by reading
// the same window again. A poller whose windows overlap by LateBy finds
// them all.
func TestLateFinalizationInAWindowAlreadyRead(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(t0)
	sb := weclevertest.NewServer(&weclevertest.Options{Leads: -1, Seed: 5, Now: clock.Now,
		Finalizing: weclevertest.Finalizing{Every: time.Minute, LateRate: 0.4, LateBy: 4 * time.Minute, Limit: 60}})
	defer sb.Close()
	c, ctx := client(t, sb), context.Background()

	type window struct{ from, to time.Time }
	var windows []window
	seen, overlapping := map[int64]bool{}, map[int64]int{}
	for last := t0.Add(-10 * time.Minute); last.Before(t0.Add(time.Hour)); {
		now := clock.Add(5 * time.Minute)
		w := window{last.Add(time.Second), now}
		got, err := c.Leads.Finalized(ctx, w.from, w.to)
		require.NoError(t, err)
		for id := range ids(got) {
			seen[id] = true
		}
		got, err = c.Leads.Finalized(ctx, w.from.Add(-4*time.Minute), w.to) // overlapped by LateBy
		require.NoError(t, err)
		for id := range ids(got) {
			overlapping[id]++
		}
		windows, last = append(windows, w), now
	}

	made := sb.Finalizations()
	require.Len(t, made, 60, "Limit")
	late, lagged := 0, 0
	for _, l := range made {
		if l.VisibleAt.After(l.FinalizedAt.Add(time.Second)) {
			lagged++
		}
		assert.Contains(t, overlapping, l.ID, "the overlapping poller finds every lead, late ones included")
		if seen[l.ID] {
			continue
		}
		late++
		assert.True(t, l.VisibleAt.After(l.FinalizedAt), "%d: missed by the back-to-back poller, so late", l.ID)
		assert.LessOrEqual(t, l.VisibleAt.Sub(l.FinalizedAt), 5*time.Second+4*time.Minute, "LateBy")
		var w window
		for _, x := range windows {
			if !l.FinalizedAt.Before(x.from) && !l.FinalizedAt.After(x.to) {
				w = x
			}
		}
		require.False(t, w.to.IsZero(), "%d: finalized at %s, in no window", l.ID, l.FinalizedAt)
		require.True(t, l.VisibleAt.After(w.to), "%d: finalized at %s in the window read at %s, visible at %s",
			l.ID, l.FinalizedAt, w.to, l.VisibleAt)
		again, err := c.Leads.Finalized(ctx, w.from, w.to)
		require.NoError(t, err)
		assert.True(t, ids(again)[l.ID], "%d: the window read again holds the late lead", l.ID)
	}
	assert.Positive(t, late, "some leads are late")
	assert.InDelta(t, 0.4*60, lagged, 12, "LateRate")
	t.Logf("60 leads: %d finalized before they were visible, %d of them missed by a poller without overlap", lagged, late)
}

// TestFinalizeOnDemand: a test finalizes a lead now, late (into a window it
// has read) and ahead of the clock, and counts them in Finalizations.
func TestFinalizeOnDemand(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(t0)
	sb := weclevertest.NewServer(&weclevertest.Options{Leads: -1, Seed: 3, Now: clock.Now})
	defer sb.Close()
	c, ctx := client(t, sb), context.Background()
	from := t0.Add(-time.Hour)
	read := func() map[int64]bool {
		got, err := c.Leads.Finalized(ctx, from, t0)
		require.NoError(t, err)
		return ids(got)
	}

	now := sb.Finalize(time.Time{})
	assert.Equal(t, t0, now.FinalizedAt)
	assert.Equal(t, map[int64]bool{now.ID: true}, read(), "finalized now: in the window that ends now")
	clock.Add(time.Minute)
	late := sb.Finalize(t0.Add(-30 * time.Minute))
	assert.Equal(t, t0.Add(time.Minute), late.VisibleAt)
	assert.Equal(t, map[int64]bool{now.ID: true, late.ID: true}, read(), "the window read a minute ago holds the late lead")
	ahead := sb.Finalize(t0.Add(time.Hour))
	_, err := c.Leads.Get(ctx, ahead.ID)
	assert.ErrorIs(t, err, weclever.ErrNotFound, "not visible before its time")
	clock.Add(time.Hour)
	d, err := c.Leads.Get(ctx, ahead.ID)
	require.NoError(t, err)
	assert.Equal(t, ahead.Details.Name, d.Name)

	made := sb.Finalizations()
	require.Len(t, made, 3)
	assert.Equal(t, []int64{now.ID, late.ID, ahead.ID}, []int64{made[0].ID, made[1].ID, made[2].ID})
	assert.Len(t, sb.Leads(), 3)
	sb.Reset()
	assert.Empty(t, sb.Finalizations())
}

// TestFinalizingIsDeterministic: the same seed and clock make the same
// leads, late ones at the same times; another seed other leads.
func TestFinalizingIsDeterministic(t *testing.T) {
	t.Parallel()
	run := func(seed int64) []weclevertest.Lead {
		clock := testutil.NewClock(t0)
		sb := weclevertest.NewUnstartedServer(&weclevertest.Options{Leads: -1, Seed: seed, Now: clock.Now,
			Finalizing: weclevertest.Finalizing{Every: 30 * time.Second, LateRate: 0.5}})
		clock.Add(5 * time.Minute)
		sb.Finalize(t0)
		clock.Add(5 * time.Minute)
		return sb.Finalizations()
	}
	a, b, c := run(9), run(9), run(10)
	require.Len(t, a, 21)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
	assert.Equal(t, t0.Add(10*time.Minute), a[20].VisibleAt, "the 20th lead of Finalizing is the last")
}
