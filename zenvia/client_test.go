package zenvia_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
)

const (
	testKey  = "test-key-7f3a9c"
	base     = "https://conversion.zenvia.com/v1"
	pid      = "65f3a1b2c3d4e5f6a7b8c9d0"
	groupID  = "5c0a1b2c3d4e5f6a7b8c9d0f"
	agentID  = "5d1e2f3a4b5c6d7e8f9a0b1c"
	unusedID = "65f3a1b2c3d4e5f6a7b8c9ff"
)

func golden(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "zenvia", name))
	require.NoError(t, err)
	return string(b)
}

// mockClient returns a client whose innermost transport is a fresh httpmock
// transport, under the core's auth and retry layers.
func mockClient(t *testing.T, opts ...zenvia.Option) (*zenvia.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	opts = append([]zenvia.Option{zenvia.WithHTTPClient(&http.Client{Transport: mock}), zenvia.WithRetryWait(time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := zenvia.NewClient(testKey, opts...)
	require.NoError(t, err)
	return c, mock
}

// authed wraps a responder: it fails the request (401) unless the api-key
// query parameter is there, so a missing key fails the test.
func authed(t *testing.T, r httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		if req.URL.Query().Get("api-key") != testKey {
			t.Errorf("%s %s: api-key missing", req.Method, req.URL.Path)
			return httpmock.NewStringResponse(401, golden(t, "error_unauthorized.json")), nil
		}
		assert.Equal(t, "application/json", req.Header.Get("Accept"))
		return r(req)
	}
}

func jsonResponder(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	}
}

func TestNewClientValidates(t *testing.T) {
	t.Parallel()
	_, err := zenvia.NewClient("")
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zenvia.NewClient("k", zenvia.WithBaseURL("ftp://x"))
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zenvia.NewClient("k", zenvia.WithAuthHeader("bad header", ""))
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zenvia.NewClient("k", zenvia.WithPhoneNormalization("XX"))
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zenvia.NewClient("k", zenvia.WithHTTPClient(nil))
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

func TestLeadCreateMock(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var sent map[string]any
	mock.RegisterResponder("POST", base+"/lead/real-estate", authed(t, func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		b, _ := io.ReadAll(req.Body)
		require.NoError(t, json.Unmarshal(b, &sent))
		return jsonResponder(200, golden(t, "prospect_created.json"))(req)
	}))
	res, err := c.Leads.Create(context.Background(), zenvia.IndustryRealEstate, &zenvia.Lead{
		UTMSource: "zapimoveis", FirstName: "Maria", Phones: []string{"11987650000"},
		History: []zenvia.HistoryEvent{zenvia.Note("visita sábado"), zenvia.Call(time.Date(2024, 3, 14, 15, 0, 0, 0, time.UTC), 2*time.Minute, "https://rec.example.com/1.mp3")},
		Product: map[string]any{"type": "residential", "bedrooms": 2},
	})
	require.NoError(t, err)
	assert.False(t, res.Accepted)
	require.NotNil(t, res.Prospect)
	p := res.Prospect
	assert.Equal(t, "65f3a1b2c3d4e5f6a7b8c9d5", p.ID)
	assert.Nil(t, p.Agent)
	assert.True(t, p.Assigned.IsZero())
	assert.Equal(t, []string{}, p.Emails, "null list decodes as empty")
	assert.Equal(t, []zenvia.NIN{}, p.NIN)
	assert.Nil(t, p.AdditionalData)
	require.Len(t, p.Interactions, 1)
	assert.Equal(t, "lead", p.Interactions[0].Via)

	assert.Equal(t, "zapimoveis", sent["utmSource"])
	for _, deprecated := range []string{"leadId", "source", "medium", "campaign", "callIn"} {
		assert.NotContains(t, sent, deprecated)
	}
	hist := sent["history"].([]any)
	assert.Equal(t, map[string]any{"type": "note", "content": "visita sábado"}, hist[0])
	assert.Equal(t, map[string]any{"type": "call", "startedAt": "2024-03-14T15:00:00Z", "duration": 120000.0, "recordingUrl": "https://rec.example.com/1.mp3"}, hist[1])
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestLeadCreateAcceptedAndHeaderKey(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t, zenvia.WithBaseURL(zenvia.LeadsServiceURL), zenvia.WithAuthHeader("x-api-key", ""))
	mock.RegisterResponder("POST", "https://leads-service.zenvia.io/v2/leads/retail", func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("x-api-key") != testKey || req.URL.Query().Has("api-key") {
			t.Error("key must be in the header only")
			return httpmock.NewStringResponse(401, ""), nil
		}
		return jsonResponder(202, golden(t, "lead_accepted.json"))(req)
	})
	res, err := c.Leads.Create(context.Background(), zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Emails: []string{"a@b.co"}})
	require.NoError(t, err)
	assert.True(t, res.Accepted)
	assert.Nil(t, res.Prospect)
	assert.Equal(t, "65f3a1b2c3d4e5f6a7b8c9f1", res.ID)
}

