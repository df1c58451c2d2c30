package zen_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// brt is Zen's zone for these tests: Find's day is the date it carries in
// its own location, and "today" is Zen's (time.Now() in a process in UTC
// was tomorrow's archive between 21:00 and midnight in São Paulo: both
// tests failed then).
var brt = time.FixedZone("BRT", -3*60*60)

// TestFindByIntegrationCode: a lead sent with an integration code whose
// answer was lost is found in the day's archive.
func TestFindByIntegrationCode(t *testing.T) {
	t.Parallel()
	c, sb := newSandbox(t, &zentest.Options{NoRateLimits: true, Location: brt}, zen.WithLimits(zen.Limits{}), zen.WithTimeZone(brt))
	ctx := context.Background()
	sb.Fail(zentest.Fault{Method: http.MethodPost, Path: "/api/lead", AfterVendor: true, Status: http.StatusBadGateway})
	err := c.Leads.Send(ctx, &zen.LeadEntry{Action: zen.ActionInsert, IntegrationCode: "CRM-991", Name: "Ana Find", Email: "ana.find@example.com"})
	require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
	got, err := c.Leads.Find(ctx, "CRM-991", time.Now().In(brt))
	require.NoError(t, err)
	assert.Equal(t, "CRM-991", got.IntegrationCode)
	_, err = c.Leads.Find(ctx, "CRM-000", time.Now().In(brt))
	assert.ErrorIs(t, err, zen.ErrNotFound)
	_, err = c.Leads.Find(ctx, " ", time.Now().In(brt))
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
}

// TestFindSeveralDealsOfOneCode: Zen's integracao_lead is the contact's
// code; two deals under one code are two leads of one contact, and Find
// cannot tell which one is the lead (it returned the first before).
func TestFindSeveralDealsOfOneCode(t *testing.T) {
	t.Parallel()
	c, _ := newSandbox(t, &zentest.Options{NoRateLimits: true, Location: brt}, zen.WithLimits(zen.Limits{}), zen.WithTimeZone(brt))
	ctx := context.Background()
	for range 2 {
		require.NoError(t, c.Leads.Send(ctx, &zen.LeadEntry{Action: zen.ActionInsert, IntegrationCode: "CONTACT-7", Name: "Ana", Email: "ana7@example.com"}))
	}
	_, err := c.Leads.Find(ctx, "CONTACT-7", time.Now().In(brt))
	var ct *leadkit.CannotTellError
	require.ErrorAs(t, err, &ct)
	assert.Len(t, ct.Candidates, 2)
}
