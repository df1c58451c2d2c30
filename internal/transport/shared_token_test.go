package transport

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSharedTokenSource: clients built at once on one TokenSource (a
// service building a client per request, say) race on nothing, and each
// masks the tokens, including one fetched before it was built.
func TestSharedTokenSource(t *testing.T) {
	t.Parallel()
	const early, later = "tok-EARLY-4f2a9c11", "tok-LATER-9b7e3d55"
	n := 0
	ts := &TokenSource{Name: "Authorization", Scheme: "Bearer", Fetch: func(context.Context) (string, error) {
		n++
		if n == 1 {
			return early, nil
		}
		return later, nil
	}}
	_, err := ts.Token(context.Background())
	require.NoError(t, err)
	clients := make([]*Client, 8)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := New(Config{Vendor: "test", Settings: DefaultSettings("https://api.example"), Auth: ts})
			assert.NoError(t, err)
			clients[i] = c
		}()
	}
	wg.Wait()
	ts.Invalidate(early)
	_, err = ts.Token(context.Background())
	require.NoError(t, err)
	for _, c := range clients {
		got := c.Redactor().Redact("a " + early + " and a " + later)
		assert.NotContains(t, got, early, "the token cached before the client was built")
		assert.NotContains(t, got, later)
	}
}
