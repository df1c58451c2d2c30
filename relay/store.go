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

// t expands {d} (deliveries), {l} (limits), {m} (the relay's migrations)
// and {j} (River's jobs) to the tables' names.
func (d dialect) t(q string) string {
	prefix := ""
	if d.schema != "" {
		prefix = `"` + d.schema + `".`
	}
	return strings.NewReplacer("{d}", prefix+"leadkit_relay_delivery", "{l}", prefix+"leadkit_relay_limit",
		"{m}", prefix+"leadkit_relay_migration", "{j}", prefix+"river_job", "{now}", d.nowMS()).Replace(q)
}

// nowMS is the database's clock in milliseconds since 1970: leases and
// rate-limit windows are compared on it, so replicas with skewed clocks
// agree.
func (d dialect) nowMS() string {
	if d.sqlite {
		return `CAST(unixepoch('subsec') * 1000 AS INTEGER)`
	}
	return `(extract(epoch from clock_timestamp()) * 1000)::bigint`
}

// row is one delivery as stored.
type row struct {
	Key, Vendor, State string
	JobID              int64
	Attempts           int
	// InDoubtMS is when the attempt whose outcome is unknown began (0: no
	// doubt); DoubtEndMS is when its request can no longer be in flight
	// (its answer came, or its lease ended).
	InDoubtMS, DoubtEndMS int64
	LeaseMS               int64
	// Fence is the delivery's lease token: every claim and every operator
	// action takes a new one, and every write is made only under the
	// fence it read.
	Fence      int64
	Reconciled bool
	VendorID   string
	// VendorRef identifies the one vendor record this delivery holds (a
	// SalesMan lead id, a Zenvia prospect id and lead time, ...); at most
	// one delivery of a vendor holds a ref.
	VendorRef string
	// Ident is what a lookup matches the vendor's records on (Zen: the
	// integration code sent).
	Ident                string
	Step                 int
	LastError, Review    string
	Job                  string // the job's JSON, kept past River's retention
	CreatedMS, UpdatedMS int64
}

const rowCols = `key, vendor, state, job_id, attempts, in_doubt_ms, doubt_end_ms, lease_ms, fence, reconciled, vendor_id, vendor_ref, ident, step, last_error, review, job, created_ms, updated_ms`

func scanRow(s scanner, extra ...any) (*row, error) {
	var r row
	var rec int
	dest := []any{&r.Key, &r.Vendor, &r.State, &r.JobID, &r.Attempts, &r.InDoubtMS, &r.DoubtEndMS, &r.LeaseMS, &r.Fence, &rec,
		&r.VendorID, &r.VendorRef, &r.Ident, &r.Step, &r.LastError, &r.Review, &r.Job, &r.CreatedMS, &r.UpdatedMS}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	r.Reconciled = rec != 0
	return &r, nil
}

// load returns the delivery of key and the database's clock.
func (d dialect) load(ctx context.Context, st store, key string) (*row, int64, error) {
	var now int64
	r, err := scanRow(st.queryRow(ctx, d.t(`SELECT `+rowCols+`, {now} FROM {d} WHERE key = $1`), key), &now)
	return r, now, err
}

// insert adds a queued delivery of job (its JSON) and River's job id;
// false when the key is taken.
func (d dialect) insert(ctx context.Context, st store, key string, v Vendor, ident, job string, jobID, now int64) (bool, error) {
	n, err := st.exec(ctx, d.t(`INSERT INTO {d} (key, vendor, state, ident, job, job_id, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
ON CONFLICT (key) DO NOTHING`), key, string(v), string(StateQueued), ident, job, jobID, now)
	return n == 1, err
}

func (d dialect) setJob(ctx context.Context, st store, key string, id int64) error {
	_, err := st.exec(ctx, d.t(`UPDATE {d} SET job_id = $2 WHERE key = $1`), key, id)
	return err
}

