package zenvia_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestFindReconcilesAnUnknownOutcome: a lead whose answer was lost is found
// in the prospect it was merged into.
func TestFindReconcilesAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 2}, zenvia.WithPhoneNormalization("BR"))
	ctx := context.Background()
	lead := &zenvia.Lead{UTMSource: "site", FirstName: "Rita", Phones: []string{"(51) 98765-0001"}, Emails: []string{"rita.find@example.com"}}
	s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Drop: true, AfterVendor: true})
	_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, lead)
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	p, err := c.Prospects.Find(ctx, lead)
	require.NoError(t, err)
	assert.Equal(t, "Rita", p.FirstName)
	byMail, err := c.Prospects.Find(ctx, &zenvia.Lead{Emails: []string{"rita.find@example.com"}})
	require.NoError(t, err)
	assert.Equal(t, p.ID, byMail.ID)
	_, err = c.Prospects.Find(ctx, &zenvia.Lead{Phones: []string{"+5511900000009"}})
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
}

// TestFindChecksEveryCandidate: Zenvia's search matches loosely (digits of
// an e-mail inside other prospects' phones, phone suffixes); Find returns
// only a prospect that holds the lead's phone or e-mail. Before the check,
// a lead that never arrived was "found" in another person's prospect, and a
// reconciling caller would have dropped it.
func TestFindChecksEveryCandidate(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 2})
	ctx := context.Background()
	// Another person whose phone holds the digits of the missing lead's e-mail.
	other := &zenvia.Lead{UTMSource: "site", FirstName: "Outro", Phones: []string{"+5521900000040"}, Emails: []string{"outro@example.com"}}
	_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, other)
	require.NoError(t, err)
	missing := &zenvia.Lead{UTMSource: "site", FirstName: "Nunca", Phones: []string{"+5521900000004"}, Emails: []string{"v000004@example.com.br"}}
	_, err = c.Prospects.Find(ctx, missing)
	assert.ErrorIs(t, err, zenvia.ErrNotFound, "a prospect that holds neither the phone nor the e-mail")
	_, err = c.Prospects.Find(ctx, &zenvia.Lead{Phones: []string{"900000040"}})
	assert.ErrorIs(t, err, zenvia.ErrNotFound, "a suffix of a phone is not the phone")
	p, err := c.Prospects.Find(ctx, &zenvia.Lead{Phones: []string{"21 90000-0040"}})
	require.NoError(t, err, "the same phone without the country code")
	assert.Equal(t, "Outro", p.FirstName)
	_ = s
}

// TestFindLeadIdentifiesTheLead: a person sends two leads (a repeat
// visitor); the first is stored, the second's outcome is unknown and it
// never arrived. Both go into one prospect in Zenvia, so the prospect
// proves nothing; each lead's comments carry its own marker. The relay's
// lookup before markers took "a lead of the prospect created since the
// attempt" for the second and dropped it when both were sent minutes
// apart.
func TestFindLeadIdentifiesTheLead(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 2})
	ctx := context.Background()
	since := time.Now().Add(-time.Second)
	first := &zenvia.Lead{UTMSource: "site", FirstName: "Rita", Phones: []string{"+5551987650002"}, Comments: "manhã " + leadkit.Marker("v-1")}
	second := &zenvia.Lead{UTMSource: "site", FirstName: "Rita", Phones: []string{"+5551987650002"}, Comments: "tarde " + leadkit.Marker("v-2")}
	res, err := c.Leads.Create(ctx, zenvia.IndustryRetail, first)
	require.NoError(t, err)

	got, err := c.Prospects.FindLead(ctx, first, since)
	require.NoError(t, err)
	assert.Equal(t, res.Prospect.ID, got.Prospect.ID)
	assert.Equal(t, zenvia.LeadRef(res.Prospect.ID, got.Lead.Created), got.Ref())
	_, err = c.Prospects.FindLead(ctx, second, since)
	assert.ErrorIs(t, err, zenvia.ErrNotFound, "the person's other lead is not this one")

	// The second arrives after all (its answer was lost): found, its own.
	s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Drop: true, AfterVendor: true})
	_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, second)
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	got2, err := c.Prospects.FindLead(ctx, second, since)
	require.NoError(t, err)
	assert.Equal(t, got.Prospect.ID, got2.Prospect.ID, "one prospect")
	assert.NotEqual(t, got.Ref(), got2.Ref(), "two leads")

	// Without a marker, the person's leads since the send may be it.
	plain := &zenvia.Lead{UTMSource: "site", Phones: []string{"+5551987650002"}}
	_, err = c.Prospects.FindLead(ctx, plain, since)
	var ct *leadkit.CannotTellError
	require.ErrorAs(t, err, &ct)
	assert.Len(t, ct.Candidates, 2)
	_, err = c.Prospects.FindLead(ctx, plain, time.Now().Add(time.Hour))
	assert.ErrorIs(t, err, zenvia.ErrNotFound, "no lead of the person since then")
	// A lead since the send without any marker may be a marked one whose
	// comments were lost.
	_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, plain)
	require.NoError(t, err)
	_, err = c.Prospects.FindLead(ctx, &zenvia.Lead{Phones: []string{"+5551987650002"}, Comments: leadkit.Marker("v-3")}, since)
	assert.ErrorIs(t, err, leadkit.ErrCannotTell)
}

