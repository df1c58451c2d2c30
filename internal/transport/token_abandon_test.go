package transport

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A token endpoint that never answers must not hold the fetch forever once
// every caller has left (found by internal/faulttest: the fetch ran on a
// context without cancellation, so with an http.Client without Timeout it
// kept the connection, the server's handler and every later call waiting).
func TestTokenFetchEndsWhenEveryCallerLeft(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int64
	ended := make(chan error, 4)
	ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(ctx context.Context) (string, error) {
		if fetches.Add(1) == 1 {
			<-ctx.Done() // the first fetch hangs until it is cancelled
			ended <- ctx.Err()
			return "", ctx.Err()
		}
		return "tok-2", nil
	}}

	// Two callers share the hanging fetch; the first leaving does not end it.
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := ts.Token(ctx1); errs <- err }()
	go func() { _, err := ts.Token(ctx2); errs <- err }()
	require.Eventually(t, func() bool { return fetches.Load() == 1 }, time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond) // both callers wait on the fetch
	cancel1()
	require.ErrorIs(t, <-errs, context.Canceled)
	select {
	case <-ended:
		t.Fatal("the fetch was cancelled while a caller still waited for it")
	case <-time.After(50 * time.Millisecond):
	}

	// The last caller leaves: the fetch is cancelled.
	cancel2()
	require.ErrorIs(t, <-errs, context.Canceled)
	select {
	case err := <-ended:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(2 * time.Second):
		t.Fatal("the fetch still runs after every caller left")
	}

	// The next caller starts a fresh fetch instead of joining the dead one.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	tok, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok)
	assert.Equal(t, int64(2), fetches.Load())
}