func TestLeadValidation(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	ctx := context.Background()
	cases := []struct {
		industry zenvia.Industry
		lead     *zenvia.Lead
		field    string
	}{
		{"boats", &zenvia.Lead{UTMSource: "x", Emails: []string{"a@b.co"}}, "industry"},
		{zenvia.IndustryRetail, nil, "lead"},
		{zenvia.IndustryRetail, &zenvia.Lead{Emails: []string{"a@b.co"}}, "utmSource"},
		{zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x"}, "phones"},
		{zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Emails: []string{"not an email"}}, "emails[0]"},
		{zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"1", " "}}, "phones[1]"},
		{zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"1"}, NIN: []zenvia.NIN{{Type: "CPF"}}}, "nin[0]"},
		{zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"1"}, History: []zenvia.HistoryEvent{{Type: "note"}}}, "history[0].content"},
		{zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "x", Phones: []string{"1"}, History: []zenvia.HistoryEvent{{Type: "sms"}}}, "history[0].type"},
	}
	for _, tc := range cases {
		_, err := c.Leads.Create(ctx, tc.industry, tc.lead)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, tc.field)
		assert.Equal(t, tc.field, ie.Field)
	}
	assert.Equal(t, 0, mock.GetTotalCallCount(), "nothing sent")
}