// TestFindLeadSeesOldProspects: a repeat visitor's lead merges into the
// person's prospect however old it is; FindLead looks in every 31-day
// window from now back to FindHorizon before the send (here a send two
// months after a seeded prospect: the seeds are years old).
func TestFindLeadSeesOldProspects(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 3, Prospects: 50})
	ctx := context.Background()
	var old *zenvia.Prospect
	for _, id := range s.ProspectIDs() {
		p, err := c.Prospects.Get(ctx, id)
		require.NoError(t, err)
		if len(p.Phones) > 0 {
			old = p
			break
		}
	}
	require.NotNil(t, old)
	require.Greater(t, time.Since(old.Created), 3*zenvia.MaxWindow, "older than Zenvia's default window")
	lead := &zenvia.Lead{UTMSource: "site", Phones: old.Phones[:1], Comments: leadkit.Marker("old-1")}
	s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Status: http.StatusBadGateway, AfterVendor: true})
	_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, lead)
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	got, err := c.Prospects.FindLead(ctx, lead, old.Created.Add(60*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, old.ID, got.Prospect.ID)
}

// TestFindLeadSeesAReturningCustomerOfYearsAgo: a lead merges into the
// person's prospect however old it is, so a person with no prospect in the
// last FindHorizon is looked for back to the account's first day before
// FindLead says "not found". Red before: the lead, stored in the person's
// prospect of three years ago, was ErrNotFound (and a caller resent it).
func TestFindLeadSeesAReturningCustomerOfYearsAgo(t *testing.T) {
	t.Parallel()
	var back atomic.Int64 // how far the sandbox's clock runs behind
	back.Store(int64(3 * 365 * 24 * time.Hour))
	s, c := sandbox(t, &zenviatest.Options{Seed: 4, Prospects: 3, Now: func() time.Time { return time.Now().Add(-time.Duration(back.Load())) }})
	ctx := context.Background()
	phone := "+5521988887777"
	first, err := c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", FirstName: "Ana", Phones: []string{phone}, Comments: "visit 1"})
	require.NoError(t, err)
	require.NotNil(t, first.Prospect)
	back.Store(0) // three years later, Ana comes back
	lead := &zenvia.Lead{UTMSource: "site", FirstName: "Ana", Phones: []string{phone}, Comments: "visit 2 " + leadkit.Marker("ana-2")}
	sent := time.Now()
	s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Drop: true, AfterVendor: true})
	_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, lead)
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	p, err := c.Prospects.Get(ctx, first.Prospect.ID)
	require.NoError(t, err)
	require.Len(t, p.Leads, 2, "merged into the old prospect")
	require.Greater(t, time.Since(p.Created), zenvia.FindHorizon+zenvia.MaxWindow)

	got, err := c.Prospects.FindLead(ctx, lead, sent)
	require.NoError(t, err, "the lead is in the prospect of three years ago")
	assert.Equal(t, first.Prospect.ID, got.Prospect.ID)
	assert.Contains(t, got.Lead.Comments, leadkit.Marker("ana-2"))

	// A lead that never arrived: every window back to the account's first
	// day was read, and nothing there could be it.
	gone := &zenvia.Lead{UTMSource: "site", Phones: []string{"+5521911112222"}, Comments: leadkit.Marker("never")}
	before := len(s.Requests())
	_, err = c.Prospects.FindLead(ctx, gone, sent)
	require.ErrorIs(t, err, zenvia.ErrNotFound)
	windows := len(s.Requests()) - before
	assert.Greater(t, windows, int(time.Since(zenvia.AccountSinceDefault)/zenvia.MaxWindow), "one list a window back to the account's first day")

	// An account opened two years ago: FindLead looks no further back.
	ss, short := sandbox(t, &zenviatest.Options{Seed: 4, Prospects: 3}, zenvia.WithAccountSince(time.Now().AddDate(-2, 0, 0)))
	_, err = short.Prospects.FindLead(ctx, gone, sent)
	require.ErrorIs(t, err, zenvia.ErrNotFound)
	assert.LessOrEqual(t, len(ss.Requests()), int(2*366*24*time.Hour/zenvia.MaxWindow)+3, "two years of windows")

	for _, bad := range []time.Time{{}, time.Now().Add(48 * time.Hour)} {
		_, err := zenvia.NewClient("k", zenvia.WithAccountSince(bad))
		require.ErrorIs(t, err, leadkit.ErrInvalidInput)
		assert.Contains(t, err.Error(), "accountSince")
	}
}

// TestFindLeadWalkFailsWhole: the walk back reads its lists several at a
// time; one list failing (here the 40th, on the walk back to the account's
// first day) fails the lookup with its error, never "not found".
func TestFindLeadWalkFailsWhole(t *testing.T) {
	t.Parallel()
	zs := zenviatest.NewUnstartedServer(&zenviatest.Options{Seed: 6, Prospects: 3})
	var lists atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/prospects" && lists.Add(1) == 40 {
			http.Error(w, `{"error":"chaos"}`, http.StatusBadRequest)
			return
		}
		zs.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := zenvia.NewClient(zs.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL), zenvia.WithMaxRetries(0))
	require.NoError(t, err)
	ctx := context.Background()
	gone := &zenvia.Lead{UTMSource: "site", Phones: []string{"+5521933334444"}, Comments: leadkit.Marker("walk-1")}
	_, err = c.Prospects.FindLead(ctx, gone, time.Now())
	require.Error(t, err)
	assert.NotErrorIs(t, err, zenvia.ErrNotFound)
	var ze *zenvia.Error
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, http.StatusBadRequest, ze.StatusCode)
	assert.Greater(t, int(lists.Load()), 40, "the walk went past the first year")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Prospects.FindLead(cancelled, gone, time.Now())
	require.ErrorIs(t, err, context.Canceled)
}
