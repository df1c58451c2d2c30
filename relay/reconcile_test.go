package relay_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/zen"
)

// faulter is the sandbox kit's fault API.
type faulter interface{ Fail(leadkittest.Fault) }

// reconcileCase: a fault on the create, and what the relay must end with.
type reconcileCase struct {
	name       string
	fault      leadkittest.Fault
	creates    int // requests the sandbox counted on the create path
	state      relay.State
	reconciled bool
}

func TestReconciliation(t *testing.T) {
	storedThenFailed := leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true}
	storedThenDropped := leadkittest.Fault{Method: http.MethodPost, Drop: true, AfterVendor: true}
	droppedUnread := leadkittest.Fault{Method: http.MethodPost, Drop: true}
	cases := []reconcileCase{
		{"present: no resend", storedThenFailed, 1, relay.StateDelivered, true},
		{"present after a dropped answer: no resend", storedThenDropped, 1, relay.StateDelivered, true},
		{"absent: resent once", droppedUnread, 2, relay.StateDelivered, false},
	}
	type vendorCase struct {
		vendor relay.Vendor
		job    relay.Job
		server func(*sandboxes) faulter
		stored func(*sandboxes) int
	}
	vendors := []vendorCase{
		{relay.VendorSalesman, salesmanLead(7), func(s *sandboxes) faulter { return s.salesman }, func(s *sandboxes) int { return s.salesman.Count(http.MethodPost, "") }},
		{relay.VendorZen, zenLead(7), func(s *sandboxes) faulter { return s.zen }, func(s *sandboxes) int { return s.zen.Count(http.MethodPost, "") }},
		{relay.VendorZenvia, zenviaLead(7), func(s *sandboxes) faulter { return s.zenvia }, func(s *sandboxes) int { return s.zenvia.Count(http.MethodPost, "/lead") }},
	}
	for _, newBackend := range []func(testing.TB) backend{sqliteBackend, postgresBackend} {
		for _, v := range vendors {
			for _, c := range cases {
				t.Run(string(v.vendor)+"/"+c.name, func(t *testing.T) {
					b := newBackend(t)
					t.Log("on", b.name)
					if v.vendor != relay.VendorSalesman {
						skipSQLiteUnderRaceShort(t, b)
					}
					sb := startSandboxes(t, nil)
					r := open(t, b)
					ctx := context.Background()
					v.server(sb).Fail(c.fault)
					key, err := r.Enqueue(ctx, v.job)
					require.NoError(t, err)
					require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, r.ZenLimiter(), nil)))
					waitFor(t, r, 30*time.Second, settled(1))
					d, err := r.Status(ctx, key)
					require.NoError(t, err)
					assert.Equal(t, c.state, d.State, "%+v", d)
					assert.Equal(t, c.reconciled, d.Reconciled, "%+v", d)
					assert.NotEmpty(t, d.VendorID)
					assert.Equal(t, c.creates, v.stored(sb), "requests to the create")
				})
			}
		}
	}
}

// A lookup that fails is retried; the lead is still never sent twice.
func TestReconcileLookupFailsThenSucceeds(t *testing.T) {
	sb := startSandboxes(t, nil)
	r := open(t, sqliteBackend(t))
	sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true})
	sb.salesman.Fail(leadkittest.Fault{Method: http.MethodGet, Status: http.StatusServiceUnavailable, Times: 6})
	d := deliverOne(t, r, sb, salesmanLead(3))
	assert.Equal(t, relay.StateDelivered, d.State, "%+v", d)
	assert.True(t, d.Reconciled)
	assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""))
}

// Datacake cannot be searched: an unknown outcome parks the job for review,
// with what to check; MarkDelivered and Resend resolve it.
func TestUndecidableNeedsReview(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		var logs testutil.SyncBuffer
		r := open(t, b, relay.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
		ctx := context.Background()
		for range 2 {
			sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "prospecto", Status: http.StatusBadGateway, AfterVendor: true})
		}
		k1, err := r.Enqueue(ctx, datacakeProspect(1))
		require.NoError(t, err)
		k2, err := r.Enqueue(ctx, datacakeProspect(2))
		require.NoError(t, err)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		s := waitFor(t, r, 30*time.Second, settled(2))
		assert.Equal(t, 2, s.NeedsReview, "%+v", s)
		d, err := r.Status(ctx, k1)
		require.NoError(t, err)
		assert.Equal(t, relay.StateNeedsReview, d.State)
		assert.Contains(t, d.Review, "no prospect search")
		assert.Contains(t, d.Review, datacakeProspect(1).Prospect.Document)
		assert.Contains(t, d.LastError, "502")
		assert.Contains(t, logs.String(), "outcome=needs_review")
		assert.Equal(t, 2, sb.datacake.Count(http.MethodPost, "prospecto"), "nothing resent blindly")

		// The operator found the first in the ERP, and not the second.
		require.NoError(t, r.MarkDelivered(ctx, k1, "4711"))
		require.NoError(t, r.Resend(ctx, k2))
		s = waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 2 })
		assert.Equal(t, 0, s.NeedsReview)
		assert.Equal(t, 3, sb.datacake.Count(http.MethodPost, "prospecto"))
		d, err = r.Status(ctx, k1)
		require.NoError(t, err)
		assert.Equal(t, "4711", d.VendorID)
		assert.Error(t, r.Resend(ctx, k1), "a delivered lead is never resent")
	})
}

