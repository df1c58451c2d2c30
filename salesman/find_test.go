package salesman_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// TestFindReconcilesAnUnknownOutcome: a Create that the server stored and
// then answered 500 is found by its marker, so the caller does not send it
// again; a lead that never arrived is not found.
func TestFindReconcilesAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	for _, v := range allVersions() {
		s := salesmantest.NewServer(nil)
		c := sandboxClient(t, s, v)
		ctx := context.Background()
		lead := &salesman.NewLead{Title: "Ольга «Петрова»", Email: "Olga.Find@example.ru", Phone: "+7 916 555-44-33",
			Description: "Перезвоните " + leadkit.Marker("order-1")}
		s.Fail(salesmantest.Fault{Method: http.MethodPost, AfterVendor: true, Status: http.StatusInternalServerError})
		_, err := c.Leads.Create(ctx, lead)
		require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
		since := time.Now().Add(-time.Hour)
		got, err := c.Leads.Find(ctx, lead, since)
		require.NoError(t, err, "%s", v)
		assert.Equal(t, salesmantest.DefaultLeads+1, got.ID)
		assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount(), "found, so not sent again")

		never := &salesman.NewLead{Title: "Никто", Email: "nobody@example.ru", Description: leadkit.Marker("order-2")}
		_, err = c.Leads.Find(ctx, never, since)
		assert.ErrorIs(t, err, salesman.ErrNotFound, "%s", v)
		_, err = c.Leads.Find(ctx, &salesman.NewLead{Title: "x"}, since)
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
		s.Close()
	}
}

// TestFindNeverReturnsAnotherLeadOfThePerson: a person who sent two leads
// (a repeat visitor) has one stored; the other one's lookup must not take
// the stored one for it. With markers: absent (proved: the stored lead
// carries another marker). Without: cannot tell (a person decides). The
// Find before markers returned the stored lead for both (lists carry no
// title to tell them apart), and a reconciling caller dropped the second.
func TestFindNeverReturnsAnotherLeadOfThePerson(t *testing.T) {
	t.Parallel()
	for _, v := range allVersions() {
		s := salesmantest.NewServer(nil)
		c := sandboxClient(t, s, v)
		ctx := context.Background()
		since := time.Now().Add(-time.Minute)
		first := &salesman.NewLead{Title: "Иван", Email: "ivan.repeat@example.ru", Phone: "+79160000001", Description: "утром " + leadkit.Marker("visit-1")}
		second := &salesman.NewLead{Title: "Иван", Email: "ivan.repeat@example.ru", Phone: "+79160000001", Description: "вечером " + leadkit.Marker("visit-2")}
		created, err := c.Leads.Create(ctx, first)
		require.NoError(t, err)

		got, err := c.Leads.Find(ctx, first, since)
		require.NoError(t, err, "%s", v)
		assert.Equal(t, created.ID, got.ID)
		_, err = c.Leads.Find(ctx, second, since)
		assert.ErrorIs(t, err, salesman.ErrNotFound, "%s: the person's other lead is not this one", v)

		plain := &salesman.NewLead{Title: "Иван", Email: "ivan.repeat@example.ru"}
		_, err = c.Leads.Find(ctx, plain, since)
		var ct *leadkit.CannotTellError
		require.ErrorAs(t, err, &ct, "%s", v)
		assert.Equal(t, []string{strconv.Itoa(created.ID)}, ct.Candidates)
		_, err = c.Leads.Find(ctx, &salesman.NewLead{Title: "Пётр", Phone: "+79160000002"}, since)
		assert.ErrorIs(t, err, salesman.ErrNotFound, "%s: nobody of this phone", v)
		s.Close()
	}
}

