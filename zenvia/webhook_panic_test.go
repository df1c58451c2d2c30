package zenvia_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zenvia"
)

// TestWebhookAsyncFnPanicLosesNothingElse: in asynchronous mode fn runs on
// the handler's own goroutine, where no http.Server recovers a panic: one
// panicking fn ended the process, and with it every event acknowledged and
// still queued (the test binary died). A panic is fn failing on that event:
// logged (masked), the later events handled, and Shutdown reports it among
// the failed when it happens during the drain.
func TestWebhookAsyncFnPanicLosesNothingElse(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	var handled atomic.Int32
	logger, logs := testutil.DebugLogger()
	h := zenvia.NewWebhookHandler("k", func(_ context.Context, ev zenvia.Event) error {
		<-gate
		if strings.HasSuffix(ev.Prospect.ID, "000") {
			panic("fn broke on secret=k")
		}
		handled.Add(1)
		return nil
	}, zenvia.WithHandlerAsync(10), zenvia.WithHandlerLogger(logger))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for i := range 3 {
		assert.Equal(t, http.StatusOK, deliverTo(t, srv.URL, eventBody(i)).StatusCode, "acknowledged")
	}
	shut := make(chan error, 1)
	go func() { shut <- h.Shutdown(context.Background()) }()
	require.True(t, refusedAfterShutdown(t, srv.URL))
	close(gate)
	err := <-shut
	var u *zenvia.UnhandledError
	require.True(t, errors.As(err, &u), "%v", err)
	require.Len(t, u.Failed, 1)
	assert.True(t, strings.HasSuffix(u.Failed[0].Prospect.ID, "000"))
	assert.Equal(t, int32(2), handled.Load(), "the events after it were handled")
	assert.Contains(t, logs.String(), "panic")
	assert.NotContains(t, logs.String(), "secret=k")
}

// TestWebhookSyncFnPanicAnswers500: in synchronous mode a panicking fn
// left the delivery claimed "in flight" (net/http recovered the panic and
// dropped the connection without an answer), so Zenvia's redeliveries of
// that event were answered 503 for the whole dedup window (10 minutes). It
// is answered 500 and released: the redelivery is handled.
func TestWebhookSyncFnPanicAnswers500(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := zenvia.NewWebhookHandler("k", func(context.Context, zenvia.Event) error {
		if calls.Add(1) == 1 {
			panic("fn broke")
		}
		return nil
	})
	srv := httptest.NewServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/?secret=k", "application/json", strings.NewReader(eventBody(7)))
	require.NoError(t, err, "answered, not dropped")
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, http.StatusOK, deliverTo(t, srv.URL, eventBody(7)).StatusCode, "the redelivery is handled")
	assert.Equal(t, int32(2), calls.Load())
}
