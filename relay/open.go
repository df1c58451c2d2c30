package relay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// core is a relay, whatever its transaction type: Relay[TTx] is its typed
// face.
type core struct {
	cfg    config
	dial   dialect
	eng    engine
	sqlDB  *sql.DB
	pool   *pgxpool.Pool
	owned  bool // the relay opened sqlDB or pool, and closes it
	log    *slog.Logger
	closed atomic.Bool
	// clientMaxFile is the started datacake client's file cap (0: none
	// started here): Enqueue refuses what that client would refuse.
	clientMaxFile atomic.Int64
	outs          atomic.Pointer[outcomes] // batches the workers' outcomes while started on PostgreSQL
	claims        atomic.Pointer[claims]   // and their claims

	zenCache zenArchives
	tel      *telemetry // otel.go: nil without a provider
	events   eventHub   // events.go
	intake   intake     // the inbox and the routes of this process (intake.go)

	red *transport.Redactor // every secret the relay knows (redact.go)
}

// SQLiteDSN is the data source name OpenSQLite opens path with, for an
// application that opens the database itself (sql.Open("sqlite",
// relay.SQLiteDSN(path)), then NewSQLite): modernc.org/sqlite's driver,
// a 30-second busy timeout, foreign keys, WAL with synchronous=NORMAL
// (not for ":memory:"), and IMMEDIATE transactions (a transaction takes
// the write lock when it begins, so two processes never deadlock upgrading
// one).
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "foreign_keys(1)")
	if path != ":memory:" {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Add("_txlock", "immediate")
	return "file:" + sqlitePath(path) + "?" + q.Encode()
}

func (r *core) openSQLite(ctx context.Context, path string) error {
	if path == "" {
		return leadkit.Invalid("path", "names no SQLite file (use :memory: for a database of one process)")
	}
	if r.cfg.schema != "" {
		return leadkit.Invalid("Schema", "is for PostgreSQL; a SQLite relay has its own file")
	}
	db, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		return fmt.Errorf("relay: open SQLite %s: %w", path, err)
	}
	// SQLite allows one writer at a time; River's own advice is one
	// connection per process, which also serialises the relay's writes.
	db.SetMaxOpenConns(1)
	r.sqlDB, r.owned = db, true
	return r.initSQLite(ctx, db)
}

func (r *core) initSQLite(ctx context.Context, db *sql.DB) error {
	if r.cfg.schema != "" {
		return leadkit.Invalid("Schema", "is for PostgreSQL; a SQLite relay has its own file")
	}
	if r.cfg.poolSize > 0 {
		return leadkit.Invalid("PoolSize", "is for PostgreSQL")
	}
	r.sqlDB = db
	r.dial = dialect{sqlite: true, db: sqlStore{db}, red: r.red}
	r.eng = &riverEngine[*sql.Tx]{
		drv:   riversqlite.New(db),
		begin: func(ctx context.Context) (*sql.Tx, error) { return db.BeginTx(ctx, nil) },
		wrap:  func(tx *sql.Tx) store { return sqlStore{tx} },
		commit: func(ctx context.Context, tx *sql.Tx) error {
			return tx.Commit()
		},
		rollback: func(ctx context.Context, tx *sql.Tx) { _ = tx.Rollback() },
		cast: func(tx any) (*sql.Tx, bool) {
			t, ok := tx.(*sql.Tx)
			return t, ok
		},
		txName: "*sql.Tx (begun on the relay's DB)",
	}
	if r.cfg.noMigrate {
		return r.checkMigrated(ctx)
	}
	// One IMMEDIATE transaction holds the file's write lock through River's
	// migrations and the relay's: processes opening one file at once
	// migrate it once.
	err := retryBusy(ctx, func() error {
		return r.eng.migrate(ctx, "", true, func(st store) error { return r.dial.migrateRelay(ctx, st) })
	})
	if err != nil {
		return err
	}
	return r.eng.init(ctx, r.cfg)
}

// retryBusy runs fn again while SQLite answers SQLITE_BUSY without waiting
// (processes opening a fresh file at once meet its switch to WAL), for up
// to half a minute.
func retryBusy(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := fn()
		if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(10+rand.IntN(40)) * time.Millisecond):
		}
	}
}

// sqlitePath escapes what a file: URI would read otherwise in a file's path
// (a "#" starts a fragment, a "?" the parameters).
func sqlitePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func (r *core) openPostgres(ctx context.Context, dsn string) error {
	red := r.red
	if err := checkDSN(dsn, red); err != nil {
		return err
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included.
		return fmt.Errorf("relay: the PostgreSQL DSN does not parse (check its form; it is not quoted here, as it may hold a password)")
	}
	if r.cfg.poolSize > 0 {
		pc.MaxConns = int32(r.cfg.poolSize)
	}
	if pw := pc.ConnConfig.Password; pw != "" {
		red.Add(pw)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return transport.MaskError(red, fmt.Errorf("relay: connect to PostgreSQL: %w", err))
	}
	r.pool, r.owned = pool, true
	r.cfg.poolSize = 0 // applied
	return r.initPostgres(ctx, pool, red)
}

