package relay_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/relay"
)

// execRelay runs a statement on the relay's own database ({d}: its
// delivery table).
func execRelay(t testing.TB, r *relay.Relay[any], b backend, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	table := "leadkit_relay_delivery"
	if b.schema != "" {
		table = `"` + b.schema + `".` + table
	}
	q = fmt.Sprintf(q, table)
	var err error
	if db := r.DB(); db != nil {
		_, err = db.ExecContext(ctx, q, args...)
	} else {
		_, err = r.Pool().Exec(ctx, q, args...)
	}
	require.NoError(t, err, q)
}

// setRow sets a delivery's state and enqueue time as a test's fixture.
func setRow(t testing.TB, r *relay.Relay[any], b backend, key string, state string, createdMS int64) {
	t.Helper()
	p := map[bool]string{true: "$", false: "?"}[b.schema != ""]
	execRelay(t, r, b, `UPDATE %s SET state = `+p+`1, created_ms = `+p+`2 WHERE key = `+p+`3`, state, createdMS, key)
}

type listed struct {
	key     string
	vendor  relay.Vendor
	state   relay.State
	created int64
}

func collect(t testing.TB, r *relay.Relay[any], o *relay.ListOptions) []string {
	t.Helper()
	var keys []string
	for d, err := range r.Deliveries(context.Background(), o) {
		require.NoError(t, err)
		keys = append(keys, d.Key)
	}
	return keys
}

// Deliveries filters by state, vendor and enqueue time, walks pages in
// enqueue-time-then-key order either way (ties on the millisecond broken by
// key), and resumes after a key; each page is one query continuing after
// the last delivery of the one before (keyset), checked against a model.
func TestDeliveriesFilterAndPage(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		r := open(t, b)
		ctx := context.Background()
		var jobs []relay.Job
		for i := range 12 {
			jobs = append(jobs, salesmanLead(i), zenLead(i), datacakeProspect(i))
		}
		res, err := r.EnqueueMany(ctx, jobs)
		require.NoError(t, err)
		base := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC).UnixMilli()
		states := []string{"queued", "sending", "retrying", "delivered", "needs_review", "failed"}
		var all []listed
		for i, e := range res {
			// Three deliveries share each millisecond: the key breaks ties.
			l := listed{key: e.Key, vendor: []relay.Vendor{relay.VendorSalesman, relay.VendorZen, relay.VendorDatacake}[i%3], created: base + int64(i/3)*1000}
			st := states[(i*7)%len(states)]
			l.state = relay.State(st)
			if st == "sending" {
				l.state = relay.StateRetrying
			}
			setRow(t, r, b, e.Key, st, l.created)
			all = append(all, l)
		}
		slices.SortFunc(all, func(x, y listed) int {
			if x.created != y.created {
				return int(x.created - y.created)
			}
			return compareKeys(x.key, y.key)
		})
		want := func(o relay.ListOptions) []string {
			var out []string
			for _, l := range all {
				if len(o.States) > 0 && !slices.Contains(o.States, l.state) {
					continue
				}
				if o.Vendor != "" && l.vendor != o.Vendor {
					continue
				}
				if !o.Since.IsZero() && l.created < o.Since.UnixMilli() {
					continue
				}
				if !o.Until.IsZero() && l.created >= o.Until.UnixMilli() {
					continue
				}
				out = append(out, l.key)
			}
			if o.Newest {
				slices.Reverse(out)
			}
			return out
		}
		at := func(s int) time.Time { return time.UnixMilli(base + int64(s)*1000) }
		cases := []relay.ListOptions{
			{},
			{PageSize: 4},
			{PageSize: 3, Newest: true},
			{States: []relay.State{relay.StateNeedsReview}, PageSize: 2},
			{States: []relay.State{relay.StateRetrying}, PageSize: 2},
			{States: []relay.State{relay.StateNeedsReview, relay.StateFailed}, Vendor: relay.VendorDatacake, PageSize: 1},
			{Vendor: relay.VendorZen, Newest: true, PageSize: 5},
			{Since: at(3), Until: at(9), PageSize: 4},
			{Since: at(3), States: []relay.State{relay.StateDelivered}, Newest: true, PageSize: 1},
			{Until: at(1)},
		}
		for _, o := range cases {
			got := collect(t, r, &o)
			assert.Equal(t, want(o), got, "%+v", o)
		}
		// Resume after the 5th of a walk, both ways.
		for _, newest := range []bool{false, true} {
			o := relay.ListOptions{Newest: newest, PageSize: 2}
			w := want(o)
			o.After = w[4]
			assert.Equal(t, w[5:], collect(t, r, &o), "after %s, newest %v", w[4], newest)
		}
		// Breaking out of the loop stops the walk.
		n := 0
		for range r.Deliveries(ctx, &relay.ListOptions{PageSize: 2}) {
			n++
			if n == 3 {
				break
			}
		}
		assert.Equal(t, 3, n)
		require.Equal(t, len(all), len(collect(t, r, nil)))
	})
}

