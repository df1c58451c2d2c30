package zenvia_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// sandbox starts a zenviatest server and a client for it.
func sandbox(t *testing.T, opts *zenviatest.Options, copts ...zenvia.Option) (*zenviatest.Server, *zenvia.Client) {
	t.Helper()
	s := zenviatest.NewServer(opts)
	t.Cleanup(s.Close)
	copts = append([]zenvia.Option{zenvia.WithBaseURL(s.URL), zenvia.WithRetryWait(time.Millisecond, 20*time.Millisecond)}, copts...)
	c, err := zenvia.NewClient(s.Credentials()["ZENVIA_API_KEY"], copts...)
	require.NoError(t, err)
	return s, c
}

func TestSandboxLeadsCategoriesDefaults(t *testing.T) {
	t.Parallel()
	_, c := sandbox(t, nil)
	ctx := context.Background()
	cats, err := c.Leads.Categories(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, cats)
	assert.True(t, cats[0].Default)
	assert.Equal(t, "Default", cats[0].Name)
	d, err := c.Leads.Defaults(ctx)
	require.NoError(t, err)
	assert.Equal(t, "BRL", d.Currency)
	assert.Equal(t, "km", d.Distance)
	assert.NotEmpty(t, d.Raw)
}

func TestSandboxCreateLeadAndReadBack(t *testing.T) {
	t.Parallel()
	for _, tidy := range []bool{false, true} {
		s, c := sandbox(t, &zenviatest.Options{Tidy: tidy, Seed: 7})
		ctx := context.Background()
		before := s.ProspectCount()
		res, err := c.Leads.Create(ctx, zenvia.IndustryVehicle, &zenvia.Lead{
			UTMSource: "webmotors", FirstName: "Joana", LastName: "Conceição",
			Phones: []string{"+55 51 98765-4321"}, Emails: []string{"joana@example.com.br"},
			NIN:     []zenvia.NIN{{Type: zenvia.NINCPF, Number: "12345678909"}},
			History: []zenvia.HistoryEvent{zenvia.Note("quer test drive"), zenvia.Call(time.Date(2024, 3, 14, 15, 0, 0, 0, time.UTC), 90*time.Second, "")},
			Product: map[string]any{"make": "Fiat", "model": "Argo", "year": 2022},
		})
		require.NoError(t, err)
		require.False(t, res.Accepted)
		require.NotNil(t, res.Prospect)
		p := res.Prospect
		assert.Len(t, p.ID, 24)
		assert.Equal(t, zenvia.StatusNew, p.Status)
		require.NotNil(t, p.Agent, "a new prospect is assigned")
		require.Len(t, p.Leads, 1)
		assert.Equal(t, zenvia.LeadVehicle, p.Leads[0].Type)
		assert.Equal(t, 1.0, p.Leads[0].Priority, "priority sent as a string decodes")
		assert.NotEmpty(t, p.Interactions)
		assert.Equal(t, before+1, s.ProspectCount())

		got, err := c.Prospects.Get(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, "Joana Conceição", got.Name())
		assert.Equal(t, []string{"+55 51 98765-4321"}, got.Phones)
		assert.Equal(t, p.Agent.ID, got.Agent.ID)
		assert.False(t, got.Created.IsZero())
		assert.NotNil(t, got.NIN)
	}
}

func TestSandboxValidationErrorBody(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, nil)
	// Bypass client-side validation with a raw request, to see Zenvia's error body.
	resp, err := http.Post(s.URL+"/lead/retail?api-key="+s.Credentials()["ZENVIA_API_KEY"], "application/json", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	// Through the client: a prospect transfer to a group that does not exist.
	ids := s.ProspectIDs()
	_, err = c.Prospects.Transfer(context.Background(), ids[0], zenvia.ToGroup("ffffffffffffffffffffffff"))
	var ze *zenvia.Error
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, 400, ze.StatusCode)
	assert.Equal(t, "UNEXPECTED_ERROR", ze.Code)
	assert.Equal(t, "ValidationError", ze.Summary)
	assert.ErrorIs(t, err, zenvia.ErrBadRequest)
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
}

