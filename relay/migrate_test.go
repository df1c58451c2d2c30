package relay_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
)

// TestConcurrentOpens: six replicas open a fresh database at once (a
// schema that does not exist yet; a new SQLite file): every Open succeeds,
// and the migrations ran once. Red before: 5 of 6 failed on PostgreSQL
// (CREATE SCHEMA's race, River's migrations without a lock).
func TestConcurrentOpens(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 6)
		relays := make([]*relay.Relay[any], 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				relays[i], errs[i] = relay.Open(ctx, b.dsn, b.opts...)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "Open %d of 6", i+1)
			defer closeRelay(relays[i])
		}
		_, err := relays[5].Enqueue(ctx, salesmanLead(1))
		require.NoError(t, err)
		s, err := relays[0].Stats(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, 1, s.Queued)
	})
}

// The delivery table as relays before versioned migrations made it: the
// first (no job column: Status failed on it), and the one with kind.
const (
	layoutNoJob = `CREATE TABLE leadkit_relay_delivery (key TEXT PRIMARY KEY, vendor TEXT NOT NULL, state TEXT NOT NULL,
job_id BIGINT NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, in_doubt_ms BIGINT NOT NULL DEFAULT 0,
lease_ms BIGINT NOT NULL DEFAULT 0, reconciled INTEGER NOT NULL DEFAULT 0, vendor_id TEXT NOT NULL DEFAULT '',
step INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', review TEXT NOT NULL DEFAULT '',
created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL)`
	layoutKind = `CREATE TABLE leadkit_relay_delivery (key TEXT PRIMARY KEY, vendor TEXT NOT NULL, state TEXT NOT NULL,
job_id BIGINT NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, in_doubt_ms BIGINT NOT NULL DEFAULT 0,
lease_ms BIGINT NOT NULL DEFAULT 0, reconciled INTEGER NOT NULL DEFAULT 0, vendor_id TEXT NOT NULL DEFAULT '',
step INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', review TEXT NOT NULL DEFAULT '',
kind TEXT NOT NULL DEFAULT '', job TEXT NOT NULL DEFAULT '', created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL)`
	layoutUnknown = `CREATE TABLE leadkit_relay_delivery (key TEXT PRIMARY KEY, state TEXT NOT NULL, tenant TEXT NOT NULL,
created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL)`
)

// prepareDB runs statements on b's database before any relay opened it
// (PostgreSQL: in b's schema, created here).
func prepareDB(t *testing.T, b backend, stmts ...string) {
	t.Helper()
	if b.schema != "" {
		stmts = append([]string{`CREATE SCHEMA "` + b.schema + `"`, `SET search_path TO "` + b.schema + `"`}, stmts...)
	}
	runSQL(t, b, stmts...)
}

// runSQL runs statements on b's database, on a connection of its own.
func runSQL(t *testing.T, b backend, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	var exec func(s string) error
	if b.schema == "" {
		db, err := sql.Open("sqlite", "file:"+escapePath(strings.TrimPrefix(b.dsn, "sqlite://")))
		require.NoError(t, err)
		defer db.Close()
		exec = func(s string) error { _, err := db.ExecContext(ctx, s); return err }
	} else {
		conn, err := pgx.Connect(ctx, b.dsn)
		require.NoError(t, err)
		defer conn.Close(ctx)
		exec = func(s string) error { _, err := conn.Exec(ctx, s); return err }
	}
	for _, s := range stmts {
		require.NoError(t, exec(s), s)
	}
}

// TestOlderLayoutsUpgraded: a database made by a relay before versioned
// migrations is upgraded in place at Open: its deliveries keep their
// state, and new ones are delivered. Red before for the first layout:
// Open and Enqueue passed, then Status failed on the missing column.
func TestOlderLayoutsUpgraded(t *testing.T) {
	for name, layout := range map[string]string{"without job": layoutNoJob, "with kind": layoutKind} {
		t.Run(name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, b backend) {
				prepareDB(t, b, layout, `INSERT INTO leadkit_relay_delivery (key, vendor, state, vendor_id, created_ms, updated_ms)
VALUES ('old-1', 'salesman', 'delivered', '17', 1, 1)`)
				sb := startSandboxes(t, nil)
				r := open(t, b)
				ctx := context.Background()
				d, err := r.Status(ctx, "old-1")
				require.NoError(t, err)
				assert.Equal(t, relay.StateDelivered, d.State)
				assert.Equal(t, "17", d.VendorID)
				key, err := r.Enqueue(ctx, salesmanLead(2))
				require.NoError(t, err)
				require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
				waitFor(t, r, 30*time.Second, settled(2))
				got, err := r.Status(ctx, key)
				require.NoError(t, err)
				assert.Equal(t, relay.StateDelivered, got.State)
			})
		})
	}
}

