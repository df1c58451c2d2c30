package relay

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// store runs the relay's own SQL on a pool or inside a transaction.
type store interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	queryRow(ctx context.Context, q string, args ...any) scanner
	query(ctx context.Context, q string, each func(scanner) error, args ...any) error
}

type scanner interface{ Scan(dest ...any) error }

// errNoRows is what queryRow's Scan returns when nothing matched, whatever
// the database.
var errNoRows = errors.New("no rows")

type sqlQuerier interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

type sqlStore struct{ q sqlQuerier }

var pgParam = regexp.MustCompile(`\$(\d+)`)

// sqliteSQL turns PostgreSQL's $1 into SQLite's numbered ?1.
func sqliteSQL(q string) string { return pgParam.ReplaceAllString(q, "?$1") }

func (s sqlStore) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := s.q.ExecContext(ctx, sqliteSQL(q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s sqlStore) queryRow(ctx context.Context, q string, args ...any) scanner {
	return sqlRow{s.q.QueryRowContext(ctx, sqliteSQL(q), args...)}
}

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoRows
	}
	return err
}

func (s sqlStore) query(ctx context.Context, q string, each func(scanner) error, args ...any) error {
	rows, err := s.q.QueryContext(ctx, sqliteSQL(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

// eachRow calls each for every row of rows, on either database.
func eachRow(rows interface {
	scanner
	Next() bool
	Err() error
}, each func(scanner) error) error {
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

type pgQuerier interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	QueryRow(context.Context, string, ...any) pgx.Row
	Query(context.Context, string, ...any) (pgx.Rows, error)
}

type pgStore struct{ q pgQuerier }

func (s pgStore) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := s.q.Exec(ctx, q, args...)
	return tag.RowsAffected(), err
}

func (s pgStore) queryRow(ctx context.Context, q string, args ...any) scanner {
	return pgRow{s.q.QueryRow(ctx, q, args...)}
}

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return errNoRows
	}
	return err
}

func (s pgStore) query(ctx context.Context, q string, each func(scanner) error, args ...any) error {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, each)
}

// dialect names the relay's tables and holds the pool-level store.
type dialect struct {
	sqlite bool
	schema string
	db     store
}

// t expands {d} (deliveries) and {l} (limits) to the tables' names.
func (d dialect) t(q string) string {
	prefix := ""
	if d.schema != "" {
		prefix = `"` + d.schema + `".`
	}
	return strings.NewReplacer("{d}", prefix+"leadkit_relay_delivery", "{l}", prefix+"leadkit_relay_limit").Replace(q)
}

func (d dialect) ddl() []string {
	return []string{
		d.t(`CREATE TABLE IF NOT EXISTS {d} (
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
)`),
		d.t(`CREATE INDEX IF NOT EXISTS leadkit_relay_delivery_state ON {d} (state)`),
		d.t(`CREATE TABLE IF NOT EXISTS {l} (
	key     TEXT PRIMARY KEY,
	next_ms BIGINT NOT NULL
)`),
	}
}

// nowMS is the database's clock in milliseconds since 1970, so replicas
// with skewed clocks agree on rate-limit windows.
func (d dialect) nowMS() string {
	if d.sqlite {
		return `CAST(unixepoch('subsec') * 1000 AS INTEGER)`
	}
	return `(extract(epoch from clock_timestamp()) * 1000)::bigint`
}

// row is one delivery as stored.
type row struct {
	Key, Vendor, State   string
	JobID                int64
	Attempts             int
	InDoubtMS, LeaseMS   int64
	Reconciled           bool
	VendorID             string
	Step                 int
	LastError, Review    string
	Job                  string // the job's JSON, kept past River's retention
	CreatedMS, UpdatedMS int64
}

const rowCols = `key, vendor, state, job_id, attempts, in_doubt_ms, lease_ms, reconciled, vendor_id, step, last_error, review, job, created_ms, updated_ms`

func scanRow(s scanner) (*row, error) {
	var r row
	var rec int
	if err := s.Scan(&r.Key, &r.Vendor, &r.State, &r.JobID, &r.Attempts, &r.InDoubtMS, &r.LeaseMS, &rec,
		&r.VendorID, &r.Step, &r.LastError, &r.Review, &r.Job, &r.CreatedMS, &r.UpdatedMS); err != nil {
		return nil, err
	}
	r.Reconciled = rec != 0
	return &r, nil
}

func (d dialect) load(ctx context.Context, st store, key string) (*row, error) {
	return scanRow(st.queryRow(ctx, d.t(`SELECT `+rowCols+` FROM {d} WHERE key = $1`), key))
}

// insert adds a queued delivery of job (its JSON); false when the key is
// taken.
func (d dialect) insert(ctx context.Context, st store, key string, v Vendor, job string, now int64) (bool, error) {
	n, err := st.exec(ctx, d.t(`INSERT INTO {d} (key, vendor, state, job, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (key) DO NOTHING`), key, string(v), string(StateQueued), job, now)
	return n == 1, err
}

func (d dialect) setJob(ctx context.Context, st store, key string, id int64) error {
	_, err := st.exec(ctx, d.t(`UPDATE {d} SET job_id = $2 WHERE key = $1`), key, id)
	return err
}

// claim takes the delivery's lease until leaseMS and returns the delivery,
// or nil when a live lease is held by another attempt.
func (d dialect) claim(ctx context.Context, key string, now, leaseMS int64) (*row, error) {
	r, err := scanRow(d.db.queryRow(ctx, d.t(`UPDATE {d} SET lease_ms = $2 WHERE key = $1 AND lease_ms < $3 RETURNING `+rowCols), key, leaseMS, now))
	if errors.Is(err, errNoRows) {
		return nil, nil
	}
	return r, err
}

// save writes the mutable fields of r (and releases the lease when
// release is set).
func (d dialect) save(ctx context.Context, r *row, now int64, release bool) error {
	lease := r.LeaseMS
	if release {
		lease = 0
	}
	rec := 0
	if r.Reconciled {
		rec = 1
	}
	_, err := d.db.exec(ctx, d.t(`UPDATE {d} SET state = $2, attempts = $3, in_doubt_ms = $4, lease_ms = $5, reconciled = $6,
vendor_id = $7, step = $8, last_error = $9, review = $10, updated_ms = $11 WHERE key = $1`),
		r.Key, r.State, r.Attempts, r.InDoubtMS, lease, rec, r.VendorID, r.Step, r.LastError, r.Review, now)
	return err
}