func TestProspectsMock(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	ctx := context.Background()
	mock.RegisterResponder("GET", base+"/prospect/"+pid, authed(t, jsonResponder(200, golden(t, "prospect.json"))))
	mock.RegisterResponder("GET", base+"/prospects", authed(t, func(req *http.Request) (*http.Response, error) {
		q := req.URL.Query()
		assert.Equal(t, "200", q.Get("limit"))
		assert.Equal(t, pid, q.Get("after"))
		assert.Equal(t, "followUp", q.Get("status"))
		assert.Equal(t, "+5551987654321", q.Get("phoneNumber"))
		assert.Equal(t, "2024-01-01T00:00:00.000Z", q.Get("createdAfter"))
		assert.Equal(t, groupID, q.Get("group"))
		return jsonResponder(200, golden(t, "prospects_page.json"))(req)
	}))
	mock.RegisterResponder("GET", base+"/prospect/"+pid+"/interactions", authed(t, jsonResponder(200, golden(t, "interactions.json"))))
	mock.RegisterResponder("PATCH", base+"/prospect/"+pid, authed(t, func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		assert.JSONEq(t, `{"lastName":"Souza","archivingReason":"sem interesse"}`, string(b))
		return jsonResponder(200, golden(t, "prospect.json"))(req)
	}))
	mock.RegisterResponder("DELETE", base+"/prospect/"+pid, authed(t, httpmock.NewStringResponder(204, "")))
	mock.RegisterResponder("POST", base+"/prospect/"+pid+"/transfer", authed(t, func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		assert.JSONEq(t, `{"user":"`+agentID+`"}`, string(b))
		return httpmock.NewStringResponse(204, ""), nil
	}))
	mock.RegisterResponder("POST", base+"/prospect/"+pid+"/interactions", authed(t, func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		assert.JSONEq(t, `{"type":"note","content":"ligar amanhã"}`, string(b))
		return jsonResponder(201, `{"id":"65f3a1b2c3d4e5f6a7b8c9e9","prospectId":"`+pid+`","type":"note","content":"ligar amanhã"}`)(req)
	}))

	p, err := c.Prospects.Get(ctx, pid)
	require.NoError(t, err)
	assert.Equal(t, "João da Silva", p.Name())
	assert.Equal(t, zenvia.StatusFollowUp, p.Status)
	assert.Equal(t, time.Date(2024, 3, 14, 15, 40, 12, 345e6, time.UTC), p.Assigned.UTC())
	assert.True(t, p.NextReminder.IsZero())
	require.Len(t, p.Leads, 2)
	assert.Equal(t, 2.0, p.Leads[1].Priority)
	assert.JSONEq(t, `{"make":"Fiat","model":"Argo","year":2022,"price":79900}`, string(p.Leads[0].Product))
	assert.Equal(t, "Ana Souza", p.Agent.Name())
	assert.JSONEq(t, `{"origem":"feirão"}`, string(p.AdditionalData))
	assert.Equal(t, zenvia.NINCPF, p.NIN[0].Type)

	page, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 200, After: pid, Status: zenvia.StatusFollowUp,
		PhoneNumber: "+5551987654321", CreatedAfter: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		CreatedBefore: time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), Group: groupID})
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.Equal(t, "Лариса Иванова", page[1].Name())
	assert.Equal(t, zenvia.ProspectStatus("waitingCall"), page[1].Status, "unknown status kept")
	assert.False(t, page[1].Status.Known())
	assert.Equal(t, []string{"5491155550000"}, page[1].Phones)
	assert.Nil(t, page[1].Agent)

	ins, err := c.Prospects.Interactions(ctx, pid, nil)
	require.NoError(t, err)
	require.Len(t, ins, 3)
	assert.Equal(t, "Ana", ins[0].Agent.FirstName)
	assert.True(t, ins[1].Bot)
	assert.Equal(t, "Cliente pediu retorno à tarde", ins[2].Content)

	p, err = c.Prospects.Update(ctx, pid, &zenvia.ProspectUpdate{LastName: zenvia.String("Souza"), ArchivingReason: zenvia.String("sem interesse")})
	require.NoError(t, err)
	assert.NotNil(t, p)
	_, err = c.Prospects.Update(ctx, pid, &zenvia.ProspectUpdate{})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)

	p, err = c.Prospects.Transfer(ctx, pid, zenvia.ToUser(agentID))
	require.NoError(t, err)
	assert.Nil(t, p, "204: no prospect")
	_, err = c.Prospects.Transfer(ctx, pid, &zenvia.Transfer{Group: groupID, User: agentID})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Prospects.Transfer(ctx, pid, &zenvia.Transfer{})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)

	note, err := c.Prospects.CreateNote(ctx, pid, "ligar amanhã")
	require.NoError(t, err)
	assert.Equal(t, "ligar amanhã", note.Content)
	_, err = c.Prospects.CreateNote(ctx, pid, "  ")
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)

	_, err = c.Prospects.Delete(ctx, pid)
	require.NoError(t, err)
}

