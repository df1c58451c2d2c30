package salesman_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// The tests of issue 15: the five defects found by driving the package
// against the vendor's own server (2025.4). salesmantest answers in the
// shapes observed there and reads requests as the PHP does (v1: query and
// form merged; v2: a JSON body with Content-Type exactly application/json
// replaces the query and the form, credentials in the Login and Apikey
// headers; v3: the action from the path).

// Item 1: v2 with WithJSONBody failed every Add with error 402, because the
// action was only in the query, which a JSON body replaces.
func TestV2JSONBodyAdd(t *testing.T) {
	t.Parallel()
	for _, v := range []salesman.APIVersion{salesman.V2, salesman.V3} {
		s := salesmantest.NewServer(nil)
		defer s.Close()
		c := sandboxClient(t, s, v, salesman.WithJSONBody())
		id, err := c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Ольга Петрова", Email: "olga@example.ru", Phone: "+7 916 000-11-22"})
		require.NoError(t, err, "%s", v)
		l, err := c.Leads.Get(context.Background(), id.ID)
		require.NoError(t, err)
		assert.Equal(t, "olga@example.ru", l.Email)
		assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount())
	}
}

// Item 2: v1 lists send the responsible user's name in "user" and the
// placeholder "Не определен" in "userName"; the client kept the placeholder.
func TestV1ListResponsibleUserName(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(&salesmantest.Options{Seed: 3})
	defer s.Close()
	c := sandboxClient(t, s, salesman.V1)
	leads, err := c.Leads.List(context.Background(), nil)
	require.NoError(t, err)
	named := 0
	for _, l := range leads {
		assert.NotEqual(t, "Не определен", l.UserName)
		if l.UserName != "" {
			named++
		}
	}
	assert.Greater(t, named, len(leads)/2, "the responsible user's name is read from user")
}

// Item 3: hosted v1 installs answer info with the lead under "result"; every
// existing lead came back as ErrNotFound.
func TestV1InfoUnderResult(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(nil)
	defer s.Close()
	c := sandboxClient(t, s, salesman.V1)
	l, err := c.Leads.Get(context.Background(), 5)
	require.NoError(t, err)
	assert.Equal(t, 5, l.ID)
	assert.NotZero(t, l.Created)
	_, err = c.Leads.Get(context.Background(), 100000)
	assert.ErrorIs(t, err, salesman.ErrNotFound)
}

// Item 4: v1 add stored the lead and then answered HTTP 500 with an empty
// body; the error did not say "outcome unknown", so a caller resent it.
func TestAddAnswered500AfterStoring(t *testing.T) {
	t.Parallel()
	for _, v := range []salesman.APIVersion{salesman.V1, salesman.V2, salesman.V3} {
		s := salesmantest.NewServer(nil)
		defer s.Close()
		s.Fail(salesmantest.Fault{Method: http.MethodPost, AfterVendor: true, Status: http.StatusInternalServerError})
		c := sandboxClient(t, s, v)
		_, err := c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Д'Артаньян", Email: "dart@example.ru"})
		require.Error(t, err)
		assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%s: %v", v, err)
		assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount(), "the lead was stored")
		assert.Equal(t, 1, s.Count(http.MethodPost, "/developer/"), "and sent once")
	}
}

// Item 5: All yielded a lead twice when one was added during a newest-first
// walk (every later page shifts by one). Now the default walk is oldest
// first, and no order ever yields a lead twice.
func TestAllWithLeadAddedDuringWalk(t *testing.T) {
	t.Parallel()
	for _, v := range []salesman.APIVersion{salesman.V2, salesman.V3} {
		for _, opts := range []*salesman.ListOptions{nil, {Newest: true}, {Oldest: true}} {
			s := salesmantest.NewServer(&salesmantest.Options{Leads: 500})
			c := sandboxClient(t, s, v)
			seen := map[int]int{}
			yields := 0
			for l, err := range c.Leads.All(context.Background(), opts) {
				require.NoError(t, err)
				yields++
				seen[l.ID]++
				if yields == 100 || yields == 300 {
					_, err := c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Новый", Email: "new@example.ru"})
					require.NoError(t, err)
				}
			}
			s.Close()
			for id, n := range seen {
				assert.Equal(t, 1, n, "%s %+v: lead %d yielded %d times", v, opts, id, n)
			}
			assert.Equal(t, yields, len(seen), "%s %+v", v, opts)
			if opts == nil || opts.Oldest {
				assert.Equal(t, 502, len(seen), "%s %+v: oldest first, the added leads are met at the end", v, opts)
			} else {
				assert.GreaterOrEqual(t, len(seen), 500, "%s %+v: newest first, every lead present at the start is met", v, opts)
			}
		}
	}
	_, err := sandboxClient(t, salesmantest.NewServer(nil), salesman.V2).Leads.List(context.Background(), &salesman.ListOptions{Oldest: true, Newest: true})
	var ie *leadkit.InputError
	assert.True(t, errors.As(err, &ie))
}

// Also found: v2/v3 send no partner as the integer 0; an id of 0 is "none".
func TestPartnerZeroIsNone(t *testing.T) {
	t.Parallel()
	for _, v := range []salesman.APIVersion{salesman.V1, salesman.V2, salesman.V3} {
		s := salesmantest.NewServer(nil)
		defer s.Close()
		c := sandboxClient(t, s, v)
		id, err := c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Без партнёра", Email: "np@example.ru"})
		require.NoError(t, err)
		l, err := c.Leads.Get(context.Background(), id.ID)
		require.NoError(t, err)
		assert.Equal(t, "", l.Partner, "%s", v)
	}
}