// compareKeys orders keys as the databases do for these keys (ASCII
// letters, digits and a colon, whose order every collation agrees on).
func compareKeys(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// A walk that pages while deliveries change state and new ones are
// enqueued yields every delivery that was there when it began exactly
// once (keyset pages do not shift), and the new ones at its end.
func TestDeliveriesStableWhileChanging(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		r := open(t, b)
		ctx := context.Background()
		var before []string
		for i := range 10 {
			key, err := r.Enqueue(ctx, salesmanLead(i))
			require.NoError(t, err)
			setRow(t, r, b, key, "needs_review", int64(1000+i))
			before = append(before, key)
		}
		var got []string
		i := 0
		for d, err := range r.Deliveries(ctx, &relay.ListOptions{States: []relay.State{relay.StateNeedsReview}, PageSize: 3}) {
			require.NoError(t, err)
			got = append(got, d.Key)
			if i < 10 {
				// Resolve the delivery just seen (it leaves the filter: an
				// OFFSET would now skip one), and enqueue a new one.
				setRow(t, r, b, d.Key, "delivered", d.Enqueued.UnixMilli())
				key, err := r.Enqueue(ctx, salesmanLead(100+i))
				require.NoError(t, err)
				setRow(t, r, b, key, "needs_review", int64(2000+i))
			}
			i++
		}
		require.Len(t, got, 20)
		require.GreaterOrEqual(t, len(got), 10)
		assert.Equal(t, before, got[:10])
		seen := map[string]bool{}
		for _, k := range got {
			assert.False(t, seen[k], "yielded twice: %s", k)
			seen[k] = true
		}
	})
}

// A bad option is yielded once as an error naming the field, with nothing
// before it; a key never enqueued as After matches ErrUnknownKey.
func TestDeliveriesBadOptions(t *testing.T) {
	r := open(t, sqliteBackend(t))
	ctx := context.Background()
	for field, o := range map[string]relay.ListOptions{
		"States[1]": {States: []relay.State{relay.StateFailed, "lost"}},
		"Vendor":    {Vendor: "weclever"},
		"PageSize":  {PageSize: 1001},
		"Until":     {Since: time.Unix(100, 0), Until: time.Unix(100, 0)},
	} {
		n := 0
		for _, err := range r.Deliveries(ctx, &o) {
			n++
			var ie *leadkit.InputError
			require.True(t, errors.As(err, &ie), "%s: %v", field, err)
			assert.Equal(t, field, ie.Field)
		}
		assert.Equal(t, 1, n, field)
	}
	for _, err := range r.Deliveries(ctx, &relay.ListOptions{After: "never"}) {
		assert.ErrorIs(t, err, relay.ErrUnknownKey)
	}
	require.NoError(t, closeRelay(r))
	for _, err := range r.Deliveries(ctx, nil) {
		assert.ErrorIs(t, err, relay.ErrClosed)
	}
}