func TestErrorsMock(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t, zenvia.WithMaxRetries(1))
	ctx := context.Background()
	mock.RegisterResponder("GET", base+"/prospect/"+unusedID, authed(t, httpmock.NewStringResponder(404, "")))
	mock.RegisterResponder("GET", base+"/groups", authed(t, jsonResponder(401, golden(t, "error_unauthorized.json"))))
	mock.RegisterResponder("POST", base+"/prospect/"+pid+"/transfer", authed(t, jsonResponder(409, golden(t, "error_conflict.json"))))
	mock.RegisterResponder("GET", base+"/notifications/topics", authed(t, httpmock.NewStringResponder(502, golden(t, "error_gateway.html"))))
	mock.RegisterResponder("GET", base+"/leads/defaults", authed(t, jsonResponder(200, `<html>maintenance</html>`)))
	mock.RegisterResponder("GET", base+"/leads/categories", authed(t, jsonResponder(200, `[{"name":"Default"`)))
	mock.RegisterResponder("GET", base+"/notifications/subscriptions", authed(t, jsonResponder(429, `{"code":"TOO_MANY_REQUESTS","message":"slow down"}`)))

	_, err := c.Prospects.Get(ctx, unusedID)
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 404, re.StatusCode)
	assert.NotContains(t, err.Error(), testKey)

	_, err = c.Groups.List(ctx)
	assert.ErrorIs(t, err, zenvia.ErrUnauthorized)
	var ze *zenvia.Error
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, "UNAUTHORIZED", ze.Code)
	assert.Equal(t, "Invalid API key", ze.Message)

	_, err = c.Prospects.Transfer(ctx, pid, zenvia.ToGroup(groupID))
	assert.ErrorIs(t, err, zenvia.ErrConflict)
	assert.Contains(t, err.Error(), "NO_USER_CONFIGURED")

	_, err = c.Notifications.Topics(ctx)
	require.ErrorAs(t, err, &ze)
	assert.Equal(t, 502, ze.StatusCode)
	assert.Contains(t, err.Error(), "502 Bad Gateway")
	assert.Equal(t, 2, mock.GetCallCountInfo()["GET "+base+"/notifications/topics"], "a GET is retried on 502")

	_, err = c.Leads.Defaults(ctx)
	assert.ErrorIs(t, err, leadkit.ErrNotJSON)
	_, err = c.Leads.Categories(ctx)
	assert.ErrorIs(t, err, leadkit.ErrTruncatedBody)

	_, err = c.Notifications.List(ctx)
	var rl *zenvia.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
}

func TestAgentsGroupsNotificationsMock(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	ctx := context.Background()
	mock.RegisterResponder("GET", base+"/agents", authed(t, func(req *http.Request) (*http.Response, error) {
		assert.Equal(t, groupID, req.URL.Query().Get("group"))
		assert.Equal(t, "false", req.URL.Query().Get("active"))
		return jsonResponder(200, golden(t, "agents.json"))(req)
	}))
	mock.RegisterResponder("GET", base+"/groups", authed(t, jsonResponder(200, golden(t, "groups.json"))))
	mock.RegisterResponder("GET", base+"/group/"+groupID, authed(t, jsonResponder(200, `{"id":"`+groupID+`","name":"Vendas São Paulo"}`)))
	mock.RegisterResponder("GET", base+"/group/"+groupID+"/agents/online", authed(t, jsonResponder(200, golden(t, "online_agents.json"))))
	mock.RegisterResponder("GET", base+"/notifications/topics", authed(t, jsonResponder(200, golden(t, "topics.json"))))
	mock.RegisterResponder("GET", base+"/notifications/subscriptions", authed(t, jsonResponder(200, golden(t, "subscriptions.json"))))
	mock.RegisterResponder("POST", base+"/notifications/subscriptions", authed(t, func(req *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(req.Body)
		assert.JSONEq(t, `{"topics":["prospects","agents"],"callbackUrl":"https://hooks.example.com/z?secret=abc"}`, string(b))
		return jsonResponder(201, `{"id":"65f3a1b2c3d4e5f6a7b8c9f0","topics":["prospects","agents"],"callbackUrl":"https://hooks.example.com/z?secret=abc"}`)(req)
	}))
	mock.RegisterResponder("DELETE", base+"/notifications/subscription/65f3a1b2c3d4e5f6a7b8c9f0", authed(t, httpmock.NewStringResponder(204, "")))

	ags, err := c.Agents.List(ctx, groupID, zenvia.Bool(false))
	require.NoError(t, err)
	require.Len(t, ags, 2)
	assert.Equal(t, "5551999990000", ags[0].Phone)
	assert.JSONEq(t, `"crm-77"`, string(ags[0].ExternalID))
	assert.Equal(t, "", ags[1].Phone)

	tree, err := c.Groups.List(ctx)
	require.NoError(t, err)
	require.Len(t, tree[0].Groups, 3)
	assert.Equal(t, "Seminovos", tree[0].Groups[1].Groups[0].Name)
	assert.Empty(t, tree[0].Groups[2].Groups)
	g, err := c.Groups.Get(ctx, groupID)
	require.NoError(t, err)
	assert.Equal(t, "Vendas São Paulo", g.Name)
	on, err := c.Groups.OnlineAgents(ctx, groupID)
	require.NoError(t, err)
	assert.False(t, on.OfficeHours)
	assert.Equal(t, "1001", on.Agents[0].LegacyID)
	assert.JSONEq(t, `{"ramal":"204"}`, string(on.Agents[0].AppFields))

	topics, err := c.Notifications.Topics(ctx)
	require.NoError(t, err)
	assert.Len(t, topics, 4)
	subs, err := c.Notifications.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"prospects"}, subs[0].Topics)
	sub, err := c.Notifications.Create(ctx, []string{"prospects", "agents"}, "https://hooks.example.com/z?secret=abc")
	require.NoError(t, err)
	assert.Equal(t, "65f3a1b2c3d4e5f6a7b8c9f0", sub.ID)
	_, err = c.Notifications.Delete(ctx, sub.ID)
	require.NoError(t, err)
	_, err = c.Notifications.Create(ctx, []string{"prospects"}, "not a url")
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

