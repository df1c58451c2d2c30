package zenvia_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestWebhookDuplicateWhileFirstRuns is issue 13, item 11: a redelivery
// that arrived while the first delivery's fn was still running got 200
// "duplicate"; the first then failed, answered 500 to a sender that had
// given up on it, and the event was never handled. Now the in-flight
// duplicate gets a 503, the failed first delivery is forgotten, and the
// next redelivery is handled.
func TestWebhookDuplicateWhileFirstRuns(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan error)
	var calls, handled atomic.Int32
	h := zenvia.NewWebhookHandler("k", func(ctx context.Context, _ zenvia.Event) error {
		if calls.Add(1) == 1 {
			close(started)
			return <-release // the first run: fails when told to
		}
		handled.Add(1)
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	deliver := func() int {
		resp, err := http.Post(srv.URL+"/?secret=k", "application/json", strings.NewReader(prospectBody))
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}

	first := make(chan int, 1)
	go func() { first <- deliver() }()
	<-started
	dup := deliver()
	assert.Equal(t, http.StatusServiceUnavailable, dup, "an in-flight duplicate must not be acknowledged")
	release <- errors.New("database down")
	assert.Equal(t, http.StatusInternalServerError, <-first)

	assert.Equal(t, http.StatusOK, deliver(), "Zenvia's redelivery is handled")
	assert.EqualValues(t, 1, handled.Load())
	assert.Equal(t, http.StatusOK, deliver(), "and after success a redelivery is a duplicate")
	assert.EqualValues(t, 1, handled.Load())
	assert.EqualValues(t, 2, calls.Load())
}
