package zenvia_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestContactsSelection: a selection paged by offset, its total, the
// fields asked (and the ones always returned), and All over it.
func TestContactsSelection(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 10})
	ctx := context.Background()
	sels := s.SelectionIDs()
	require.Len(t, sels, 3)
	sel := sels[2] // the prospects with an e-mail
	first, err := c.Contacts.List(ctx, sel, &zenvia.ContactListOptions{Limit: 7, Fields: []string{"emails"}})
	require.NoError(t, err)
	require.Len(t, first.Contacts, 7)
	assert.Greater(t, first.Total, 50)
	p := first.Contacts[0]
	assert.NotEmpty(t, p.Emails, "a field asked")
	assert.NotEmpty(t, p.Status, "a field always returned")
	assert.Empty(t, p.FirstName, "a field not asked")
	second, err := c.Contacts.List(ctx, sel, &zenvia.ContactListOptions{Limit: 7, Offset: 7})
	require.NoError(t, err)
	assert.NotEqual(t, first.Contacts[0].ID, second.Contacts[0].ID)
	assert.NotEmpty(t, second.Contacts[0].FirstName, "every field when none is asked")

	seen := map[string]bool{}
	for p, err := range c.Contacts.All(ctx, sel, &zenvia.ContactListOptions{Limit: 9}) {
		require.NoError(t, err)
		require.False(t, seen[p.ID], "each contact once")
		seen[p.ID] = true
	}
	assert.Len(t, seen, first.Total)
	n := 0
	for range c.Contacts.All(ctx, sel, nil) {
		n++
		if n == 3 {
			break // the caller stops
		}
	}
	_, err = c.Contacts.List(ctx, "ffffffffffffffffffffffff", nil)
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
	_, err = c.Contacts.List(ctx, sel, &zenvia.ContactListOptions{Offset: -1})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Contacts.List(ctx, "sel-1", nil)
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

// TestContactsAllStopsWhenOffsetIgnored: a server that answers the same
// page whatever the offset ends the iteration with ErrPagingIgnored, after
// two requests, instead of looping.
func TestContactsAllStopsWhenOffsetIgnored(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"total":1000,"contacts":[{"id":"65f3a1b2c3d4e5f6a7b8c9d1","status":"new"},{"id":"65f3a1b2c3d4e5f6a7b8c9d2","status":"new"}]}`)
	}))
	defer srv.Close()
	c, err := zenvia.NewClient("k", zenvia.WithBaseURL(srv.URL))
	require.NoError(t, err)
	n := 0
	var last error
	for _, err := range c.Contacts.All(context.Background(), pid, &zenvia.ContactListOptions{Limit: 2}) {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	assert.ErrorIs(t, last, zenvia.ErrPagingIgnored)
	assert.Equal(t, 2, n)
	assert.Equal(t, int32(2), hits.Load())
}
