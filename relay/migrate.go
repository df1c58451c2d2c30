package relay

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Migration is one version of the relay's own tables: the SQL that opening a relay
// applies, after River's migrations, to bring a database to Version. Each
// records itself in the table leadkit_relay_migration.
type Migration struct {
	Version int
	Name    string
	// SQL is the migration's statements, each ending with ";\n".
	SQL string
}

// migration is a step of the relay's tables: its statements in the
// dialect's SQL (the last one records the version).
type migration struct {
	version int
	name    string
	stmts   func(d dialect) []string
}

// migrations are the relay's, in order. A new table or column is a new
// entry at the end; an applied entry never changes.
var migrations = []migration{
	{1, "deliveries and limits", func(d dialect) []string {
		return []string{
			`CREATE TABLE IF NOT EXISTS {m} (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_ms BIGINT NOT NULL
)`,
			`CREATE TABLE IF NOT EXISTS {d} (
	key         TEXT PRIMARY KEY,
	vendor      TEXT NOT NULL,
	state       TEXT NOT NULL,
	job_id      BIGINT NOT NULL DEFAULT 0,
	attempts    INTEGER NOT NULL DEFAULT 0,
	in_doubt_ms BIGINT NOT NULL DEFAULT 0,
	lease_ms    BIGINT NOT NULL DEFAULT 0,
	reconciled  INTEGER NOT NULL DEFAULT 0,
	vendor_id   TEXT NOT NULL DEFAULT '',
	step        INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	review      TEXT NOT NULL DEFAULT '',
	job         TEXT NOT NULL DEFAULT '',
	created_ms  BIGINT NOT NULL,
	updated_ms  BIGINT NOT NULL
)`,
			`CREATE INDEX IF NOT EXISTS leadkit_relay_delivery_state ON {d} (state)`,
			`CREATE TABLE IF NOT EXISTS {l} (
	key     TEXT PRIMARY KEY,
	next_ms BIGINT NOT NULL
)`,
		}
	}},
	{2, "fences, vendor records, doubt ends", func(d dialect) []string {
		return []string{
			`ALTER TABLE {d} ADD COLUMN fence BIGINT NOT NULL DEFAULT 0`,
			`ALTER TABLE {d} ADD COLUMN doubt_end_ms BIGINT NOT NULL DEFAULT 0`,
			`ALTER TABLE {d} ADD COLUMN vendor_ref TEXT NOT NULL DEFAULT ''`,
			`ALTER TABLE {d} ADD COLUMN ident TEXT NOT NULL DEFAULT ''`,
			`CREATE UNIQUE INDEX IF NOT EXISTS leadkit_relay_delivery_ref ON {d} (vendor, vendor_ref) WHERE vendor_ref <> ''`,
			`CREATE INDEX IF NOT EXISTS leadkit_relay_delivery_ident ON {d} (vendor, ident) WHERE ident <> ''`,
		}
	}},
	{3, "listing by state and enqueue time", func(d dialect) []string {
		// Deliveries walks (state, created_ms, key) or (created_ms, key)
		// with keyset pagination; the first index replaces the one on
		// state alone (its prefix), so a state change updates as many
		// indexes as before.
		prefix := ""
		if d.schema != "" {
			prefix = `"` + d.schema + `".`
		}
		return []string{
			`CREATE INDEX IF NOT EXISTS leadkit_relay_delivery_list ON {d} (state, created_ms, key)`,
			`CREATE INDEX IF NOT EXISTS leadkit_relay_delivery_created ON {d} (created_ms, key)`,
			`DROP INDEX IF EXISTS ` + prefix + `leadkit_relay_delivery_state`,
		}
	}},
	{4, "events and retention", func(d dialect) []string {
		return []string{
			`CREATE INDEX IF NOT EXISTS leadkit_relay_delivery_updated ON {d} (updated_ms, key)`,
			`CREATE INDEX IF NOT EXISTS leadkit_relay_delivery_erasable ON {d} (updated_ms, key) WHERE ` + strings.ReplaceAll(erasable, ` AND updated_ms < $1`, ``),
		}
	}},
	{5, "intake: inbox, cursors, seen items", intakeMigration},
}

