package zen_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
)

func TestNilLeadEntryFormIsInvalid(t *testing.T) {
	t.Parallel()
	var e *zen.LeadEntry
	_, err := e.Form()
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "LeadEntry", ie.Field)
}

// A nil context is refused with a clear error before the limiter is asked,
// also when the client would wait for the window (which used to panic on
// the second call).
func TestNilContextIsInvalidAlsoWhenWaiting(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, zen.WithWaitOnRateLimit())
	mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, golden(t, "totals-numbers.json")))
	var nilCtx context.Context
	for range 2 {
		_, err := c.Leads.Totals(nilCtx, day) //nolint:staticcheck // a nil context on purpose
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	}
	_, err := c.Leads.Archive(nilCtx, day) //nolint:staticcheck // a nil context on purpose
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Leads.ByUser(nilCtx, day, day, 1) //nolint:staticcheck // a nil context on purpose
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	for _, err := range c.Leads.AllByUser(nilCtx, day, day) { //nolint:staticcheck // a nil context on purpose
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	}
	assert.Equal(t, 0, mock.GetTotalCallCount())

	// The refused calls spent no window: a real call still goes out.
	_, err = c.Leads.Totals(context.Background(), day)
	require.NoError(t, err)
}

func TestMemoryLimiterZeroValueWorks(t *testing.T) {
	t.Parallel()
	var m zen.MemoryLimiter
	d, err := m.Allow(context.Background(), "k", time.Minute)
	require.NoError(t, err)
	assert.Zero(t, d)
	d, err = m.Allow(context.Background(), "k", time.Minute)
	require.NoError(t, err)
	assert.Greater(t, d, 50*time.Second)
}
