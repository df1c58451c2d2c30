package relay_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// personCase is a vendor whose lookup must tell a person's leads apart.
type personCase struct {
	name    string
	version salesman.APIVersion // SalesMan's, when the vendor is SalesMan
	lead    func(person, visit int) relay.Job
	fail    func(*sandboxes, leadkittest.Fault)
	stored  func(t *testing.T, sb *sandboxes, person int) int // leads of the person the vendor holds
}

func salesmanPerson(person, visit int) relay.Job {
	return relay.SalesmanLead{Key: fmt.Sprintf("p%d-visit%d", person, visit), Lead: &salesman.NewLead{
		Title: "Иван", Email: fmt.Sprintf("person%d@example.ru", person), Phone: fmt.Sprintf("+7916%07d", person),
		Description: fmt.Sprintf("визит %d", visit)}}
}

func zenviaPerson(person, visit int) relay.Job {
	return relay.ZenviaLead{Key: fmt.Sprintf("p%d-visit%d", person, visit), Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{
		UTMSource: "site", FirstName: "Ana", Phones: []string{fmt.Sprintf("+55219%08d", person)}, Comments: fmt.Sprintf("visita %d", visit)}}
}

func personCases() []personCase {
	var out []personCase
	for _, v := range []salesman.APIVersion{salesman.V1, salesman.V2, salesman.V3} {
		out = append(out, personCase{name: "salesman/" + v.String(), version: v, lead: salesmanPerson,
			fail: func(sb *sandboxes, f leadkittest.Fault) { sb.salesman.Fail(f) },
			stored: func(t *testing.T, sb *sandboxes, person int) int {
				return sb.salesman.LeadCount() - 20 // the seeded 20 are other people
			}})
	}
	out = append(out, personCase{name: "zenvia", lead: zenviaPerson,
		fail: func(sb *sandboxes, f leadkittest.Fault) { f.Path = "/lead/"; sb.zenvia.Fail(f) },
		stored: func(t *testing.T, sb *sandboxes, person int) int {
			c := clientsFor(t, sb.urls, nil, nil).Zenvia
			p, err := c.Prospects.Find(context.Background(), zenviaPerson(person, 0).(relay.ZenviaLead).Lead)
			if err != nil {
				return 0
			}
			return len(p.Leads)
		}})
	return out
}

// TestTwoLeadsOfOnePerson: a person sends several leads (a repeat visitor,
// a form sent twice). The first is delivered; the second's create is
// dropped before the vendor (it never arrived) and must be sent again; the
// third's answer is lost after the vendor stored it and must be found as
// itself. Before markers, the lookup took the person's first lead for the
// second (recorded "delivered, reconciled" with the first's id: lost) and
// for the third (another lead's id). On every SalesMan API version and
// Zenvia, on both databases.
func TestTwoLeadsOfOnePerson(t *testing.T) {
	for _, newBackend := range []func(testing.TB) backend{sqliteBackend, postgresBackend} {
		for _, c := range personCases() {
			t.Run(c.name, func(t *testing.T) {
				b := newBackend(t)
				t.Log("on", b.name)
				if c.name != "salesman/v1" {
					skipSQLiteUnderRaceShort(t, b)
				}
				sb := startSandboxes(t, nil)
				r := open(t, b)
				ctx := context.Background()
				require.NoError(t, r.Start(ctx, clientsWith(t, sb.urls, clientKnobs{version: c.version})))
				deliver := func(n int, job relay.Job) *relay.Delivery { return deliverNth(t, r, n, job) }
				first := deliver(1, c.lead(1, 1))
				require.Equal(t, relay.StateDelivered, first.State)

				c.fail(sb, leadkittest.Fault{Method: http.MethodPost, Drop: true})
				second := deliver(2, c.lead(1, 2))
				assert.Equal(t, relay.StateDelivered, second.State, "%+v", second)
				assert.False(t, second.Reconciled, "proved absent and sent again, not taken for the first")
				assert.Equal(t, 2, second.Attempts)
				assert.NotEqual(t, first.VendorRef, second.VendorRef)

				c.fail(sb, leadkittest.Fault{Method: http.MethodPost, Drop: true, AfterVendor: true})
				third := deliver(3, c.lead(1, 3))
				assert.Equal(t, relay.StateDelivered, third.State, "%+v", third)
				assert.True(t, third.Reconciled)
				assert.Equal(t, 1, third.Attempts, "found, not sent again")
				assert.NotContains(t, []string{first.VendorRef, second.VendorRef}, third.VendorRef, "its own record")
				assert.NotEmpty(t, third.VendorRef)
				assert.Equal(t, 3, c.stored(t, sb, 1), "three leads, each once")
			})
		}
	}
}

