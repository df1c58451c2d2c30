package transport

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRotatedTokenMaskedWhileInFlight is issue 23, item 6: a slow call still
// carrying token 1 while the source refreshed 9 times printed it in clear
// (the redactor kept the last 8 tokens). A token stays masked as long as a
// request that carries it can print: its log lines and its error.
func TestRotatedTokenMaskedWhileInFlight(t *testing.T) {
	t.Parallel()
	var fetched atomic.Int32
	ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) {
		return fmt.Sprintf("rotCANARY+tok/%04d=", fetched.Add(1)), nil
	}}
	first := tokenOf(t, ts)
	arrived, answer := make(chan struct{}), make(chan struct{})
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-answer
		jsonStatus(w, 400, `{"error":"token `+r.Header.Get("Authorization")+` refused"}`)
	})
	l, logs := debugLogger()
	c := newClient(t, srv.URL, withAuth(ts), withLogger(l), withRetries(0, time.Millisecond, time.Millisecond))
	done := make(chan error)
	go func() {
		_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
		done <- err
	}()
	<-arrived
	for range 3 * MaxRotating {
		ts.Invalidate(tokenOf(t, ts))
	}
	close(answer)
	err := <-done
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused")
	assert.Empty(t, leaked(first, append(chainTexts(err), logs.String())))
}

// tokenOf returns the source's token, failing the test on an error.
func tokenOf(t *testing.T, ts *TokenSource) string {
	tok, err := ts.Token(context.Background())
	require.NoError(t, err)
	return tok
}

// TestHeldTokenForgottenAfterGrace: a hold keeps an old token; once released
// and past RotatedGrace it is forgotten like any other, so memory stays
// bounded.
func TestHeldTokenForgottenAfterGrace(t *testing.T) {
	t.Parallel()
	now := time.Unix(1e9, 0)
	r := NewRedactor()
	r.state().now = func() time.Time { return now }
	r.AddRotating("held-token-0000")
	release := r.Hold("held-token-0000")
	for i := range 20 {
		r.AddRotating(fmt.Sprintf("token-%06d", i))
	}
	assert.Equal(t, "REDACTED", r.Redact("held-token-0000"), "held")
	release()
	release() // once only
	r.AddRotating("token-next")
	assert.Equal(t, "REDACTED", r.Redact("held-token-0000"), "within the grace")
	now = now.Add(RotatedGrace + time.Second)
	r.AddRotating("token-after")
	assert.Equal(t, "held-token-0000", r.Redact("held-token-0000"), "forgotten after the grace")
	r.mu.RLock()
	assert.Len(t, r.state().rotating, MaxRotating)
	r.mu.RUnlock()
}
