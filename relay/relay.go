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
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Queue is the River queue the relay's jobs go to, so that a relay can share
// a River schema with the application's own jobs.
const Queue = "leadkit_relay"

// Relay is a durable queue of leads in front of the vendor clients. Open it
// on every process that enqueues; call Start on the processes that deliver.
// A Relay is safe for concurrent use.
type Relay struct {
	cfg    config
	dial   dialect
	eng    engine
	sqlDB  *sql.DB
	pool   *pgxpool.Pool
	log    *slog.Logger
	closed atomic.Bool

	zenCache zenArchives
}

// Open opens (creating it when needed) the relay's database and brings its
// schema up to date with River's migrator and the relay's own tables.
//
// dsn is either a SQLite file, "sqlite:///var/lib/app/relay.db" (absolute),
// "sqlite://relay.db" (relative) or "sqlite::memory:" (one process, gone on
// Close), or a PostgreSQL URL, "postgres://user@host:5432/db?sslmode=disable",
// which any number of replicas can share.
func Open(ctx context.Context, dsn string, opts ...Option) (*Relay, error) {
	if ctx == nil {
		return nil, leadkit.Invalid("ctx", "must not be nil")
	}
	cfg := defaults()
	for i, o := range opts {
		if o == nil {
			return nil, leadkit.Invalid(fmt.Sprintf("opts[%d]", i), "must not be nil")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	r := &Relay{cfg: cfg, log: cfg.logger}
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		err = r.openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		err = r.openPostgres(ctx, dsn)
	default:
		return nil, leadkit.Invalid("dsn", "must start with sqlite: or postgres://")
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Relay) openSQLite(ctx context.Context, path string) error {
	if path == "" {
		return leadkit.Invalid("dsn", "names no SQLite file (use sqlite::memory: for a database of one process)")
	}
	if r.cfg.schema != "" {
		return leadkit.Invalid("Schema", "is for PostgreSQL; a SQLite relay has its own file")
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "foreign_keys(1)")
	if path != ":memory:" {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+sqlitePath(path)+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("relay: open SQLite %s: %w", path, err)
	}
	// SQLite allows one writer at a time; River's own advice is one
	// connection per process, which also serialises the relay's writes.
	db.SetMaxOpenConns(1)
	r.sqlDB = db
	r.dial = dialect{sqlite: true, db: sqlStore{db}}
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
			return t, ok && t != nil
		},
		txName: "*sql.Tx (from Relay.DB)",
	}
	if r.cfg.noMigrate {
		return r.checkMigrated(ctx)
	}
	// One IMMEDIATE transaction holds the file's write lock through River's
	// migrations and the relay's: processes opening one file at once
	// migrate it once.
	err = retryBusy(ctx, func() error {
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

func (r *Relay) openPostgres(ctx context.Context, dsn string) error {
	red := transport.NewRedactor()
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
	// The server's answers can quote what it was sent: the password goes
	// through the SDK's one masking function (raw, URL-encoded, JSON-escaped).
	if pw := pc.ConnConfig.Password; pw != "" {
		red.Add(pw)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return transport.MaskError(red, fmt.Errorf("relay: connect to PostgreSQL: %w", err))
	}
	r.pool = pool
	if err := pool.Ping(ctx); err != nil {
		return transport.MaskError(red, fmt.Errorf("relay: connect to PostgreSQL at %s: %w", pc.ConnConfig.Host, err))
	}
	r.dial = dialect{schema: r.cfg.schema, db: pgStore{pool}}
	r.eng = &riverEngine[pgx.Tx]{
		drv:      riverpgxv5.New(pool),
		begin:    func(ctx context.Context) (pgx.Tx, error) { return pool.Begin(ctx) },
		wrap:     func(tx pgx.Tx) store { return pgStore{tx} },
		commit:   func(ctx context.Context, tx pgx.Tx) error { return tx.Commit(ctx) },
		rollback: func(ctx context.Context, tx pgx.Tx) { _ = tx.Rollback(context.WithoutCancel(ctx)) },
		cast: func(tx any) (pgx.Tx, bool) {
			t, ok := tx.(pgx.Tx)
			return t, ok && t != nil
		},
		txName: "pgx.Tx",
	}
	if r.cfg.noMigrate {
		return transport.MaskError(red, r.checkMigrated(ctx))
	}
	// One advisory lock per schema covers CREATE SCHEMA, River's
	// migrations and the relay's: replicas opening a fresh schema at once
	// wait for the first, then find it done.
	err = withMigrationLock(ctx, pc.ConnConfig, r.cfg.schema, func() error {
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

// checkMigrated is Open's check under WithoutMigrations: River's
// migrations and the relay's are applied.
func (r *Relay) checkMigrated(ctx context.Context) error {
	if err := r.eng.validate(ctx, r.cfg.schema); err != nil {
		return err
	}
	if err := r.dial.checkSchema(ctx); err != nil {
		return err
	}
	return r.eng.init(ctx, r.cfg)
}

// DB is the SQLite database of a relay opened on SQLite (nil on
// PostgreSQL). Begin the transactions given to EnqueueTx on it: SQLite has
// one writer, and the relay holds its only connection, so while such a
// transaction is open the relay's own work waits for it (keep it short,
// and do not call Enqueue, Status or Stats inside it: they would wait for
// it too).
func (r *Relay) DB() *sql.DB { return r.sqlDB }

// Pool is the PostgreSQL pool of a relay opened on PostgreSQL (nil on
// SQLite). EnqueueTx takes a pgx.Tx begun on it or on any pool of the same
// database.
func (r *Relay) Pool() *pgxpool.Pool { return r.pool }

// Close stops the workers (see Stop) and closes the database. Calls after
// the first do nothing; Enqueue and Start after Close fail.
func (r *Relay) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	var err error
	if r.eng != nil {
		ctx, cancel := context.WithTimeout(context.Background(), r.cfg.jobTimeout+5*time.Second)
		err = r.eng.stop(ctx)
		cancel()
	}
	if r.pool != nil {
		r.pool.Close()
	}
	if r.sqlDB != nil {
		if cerr := r.sqlDB.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// riverEngine is the part of the relay that depends on River's transaction
// type: pgx.Tx on PostgreSQL, *sql.Tx on SQLite.
type riverEngine[TTx any] struct {
	drv      riverdriver.Driver[TTx]
	begin    func(context.Context) (TTx, error)
	wrap     func(TTx) store
	commit   func(context.Context, TTx) error
	rollback func(context.Context, TTx)
	cast     func(any) (TTx, bool)
	txName   string

	inserter *river.Client[TTx]
	mu       sync.Mutex // guards worker
	worker   *river.Client[TTx]
}

type engine interface {
	// migrate applies River's migrations, then relay's in a transaction;
	// with oneTx, all in one transaction (SQLite: its write lock).
	migrate(ctx context.Context, schema string, oneTx bool, relay func(store) error) error
	// validate reports River's migrations missing from the database.
	validate(ctx context.Context, schema string) error
	init(ctx context.Context, cfg config) error
	// inTx runs fn in a new transaction, or in the caller's tx when tx is not nil.
	inTx(ctx context.Context, tx any, fn func(t txn) error) error
	start(ctx context.Context, cfg *river.Config) error
	stop(ctx context.Context) error
}

// txn is what the relay does inside one transaction: its own SQL and
// River's inserts, retries and reads of jobs.
type txn struct {
	st     store
	insert func(river.JobArgs, *river.InsertOpts) (*rivertype.JobInsertResult, error)
	retry  func(id int64) (*rivertype.JobRow, error)
	get    func(id int64) (*rivertype.JobRow, error)
}

func (e *riverEngine[TTx]) migrator(schema string) (*rivermigrate.Migrator[TTx], error) {
	m, err := rivermigrate.New(e.drv, &rivermigrate.Config{Schema: schema, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, fmt.Errorf("relay: River migrator: %w", err)
	}
	return m, nil
}

func (e *riverEngine[TTx]) migrate(ctx context.Context, schema string, oneTx bool, relay func(store) error) error {
	m, err := e.migrator(schema)
	if err != nil {
		return err
	}
	if !oneTx {
		// Each of River's migrations in a transaction of its own (some
		// cannot share one on PostgreSQL), under the caller's lock.
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("relay: River migrations: %w", err)
		}
	}
	t, err := e.begin(ctx)
	if err != nil {
		return fmt.Errorf("relay: begin the migrations: %w", err)
	}
	defer e.rollback(ctx, t)
	if oneTx {
		// SQLite's migrations of River have no step that needs a commit of
		// its own; one transaction keeps a second process out until done.
		//lint:ignore SA1019 MigrateTx is deprecated for PostgreSQL's steps that need their own commit; SQLite has none
		if _, err := m.MigrateTx(ctx, t, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("relay: River migrations: %w", err)
		}
	}
	if err := relay(e.wrap(t)); err != nil {
		return err
	}
	if err := e.commit(ctx, t); err != nil {
		return fmt.Errorf("relay: commit the migrations: %w", err)
	}
	return nil
}

func (e *riverEngine[TTx]) validate(ctx context.Context, schema string) error {
	m, err := e.migrator(schema)
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("relay: check River's migrations: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("relay: opened WithoutMigrations, but River's migrations are not applied: %s", strings.Join(res.Messages, "; "))
	}
	return nil
}

func (e *riverEngine[TTx]) init(ctx context.Context, cfg config) error {
	c, err := river.NewClient(e.drv, &river.Config{Schema: cfg.schema, Logger: riverLogger(cfg.logger)})
	if err != nil {
		return fmt.Errorf("relay: River client: %w", err)
	}
	e.inserter = c
	return nil
}

func (e *riverEngine[TTx]) inTx(ctx context.Context, tx any, fn func(txn) error) error {
	ops := func(t TTx) txn {
		return txn{
			st: e.wrap(t),
			insert: func(a river.JobArgs, o *river.InsertOpts) (*rivertype.JobInsertResult, error) {
				return e.inserter.InsertTx(ctx, t, a, o)
			},
			retry: func(id int64) (*rivertype.JobRow, error) { return e.inserter.JobRetryTx(ctx, t, id) },
			get:   func(id int64) (*rivertype.JobRow, error) { return e.inserter.JobGetTx(ctx, t, id) },
		}
	}
	if tx != nil {
		t, ok := e.cast(tx)
		if !ok {
			return leadkit.Invalid("tx", "must be a %s, not %T", e.txName, tx)
		}
		return fn(ops(t))
	}
	t, err := e.begin(ctx)
	if err != nil {
		return fmt.Errorf("relay: begin: %w", err)
	}
	defer e.rollback(ctx, t)
	if err := fn(ops(t)); err != nil {
		return err
	}
	if err := e.commit(ctx, t); err != nil {
		return fmt.Errorf("relay: commit: %w", err)
	}
	return nil
}

func (e *riverEngine[TTx]) start(ctx context.Context, cfg *river.Config) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.worker != nil {
		return errors.New("relay: already started")
	}
	c, err := river.NewClient(e.drv, cfg)
	if err != nil {
		return fmt.Errorf("relay: River client: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("relay: start River: %w", err)
	}
	e.worker = c
	return nil
}

func (e *riverEngine[TTx]) stop(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.worker == nil {
		return nil
	}
	err := e.worker.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = e.worker.StopAndCancel(context.Background())
	}
	e.worker = nil
	return err
}
