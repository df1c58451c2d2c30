package weclevertest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/weclever/weclevertest"
)

func TestSeedIsDeterministic(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	a := weclevertest.NewUnstartedServer(&weclevertest.Options{Seed: 11, Now: now})
	b := weclevertest.NewUnstartedServer(&weclevertest.Options{Seed: 11, Now: now})
	c := weclevertest.NewUnstartedServer(&weclevertest.Options{Seed: 12, Now: now})
	assert.Equal(t, a.Leads(), b.Leads())
	assert.NotEqual(t, a.Leads(), c.Leads())
	assert.Len(t, a.Leads(), weclevertest.DefaultLeads)
	from, to := a.SeedRange()
	assert.Equal(t, "2025-12-02 2026-03-02", from.Format(time.DateOnly)+" "+to.Format(time.DateOnly), "the 90 days up to the clock's day")
	for _, l := range a.Leads() {
		assert.False(t, l.FinalizedAt.Before(from), l.ID)
		assert.True(t, l.FinalizedAt.Before(to.AddDate(0, 0, 1)), l.ID)
		assert.Equal(t, len(l.Details.Chats.Messages), l.Details.Chats.Metrics.TotalMessages)
	}
}

func TestCredentialsAndAdmin(t *testing.T) {
	t.Parallel()
	s := weclevertest.NewServer(&weclevertest.Options{Leads: 3})
	defer s.Close()
	cr := s.Credentials()
	assert.Equal(t, s.URL, cr["WECLEVER_URL"])
	assert.Equal(t, weclevertest.DefaultPlatformID, cr["WECLEVER_PLATFORM_ID"])
	assert.Equal(t, weclevertest.DefaultUser, cr["WECLEVER_USER"])
	assert.Equal(t, weclevertest.DefaultPassword, cr["WECLEVER_PASSWORD"])

	req, _ := http.NewRequest("GET", s.URL+"/solution/token/basic/"+weclevertest.DefaultPlatformID, nil)
	req.SetBasicAuth(weclevertest.DefaultUser, weclevertest.DefaultPassword)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 1, s.TokensIssued())

	req.SetBasicAuth(weclevertest.DefaultUser, "wrong")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.NotContains(t, reqs[0].Header["Authorization"], weclevertest.DefaultPassword)

	resp, err = http.Post(s.URL+"/_sandbox/reset", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 0, s.TokensIssued())
	assert.Empty(t, s.Requests())
}