// A prospect created whose files upload is in doubt: review names the prospect.
func TestDatacakeFilesInDoubt(t *testing.T) {
	sb := startSandboxes(t, nil)
	r := open(t, sqliteBackend(t))
	sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "arquivo", Drop: true, AfterVendor: true})
	d := deliverOne(t, r, sb, datacakeWithFile(5))
	assert.Equal(t, relay.StateNeedsReview, d.State)
	require.NotEmpty(t, d.VendorID)
	assert.True(t, strings.Contains(d.Review, "prospect "+d.VendorID+" was created"), d.Review)
	assert.Equal(t, 1, sb.datacake.Count(http.MethodPost, "prospecto")-sb.datacake.Count(http.MethodPost, "arquivos"), "one prospect")
	assert.Equal(t, 1, sb.datacake.Count(http.MethodPost, "arquivos"), "one upload")
}

// A delivery leased by a live attempt elsewhere (a process River took for
// dead that is still working) is not worked twice: the second attempt
// waits for the lease.
func TestLeaseKeepsTwoAttemptsApart(t *testing.T) {
	sb := startSandboxes(t, nil)
	r := open(t, sqliteBackend(t))
	ctx := context.Background()
	key, err := r.Enqueue(ctx, salesmanLead(8))
	require.NoError(t, err)
	until := time.Now().Add(3 * time.Second).UnixMilli()
	_, err = r.DB().ExecContext(ctx, `UPDATE leadkit_relay_delivery SET lease_ms = ? WHERE key = ?`, until, key)
	require.NoError(t, err)
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	time.Sleep(time.Second)
	assert.Zero(t, sb.salesman.Count(http.MethodPost, ""), "nothing sent while another attempt holds the lease")
	waitFor(t, r, 30*time.Second, settled(1))
	d, err := r.Status(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, relay.StateDelivered, d.State)
	assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""))
}

// River deletes finished jobs after its retention period (24 hours by
// default); a delivery parked for review keeps its lead, and Resend
// enqueues it again from the relay's own copy.
func TestResendAfterRiverForgotTheJob(t *testing.T) {
	sb := startSandboxes(t, nil)
	r := open(t, sqliteBackend(t))
	ctx := context.Background()
	sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "prospecto", Status: http.StatusBadGateway, AfterVendor: true})
	key, err := r.Enqueue(ctx, datacakeProspect(4))
	require.NoError(t, err)
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	waitFor(t, r, 30*time.Second, settled(1))
	require.NoError(t, r.Stop(ctx)) // River records the cancelled job
	res, err := r.DB().ExecContext(ctx, `DELETE FROM river_job WHERE id = (SELECT job_id FROM leadkit_relay_delivery WHERE key = ?)`, key)
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	require.Equal(t, int64(1), n)

	d, err := r.Status(ctx, key)
	require.NoError(t, err)
	assert.Contains(t, string(d.Job), datacakeProspect(4).Prospect.Document, "the lead is still there")
	require.NoError(t, r.Resend(ctx, key))
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 1 })
	assert.Equal(t, 2, sb.datacake.Count(http.MethodPost, "prospecto"))
}

// Zen allows one archive read per window: one read answers every lookup
// of the day whose attempt had settled before it, so a dozen leads in
// doubt cost a few reads, not a dozen windows.
func TestZenLookupsShareArchiveReads(t *testing.T) {
	sb := startSandboxes(t, nil)
	r := open(t, sqliteBackend(t), relay.WithSettle(relay.VendorZen, 300*time.Millisecond))
	ctx := context.Background()
	const n = 12
	sb.zen.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, AfterVendor: true, Times: n})
	for i := range n {
		_, err := r.Enqueue(ctx, zenLead(100+i))
		require.NoError(t, err)
	}
	cs := clientsFor(t, sb.urls, r.ZenLimiter(), nil)
	// One archive read per half second at most, so that the count below
	// does not depend on how fast this machine is.
	zc, err := zen.NewClient(sb.urls["zen"], sbZenToken, zen.WithLimits(zen.Limits{Archive: 500 * time.Millisecond}), zen.WithLimiter(r.ZenLimiter()))
	require.NoError(t, err)
	cs.Zen = zc
	require.NoError(t, r.Start(ctx, cs))
	s := waitFor(t, r, 60*time.Second, settled(n))
	assert.Equal(t, n, s.Reconciled, "%+v", s)
	assert.Equal(t, n, sb.zen.Count(http.MethodPost, ""), "nothing resent")
	reads := sb.zen.Count(http.MethodGet, "arquivo")
	t.Logf("%d leads in doubt reconciled with %d archive reads", n, reads)
	assert.Less(t, reads, n/2)
}