// TestWithoutMarkerSamePersonNeedsReview: without the marker a lead of the
// same person since the attempt may be this one: review, never "found"
// (and never sent again).
func TestWithoutMarkerSamePersonNeedsReview(t *testing.T) {
	for _, c := range personCases() {
		if c.name == "salesman/V1" {
			continue // V1's newest 200 reach back far enough here; same answer
		}
		t.Run(c.name, func(t *testing.T) {
			sb := startSandboxes(t, nil)
			r := open(t, sqliteBackend(t), relay.WithoutMarker())
			ctx := context.Background()
			require.NoError(t, r.Start(ctx, clientsWith(t, sb.urls, clientKnobs{version: c.version})))
			_, err := r.Enqueue(ctx, c.lead(2, 1))
			require.NoError(t, err)
			waitFor(t, r, 30*time.Second, settled(1))
			c.fail(sb, leadkittest.Fault{Method: http.MethodPost, Drop: true})
			key, err := r.Enqueue(ctx, c.lead(2, 2))
			require.NoError(t, err)
			waitFor(t, r, 30*time.Second, settled(2))
			d, err := r.Status(ctx, key)
			require.NoError(t, err)
			assert.Equal(t, relay.StateNeedsReview, d.State, "%+v", d)
			assert.Contains(t, d.Review, "cannot tell")
			assert.Equal(t, 1, c.stored(t, sb, 2))
			assert.NotContains(t, string(d.Job), "[lk:", "no marker was put in the lead")
		})
	}
}

// TestFoundRecordHeldByAnotherDelivery: two deliveries whose leads carry
// one marker (the caller's, given twice): each also carries its own, which
// alone identifies it. The second's create never arrives: its lookup does
// not take the first's record for it (it needed review when the caller's
// marker was taken for the lead's), and it is sent again.
func TestFoundRecordHeldByAnotherDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		same := leadkit.Marker("the caller's")
		job := func(k string) relay.Job {
			return relay.SalesmanLead{Key: k, Lead: &salesman.NewLead{Title: "Анна", Email: "anna@example.ru", Description: "заказ " + same}}
		}
		_, err := r.Enqueue(ctx, job("a"))
		require.NoError(t, err)
		waitFor(t, r, 30*time.Second, settled(1))
		sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Drop: true})
		_, err = r.Enqueue(ctx, job("b"))
		require.NoError(t, err)
		waitFor(t, r, 30*time.Second, settled(2))
		a, err := r.Status(ctx, "a")
		require.NoError(t, err)
		d, err := r.Status(ctx, "b")
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, d.State, "%+v", d)
		assert.False(t, d.Reconciled, "proved absent and sent again: %+v", d)
		assert.NotEqual(t, a.VendorRef, d.VendorRef, "its own record")
		assert.Equal(t, 22, sb.salesman.LeadCount(), "the 20 seeded, a and b")
	})
}

// TestZenLeadsOfOnePerson: Zen files a deal under its contact's code, so a
// lead whose code is not in the archive may be there under the code of
// the person's earlier lead: review, not a resend. A lead of another
// person, whose only newer deals carry codes the relay sent for other
// people, is proved absent and sent again; a lead stored then cut off is
// found by its own code.
func TestZenLeadsOfOnePerson(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, r.ZenLimiter(), nil)))
		lead := func(key, email string) relay.Job {
			return relay.ZenLead{Key: key, Lead: &zen.LeadEntry{Name: "Ana", Email: email}}
		}
		deliver := func(n int, job relay.Job) *relay.Delivery { return deliverNth(t, r, n, job) }
		first := deliver(1, lead("ana-1", "ana@example.com.br"))
		require.Equal(t, relay.StateDelivered, first.State)

		sb.zen.Fail(leadkittest.Fault{Method: http.MethodPost, Drop: true})
		second := deliver(2, lead("ana-2", "ana@example.com.br"))
		assert.Equal(t, relay.StateNeedsReview, second.State, "%+v", second)
		assert.Contains(t, second.Review, first.VendorID, "the person's other deal is named")

		sb.zen.Fail(leadkittest.Fault{Method: http.MethodPost, Drop: true})
		other := deliver(3, lead("bia-1", "bia@example.com.br"))
		assert.Equal(t, relay.StateDelivered, other.State, "%+v", other)
		assert.False(t, other.Reconciled, "absent, proved: the newer deal is another person's")

		sb.zen.Fail(leadkittest.Fault{Method: http.MethodPost, Drop: true, AfterVendor: true})
		cut := deliver(4, lead("ana-3", "ana@example.com.br"))
		assert.Equal(t, relay.StateDelivered, cut.State, "%+v", cut)
		assert.True(t, cut.Reconciled)
		assert.Equal(t, 1+1+2+1, sb.zen.Count(http.MethodPost, ""), "creates: 1, 1 dropped, 2 (dropped, sent again), 1")
	})
}

// deliverNth enqueues job on a started relay, the nth, and returns its
// delivery once nothing is left to do.
func deliverNth(t *testing.T, r *relay.Relay[any], n int, job relay.Job) *relay.Delivery {
	t.Helper()
	ctx := context.Background()
	key, err := r.Enqueue(ctx, job)
	require.NoError(t, err)
	waitFor(t, r, 30*time.Second, settled(n))
	d, err := r.Status(ctx, key)
	require.NoError(t, err)
	return d
}
