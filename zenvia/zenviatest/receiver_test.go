package zenviatest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestReceiverAnswerIsCapped is issue 23, item 11: the sandbox read a
// webhook receiver's answer with no cap, so a gzip bomb (decompressed by
// net/http on the way) made it allocate 1 GiB for one delivery. It reads at
// most a small cap, counted after decompression, and moves on: here the
// receiver's answer never ends, and the delivery is done at once anyway.
func TestReceiverAnswerIsCapped(t *testing.T) {
	t.Parallel()
	var written atomic.Int64
	bomb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { testutil.GzipBomb(w, r, &written) }))
	defer bomb.Close()
	srv := zenviatest.NewServer(&zenviatest.Options{DeliveryAttempts: 1})
	defer srv.Close()
	c, err := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, bomb.URL+"/hook?secret=s")
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Emails: []string{"ana@example.com"}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(srv.Deliveries()) > 0 }, 10*time.Second, 5*time.Millisecond)
	d := srv.Deliveries()[0]
	assert.Equal(t, http.StatusOK, d.Status)
	assert.Empty(t, d.Error)
	assert.Less(t, time.Since(start), 20*time.Second, "the delivery did not read the endless answer (loose bound: the byte count is the proof)")
	assert.Less(t, written.Load(), int64(256<<20), "decompressed bytes the receiver got to write before the sandbox left")
}