// deleteJob deletes River's job id (one the same transaction inserted).
func (d dialect) deleteJob(ctx context.Context, st store, id int64) error {
	_, err := st.exec(ctx, d.t(`DELETE FROM {j} WHERE id = $1`), id)
	return err
}

// claim takes the delivery's lease for leaseMS milliseconds and a new
// fence, and returns the delivery as claimed and the database's clock; the
// delivery is nil when a live lease is held by another attempt.
func (d dialect) claim(ctx context.Context, key string, leaseMS int64) (*row, int64, error) {
	var now int64
	r, err := scanRow(d.db.queryRow(ctx, d.t(`UPDATE {d} SET lease_ms = {now} + $2, fence = fence + 1
WHERE key = $1 AND lease_ms < {now} RETURNING `+rowCols+`, {now}`), key, leaseMS), &now)
	if errors.Is(err, errNoRows) {
		return nil, 0, nil
	}
	return r, now, err
}

// errFenced is a write refused because the delivery's fence moved on:
// another attempt claimed it, or an operator resolved it.
var errFenced = errors.New("relay: the delivery was taken over (its lease moved on); this attempt stops")

// errRefTaken is a write refused because another delivery of the vendor
// holds the vendor record (the unique (vendor, vendor_ref)).
var errRefTaken = errors.New("relay: another delivery holds this vendor record")

// write is the one place every change of a delivery goes through: it
// stores r's mutable fields if the delivery's fence is still r.Fence, and
// fails with errFenced otherwise (nothing written). With bump it takes a
// new fence (r.Fence is updated); with idle it also requires that no lease
// is live (an operator's action never races a working attempt).
func (d dialect) write(ctx context.Context, st store, r *row, now int64, bump, idle bool) error {
	next := r.Fence
	if bump {
		next++
	}
	q := `UPDATE {d} SET state = $3, attempts = $4, in_doubt_ms = $5, doubt_end_ms = $6, lease_ms = $7, fence = $8,
reconciled = $9, vendor_id = $10, vendor_ref = $11, step = $12, last_error = $13, review = $14, updated_ms = $15
WHERE key = $1 AND fence = $2`
	if idle {
		q += ` AND lease_ms < {now}`
	}
	rec := 0
	if r.Reconciled {
		rec = 1
	}
	n, err := st.exec(ctx, d.t(q), r.Key, r.Fence, r.State, r.Attempts, r.InDoubtMS, r.DoubtEndMS, r.LeaseMS, next,
		rec, r.VendorID, r.VendorRef, r.Step, r.LastError, r.Review, now)
	switch {
	case isUniqueViolation(err):
		return errRefTaken
	case err != nil:
		return err
	case n == 0:
		return errFenced
	}
	r.Fence = next
	return nil
}

// isUniqueViolation reports a unique constraint's refusal on either
// database.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// refHolder returns the key of another delivery of vendor v that holds
// ref ("" when none).
func (d dialect) refHolder(ctx context.Context, v Vendor, ref, key string) (string, error) {
	if ref == "" {
		return "", nil
	}
	var other string
	err := d.db.queryRow(ctx, d.t(`SELECT key FROM {d} WHERE vendor = $1 AND vendor_ref = $2 AND key <> $3`), string(v), ref, key).Scan(&other)
	if errors.Is(err, errNoRows) {
		return "", nil
	}
	return other, err
}

// byIdent returns the jobs (their JSON) of vendor v's deliveries other
// than key whose ident is one of idents.
func (d dialect) byIdent(ctx context.Context, v Vendor, key string, idents []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, id := range idents {
		err := d.db.query(ctx, d.t(`SELECT job FROM {d} WHERE vendor = $1 AND ident = $2 AND key <> $3`), func(s scanner) error {
			var job string
			if err := s.Scan(&job); err != nil {
				return err
			}
			out[id] = append(out[id], job)
			return nil
		}, string(v), id, key)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
