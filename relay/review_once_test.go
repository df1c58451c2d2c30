package relay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
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
