package zentest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// A working week: Monday 2 to Friday 6 March 2026, read on Friday evening,
// when every seeded lead of the week has come in.
var (
	sp       = time.FixedZone("-03", -3*60*60)
	monday   = time.Date(2026, 3, 2, 0, 0, 0, 0, sp)
	friday   = time.Date(2026, 3, 6, 0, 0, 0, 0, sp)
	evening  = time.Date(2026, 3, 6, 20, 0, 0, 0, sp)
	noLimits = zen.WithLimits(zen.Limits{})
)

func arrivalsSandbox(t *testing.T, a zentest.Arrivals, seed int64) (*zentest.Server, *zen.Client) {
	t.Helper()
	sb := zentest.NewServer(&zentest.Options{NoRateLimits: true, Seed: seed, Location: sp, Now: testutil.NewClock(evening).Now, Arrivals: a})
	t.Cleanup(sb.Close)
	c, err := zen.NewClient(sb.URL, zentest.DefaultToken, noLimits, zen.WithTimeZone(sp))
	require.NoError(t, err)
	return sb, c
}

// walk reads the week's leads per user and counts how often each record
// id came.
func walk(t *testing.T, c *zen.Client) (order []string, times map[string]int) {
	return testutil.Tally(t, c.Leads.AllByUser(context.Background(), monday, friday),
		func(l zen.UserLead) string { return l.RecordID })
}

// TestArrivalsMeetTheWalk: a lead arrives after every page, entered now; it
// lands at the end of a walk whose range reaches today, so the walk meets
// every arrival but the one after its last page, each once.
func TestArrivalsMeetTheWalk(t *testing.T) {
	t.Parallel()
	sb, c := arrivalsSandbox(t, zentest.Arrivals{PerPage: 1}, 3)
	order, times := walk(t, c)
	arrived := sb.Arrived()
	require.GreaterOrEqual(t, len(arrived), 3, "one per page")
	assert.Len(t, times, len(order), "no lead twice")
	for _, id := range arrived[:len(arrived)-1] {
		assert.Contains(t, order[len(order)-50:], id, "an arrival, on the last page")
	}
	assert.NotContains(t, times, arrived[len(arrived)-1], "the one after the last page is for the next walk")
}

// TestBackdatedArrivalShiftsThePages: a lead entered on Monday morning
// arrives after page 1 was read: page 2 holds page 1's last lead again.
// With Backdated, the walk meets such repeats at page boundaries, and
// misses the arrivals that landed in the pages it had read.
func TestBackdatedArrivalShiftsThePages(t *testing.T) {
	t.Parallel()
	sb, c := arrivalsSandbox(t, zentest.Arrivals{}, 3)
	ctx := context.Background()
	ids := func(p *zen.LeadsByUserPage) map[string]bool {
		out := map[string]bool{}
		for _, u := range p.Users {
			for _, l := range u.Leads {
				out[l.RecordID] = true
			}
		}
		return out
	}
	p1, err := c.Leads.ByUser(ctx, monday, friday, 1)
	require.NoError(t, err)
	id := sb.AddLeadAt(monday.Add(time.Hour))
	p2, err := c.Leads.ByUser(ctx, monday, friday, 2)
	require.NoError(t, err)
	again := 0
	for id := range ids(p2) {
		if ids(p1)[id] {
			again++
		}
	}
	assert.Equal(t, 1, again, "shifted by one")
	p1, err = c.Leads.ByUser(ctx, monday, friday, 1)
	require.NoError(t, err)
	assert.Contains(t, ids(p1), id, "the backdated lead, among the first of the range")
	assert.Equal(t, []string{id}, sb.Arrived())

	sb, c = arrivalsSandbox(t, zentest.Arrivals{PerPage: 2, Backdated: 1}, 3)
	order, times := walk(t, c)
	repeats, missed := len(order)-len(times), 0
	for _, id := range sb.Arrived() {
		if times[id] == 0 {
			missed++
		}
	}
	assert.Positive(t, repeats, "a lead met twice at a page boundary")
	assert.Positive(t, missed, "an arrival landed in the pages already read")
	t.Logf("%d leads read, %d repeats, %d of %d arrivals missed", len(order), repeats, missed, len(sb.Arrived()))
}

// TestArrivalsAreDeterministic: the same seed and clock give the same
// arrivals, read the same way; another seed others.
func TestArrivalsAreDeterministic(t *testing.T) {
	t.Parallel()
	run := func(seed int64) ([]string, []string) {
		sb, c := arrivalsSandbox(t, zentest.Arrivals{PerPage: 2, Rate: 0.5, Backdated: 0.5}, seed)
		order, _ := walk(t, c)
		return sb.Arrived(), order
	}
	a, oa := run(8)
	b, ob := run(8)
	_, oc := run(9)
	assert.Equal(t, a, b)
	assert.Equal(t, oa, ob)
	assert.NotEqual(t, oa, oc)

	sb, c8 := arrivalsSandbox(t, zentest.Arrivals{}, 8)
	ids := append(sb.AddLeads(2), sb.AddLeadAt(time.Time{}))
	assert.Len(t, ids, 3)
	assert.Equal(t, ids, sb.Arrived())
	_, times := walk(t, c8)
	for _, id := range ids {
		assert.Equal(t, 1, times[id], "entered at the clock, Friday evening: in the week's walk")
	}
	sb.Reset()
	assert.Empty(t, sb.Arrived())
}
