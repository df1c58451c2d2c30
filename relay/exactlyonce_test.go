package relay_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
)

// oldLayoutQueued turns b's database, where one SalesMan lead is queued, into
// what a relay before versioned migrations left: the delivery table of the
// first layout (no job column: the lead was only in River's job args) and no
// migration table. It returns the lead's job as River's args held it.
func oldLayoutQueued(t *testing.T, b backend, job string) {
	t.Helper()
	args := `'` + strings.ReplaceAll(job, `'`, `''`) + `'::jsonb`
	if b.schema == "" {
		args = `jsonb('` + strings.ReplaceAll(job, `'`, `''`) + `')`
	}
	stmts := []string{
		`UPDATE river_job SET args = ` + args + ` WHERE kind = 'leadkit_salesman_lead'`,
		`ALTER TABLE leadkit_relay_delivery RENAME TO leadkit_relay_delivery_new`,
		layoutNoJob,
		`INSERT INTO leadkit_relay_delivery (key, vendor, state, job_id, created_ms, updated_ms)
SELECT key, vendor, state, job_id, created_ms, updated_ms FROM leadkit_relay_delivery_new`,
		`DROP TABLE leadkit_relay_delivery_new`,
		`DROP TABLE leadkit_relay_migration`,
	}
	if b.schema != "" {
		stmts = append([]string{`SET search_path TO "` + b.schema + `"`}, stmts...)
	}
	runSQL(t, b, stmts...)
}

// TestOlderLayoutQueuedLeadDelivered: a lead queued by a relay of the first
// layout (the lead in River's job args only) is delivered once after the
// upgrade at Open, not failed for a lead "erased by retention". Red before:
// the upgraded row had an empty job, the worker read ErrErased and the
// delivery ended failed, never sent (and Resend met the same empty job).
func TestOlderLayoutQueuedLeadDelivered(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		r := open(t, b)
		key, err := r.Enqueue(ctx, salesmanLead(7))
		require.NoError(t, err)
		d, err := r.Status(ctx, key)
		require.NoError(t, err)
		require.NoError(t, closeRelay(r))
		oldLayoutQueued(t, b, string(d.Job))

		sb := startSandboxes(t, nil)
		r = open(t, b)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		waitFor(t, r, 30*time.Second, settled(1))
		got, err := r.Status(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, got.State, "last error: %s", got.LastError)
		assert.NotEmpty(t, got.Job, "the lead is kept in the delivery again")
		assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""), "sent once")
	})
}