func TestSandboxProspectOperations(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 3})
	ctx := context.Background()
	ids := s.ProspectIDs()
	id := ids[len(ids)/2]

	// Break 6: PATCH /prospect/{id} takes basic data and adds a phone and an
	// e-mail; additional data has its own route.
	before, err := c.Prospects.Get(ctx, id)
	require.NoError(t, err)
	p, err := c.Prospects.Update(ctx, id, &zenvia.ProspectUpdate{FirstName: zenvia.String("Renata"),
		Phone: zenvia.String("+5511912345678"), Email: zenvia.String("renata@example.com"), Label: zenvia.String("hot")})
	require.NoError(t, err)
	assert.Equal(t, "Renata", p.FirstName)
	assert.Equal(t, append(append([]string{}, before.Phones...), "+5511912345678"), p.Phones, "the phone is added")
	assert.Contains(t, p.Emails, "renata@example.com")
	p, err = c.Prospects.UpdateAdditionalData(ctx, id, map[string]any{"origem": "feirão", "renda": 5000})
	require.NoError(t, err)
	assert.JSONEq(t, `{"origem":"feirão","renda":5000}`, string(p.AdditionalData))
	_, err = c.Prospects.UpdateAdditionalData(ctx, id, map[string]any{"nested": map[string]any{"a": 1}})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	// The old body (phones, status, additionalData in one PATCH) is refused.
	resp, err := http.DefaultClient.Do(func() *http.Request {
		r, _ := http.NewRequest(http.MethodPatch, s.URL+"/prospect/"+id+"?api-key="+s.Credentials()["ZENVIA_API_KEY"],
			strings.NewReader(`{"status":"followUp","phones":["+5511900000000"]}`))
		return r
	}())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	groups := s.GroupIDs()
	p, err = c.Prospects.Transfer(ctx, id, zenvia.ToGroup(groups[2]))
	require.NoError(t, err)
	assert.Equal(t, groups[2], p.GroupID)
	assert.Nil(t, p.Agent)

	agents, err := c.Agents.List(ctx, groups[1], zenvia.Bool(true))
	require.NoError(t, err)
	require.NotEmpty(t, agents)
	p, err = c.Prospects.Transfer(ctx, id, zenvia.ToUser(agents[0].ID))
	require.NoError(t, err)
	require.NotNil(t, p.Agent)
	assert.Equal(t, agents[0].ID, p.Agent.ID)
	assert.NotEmpty(t, p.Agent.Phone, "phone sent as a number decodes")

	n0, err := c.Prospects.Interactions(ctx, id, nil)
	require.NoError(t, err)
	note, err := c.Prospects.CreateNote(ctx, id, "Cliente pediu retorno à tarde")
	require.NoError(t, err)
	assert.Equal(t, "note", note.Type)
	assert.Equal(t, id, note.ProspectID)
	n1, err := c.Prospects.Interactions(ctx, id, nil)
	require.NoError(t, err)
	assert.Len(t, n1, len(n0)+1)

	deleted, err := c.Prospects.Delete(ctx, id)
	require.NoError(t, err)
	require.NotNil(t, deleted, "DELETE answers the deleted prospect")
	assert.Equal(t, id, deleted.ID)
	_, err = c.Prospects.Get(ctx, id)
	assert.ErrorIs(t, err, zenvia.ErrNotFound, "404 with an empty body")
	var ze *zenvia.Error
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, 404, ze.StatusCode)
	assert.Empty(t, ze.Code)
	_, err = c.Prospects.Delete(ctx, id)
	assert.ErrorIs(t, err, zenvia.ErrNotFound)

	// Ids are checked before any URL is built.
	n := s.Count("", "")
	_, err = c.Prospects.Get(ctx, "../../groups")
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Prospects.Get(ctx, "9b2d6f1e-3c4a-4b8e-9f00-1a2b3c4d5e6f")
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "id", ie.Field)
	assert.Equal(t, n, s.Count("", ""), "nothing sent")
}