// schemaVersion is the version of the relay's tables this code needs.
func schemaVersion() int { return migrations[len(migrations)-1].version }

// sql returns the statements of m in d's SQL, recording the version last.
func (m migration) sql(d dialect) []string {
	out := make([]string, 0, 4)
	for _, s := range m.stmts(d) {
		out = append(out, d.t(s))
	}
	return append(out, d.t(fmt.Sprintf(`INSERT INTO {m} (version, name, applied_ms) VALUES (%d, '%s', {now})`, m.version, m.name)))
}

// Migrations returns the relay's migrations for driver ("postgres" or
// "sqlite") in schema ("" for none; PostgreSQL only), in order, for teams
// that apply migrations with a tool of their own and open the relay with
// WithoutMigrations. River's own come first (rivermigrate, or River's CLI:
// `river migrate-get --all --up`). Opening a relay applies exactly these; it also
// upgrades in place a database made by an older relay before versioned
// migrations (it adds the columns that layout lacks), which this SQL does
// not.
func Migrations(driver, schema string) ([]Migration, error) {
	var d dialect
	switch driver {
	case "postgres":
		if schema != "" && !schemaName.MatchString(schema) {
			return nil, invalidSchema()
		}
		d.schema = schema
	case "sqlite":
		if schema != "" {
			return nil, errors.New("relay: SQLite has no schemas")
		}
		d.sqlite = true
	default:
		return nil, fmt.Errorf("relay: unknown driver %q (postgres or sqlite)", driver)
	}
	out := make([]Migration, len(migrations))
	for i, m := range migrations {
		out[i] = Migration{Version: m.version, Name: m.name, SQL: strings.Join(m.sql(d), ";\n") + ";\n"}
	}
	return out, nil
}

// migrateRelay brings the relay's tables to schemaVersion inside st (a
// transaction that holds the database's migration lock).
func (d dialect) migrateRelay(ctx context.Context, st store) error {
	if _, err := st.exec(ctx, d.t(migrations[0].stmts(d)[0])); err != nil {
		return fmt.Errorf("relay: create the migrations table: %w", err)
	}
	var current int
	if err := st.queryRow(ctx, d.t(`SELECT COALESCE(MAX(version), 0) FROM {m}`)).Scan(&current); err != nil {
		return fmt.Errorf("relay: read the relay's schema version: %w", err)
	}
	if current > schemaVersion() {
		return fmt.Errorf("relay: the relay's tables are at version %d, newer than this relay knows (%d): upgrade the relay", current, schemaVersion())
	}
	if current == 0 {
		if err := d.adopt(ctx, st); err != nil {
			return err
		}
	}
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		for _, s := range m.sql(d) {
			if _, err := st.exec(ctx, s); err != nil {
				return fmt.Errorf("relay: migration %d (%s): %w", m.version, m.name, err)
			}
		}
	}
	return nil
}

// The columns of the delivery table's first layout: those a database made
// before versioned migrations must have, and those Open adds when missing
// (an older layout: job came later).
var (
	v1Required = []string{"key", "vendor", "state", "created_ms", "updated_ms"}
	v1Addable  = map[string]string{
		"job_id": "BIGINT NOT NULL DEFAULT 0", "attempts": "INTEGER NOT NULL DEFAULT 0", "in_doubt_ms": "BIGINT NOT NULL DEFAULT 0",
		"lease_ms": "BIGINT NOT NULL DEFAULT 0", "reconciled": "INTEGER NOT NULL DEFAULT 0", "vendor_id": "TEXT NOT NULL DEFAULT ''",
		"step": "INTEGER NOT NULL DEFAULT 0", "last_error": "TEXT NOT NULL DEFAULT ''", "review": "TEXT NOT NULL DEFAULT ''",
		"job": "TEXT NOT NULL DEFAULT ''",
	}
)

