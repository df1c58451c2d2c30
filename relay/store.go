package relay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/leadkit/leadkit/internal/transport"
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
	red    *transport.Redactor // the relay's (redact.go): the deliveries' texts are masked with it
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

// newDelivery is a delivery to store for a job River took.
type newDelivery struct {
	Key    string `json:"k"`
	Vendor string `json:"v"`
	Ident  string `json:"i"`
	Job    string `json:"j"` // the job's JSON
	JobID  int64  `json:"id"`
}

// insertMany adds the queued deliveries rows in one statement, and
// returns the keys it stored: a key the table holds already is left out
// (and then, only then, a second statement finds which).
func (d dialect) insertMany(ctx context.Context, st store, rows []newDelivery, now int64) (map[string]bool, error) {
	var q, which string
	var args, whichArgs []any
	if d.sqlite {
		body, err := json.Marshal(rows)
		if err != nil {
			return nil, err
		}
		q = `INSERT INTO {d} (key, vendor, state, ident, job, job_id, created_ms, updated_ms)
SELECT value->>'k', value->>'v', 'queued', value->>'i', value->>'j', value->>'id', $2, $2 FROM json_each($1) WHERE true
ON CONFLICT (key) DO NOTHING`
		args = []any{string(body), now}
		which = `SELECT d.key FROM {d} d JOIN json_each($1) x ON d.key = x.value->>'k' AND d.job_id = x.value->>'id'`
		whichArgs = args[:1]
	} else {
		keys, vendors, idents, jobs, ids := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows)), make([]int64, len(rows))
		for i, r := range rows {
			keys[i], vendors[i], idents[i], jobs[i], ids[i] = r.Key, r.Vendor, r.Ident, r.Job, r.JobID
		}
		q = `INSERT INTO {d} (key, vendor, state, ident, job, job_id, created_ms, updated_ms)
SELECT k, v, 'queued', i, j, id, $6, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS x(k, v, i, j, id)
ON CONFLICT (key) DO NOTHING`
		args = []any{keys, vendors, idents, jobs, ids, now}
		which = `SELECT d.key FROM {d} d JOIN unnest($1::text[], $2::bigint[]) AS x(k, id) ON d.key = x.k AND d.job_id = x.id`
		whichArgs = []any{keys, ids}
	}
	n, err := st.exec(ctx, d.t(q), args...)
	if err != nil {
		return nil, err
	}
	stored := make(map[string]bool, len(rows))
	if int(n) == len(rows) {
		for _, r := range rows {
			stored[r.Key] = true
		}
		return stored, nil
	}
	err = st.query(ctx, d.t(which), func(s scanner) error {
		var k string
		if err := s.Scan(&k); err != nil {
			return err
		}
		stored[k] = true
		return nil
	}, whichArgs...)
	return stored, err
}

func (d dialect) setJob(ctx context.Context, st store, key string, id int64) error {
	_, err := st.exec(ctx, d.t(`UPDATE {d} SET job_id = $2 WHERE key = $1`), key, id)
	return err
}

// inList is a condition "col is one of vals" for $1 and its argument: a
// JSON array walked by json_each on SQLite, a typed array (pgType[]) on
// PostgreSQL.
func (d dialect) inList(col, pgType string, vals any) (string, any, error) {
	if !d.sqlite {
		return col + ` = ANY($1::` + pgType + `[])`, vals, nil
	}
	body, err := json.Marshal(vals)
	if err != nil {
		return "", nil, err
	}
	return col + ` IN (SELECT value FROM json_each($1))`, string(body), nil
}

// deleteJobs deletes River's jobs ids (ones the same transaction
// inserted).
func (d dialect) deleteJobs(ctx context.Context, st store, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	cond, arg, err := d.inList("id", "bigint", ids)
	if err != nil {
		return err
	}
	_, err = st.exec(ctx, d.t(`DELETE FROM {j} WHERE `+cond), arg)
	return err
}

// deleteDeliveries deletes the deliveries of keys (ones the same
// transaction inserted).
func (d dialect) deleteDeliveries(ctx context.Context, st store, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	cond, arg, err := d.inList("key", "text", keys)
	if err != nil {
		return err
	}
	_, err = st.exec(ctx, d.t(`DELETE FROM {d} WHERE `+cond), arg)
	return err
}