func TestSandboxAgentsAndGroups(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Tidy: true})
	ctx := context.Background()
	tree, err := c.Groups.List(ctx)
	require.NoError(t, err)
	require.Len(t, tree, 1)
	assert.Equal(t, "Comercial", tree[0].Name)
	var names []string
	tree[0].Walk(func(g *zenvia.Group, depth int) bool {
		if depth == 1 {
			names = append(names, g.Name)
		}
		return true
	})
	assert.Contains(t, names, "Vendas São Paulo")
	assert.Contains(t, names, "Ventas Buenos Aires")

	g, err := c.Groups.Get(ctx, s.GroupIDs()[0])
	require.NoError(t, err)
	assert.Equal(t, "Vendas São Paulo", g.Name)
	_, err = c.Groups.Get(ctx, "aaaaaaaaaaaaaaaaaaaaaaaa")
	assert.ErrorIs(t, err, zenvia.ErrNotFound)

	all, err := c.Agents.List(ctx, s.RootGroupID(), nil)
	require.NoError(t, err)
	active, err := c.Agents.List(ctx, s.RootGroupID(), zenvia.Bool(true))
	require.NoError(t, err)
	inactive, err := c.Agents.List(ctx, s.RootGroupID(), zenvia.Bool(false))
	require.NoError(t, err)
	assert.Len(t, all, len(active)+len(inactive))
	assert.NotEmpty(t, inactive)

	on, err := c.Groups.OnlineAgents(ctx, s.GroupIDs()[0])
	require.NoError(t, err)
	assert.True(t, on.OfficeHours)
	require.NotEmpty(t, on.Agents)
	assert.Contains(t, on.Agents[0].Email, "@")

	_, err = c.Agents.List(ctx, "", nil)
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

