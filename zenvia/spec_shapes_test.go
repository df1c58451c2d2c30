package zenvia_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// The tests of issue 17's breaks, each against a loopback server answering
// in the exact shapes of the Sirena API 1.10.0 spec and the live API.

const specAgent = `{"id":"65f3a1b2c3d4e5f6a7b8c9a1","firstName":"Ana","lastName":"Souza","email":"ana@x.com","phone":"+5511999990000","legacyId":"7","externalId":{"crm":"A-17","erp":42},"appFields":{"ramal":"2201"}}`

func specServer(t *testing.T, routes map[string]string) *zenvia.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := routes[r.Method+" "+r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	c, err := zenvia.NewClient("k", zenvia.WithBaseURL(srv.URL), zenvia.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

// Break 2: POST /prospect/{id}/interactions answers a list; the note's text
// is output.comment. The client decoded one object, failed, and reported
// "outcome unknown" for a note that was created.
func TestCreateNoteAnswersAList(t *testing.T) {
	t.Parallel()
	const pid = "65f3a1b2c3d4e5f6a7b8c9d0"
	c := specServer(t, map[string]string{
		"POST /prospect/" + pid + "/interactions": `[{"id":"65f3a1b2c3d4e5f6a7b8c9e9","status":"created","output":{"comment":"ligar amanhã"},"via":"other"}]`,
	})
	in, err := c.Prospects.CreateNote(context.Background(), pid, "ligar amanhã")
	require.NoError(t, err)
	assert.Equal(t, "65f3a1b2c3d4e5f6a7b8c9e9", in.ID)
	assert.Equal(t, "ligar amanhã", in.Content)
	assert.Equal(t, "note", in.Type)
	assert.Equal(t, "other", in.Via)
}

// Break 3: Agent.externalId and appFields are objects; any prospect, agent
// list, interaction list or webhook carrying one failed to decode.
func TestAgentExternalIDIsAnObject(t *testing.T) {
	t.Parallel()
	const pid = "65f3a1b2c3d4e5f6a7b8c9d0"
	prospect := `{"id":"` + pid + `","firstName":"João","status":"new","phones":[],"emails":[],"leads":[],"agent":` + specAgent + `}`
	c := specServer(t, map[string]string{
		"GET /prospect/" + pid:                   prospect,
		"GET /prospects":                         `[` + prospect + `]`,
		"GET /agents":                            `[` + specAgent + `]`,
		"GET /prospect/" + pid + "/interactions": `[{"id":"65f3a1b2c3d4e5f6a7b8c9e9","agent":` + specAgent + `,"status":"finished","via":"whatsApp"}]`,
	})
	ctx := context.Background()
	p, err := c.Prospects.Get(ctx, pid)
	require.NoError(t, err)
	assert.JSONEq(t, `{"crm":"A-17","erp":42}`, string(p.Agent.ExternalID))
	assert.JSONEq(t, `{"ramal":"2201"}`, string(p.Agent.AppFields))
	ps, err := c.Prospects.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.JSONEq(t, `{"crm":"A-17","erp":42}`, string(ps[0].Agent.ExternalID))
	ags, err := c.Agents.List(ctx, "65f3a1b2c3d4e5f6a7b8c9b1", nil)
	require.NoError(t, err)
	require.Len(t, ags, 1)
	assert.JSONEq(t, `{"crm":"A-17","erp":42}`, string(ags[0].ExternalID))
	ins, err := c.Prospects.Interactions(ctx, pid, nil)
	require.NoError(t, err)
	require.Len(t, ins, 1)
	assert.JSONEq(t, `{"crm":"A-17","erp":42}`, string(ins[0].Agent.ExternalID))

	// The webhook of an interaction with such an agent is accepted, not 400
	// (a 400 is never delivered again: the event would be lost).
	h := zenvia.NewWebhookHandler("s", func(context.Context, zenvia.Event) error { return nil })
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/hook?secret=s&topic=interactions",
		strings.NewReader(`{"id":"65f3a1b2c3d4e5f6a7b8c9e9","prospectId":"`+pid+`","agent":`+specAgent+`,"status":"finished","via":"whatsApp"}`))
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

// Breaks 4 and 5: a call's duration is milliseconds (a float); message and
// question events exist; a call carries providerId and utmSource; every
// industry has a product.
func TestLeadHistoryAndProductAsSpecified(t *testing.T) {
	t.Parallel()
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	c, err := zenvia.NewClient("k", zenvia.WithBaseURL(srv.URL))
	require.NoError(t, err)
	call := zenvia.Call(time.Date(2024, 3, 14, 15, 0, 0, 0, time.UTC), 95500*time.Millisecond, "https://rec.example.com/1.mp3")
	call.ProviderID, call.UTMSource = "tel-991", "google"
	for _, ind := range []zenvia.Industry{zenvia.IndustryRetail, zenvia.IndustryInsurance, zenvia.IndustrySavingPlan, zenvia.IndustryVehicle, zenvia.IndustryRealEstate} {
		_, err = c.Leads.Create(context.Background(), ind, &zenvia.Lead{UTMSource: "site", Emails: []string{"a@example.com"}, Priority: 1.5,
			History: []zenvia.HistoryEvent{zenvia.Note("n"), zenvia.Message("oi"), zenvia.Question("tem 2 quartos?"), call},
			Product: map[string]any{"make": "Fiat", "price": map[string]any{"amount": 79900, "currency": "BRL"}}})
		require.NoError(t, err, "%s: a product for every industry", ind)
		hist := got["history"].([]any)
		assert.Equal(t, []any{"note", "message", "question", "call"}, []any{hist[0].(map[string]any)["type"], hist[1].(map[string]any)["type"], hist[2].(map[string]any)["type"], hist[3].(map[string]any)["type"]})
		c := hist[3].(map[string]any)
		assert.Equal(t, 95500.0, c["duration"], "milliseconds")
		assert.Equal(t, "tel-991", c["providerId"])
		assert.Equal(t, "google", c["utmSource"])
		assert.Equal(t, 1.5, got["priority"])
		assert.NotNil(t, got["product"])
	}
}

// Break 7: the asynchronous leads service takes leads at
// /v2/leads/{industry} (plural); the client posted /lead/{industry}, and the
// sandbox accepted both, hiding it. Now the sandbox takes each path only
// where the real service does.
func TestAsyncLeadsServicePath(t *testing.T) {
	t.Parallel()
	sb := zenviatest.NewServer(&zenviatest.Options{Seed: 1, Async: true})
	defer sb.Close()
	key := sb.Credentials()["ZENVIA_API_KEY"]
	lead := &zenvia.Lead{UTMSource: "site", Emails: []string{"async@example.com"}}
	async, err := zenvia.NewClient(key, zenvia.WithBaseURL(sb.URL+"/v2"), zenvia.WithAuthHeader("x-api-key", ""))
	require.NoError(t, err)
	res, err := async.Leads.Create(context.Background(), zenvia.IndustryRetail, lead)
	require.NoError(t, err)
	assert.True(t, res.Accepted)
	assert.Equal(t, 1, sb.Count(http.MethodPost, "/v2/leads/retail"))
	sales, err := zenvia.NewClient(key, zenvia.WithBaseURL(sb.URL+"/v1"))
	require.NoError(t, err)
	_, err = sales.Leads.Create(context.Background(), zenvia.IndustryRetail, lead)
	require.NoError(t, err)
	assert.Equal(t, 1, sb.Count(http.MethodPost, "/v1/lead/retail"))

	for _, wrong := range []string{"/v2/lead/retail", "/v1/leads/retail"} {
		resp, err := http.Post(sb.URL+wrong+"?api-key="+key, "application/json", strings.NewReader(`{"utmSource":"x","emails":["w@example.com"]}`))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, wrong)
	}
}
