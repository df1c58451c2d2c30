package relay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// zenCodeless is Zen's archive as docs/zen.md describes a lead sent
// without an integration code: its deal carries none (the sandbox names
// it ENT-<n>; here its archive rows say "").
func zenCodeless(vendor string, h http.Handler) http.Handler {
	if vendor != "zen" {
		return h
	}
	assigned := regexp.MustCompile(`"integracao_lead":"ENT-[0-9]+"`)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		body := assigned.ReplaceAll(rec.Body.Bytes(), []byte(`"integracao_lead":""`))
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

// TestZenCodelessDealIsNotExplained: without the marker, a Zen lead given
// no integration code is filed without one. A deal with no code created
// since the attempt could be this lead: another delivery sent without a
// code (another person's) does not explain it. Before, the lookup took
// the empty code for that delivery's, proved the lead absent, and sent it
// again: Zen held it twice.
func TestZenCodelessDealIsNotExplained(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, zenCodeless)
		r := open(t, b, relay.WithoutMarker())
		ctx := context.Background()
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, r.ZenLimiter(), nil)))
		lead := func(key, email string) relay.Job {
			return relay.ZenLead{Key: key, Lead: &zen.LeadEntry{Name: "Ana", Email: email}}
		}
		first := deliverNth(t, r, 1, lead("ana-1", "ana@example.com.br"))
		require.Equal(t, relay.StateDelivered, first.State)

		// Bia's create reaches Zen; its answer is lost.
		sb.zen.Fail(leadkittest.Fault{Method: http.MethodPost, Drop: true, AfterVendor: true})
		second := deliverNth(t, r, 2, lead("bia-1", "bia@example.com.br"))
		assert.Equal(t, relay.StateNeedsReview, second.State, "%+v", second)
		assert.Contains(t, second.Review, "no integration code")
		assert.Equal(t, 2, sb.zen.Count(http.MethodPost, ""), "Bia's lead sent once: %+v", second)
	})
}

// TestResendGetsEveryAttempt: Resend starts a delivery over, with the
// attempts WithRetries gives. Before, River's retry of a job whose attempts
// ran out allowed it one more: a Resend after an outage failed again at
// the first error that another attempt would have ridden out.
func TestResendGetsEveryAttempt(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		closed := "http://" + testutil.ClosedPort(t)
		r := open(t, b, relay.WithRetries(3, 10*time.Millisecond))
		ctx := context.Background()
		key, err := r.Enqueue(ctx, salesmanLead(1))
		require.NoError(t, err)
		cs := clientsFor(t, map[string]string{"salesman": closed, "zen": closed, "zenvia": closed, "datacake": closed}, nil, nil)
		require.NoError(t, r.Start(ctx, relay.Clients{Salesman: cs.Salesman}))
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Failed == 1 })
		d, err := r.Status(ctx, key)
		require.NoError(t, err)
		require.Equal(t, 3, d.Attempts, "%+v", d)

		require.NoError(t, r.Resend(ctx, key))
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Failed == 1 })
		d, err = r.Status(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, 6, d.Attempts, "three more attempts: %+v", d)
	})
}

// TestStaleMarkerInTheCallersText: a lead whose text carries another lead's
// marker (copied from an earlier lead's Delivery.Job, whose record
// retention deleted since) is still told apart by its own. Before, the
// relay kept the copied marker as the lead's (it appended none), and the
// lookup after a create that never arrived found the earlier lead by it:
// recorded delivered with that lead's id, it was lost.
func TestStaleMarkerInTheCallersText(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		cs := clientsFor(t, sb.urls, nil, nil)
		text := "pedido anterior " + leadkit.Marker("lead-2025-17")
		earlier, err := cs.Salesman.Leads.Create(ctx, &salesman.NewLead{Title: "Иван", Email: "ivan@example.ru", Description: text})
		require.NoError(t, err)
		require.NoError(t, r.Start(ctx, cs))

		sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Drop: true}) // never arrives
		d := deliverNth(t, r, 1, relay.SalesmanLead{Key: "lead-2026-3", Lead: &salesman.NewLead{Title: "Иван", Email: "ivan@example.ru", Description: text}})
		assert.Equal(t, relay.StateDelivered, d.State, "%+v", d)
		assert.NotEqual(t, strconv.Itoa(earlier.ID), d.VendorID, "not the earlier lead: %+v", d)
		assert.False(t, d.Reconciled, "proved absent and sent again: %+v", d)
		assert.Equal(t, 22, sb.salesman.LeadCount(), "the 20 seeded, the earlier, and this one")
	})
}

