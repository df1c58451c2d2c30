package zenviatest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// The seeded prospects end near the sandbox's today, so the API's 31-day
// window finds recent ones, and the same seed and day give the same data.
func TestSeededProspectsAreRecent(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 7, Now: func() time.Time { return now }})
	t.Cleanup(s.Close)
	c, err := zenvia.NewClient(zenviatest.DefaultAPIKey, zenvia.WithBaseURL(s.URL))
	require.NoError(t, err)
	var recent []time.Time
	for p, err := range c.Prospects.All(context.Background(), &zenvia.ProspectListOptions{CreatedAfter: now.AddDate(0, 0, -30), CreatedBefore: now}) {
		require.NoError(t, err)
		recent = append(recent, p.Created)
	}
	require.NotEmpty(t, recent, "prospects created in the 30 days before the sandbox's now")
	for _, at := range recent {
		assert.True(t, at.Before(now), "created %s, after now", at)
	}
}