// TestFindV3SearchesTheMarker: V3 asks the server to search (word), which
// covers every lead however old, instead of walking the list.
func TestFindV3SearchesTheMarker(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(&salesmantest.Options{Leads: 1000})
	defer s.Close()
	c := sandboxClient(t, s, salesman.V3)
	ctx := context.Background()
	lead := &salesman.NewLead{Title: "Анна", Email: "anna@example.ru", Description: leadkit.Marker("k-3")}
	created, err := c.Leads.Create(ctx, lead)
	require.NoError(t, err)
	before := len(s.Requests())
	got, err := c.Leads.Find(ctx, lead, time.Now())
	require.NoError(t, err)
	assert.Equal(t, created.ID, got.ID)
	reqs := s.Requests()[before:]
	require.Len(t, reqs, 1, "one search, not a walk of 1000 leads")
	_, token, _ := leadkit.FindMarker(lead.Description)
	assert.Contains(t, reqs[0].Query, "word="+token)
}

// TestFindV1NewestOnly: a V1 server lists its newest 200 leads only; when
// they do not reach back to the lead's day, an absence proves nothing.
func TestFindV1NewestOnly(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(&salesmantest.Options{Leads: 300})
	defer s.Close()
	c := sandboxClient(t, s, salesman.V1)
	ctx := context.Background()
	lead := &salesman.NewLead{Title: "Анна", Email: "anna@example.ru", Description: leadkit.Marker("k-4")}
	_, err := c.Leads.Find(ctx, lead, time.Now().Add(-time.Minute))
	assert.ErrorIs(t, err, salesman.ErrNotFound, "the newest 200 reach back months: proof")
	_, err = c.Leads.Find(ctx, lead, time.Now().Add(-365*24*time.Hour))
	var ct *leadkit.CannotTellError
	require.ErrorAs(t, err, &ct, "a year back is beyond the newest 200")
	assert.Contains(t, ct.Check, "newest 200")
}

// TestFindByUIDs: V2 and V3 return a lead's uids; a uid found identifies
// the lead, and a uid not found proves nothing (the server writes uids
// after its webhooks).
func TestFindByUIDs(t *testing.T) {
	t.Parallel()
	for _, v := range []salesman.APIVersion{salesman.V2, salesman.V3} {
		s := salesmantest.NewServer(nil)
		c := sandboxClient(t, s, v)
		ctx := context.Background()
		lead := &salesman.NewLead{Title: "Анна", Email: "uid@example.ru", UIDs: map[string]string{"order": "A-17"}}
		created, err := c.Leads.Create(ctx, lead)
		require.NoError(t, err)
		got, err := c.Leads.Find(ctx, lead, time.Now().Add(-time.Minute))
		require.NoError(t, err, "%s", v)
		assert.Equal(t, created.ID, got.ID)
		assert.Equal(t, map[string]string{"order": "A-17"}, got.UIDs)
		other := &salesman.NewLead{Title: "Анна", Email: "uid@example.ru", UIDs: map[string]string{"order": "A-18"}}
		_, err = c.Leads.Find(ctx, other, time.Now().Add(-time.Minute))
		assert.ErrorIs(t, err, leadkit.ErrCannotTell, "%s: the person's lead without this uid may be it", v)
		s.Close()
	}
}

// TestValidateUIDs: the server stores a lead whose uid exceeds 100
// characters without its uids and answers a PHP error: Create refuses it.
func TestValidateUIDs(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("я", 101)
	for name, l := range map[string]*salesman.NewLead{
		"value":       {Title: "a", Email: "a@b.ru", UIDs: map[string]string{"x": long}},
		"name":        {Title: "a", Email: "a@b.ru", UIDs: map[string]string{long: "x"}},
		"empty name":  {Title: "a", Email: "a@b.ru", UIDs: map[string]string{" ": "x"}},
		"description": {Title: "a", Email: "a@b.ru", Description: strings.Repeat("x", 65536)},
	} {
		err := l.Validate()
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, name)
	}
	ok := &salesman.NewLead{Title: "a", Email: "a@b.ru", UIDs: map[string]string{"x": strings.Repeat("я", 100)}}
	assert.NoError(t, ok.Validate())
}
