package zenviatest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestCallbackSecretMaskedInSandboxRecords: the sandbox records each
// event and delivery with its callback URL "secrets masked", and a failed
// delivery's error (net/http's names the URL). It masked the API key and
// the parameters of well-known names only: a webhook secret under the name
// given to WithHandlerSecretParam ("hook") was recorded, and returned by
// Events and Deliveries, in clear.
// (The request log masks what the sandbox knows when the request arrives:
// the subscription's own request is logged before its secret is known.)
func TestCallbackSecretMaskedInSandboxRecords(t *testing.T) {
	t.Parallel()
	const secret = "CANARYsandboxHook-6b1d9e3f7a"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	require.NoError(t, ln.Close()) // a callback nobody answers: the delivery fails with net/http's error
	srv := zenviatest.NewServer(&zenviatest.Options{DeliveryAttempts: 1})
	defer srv.Close()
	c, err := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Notifications.Create(ctx, []string{zenvia.TopicProspects}, "http://"+closed+"/hook?topic=prospects&hook="+secret)
	require.NoError(t, err)
	_, err = c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Emails: []string{"ana@example.com"}})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(srv.Deliveries()) > 0 }, 10*time.Second, 5*time.Millisecond)
	srv.WaitDeliveries()
	d := srv.Deliveries()[0]
	require.NotEmpty(t, d.Error, "the delivery failed, so its error is scanned")
	ev, err := json.Marshal(srv.Events())
	require.NoError(t, err)
	texts := map[string]string{"deliveries": fmt.Sprintf("%+v", srv.Deliveries()), "events": string(ev)}
	for name, text := range texts {
		assert.NotContains(t, text, "CANARYsandbox", name)
	}
}