// TestUnknownLayoutRefused: a table this relay cannot tell the layout of,
// or a schema newer than it knows, is refused at Open with what is wrong.
func TestUnknownLayoutRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		prepareDB(t, b, layoutUnknown)
		_, err := relay.Open(context.Background(), b.dsn, b.opts...)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "layout this relay does not know")
		assert.Contains(t, err.Error(), "vendor")
		assert.Contains(t, err.Error(), "tenant")
	})
	eachBackend(t, func(t *testing.T, b backend) {
		prepareDB(t, b, `CREATE TABLE leadkit_relay_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)`,
			`INSERT INTO leadkit_relay_migration VALUES (99, 'from the future', 1)`)
		_, err := relay.Open(context.Background(), b.dsn, b.opts...)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "version 99, newer than this relay knows")
	})
}

// TestWithoutMigrations: a team that migrates with its own tool applies
// River's migrations and relay.Migrations' SQL, then opens the relay
// WithoutMigrations; before that, such an Open fails saying what is missing.
func TestWithoutMigrations(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		opts := append(append([]relay.Option{}, b.opts...), relay.WithoutMigrations())
		if b.schema != "" {
			prepareDB(t, b) // the schema, and nothing in it
		}
		_, err := relay.Open(ctx, b.dsn, opts...)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "WithoutMigrations")

		driver := map[bool]string{true: "postgres", false: "sqlite"}[b.schema != ""]
		ms, err := relay.Migrations(driver, b.schema)
		require.NoError(t, err)
		require.Len(t, ms, 5)
		var stmts []string
		for _, m := range ms {
			for _, s := range strings.Split(m.SQL, ";\n") {
				if strings.TrimSpace(s) != "" {
					stmts = append(stmts, s)
				}
			}
		}
		migrateRiver(t, b)
		runSQL(t, b, stmts...)
		r, err := relay.Open(ctx, b.dsn, opts...)
		require.NoError(t, err)
		defer closeRelay(r)
		_, err = r.Enqueue(ctx, salesmanLead(1))
		require.NoError(t, err)
	})
}

// migrateRiver applies River's own migrations, as a team's tool would.
func migrateRiver(t *testing.T, b backend) {
	t.Helper()
	ctx := context.Background()
	if b.schema == "" {
		db, err := sql.Open("sqlite", "file:"+escapePath(strings.TrimPrefix(b.dsn, "sqlite://")))
		require.NoError(t, err)
		defer db.Close()
		m, err := rivermigrate.New(riversqlite.New(db), nil)
		require.NoError(t, err)
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		require.NoError(t, err)
		return
	}
	pool, err := pgxpool.New(ctx, b.dsn)
	require.NoError(t, err)
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: b.schema})
	require.NoError(t, err)
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	require.NoError(t, err)
}

// TestOpenRefusesAmbiguousPasswords: a password with an unescaped "@" or
// "/" is split in different places by different parsers; the relay refuses
// the DSN, and no part of the password is in any error (red before: its
// tail was printed as the host).
func TestOpenRefusesAmbiguousPasswords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, pw := range []string{"head7Q@tail9Z", "head7Q/tail9Z", "head7Q@mid5X@tail9Z", "head7Q:mid5X@tail9Z"} {
		for _, dsn := range []string{
			"postgres://app:" + pw + "@127.0.0.1:5432/test?sslmode=disable",
			"postgresql://app:" + pw + "@localhost/test",
			"postgres://app:" + pw + "@[::1]:1/test?connect_timeout=1",
		} {
			_, err := relay.Open(ctx, dsn)
			require.Error(t, err, dsn)
			text := fmt.Sprintf("%v %+v %#v", err, err, err)
			for e := err; e != nil; e = unwrap(e) {
				text += e.Error()
			}
			for _, part := range []string{"head7Q", "tail9Z", "mid5X", url.QueryEscape(pw)} {
				assert.NotContains(t, text, part, dsn)
			}
		}
	}
}

func unwrap(err error) error {
	u, ok := err.(interface{ Unwrap() error })
	if !ok {
		return nil
	}
	return u.Unwrap()
}

// escapePath escapes a path for a file: URI, as the relay does (subtests
// named "sqlite#01" have a "#" in their directories).
func escapePath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}
