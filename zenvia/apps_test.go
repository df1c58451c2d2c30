package zenvia_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestAppsEventsAndNotifications: a custom app's event (the key in its
// data, as the spec asks) and a notification to users and roles.
func TestAppsEventsAndNotifications(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 11})
	ctx := context.Background()
	id := s.ProspectIDs()[0]
	res, err := c.Apps.CreateEvent(ctx, &zenvia.AppEvent{Event: "simulacao_concluida", Type: zenvia.AppEventProspect, ProspectID: id,
		Details: map[string]any{"parcelas": 48}})
	require.NoError(t, err)
	assert.Len(t, res.MessageID, 24)
	assert.Equal(t, "received", res.Status)
	evs := s.AppEvents()
	require.Len(t, evs, 1)
	assert.Equal(t, zenviatest.AppEvent{Event: "simulacao_concluida", Type: "prospect", ProspectID: id,
		Details: map[string]any{"parcelas": 48.0}}, evs[0])
	for _, r := range s.Requests() {
		assert.NotContains(t, r.Body, s.Credentials()["ZENVIA_API_KEY"], "the sandbox's log masks the key in the body")
	}

	agents, err := c.Agents.List(ctx, s.GroupIDs()[0], zenvia.Bool(true))
	require.NoError(t, err)
	nres, err := c.Apps.CreateNotification(ctx, &zenvia.AppNotification{Type: "lead_quente",
		Target:    zenvia.NotificationTarget{User: []string{agents[0].ID}, Role: []zenvia.TargetRole{zenvia.RoleOwner}},
		Platforms: zenvia.NotificationPlatforms{Desktop: map[string]any{"title": "Lead quente", "body": "Ligue agora"}}})
	require.NoError(t, err)
	assert.Equal(t, "sent", nres.Status)
	assert.Contains(t, nres.FinalTargets, agents[0].ID)
	require.Len(t, s.AppNotifications(), 1)

	// /apps/event is served without authorization: the key in its data is
	// what counts.
	resp, err := http.Post(s.URL+"/apps/event", "application/json",
		strings.NewReader(`{"event":"e","type":"user","data":{"apiKey":"`+s.Credentials()["ZENVIA_API_KEY"]+`"}}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Post(s.URL+"/apps/event", "application/json", strings.NewReader(`{"event":"e","type":"user","data":{"apiKey":"wrong"}}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// TestAppsInputErrors: bad events and notifications name their field.
func TestAppsInputErrors(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 11, Prospects: 1})
	ctx := context.Background()
	for field, call := range map[string]func() error{
		"event": func() error {
			_, err := c.Apps.CreateEvent(ctx, &zenvia.AppEvent{Type: zenvia.AppEventUser})
			return err
		},
		"type": func() error {
			_, err := c.Apps.CreateEvent(ctx, &zenvia.AppEvent{Event: "e", Type: "deal"})
			return err
		},
		"prospectId": func() error {
			_, err := c.Apps.CreateEvent(ctx, &zenvia.AppEvent{Event: "e", Type: "user", ProspectID: "p1"})
			return err
		},
		"target": func() error {
			_, err := c.Apps.CreateNotification(ctx, &zenvia.AppNotification{Type: "t", Platforms: zenvia.NotificationPlatforms{IOS: map[string]any{}}})
			return err
		},
		"target.role[0]": func() error {
			_, err := c.Apps.CreateNotification(ctx, &zenvia.AppNotification{Type: "t", Target: zenvia.NotificationTarget{Role: []zenvia.TargetRole{"boss"}}})
			return err
		},
		"platforms": func() error {
			_, err := c.Apps.CreateNotification(ctx, &zenvia.AppNotification{Type: "t", Target: zenvia.NotificationTarget{Role: []zenvia.TargetRole{zenvia.RoleAgent}}})
			return err
		},
	} {
		err := call()
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, field, ie.Field)
	}
	assert.Equal(t, 0, s.Count("", "/apps/"), "nothing was sent")
}

// TestAppEventBody (httpmock): the body as the spec has it, the client's
// key in data.apiKey; an empty answer (the spec's void) is a success.
func TestAppEventBody(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var sent map[string]any
	mock.RegisterResponder(http.MethodPost, base+"/apps/event", authed(t, func(r *http.Request) (*http.Response, error) {
		require.NoError(t, json.NewDecoder(r.Body).Decode(&sent))
		return jsonResponder(204, "")(r)
	}))
	res, err := c.Apps.CreateEvent(context.Background(), &zenvia.AppEvent{Event: "pago", Type: zenvia.AppEventQuote, UserID: agentID})
	require.NoError(t, err)
	assert.Equal(t, &zenvia.AppEventResult{}, res)
	assert.Equal(t, map[string]any{"event": "pago", "type": "quote", "userId": agentID, "data": map[string]any{"apiKey": testKey}}, sent)
}