func TestSandboxNotifications(t *testing.T) {
	t.Parallel()
	_, c := sandbox(t, nil)
	ctx := context.Background()
	topics, err := c.Notifications.Topics(ctx)
	require.NoError(t, err)
	names := make([]string, len(topics))
	for i, tp := range topics {
		names[i] = tp.Name
		assert.NotEmpty(t, tp.Description)
	}
	assert.Equal(t, []string{"prospects", "interactions", "quotes", "agents"}, names)

	sub, err := c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, "http://127.0.0.1:9/hook?secret=s3cr3t")
	require.NoError(t, err)
	assert.Len(t, sub.ID, 24)
	subs, err := c.Notifications.List(ctx)
	require.NoError(t, err)
	require.Len(t, subs, 1)
	assert.Equal(t, sub.ID, subs[0].ID)
	got, err := c.Notifications.Get(ctx, sub.ID)
	require.NoError(t, err)
	assert.Equal(t, sub.ID, got.ID)
	deleted, err := c.Notifications.Delete(ctx, sub.ID)
	require.NoError(t, err)
	require.NotNil(t, deleted, "DELETE answers the deleted subscription")
	assert.Equal(t, sub.ID, deleted.ID)
	subs, err = c.Notifications.List(ctx)
	require.NoError(t, err)
	assert.Empty(t, subs)
	_, err = c.Notifications.Delete(ctx, sub.ID)
	assert.ErrorIs(t, err, zenvia.ErrNotFound)

	// One subscription per group: a second deactivates the first.
	first, err := c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, "http://127.0.0.1:9/a?secret=s")
	require.NoError(t, err)
	second, err := c.Notifications.Create(ctx, []string{zenvia.TopicInteractions}, "http://127.0.0.1:9/b?secret=s")
	require.NoError(t, err)
	subs, err = c.Notifications.List(ctx)
	require.NoError(t, err)
	require.Len(t, subs, 1)
	assert.Equal(t, second.ID, subs[0].ID)
	_, err = c.Notifications.Get(ctx, first.ID)
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
	n, err := c.Notifications.DeleteAll(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// The sandbox refuses callbacks it would have to deliver off the machine.
	_, err = c.Notifications.Create(ctx, []string{"prospects"}, "https://example.com/hook")
	assert.ErrorIs(t, err, zenvia.ErrBadRequest)
	_, err = c.Notifications.Create(ctx, nil, "http://127.0.0.1/x")
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

// Two forms write the same phone differently. Without normalisation Zenvia
// (and the sandbox) make two prospects; with it, one.
func TestPhoneNormalisationMerges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	leadA := &zenvia.Lead{UTMSource: "site", FirstName: "Bruno", Phones: []string{"(51) 99123-4567"}}
	leadB := &zenvia.Lead{UTMSource: "facebook", FirstName: "Bruno", LastName: "Lima", Phones: []string{"+55 51 99123 4567"}}

	s, raw := sandbox(t, nil)
	n := s.ProspectCount()
	a, err := raw.Leads.Create(ctx, zenvia.IndustryRetail, leadA)
	require.NoError(t, err)
	b, err := raw.Leads.Create(ctx, zenvia.IndustryRetail, leadB)
	require.NoError(t, err)
	assert.NotEqual(t, a.Prospect.ID, b.Prospect.ID, "raw phones do not merge")
	assert.Equal(t, n+2, s.ProspectCount())

	s2, norm := sandbox(t, nil, zenvia.WithPhoneNormalization("BR"))
	n = s2.ProspectCount()
	a, err = norm.Leads.Create(ctx, zenvia.IndustryRetail, leadA)
	require.NoError(t, err)
	b, err = norm.Leads.Create(ctx, zenvia.IndustryRetail, leadB)
	require.NoError(t, err)
	assert.Equal(t, a.Prospect.ID, b.Prospect.ID, "normalised phones merge")
	assert.Equal(t, n+1, s2.ProspectCount())
	assert.Equal(t, []string{"+5551991234567"}, b.Prospect.Phones)
	assert.True(t, b.Prospect.Merged)
	assert.Len(t, b.Prospect.Leads, 2)
	assert.Equal(t, "(51) 99123-4567", leadA.Phones[0], "the caller's lead is not changed")

	_, err = norm.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"12"}})
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "phones[0]", ie.Field)
}

// A lead may never be sent twice once it may have reached Zenvia.
func TestCreateNeverResent(t *testing.T) {
	t.Parallel()
	lead := func(phone string) *zenvia.Lead {
		return &zenvia.Lead{UTMSource: "google", FirstName: "Carla", Phones: []string{phone}}
	}
	ctx := context.Background()
	cases := []struct {
		name      string
		fault     zenviatest.Fault
		processed bool // the sandbox created the prospect
	}{
		{"dropped after reading", zenviatest.Fault{Drop: true}, false},
		{"dropped mid-body", zenviatest.Fault{DropMidBody: true}, true},
		{"502", zenviatest.Fault{Status: 502}, false},
		{"504", zenviatest.Fault{Status: 504, Body: "<html>gateway timeout</html>"}, false},
		{"500", zenviatest.Fault{Status: 500, Body: `{"code":"UNEXPECTED_ERROR","message":"boom"}`}, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := sandbox(t, nil)
			tc.fault.Method, tc.fault.Path = http.MethodPost, "/lead/"
			s.Fail(tc.fault)
			n := s.ProspectCount()
			phone := "+55 11 99000-000" + string(rune('0'+i))
			_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, lead(phone))
			require.Error(t, err)
			if tc.fault.Status != 500 {
				assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
			}
			assert.Equal(t, 1, s.Count(http.MethodPost, "/lead/"), "sent once, never resent")
			want := n
			if tc.processed {
				want++
			}
			assert.Equal(t, want, s.ProspectCount(), "server-side count")
		})
	}
	t.Run("503 is retried", func(t *testing.T) {
		t.Parallel()
		s, c := sandbox(t, nil)
		s.Fail(zenviatest.Fault{Method: http.MethodPost, Path: "/lead/", Status: 503, Header: http.Header{"Retry-After": {"0"}}})
		n := s.ProspectCount()
		res, err := c.Leads.Create(ctx, zenvia.IndustryRetail, lead("+55 11 99000-1111"))
		require.NoError(t, err)
		assert.NotNil(t, res.Prospect)
		assert.Equal(t, 2, s.Count(http.MethodPost, "/lead/"))
		assert.Equal(t, n+1, s.ProspectCount())
	})
	t.Run("GET is retried after a drop", func(t *testing.T) {
		t.Parallel()
		s, c := sandbox(t, nil)
		s.Fail(zenviatest.Fault{Method: http.MethodGet, Path: "/prospects", Drop: true})
		_, err := c.Prospects.List(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, 2, s.Count(http.MethodGet, "/prospects"))
	})
}

