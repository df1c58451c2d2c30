package zenvia_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestCreateAnswerEchoingTheKeyIsMasked: the app event carries the key in
// its body (the spec asks so), and a server that answers 2xx echoing what
// it received ({"status":"received","data":{...}}) put the key, in clear,
// into AppEventResult.Raw, CreateCSAT's answer and
// AppNotificationResult.Raw, values the SDK returns (and callers print or
// log), and so into Integration.Raw (an object kept as sent) of a read
// whose answer quotes its query. They are returned with the key masked,
// still valid JSON.
func TestCreateAnswerEchoingTheKeyIsMasked(t *testing.T) {
	t.Parallel()
	const key = "zvRAW+echo/Key=42abc"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if len(body) == 0 {
			body = []byte("null")
		}
		w.Header().Set("Content-Type", "application/json")
		q, _ := json.Marshal(r.URL.RawQuery)
		fmt.Fprintf(w, `{"status":"received","messageId":"65f3a1b2c3d4e5f6a7b8c9d0","request":%s,"query":%s,"auth":%q}`,
			body, q, base64.StdEncoding.EncodeToString([]byte("k:"+key)))
	}))
	t.Cleanup(srv.Close)
	c, err := zenvia.NewClient(key, zenvia.WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx := context.Background()
	ev, err := c.Apps.CreateEvent(ctx, &zenvia.AppEvent{Event: "x", Type: zenvia.AppEventProspect, ProspectID: "65f3a1b2c3d4e5f6a7b8c9d0"})
	require.NoError(t, err)
	n, err := c.Apps.CreateNotification(ctx, &zenvia.AppNotification{Type: "t", Target: zenvia.NotificationTarget{User: []string{agentID}}, Platforms: zenvia.NotificationPlatforms{Desktop: map[string]any{"title": "hi"}}})
	require.NoError(t, err)
	csat, err := c.Prospects.CreateCSAT(ctx, "65f3a1b2c3d4e5f6a7b8c9d0", &zenvia.CSAT{Result: 5})
	require.NoError(t, err)
	in, err := c.Integrations.Get(ctx) // an object kept as sent (Raw), from a read
	require.NoError(t, err)
	assert.Equal(t, "received", ev.Status)
	assert.Equal(t, "65f3a1b2c3d4e5f6a7b8c9d0", ev.MessageID)
	for name, raw := range map[string]json.RawMessage{"event": ev.Raw, "notification": n.Raw, "csat": csat, "integration": in.Raw} {
		assert.True(t, json.Valid(raw), "%s: still JSON: %s", name, raw)
		for _, form := range []string{key, strings.NewReplacer("+", `\u002b`, "/", `\/`, "=", `\u003d`).Replace(key), "zvRAW%2Becho", base64.StdEncoding.EncodeToString([]byte("k:" + key))[:16]} {
			assert.NotContains(t, string(raw), form, "%s: %s", name, raw)
			assert.NotContains(t, fmt.Sprintf("%+v", ev), form)
		}
		assert.Contains(t, string(raw), "REDACTED", name)
	}
}