// adopt upgrades a delivery table made before versioned migrations to the
// first version's layout, or refuses a layout it does not know.
func (d dialect) adopt(ctx context.Context, st store) error {
	cols, err := d.columns(ctx, st)
	if err != nil || len(cols) == 0 {
		return err // no table yet: migration 1 creates it
	}
	var missing []string
	for _, c := range v1Required {
		if _, ok := cols[c]; !ok {
			missing = append(missing, c)
		}
	}
	for c, blocks := range cols {
		if _, known := v1Addable[c]; blocks && !known && !slices.Contains(v1Required, c) {
			missing = append(missing, "(unknown required column "+c+")")
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("relay: the table leadkit_relay_delivery has a layout this relay does not know (missing: %s); move it aside or migrate it by hand", strings.Join(missing, ", "))
	}
	for _, c := range slices.Sorted(maps.Keys(v1Addable)) {
		if _, ok := cols[c]; ok {
			continue
		}
		if _, err := st.exec(ctx, d.t(`ALTER TABLE {d} ADD COLUMN `+c+` `+v1Addable[c])); err != nil {
			return fmt.Errorf("relay: upgrade leadkit_relay_delivery (add %s): %w", c, err)
		}
	}
	// That layout kept the lead only in River's job args (the whole job):
	// a delivery not yet delivered takes its copy from them, as the
	// workers now read the lead from the delivery alone.
	q := `UPDATE {d} SET job = j.args::text FROM {j} j WHERE j.id = {d}.job_id AND {d}.job = '' AND {d}.state <> 'delivered'`
	if d.sqlite {
		q = `UPDATE {d} SET job = (SELECT json(j.args) FROM {j} j WHERE j.id = {d}.job_id)
WHERE job = '' AND state <> 'delivered' AND EXISTS (SELECT 1 FROM {j} j WHERE j.id = {d}.job_id)`
	}
	if _, err := st.exec(ctx, d.t(q)); err != nil {
		return fmt.Errorf("relay: upgrade leadkit_relay_delivery (the leads from River's jobs): %w", err)
	}
	return nil
}

// columns returns the delivery table's columns, each with whether it is
// NOT NULL without a default (an INSERT that does not name it fails);
// none when there is no table.
func (d dialect) columns(ctx context.Context, st store) (map[string]bool, error) {
	q := `SELECT column_name, is_nullable = 'NO' AND column_default IS NULL FROM information_schema.columns
WHERE table_schema = COALESCE(NULLIF($1, ''), current_schema()) AND table_name = 'leadkit_relay_delivery'`
	args := []any{d.schema}
	if d.sqlite {
		q, args = `SELECT name, "notnull" = 1 AND dflt_value IS NULL FROM pragma_table_info('leadkit_relay_delivery')`, nil
	}
	cols := map[string]bool{}
	err := st.query(ctx, q, func(s scanner) error {
		var name string
		var blocks bool
		if err := s.Scan(&name, &blocks); err != nil {
			return err
		}
		cols[name] = blocks
		return nil
	}, args...)
	if err != nil {
		return nil, fmt.Errorf("relay: read the layout of leadkit_relay_delivery: %w", err)
	}
	return cols, nil
}

// checkSchema is Open's check under WithoutMigrations: the relay's tables
// must be at the version this code needs.
func (d dialect) checkSchema(ctx context.Context) error {
	var current int
	err := d.db.queryRow(ctx, d.t(`SELECT COALESCE(MAX(version), 0) FROM {m}`)).Scan(&current)
	if err != nil || current != schemaVersion() {
		return fmt.Errorf("relay: opened WithoutMigrations, but the relay's tables are not at version %d (found %d): apply relay.Migrations (after River's) or open without WithoutMigrations", schemaVersion(), current)
	}
	return nil
}

// lockKey is the PostgreSQL advisory lock that serialises the migrations
// of one schema: Open on many replicas at once migrates once.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("leadkit_relay_migrate:" + schema))
	return int64(h.Sum64())
}

// withMigrationLock runs fn holding the schema's advisory lock, on a
// connection of its own (so that a pool of any size can migrate).
func withMigrationLock(ctx context.Context, cc *pgx.ConnConfig, schema string, fn func() error) error {
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return fmt.Errorf("relay: connect for the migrations: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey(schema)); err != nil {
		return fmt.Errorf("relay: take the migration lock: %w", err)
	}
	// Closing the connection releases the lock too, whatever happens.
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey(schema))
	return fn()
}