func TestSandboxCursorPaging(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Prospects: 250, Seed: 11})
	ctx := context.Background()
	ids := s.ProspectIDs()
	require.Len(t, ids, 250)

	// Newest first, as Zenvia answers; before=<id> walks back.
	p1, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 100})
	require.NoError(t, err)
	require.Len(t, p1, 100)
	assert.Equal(t, ids[249], p1[0].ID)
	p2, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 100, Before: p1[99].ID})
	require.NoError(t, err)
	require.Len(t, p2, 100)
	assert.Equal(t, ids[149], p2[0].ID)
	newer, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 100, After: p2[0].ID})
	require.NoError(t, err)
	assert.Equal(t, p1[0].ID, newer[0].ID)
	assert.Equal(t, p1[99].ID, newer[99].ID)
	last, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 100, Before: ids[0]})
	require.NoError(t, err)
	assert.NotNil(t, last)
	assert.Empty(t, last)

	var got []string
	for p, err := range c.Prospects.All(ctx, &zenvia.ProspectListOptions{Limit: 100}) {
		require.NoError(t, err)
		got = append(got, p.ID)
	}
	require.Len(t, got, 250, "every prospect, older ones included")
	for i := range got {
		assert.Equal(t, ids[249-i], got[i])
	}
	assert.Equal(t, 3, s.Count(http.MethodGet, "/prospects")-4, "3 pages, the last one short")

	// Stopping early stops fetching.
	before := s.Count(http.MethodGet, "/prospects")
	for range c.Prospects.All(ctx, &zenvia.ProspectListOptions{Limit: 100}) {
		break
	}
	assert.Equal(t, before+1, s.Count(http.MethodGet, "/prospects"))

	// Filters.
	archived, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{Status: zenvia.StatusArchived, Limit: 1000})
	require.NoError(t, err)
	require.NotEmpty(t, archived)
	for _, p := range archived {
		assert.Equal(t, zenvia.StatusArchived, p.Status)
	}
	one, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{PhoneNumber: p1[5].Phones[0]})
	require.NoError(t, err)
	require.NotEmpty(t, one)
	assert.Equal(t, p1[5].ID, one[0].ID)
	from := p2[0].Created.Add(-time.Second)
	recent, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{CreatedAfter: from, CreatedBefore: from.Add(30 * 24 * time.Hour), Limit: 1000})
	require.NoError(t, err)
	require.NotEmpty(t, recent)
	for _, p := range recent {
		assert.True(t, p.Created.After(from) && p.Created.Before(from.Add(30*24*time.Hour)), p.Created)
	}
	_, err = c.Prospects.List(ctx, &zenvia.ProspectListOptions{CreatedAfter: from, CreatedBefore: from.Add(32 * 24 * time.Hour)})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "a range over 31 days")

	_, err = c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 5001})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Prospects.List(ctx, &zenvia.ProspectListOptions{After: "nope"})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