// vendorsOf returns the vendor of the delivery of each of keys the table
// holds, in one statement.
func (d dialect) vendorsOf(ctx context.Context, st store, keys []string) (map[string]Vendor, error) {
	out := make(map[string]Vendor, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	cond, arg, err := d.inList("key", "text", keys)
	if err != nil {
		return nil, err
	}
	err = st.query(ctx, d.t(`SELECT key, vendor FROM {d} WHERE `+cond), func(s scanner) error {
		var k, v string
		if err := s.Scan(&k, &v); err != nil {
			return err
		}
		out[k] = Vendor(v)
		return nil
	}, arg)
	return out, err
}

// claim takes the delivery's lease for leaseMS milliseconds and a new
// fence, and returns the delivery as claimed and the database's clock; the
// delivery is nil when a live lease is held by another attempt. In the
// same statement, a delivery to be sent (queued or retrying, nothing in
// doubt) is recorded as being sent, as mark records it: in doubt from now
// until its lease ends, attempts + 1 (marked reports it). The record before
// the send is then the claim itself, fenced by the fence it takes.
func (d dialect) claim(ctx context.Context, key string, leaseMS int64) (r *row, now int64, marked bool, err error) {
	r, err = scanRow(d.db.queryRow(ctx, d.t(claimSQL(`key = $1`)), key, leaseMS), &now)
	if errors.Is(err, errNoRows) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	return r, now, claimMarked(r, now), nil
}

// claimSQL is the claim of the deliveries which match: see claim.
func claimSQL(which string) string {
	const fresh = `in_doubt_ms = 0 AND state IN ('queued', 'retrying', 'sending')`
	return `WITH n AS (SELECT {now} AS ms)
UPDATE {d} SET lease_ms = n.ms + $2, fence = fence + 1,
  state = CASE WHEN ` + fresh + ` THEN 'sending' ELSE state END,
  attempts = CASE WHEN ` + fresh + ` THEN attempts + 1 ELSE attempts END,
  doubt_end_ms = CASE WHEN ` + fresh + ` THEN n.ms + $2 ELSE doubt_end_ms END,
  in_doubt_ms = CASE WHEN ` + fresh + ` THEN n.ms ELSE in_doubt_ms END
FROM n WHERE ` + which + ` AND lease_ms < n.ms RETURNING ` + rowCols + `, lease_ms - $2`
}

// claimMarked reports a claim that recorded the send: only a delivery
// marked by it has its doubt begin at the claim and end with the new lease
// (an earlier doubt ended before the lease it had, which ended before now).
func claimMarked(r *row, now int64) bool {
	return r.State == string(stateSending) && r.InDoubtMS == now && r.DoubtEndMS == r.LeaseMS
}

// claimMany is claim for several keys in one statement (PostgreSQL): the
// deliveries claimed, by key (a key missing: leased elsewhere).
func (d dialect) claimMany(ctx context.Context, keys []string, leaseMS int64) (map[string]*row, int64, error) {
	got := make(map[string]*row, len(keys))
	var now int64
	err := d.db.query(ctx, d.t(claimSQL(`key = ANY($1::text[])`)), func(s scanner) error {
		r, err := scanRow(s, &now)
		if err == nil {
			got[r.Key] = r
		}
		return err
	}, keys, leaseMS)
	return got, now, err
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
	r.LastError, r.Review = d.text(r.LastError), d.text(r.Review)
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

// writeMany is write (no new fence, no idle check) for rows in one
// statement, on PostgreSQL: written[i] reports rows[i] written, the
// others' fences moved. It answers by position, not by key: two writes of
// one delivery (a stale attempt's and the current one's) can share a
// batch, and only the one whose fence holds is written. A unique vendor
// record met fails the whole statement with errRefTaken, nothing written.
func (d dialect) writeMany(ctx context.Context, rows []*row, nows []int64) ([]bool, error) {
	n := len(rows)
	keys, states, ids, refs, lastErrs, reviews := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	fences, inDoubt, doubtEnd, leases := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	attempts, recs, steps := make([]int32, n), make([]int32, n), make([]int32, n)
	for i, r := range rows {
		r.LastError, r.Review = d.text(r.LastError), d.text(r.Review)
		keys[i], states[i], ids[i], refs[i], lastErrs[i], reviews[i] = r.Key, r.State, r.VendorID, r.VendorRef, r.LastError, r.Review
		fences[i], inDoubt[i], doubtEnd[i], leases[i] = r.Fence, r.InDoubtMS, r.DoubtEndMS, r.LeaseMS
		attempts[i], steps[i] = int32(r.Attempts), int32(r.Step)
		if r.Reconciled {
			recs[i] = 1
		}
	}
	written := make([]bool, n)
	err := d.db.query(ctx, d.t(`UPDATE {d} AS d SET state = v.state, attempts = v.attempts, in_doubt_ms = v.in_doubt_ms,
doubt_end_ms = v.doubt_end_ms, lease_ms = v.lease_ms, reconciled = v.reconciled, vendor_id = v.vendor_id,
vendor_ref = v.vendor_ref, step = v.step, last_error = v.last_error, review = v.review, updated_ms = v.updated_ms
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[], $8::int[],
  $9::text[], $10::text[], $11::int[], $12::text[], $13::text[], $14::bigint[])
  WITH ORDINALITY AS v(key, fence, state, attempts, in_doubt_ms, doubt_end_ms, lease_ms, reconciled, vendor_id, vendor_ref, step, last_error, review, updated_ms, i)
WHERE d.key = v.key AND d.fence = v.fence RETURNING v.i`), func(s scanner) error {
		var i int64
		if err := s.Scan(&i); err != nil {
			return err
		}
		if i < 1 || i > int64(n) {
			return fmt.Errorf("relay: batched write answered row %d of %d", i, n)
		}
		written[i-1] = true
		return nil
	}, keys, fences, states, attempts, inDoubt, doubtEnd, leases, recs, ids, refs, steps, lastErrs, reviews, nows)
	if isUniqueViolation(err) {
		return nil, errRefTaken
	}
	return written, err
}

// text is s as the deliveries' table keeps it: masked with every secret
// the relay knows, and as PostgreSQL's text takes it (dbText).
func (d dialect) text(s string) string { return dbText(d.red.Redact(s)) }

// dbText is s as PostgreSQL's text takes it: a NUL byte (valid UTF-8,
// which an error or a vendor's answer quoted in it can hold) is refused
// there, and would fail the write of the attempt's outcome.
func dbText(s string) string {
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
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
