package relay

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/salesman"
)

// TestDeliveryTextsMasked: the one write every change of a delivery goes
// through (dialect.write, and writeMany, its batch on PostgreSQL) keeps
// its last error and its review note masked with every secret the relay
// knows, whoever built the text.
func TestDeliveryTextsMasked(t *testing.T) {
	const secret = "relay-known-CANARY-77e1a0"
	check := func(t *testing.T, c *core, enqueue func(Job) (string, error), many bool) {
		t.Helper()
		ctx := context.Background()
		c.red.Add(secret)
		key, err := enqueue(SalesmanLead{Lead: &salesman.NewLead{Title: "masked texts", Email: "m@example.ru"}})
		require.NoError(t, err)
		d, now, err := c.dial.load(ctx, c.dial.db, key)
		require.NoError(t, err)
		d.LastError = "the vendor said: " + secret
		d.Review = "check " + url.QueryEscape(secret) + " at the vendor"
		if many {
			written, err := c.dial.writeMany(ctx, []*row{d}, []int64{now})
			require.NoError(t, err)
			require.Equal(t, []bool{true}, written)
		} else {
			require.NoError(t, c.dial.write(ctx, c.dial.db, d, now, false, false))
		}
		got, _, err := c.dial.load(ctx, c.dial.db, key)
		require.NoError(t, err)
		stored := got.LastError + "\n" + got.Review
		require.True(t, strings.Contains(stored, "the vendor said: ") && strings.Contains(stored, " at the vendor"), stored)
		require.NotContains(t, stored, secret)
		require.NotContains(t, stored, url.QueryEscape(secret))
	}
	t.Run("sqlite", func(t *testing.T) {
		rl, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "relay.db"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = rl.Close(context.Background()) })
		check(t, rl.c, func(j Job) (string, error) { return rl.Enqueue(context.Background(), j) }, false)
	})
	for _, many := range []bool{false, true} {
		t.Run(map[bool]string{false: "postgres", true: "postgres batch"}[many], func(t *testing.T) {
			rl := internalPostgres(t, "relay_redact_")
			check(t, rl.c, func(j Job) (string, error) { return rl.Enqueue(context.Background(), j) }, many)
		})
	}
}