// TestZenviaReturningCustomerAfterAYear: Zenvia merges a lead into the
// person's prospect however old it is. Ana's first lead made her prospect
// 400 days ago; her second lead's answer is lost after Zenvia stored it.
// The lookup must find it in that prospect, not call it absent because the
// last year holds no prospect of hers. Red before: the lead was sent again
// (the prospect held "visita 2" twice).
func TestZenviaReturningCustomerAfterAYear(t *testing.T) {
	var back atomic.Int64 // how far the sandbox's clock runs behind
	back.Store(int64(400 * 24 * time.Hour))
	zs := zenviatest.NewServer(&zenviatest.Options{APIKey: sbZenviaKey, NoRateLimits: true, Seed: 1, Prospects: 5,
		Now: func() time.Time { return time.Now().Add(-time.Duration(back.Load())) }})
	t.Cleanup(zs.Close)
	r := open(t, postgresBackend(t))
	ctx := context.Background()
	cs := clientsFor(t, map[string]string{"zenvia": zs.URL, "salesman": zs.URL, "zen": zs.URL, "datacake": zs.URL}, nil, nil)
	require.NoError(t, r.Start(ctx, relay.Clients{Zenvia: cs.Zenvia}))
	lead := func(key, comments string) relay.Job {
		return relay.ZenviaLead{Key: key, Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "site", FirstName: "Ana",
			Phones: []string{"+5521988887777"}, Comments: comments}}
	}
	first := deliverNth(t, r, 1, lead("ana-2025", "visita 1"))
	require.Equal(t, relay.StateDelivered, first.State, "last error: %s", first.LastError)
	back.Store(0) // 400 days later Ana comes back
	zs.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "/lead/", Drop: true, AfterVendor: true})
	second := deliverNth(t, r, 2, lead("ana-2026", "visita 2"))
	assert.Equal(t, relay.StateDelivered, second.State, "review: %s; last error: %s", second.Review, second.LastError)
	assert.True(t, second.Reconciled, "found by its marker in the old prospect")
	assert.Equal(t, first.VendorID, second.VendorID)
	p, err := cs.Zenvia.Prospects.Get(ctx, first.VendorID)
	require.NoError(t, err)
	assert.Len(t, p.Leads, 2, "each lead once: %+v", p.Leads)
}

