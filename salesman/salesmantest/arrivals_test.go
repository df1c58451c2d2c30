package salesmantest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

func client(t *testing.T, sb *salesmantest.Server) *salesman.Client {
	t.Helper()
	cr := sb.Credentials()
	c, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V3))
	require.NoError(t, err)
	return c
}

// walk runs All with opts and counts how often each lead id came.
func walk(t *testing.T, c *salesman.Client, opts *salesman.ListOptions) (order []int, times map[int]int) {
	return testutil.Tally(t, c.Leads.All(context.Background(), opts), func(l salesman.Lead) int { return l.ID })
}

// TestArrivalsShiftANewestFirstWalk: two leads arrive after every page.
// Newest first, each page begins with the leads the previous one ended
// with (the shift the real server's offset paging makes); All skips the
// repeats and yields each lead that was there once, and the arrivals, which
// landed above the walk, are for the next one. Oldest first, the walk meets
// the leads that arrived before its last page.
func TestArrivalsShiftANewestFirstWalk(t *testing.T) {
	t.Parallel()
	sb := salesmantest.NewServer(&salesmantest.Options{Leads: 450, Seed: 2, Arrivals: salesmantest.Arrivals{PerPage: 2}})
	defer sb.Close()
	c, ctx := client(t, sb), context.Background()

	p0, err := c.Leads.List(ctx, &salesman.ListOptions{Newest: true})
	require.NoError(t, err)
	p1, err := c.Leads.List(ctx, &salesman.ListOptions{Newest: true, Page: 1})
	require.NoError(t, err)
	require.Len(t, p0, 200)
	assert.Equal(t, []int{p0[198].ID, p0[199].ID}, []int{p1[0].ID, p1[1].ID}, "page 1 starts with page 0's last two")
	assert.Equal(t, []int{451, 452, 453, 454}, sb.Arrived())
	assert.Equal(t, 454, sb.LeadCount())

	sb.Reset()
	order, times := walk(t, c, &salesman.ListOptions{Newest: true})
	assert.Len(t, order, 450, "each lead that was there, once")
	for id, n := range times {
		assert.Equal(t, 1, n, "lead %d", id)
		assert.LessOrEqual(t, id, 450, "an arrival landed above the walk")
	}
	assert.Len(t, sb.Arrived(), 6, "two after each of the three pages")

	sb.Reset()
	order, times = walk(t, c, nil) // oldest first
	assert.Len(t, order, 454, "the walk meets the four leads that arrived before its last page")
	assert.Equal(t, sb.Arrived()[:4], order[450:])
	assert.Len(t, times, 454, "each once")
	assert.Len(t, sb.Arrived(), 6)
}

// TestArrivalsAreDeterministic: with a Rate, the pages after which leads
// arrive and the leads themselves are the same for the same seed, and
// AddLeads adds leads a test can read back and count.
func TestArrivalsAreDeterministic(t *testing.T) {
	t.Parallel()
	run := func(seed int64) ([]int, []salesman.Lead) {
		sb := salesmantest.NewServer(&salesmantest.Options{Leads: 1000, Seed: seed,
			Arrivals: salesmantest.Arrivals{PerPage: 3, Rate: 0.5}})
		defer sb.Close()
		c := client(t, sb)
		walk(t, c, &salesman.ListOptions{Newest: true})
		walk(t, c, &salesman.ListOptions{Newest: true})
		arrived := sb.Arrived()
		var leads []salesman.Lead
		for _, id := range arrived {
			l, err := c.Leads.Get(context.Background(), id)
			require.NoError(t, err)
			l.Created = time.Time{} // the run's clock
			leads = append(leads, *l)
		}
		return arrived, leads
	}
	a, la := run(4)
	b, lb := run(4)
	_, lc := run(5)
	require.NotEmpty(t, a)
	assert.Less(t, len(a), 3*12, "not after every page")
	assert.Zero(t, len(a)%3)
	assert.Equal(t, a, b)
	assert.Equal(t, la, lb)
	assert.NotEqual(t, la, lc)

	sb := salesmantest.NewServer(&salesmantest.Options{Leads: 10, Seed: 4})
	defer sb.Close()
	ids := sb.AddLeads(2)
	assert.Equal(t, []int{11, 12}, ids)
	assert.Equal(t, ids, sb.Arrived())
	l, err := client(t, sb).Leads.Get(context.Background(), 12)
	require.NoError(t, err)
	assert.Equal(t, []string{la[1].Title, la[1].Phone}, []string{l.Title, l.Phone}, "the second arrival of seed 4, whatever brought it")
	assert.Equal(t, salesman.StatusOpen, l.Status)
	sb.Reset()
	assert.Empty(t, sb.Arrived())
	assert.Equal(t, 10, sb.LeadCount())
}