// The sandbox delivers the result webhook of a lead to a loopback callback,
// where NewWebhookHandler receives it.
func TestSandboxWebhookDelivery(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Async: true})
	ctx := context.Background()
	events := make(chan zenvia.Event, 4)
	var fails sync.Once
	h := zenvia.NewWebhookHandler("cb-secret", func(_ context.Context, ev zenvia.Event) error {
		failed := false
		fails.Do(func() { failed = true })
		if failed {
			return errors.New("database down") // the sandbox delivers again
		}
		events <- ev
		return nil
	})
	cb := httptest.NewServer(h)
	t.Cleanup(cb.Close)
	_, err := c.Notifications.Create(ctx, []string{zenvia.TopicProspects, zenvia.TopicInteractions}, cb.URL+"/zenvia?secret=cb-secret")
	require.NoError(t, err)

	res, err := c.Leads.Create(ctx, zenvia.IndustryInsurance, &zenvia.Lead{UTMSource: "google", Emails: []string{"LUCIA.diaz@example.com"}, FirstName: "Lucía"})
	require.NoError(t, err)
	assert.True(t, res.Accepted)
	assert.Nil(t, res.Prospect)
	assert.Equal(t, http.StatusAccepted, res.StatusCode)

	var ev zenvia.Event
	select {
	case ev = <-events:
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook")
	}
	assert.Equal(t, zenvia.TopicProspects, ev.Topic)
	require.NotNil(t, ev.Prospect)
	assert.Equal(t, "Lucía", ev.Prospect.FirstName)
	assert.NotEmpty(t, ev.Raw)

	_, err = c.Prospects.CreateNote(ctx, ev.Prospect.ID, "primeiro contato")
	require.NoError(t, err)
	select {
	case ev = <-events:
	case <-time.After(10 * time.Second):
		t.Fatal("no interaction webhook")
	}
	assert.Equal(t, zenvia.TopicInteractions, ev.Topic)
	require.NotNil(t, ev.Interaction)
	assert.Equal(t, "primeiro contato", ev.Interaction.Content)

	s.WaitDeliveries()
	d := s.Deliveries()
	require.Len(t, d, 2)
	// Deliveries are recorded when they finish, so the interaction's may be
	// recorded before the prospect's second attempt has read its answer.
	byTopic := map[string]zenviatest.Delivery{}
	for _, x := range d {
		byTopic[x.Topic] = x
	}
	p := byTopic[zenvia.TopicProspects]
	assert.Equal(t, 2, p.Attempts, "500 from fn made the sandbox deliver again")
	assert.Equal(t, 200, p.Status)
	assert.NotContains(t, p.CallbackURL, "cb-secret")
	assert.Equal(t, 1, byTopic[zenvia.TopicInteractions].Attempts)
}

// TestSandboxWebhookDoesNotFollowRedirects is issue 13, item 16: the
// sandbox's "loopback-only" deliveries followed a redirect to any host.
func TestSandboxWebhookDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Async: true})
	ctx := context.Background()
	var elsewhere atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(target.Close)
	var redirected atomic.Int32
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		redirected.Add(1)
		http.Redirect(w, r, target.URL+"/stolen", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(cb.Close)
	_, err := c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, cb.URL+"/zenvia?secret=x")
	require.NoError(t, err)
	_, err = c.Leads.Create(ctx, zenvia.IndustryInsurance, &zenvia.Lead{UTMSource: "google", Emails: []string{"redir@example.com"}, FirstName: "Rui"})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(s.Deliveries()) > 0 }, 10*time.Second, 10*time.Millisecond)
	s.WaitDeliveries()
	d := s.Deliveries()
	require.Len(t, d, 1)
	assert.Equal(t, http.StatusTemporaryRedirect, d[0].Status, "the 3xx is recorded, not followed")
	assert.EqualValues(t, 1, redirected.Load())
	assert.EqualValues(t, 0, elsewhere.Load(), "nothing reached the redirect target")
}