// initPostgres runs the relay on pool; red masks the password in errors
// (nil: the pool's).
func (r *core) initPostgres(ctx context.Context, pool *pgxpool.Pool, red *transport.Redactor) error {
	if r.cfg.poolSize > 0 {
		return leadkit.Invalid("PoolSize", "is for a pool the relay opens (OpenPostgres); NewPostgres uses the application's pool as it is")
	}
	cc := pool.Config().ConnConfig
	if red == nil {
		// The server's answers can quote what it was sent: the password goes
		// through the SDK's one masking function (raw, URL-encoded, JSON-escaped).
		red = r.red
		if cc.Password != "" {
			red.Add(cc.Password)
		}
	}
	r.pool = pool
	if err := pool.Ping(ctx); err != nil {
		return transport.MaskError(red, fmt.Errorf("relay: connect to PostgreSQL at %s: %w", cc.Host, err))
	}
	r.dial = dialect{schema: r.cfg.schema, db: pgStore{pool}, red: r.red}
	r.eng = &riverEngine[pgx.Tx]{
		drv:      riverpgxv5.New(pool),
		begin:    func(ctx context.Context) (pgx.Tx, error) { return pool.Begin(ctx) },
		wrap:     func(tx pgx.Tx) store { return pgStore{tx} },
		commit:   func(ctx context.Context, tx pgx.Tx) error { return tx.Commit(ctx) },
		rollback: func(ctx context.Context, tx pgx.Tx) { _ = tx.Rollback(context.WithoutCancel(ctx)) },
		cast: func(tx any) (pgx.Tx, bool) {
			t, ok := tx.(pgx.Tx)
			return t, ok
		},
		txName: "pgx.Tx",
	}
	if r.cfg.noMigrate {
		return transport.MaskError(red, r.checkMigrated(ctx))
	}
	// One advisory lock per schema covers CREATE SCHEMA, River's
	// migrations and the relay's: replicas opening a fresh schema at once
	// wait for the first, then find it done.
	err := withMigrationLock(ctx, cc, r.cfg.schema, func() error {
		if r.cfg.schema != "" {
			if _, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS "`+r.cfg.schema+`"`); err != nil {
				return fmt.Errorf("relay: create schema %s: %w", r.cfg.schema, err)
			}
		}
		return r.eng.migrate(ctx, r.cfg.schema, false, func(st store) error { return r.dial.migrateRelay(ctx, st) })
	})
	if err != nil {
		return transport.MaskError(red, err)
	}
	return r.eng.init(ctx, r.cfg)
}

// checkDSN refuses a PostgreSQL URL whose user or password holds an
// unescaped "@" or "/" (parsers split it in different places, and the
// password's tail would be taken for the host or the database and
// printed), and teaches red the password as written.
func checkDSN(dsn string, red *transport.Redactor) error {
	rest := dsn[strings.Index(dsn, "://")+3:]
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return nil
	}
	userinfo := rest[:at]
	if _, pw, ok := strings.Cut(userinfo, ":"); ok && pw != "" {
		red.Add(pw)
		if dec, err := url.PathUnescape(pw); err == nil {
			red.Add(dec)
		}
	}
	if strings.ContainsAny(userinfo, "@/") {
		return leadkit.Invalid("dsn", "its user or password holds an unescaped '@' or '/': percent-encode them (%%40, %%2F); the DSN is not quoted here, as it holds a password")
	}
	return nil
}

// checkMigrated is the check under WithoutMigrations: River's migrations
// and the relay's are applied.
func (r *core) checkMigrated(ctx context.Context) error {
	if err := r.eng.validate(ctx, r.cfg.schema); err != nil {
		return err
	}
	if err := r.dial.checkSchema(ctx); err != nil {
		return err
	}
	return r.eng.init(ctx, r.cfg)
}

// close is Relay.Close.
func (r *core) close(ctx context.Context) error {
	if r.closed.Swap(true) {
		return ErrClosed
	}
	var err error
	if r.eng != nil {
		err = r.eng.stop(ctx)
		r.stopOutcomes()
	}
	r.closeTelemetry()
	if !r.owned {
		return err
	}
	// Both wait for the connections in use: a job cancelled when ctx ended
	// may still hold one, so they are waited for within ctx only.
	done := make(chan error, 1)
	go func() {
		if r.pool != nil {
			r.pool.Close()
		}
		if r.sqlDB != nil {
			done <- r.sqlDB.Close()
			return
		}
		done <- nil
	}()
	select {
	case cerr := <-done:
		return errors.Join(err, cerr)
	case <-ctx.Done():
		return errors.Join(err, fmt.Errorf("relay: close: the database is closed once the cancelled jobs let go of it: %w", ctx.Err()))
	}
}
