package zenvia_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestWebhookBodyShapes is issue 17 ("Webhooks"): production receivers meet
// the topic's bare object, an array of them, and {data: …} / {interaction:
// …} envelopes. Every one reaches fn; a body that is not JSON is answered
// 400 and logged with its content, not silently dropped.
func TestWebhookBodyShapes(t *testing.T) {
	t.Parallel()
	const in1 = `{"id":"65f3a1b2c3d4e5f6a7b8c9e1","prospectId":"65f3a1b2c3d4e5f6a7b8c9d0","status":"finished","via":"whatsApp","output":{"comment":"oi"}}`
	const in2 = `{"id":"65f3a1b2c3d4e5f6a7b8c9e2","prospectId":"65f3a1b2c3d4e5f6a7b8c9d0","status":"created","via":"other"}`
	const pr = `{"id":"65f3a1b2c3d4e5f6a7b8c9d0","firstName":"Ana","status":"new","phones":["+5511999990000"],"leads":[]}`
	for _, tc := range []struct {
		name, body string
		want       []string // the id of each event's object, in order
	}{
		{"bare interaction", in1, []string{"e1"}},
		{"bare prospect", pr, []string{"d0"}},
		{"array", "[" + in1 + "," + in2 + "]", []string{"e1", "e2"}},
		{"data envelope", `{"data":` + in1 + `}`, []string{"e1"}},
		{"interaction envelope", `{"interaction":` + in2 + `}`, []string{"e2"}},
		{"topic and data", `{"topic":"prospects","data":` + pr + `}`, []string{"d0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []string
			h := zenvia.NewWebhookHandler("s", func(_ context.Context, ev zenvia.Event) error {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case ev.Interaction != nil:
					got = append(got, ev.Interaction.ID[len(ev.Interaction.ID)-2:])
				case ev.Prospect != nil:
					got = append(got, ev.Prospect.ID[len(ev.Prospect.ID)-2:])
				default:
					got = append(got, "?")
				}
				return nil
			})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?secret=s", strings.NewReader(tc.body)))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, tc.want, got)
		})
	}

	var logs bytes.Buffer
	h := zenvia.NewWebhookHandler("s", func(context.Context, zenvia.Event) error { return nil },
		zenvia.WithHandlerLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?secret=s", strings.NewReader(`<xml>prospect token=abc123</xml>`)))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, logs.String(), "<xml>prospect", "the body that was not understood is logged")
	assert.NotContains(t, logs.String(), "abc123", "masked")
}

// TestWebhookAsync: WithHandlerAsync acknowledges at once, while fn is
// still working; a full queue answers 503 so Zenvia delivers again.
func TestWebhookAsync(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var handled []string
	h := zenvia.NewWebhookHandler("s", func(_ context.Context, ev zenvia.Event) error {
		<-release
		mu.Lock()
		handled = append(handled, ev.Interaction.ID)
		mu.Unlock()
		return nil
	}, zenvia.WithHandlerAsync(1))
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(id string) int {
		resp, err := http.Post(srv.URL+"/?secret=s", "application/json",
			strings.NewReader(`{"id":"`+id+`","prospectId":"65f3a1b2c3d4e5f6a7b8c9d0","status":"created","via":"other"}`))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	start := time.Now()
	assert.Equal(t, http.StatusOK, post("65f3a1b2c3d4e5f6a7b8c9e1"), "acknowledged while fn waits")
	assert.Less(t, time.Since(start), 2*time.Second)
	// The worker holds the first; the queue (1) takes one more; the next is refused.
	codes := []int{post("65f3a1b2c3d4e5f6a7b8c9e2"), post("65f3a1b2c3d4e5f6a7b8c9e3")}
	assert.Contains(t, codes, http.StatusServiceUnavailable, "a full queue makes Zenvia deliver again: %v", codes)
	close(release)
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(handled) >= 2 }, 5*time.Second, 10*time.Millisecond)
}