// TestKeyOfAnotherVendorIsRefused: keys are one namespace across vendors. A
// caller fanning one lead out to two vendors under one key used to get
// ErrDuplicate for the second and, taking it for "already enqueued" (the
// idempotent-retry pattern), never delivered it. The second vendor's job
// is now an input error naming the key's field; the same vendor's is still
// ErrDuplicate; a batch with the key for two vendors stores nothing.
func TestKeyOfAnotherVendorIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		r := open(t, b)
		sm := salesmanLead(71)
		sm.Key = "order-71"
		_, err := r.Enqueue(ctx, sm)
		require.NoError(t, err)
		_, err = r.Enqueue(ctx, sm)
		require.ErrorIs(t, err, relay.ErrDuplicate, "the same lead again")

		zn := zenLead(71)
		zn.Key = "order-71"
		_, err = r.Enqueue(ctx, zn)
		require.ErrorIs(t, err, leadkit.ErrInvalidInput)
		require.NotErrorIs(t, err, relay.ErrDuplicate)
		assert.Contains(t, err.Error(), "Key")
		assert.Contains(t, err.Error(), "salesman")

		_, err = r.EnqueueMany(ctx, []relay.Job{zenviaLead(72), zn})
		require.ErrorIs(t, err, leadkit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "jobs[1].Key")

		zn.Key, sm.Key = "order-73", "order-73"
		_, err = r.EnqueueMany(ctx, []relay.Job{zn, sm})
		require.ErrorIs(t, err, leadkit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "jobs[1].Key")
		_, err = r.Status(ctx, "order-73")
		require.ErrorIs(t, err, relay.ErrUnknownKey, "nothing of the batch stored")
		s, err := r.Stats(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, 1, s.Queued, "only the first lead: %+v", s)

		res, err := r.EnqueueMany(ctx, []relay.Job{sm, sm})
		require.NoError(t, err, "one vendor twice in a batch is a duplicate, as before")
		assert.False(t, res[0].Duplicate)
		assert.True(t, res[1].Duplicate)

		// In the caller's transaction: a fresh lead, then a key a stored
		// lead of another vendor holds. The caller commits anyway: nothing
		// of the batch is in it.
		fresh := zenviaLead(74)
		fresh.Key = "order-74"
		var tx any
		var commit func() error
		if p := r.Pool(); p != nil {
			ptx, err := p.Begin(ctx)
			require.NoError(t, err)
			tx, commit = ptx, func() error { return ptx.Commit(ctx) }
		} else {
			stx, err := r.DB().BeginTx(ctx, nil)
			require.NoError(t, err)
			tx, commit = stx, stx.Commit
		}
		_, err = r.EnqueueManyTx(ctx, tx, []relay.Job{fresh, zn})
		require.ErrorIs(t, err, leadkit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "jobs[1].Key")
		require.NoError(t, commit())
		_, err = r.Status(ctx, "order-74")
		require.ErrorIs(t, err, relay.ErrUnknownKey, "nothing of the batch in the caller's transaction")
		var jobs int
		q := `SELECT count(*) FROM river_job`
		if p := r.Pool(); p != nil {
			require.NoError(t, p.QueryRow(ctx, `SELECT count(*) FROM "`+b.schema+`".river_job`).Scan(&jobs))
		} else {
			require.NoError(t, r.DB().QueryRowContext(ctx, q).Scan(&jobs))
		}
		assert.Equal(t, 2, jobs, "River holds the two leads enqueued, no more")
	})
}

// TestParkedDeliveryWithARescuedJob: the process died after an attempt
// parked a delivery for review but before River recorded the job's end;
// River's rescuer made the job retryable, to run (and only end) at its next
// retry, which WithRetries may put minutes away. The operator's
// MarkDelivered and Resend act at once. Red before: both answered
// ErrConflict ("its River job is retryable (being delivered)") until the
// job ran (CI's chaos run: five rounds of the operator refused).
func TestParkedDeliveryWithARescuedJob(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		sb := startSandboxes(t, nil)
		r := open(t, b)
		stored, err := r.Enqueue(ctx, datacakeProspect(81)) // its answer lost after the ERP stored it
		require.NoError(t, err)
		unsent, err := r.Enqueue(ctx, datacakeProspect(82)) // its connection dropped before the ERP read it
		require.NoError(t, err)
		sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "prospecto", Drop: true, AfterVendor: true})
		sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "prospecto", Drop: true})
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.NeedsReview == 2 })
		deadline := time.Now().Add(20 * time.Second)
		for _, k := range []string{stored, unsent} {
			for riverJobState(t, r, b.schema, jobID(t, r, b.schema, k)) != "cancelled" {
				require.True(t, time.Now().Before(deadline), "River did not end the job")
				time.Sleep(20 * time.Millisecond)
			}
		}
		require.NoError(t, closeRelay(r))

		r = open(t, b) // not started: nothing works the jobs
		// What River's rescuer leaves: the jobs retryable.
		for _, k := range []string{stored, unsent} {
			execSQL(t, r, b.schema, `UPDATE river_job SET state = 'retryable', finalized_at = NULL WHERE id = $1`, jobID(t, r, b.schema, k))
		}
		// The id the operator read in the ERP: the sandbox numbers its
		// prospects from 5001, and 81 was the first it stored.
		require.NoError(t, r.MarkDelivered(ctx, stored, "5001"), "the operator found it in the ERP")
		require.NoError(t, r.Resend(ctx, unsent), "the operator did not")
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 2 })
		for _, k := range []string{stored, unsent} {
			d, err := r.Status(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, relay.StateDelivered, d.State, "%s: %s", k, d.LastError)
		}
		assert.Equal(t, 3, sb.datacake.Count(http.MethodPost, "prospecto"), "81 once; 82 dropped unread, then resent once")
	})
}
