package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// internalPostgres opens a relay on a schema of its own (prefix + random)
// on the test PostgreSQL, dropped and closed after the test; skipped when
// the database is absent, unless LEADKIT_REQUIRE_POSTGRES is set.
func internalPostgres(t *testing.T, prefix string) *Relay[pgx.Tx] {
	t.Helper()
	url := os.Getenv("LEADKIT_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		if os.Getenv("LEADKIT_REQUIRE_POSTGRES") != "" {
			t.Fatalf("PostgreSQL: %v", err)
		}
		t.Skip("PostgreSQL is not reachable (LEADKIT_POSTGRES_URL)")
	}
	c.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), url); err == nil {
			_, _ = c.Exec(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
			c.Close(context.Background())
		}
	})
	rl, err := OpenPostgres(ctx, url, WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rl.Close(context.Background()) })
	return rl
}