func TestCategoriesDefaultsMock(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", base+"/leads/categories", authed(t, jsonResponder(200, golden(t, "categories.json"))))
	mock.RegisterResponder("GET", base+"/leads/defaults", authed(t, jsonResponder(200, golden(t, "defaults.json"))))
	cats, err := c.Leads.Categories(context.Background())
	require.NoError(t, err)
	require.Len(t, cats, 3)
	assert.Equal(t, "0km", cats[2].Name)
	assert.True(t, cats[0].Default)
	d, err := c.Leads.Defaults(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "BRL", d.Currency)
	assert.Equal(t, "km", d.Distance)
}

// A server that ignores the cursor must not make All loop forever.
func TestAllStopsWhenPagingIgnored(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	mock.RegisterResponder("GET", base+"/prospects", authed(t, jsonResponder(200, golden(t, "prospects_page.json"))))
	n := 0
	var last error
	for _, err := range c.Prospects.All(context.Background(), &zenvia.ProspectListOptions{Limit: 2}) {
		if err != nil {
			last = err
			break
		}
		n++
		require.Less(t, n, 10)
	}
	assert.ErrorIs(t, last, zenvia.ErrPagingIgnored)
	assert.Equal(t, 2, n)
	assert.Equal(t, 2, mock.GetTotalCallCount())

	// An error is yielded once, last.
	c2, mock2 := mockClient(t, zenvia.WithMaxRetries(0))
	mock2.RegisterResponder("GET", base+"/prospects", authed(t, httpmock.NewStringResponder(500, "")))
	var errs int
	for _, err := range c2.Prospects.All(context.Background(), nil) {
		require.Error(t, err)
		errs++
	}
	assert.Equal(t, 1, errs)
	for _, err := range c2.Prospects.All(context.Background(), &zenvia.ProspectListOptions{After: pid}) {
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	ok := map[[2]string]string{
		{"(51) 98765-4321", "BR"}:    "+5551987654321",
		{"+55 51 98765 4321", ""}:    "+5551987654321",
		{"51987654321", "BR"}:        "+5551987654321",
		{"11 2345-6789", "AR"}:       "+541123456789",
		{"+54 9 11 2345-6789", "ar"}: "+5491123456789",
		{"55 1234 5678", "MX"}:       "+525512345678",
		{"+7 912 345-67-89", "BR"}:   "+79123456789",
	}
	for in, want := range ok {
		got, err := zenvia.NormalizePhone(in[0], in[1])
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range [][2]string{{"", "BR"}, {"abc", "BR"}, {"123", "BR"}, {"98765-4321", ""}, {"51 98765-4321", "QQ"}} {
		_, err := zenvia.NormalizePhone(in[0], in[1])
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput, in)
		if err != nil {
			assert.True(t, strings.Contains(err.Error(), "phone") || strings.Contains(err.Error(), "region"))
		}
	}
}

func TestEnumStrings(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "followUp", zenvia.StatusFollowUp.String())
	assert.True(t, zenvia.StatusArchived.Known())
	assert.Equal(t, "saving-plan", zenvia.IndustrySavingPlan.String())
	assert.Equal(t, "realEstate", zenvia.LeadRealEstate.String())
	assert.Equal(t, "CUIT", zenvia.NINCUIT.String())
	assert.Equal(t, "call", zenvia.HistoryCall.String())
}
