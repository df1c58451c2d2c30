package zen_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zen/zentest"
)

// TestCancelledCallKeepsTheWindow is issue 13, item 13: a call made with a
// context already cancelled spent Zen's 5-minute window, so the next real
// call was refused for five minutes.
func TestCancelledCallKeepsTheWindow(t *testing.T) {
	t.Parallel()
	c, sb := newSandbox(t, &zentest.Options{NoRateLimits: true}) // Zen's own client-side windows
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Leads.Totals(ctx, friday)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = c.Leads.Archive(ctx, friday)
	assert.ErrorIs(t, err, context.Canceled)
	for range c.Leads.AllByUser(ctx, friday, friday) {
		break
	}
	assert.Empty(t, sb.Requests(), "nothing was sent")

	_, err = c.Leads.Totals(context.Background(), friday)
	require.NoError(t, err, "the window is still free")
	_, err = c.Leads.Archive(context.Background(), friday)
	require.NoError(t, err)
	_, err = c.Leads.ByUser(context.Background(), friday, friday, 1)
	require.NoError(t, err)

	_, err = c.Leads.Totals(context.Background(), friday)
	var rl *zen.RateLimitError
	assert.ErrorAs(t, err, &rl, "the real call did spend it")
}
