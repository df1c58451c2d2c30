package relay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/zen"
)

// Queue is the relay's shared River queue: its periodic sweep, and the
// jobs enqueued before the relay had a queue per vendor (a started relay
// keeps working it, with WithWorkers' count). New jobs go to their vendor's
// queue (QueueOf). All the relay's queues start with Queue, so that a
// relay can share a River schema with the application's own jobs.
const Queue = "leadkit_relay"

// QueueOf is the River queue of vendor v's jobs, "leadkit_relay_" and the
// vendor ("leadkit_relay_salesman"): each vendor's jobs are fetched and
// worked by workers of their own (WithWorkers, WithVendorWorkers), so a
// slow vendor does not hold up the others.
func QueueOf(v Vendor) string { return Queue + "_" + string(v) }

// ErrClosed is returned by every call on a relay after Close (errors.Is
// matches it), a second Close included.
var ErrClosed = errors.New("relay: closed")

// Relay is a durable queue of leads in front of the vendor clients: open
// one on every process that enqueues, and call Start on the processes that
// deliver. A Relay is safe for concurrent use.
//
// TTx is the database driver's transaction type, which EnqueueTx and
// EnqueueManyTx take (River's model, river.Client[TTx]): pgx.Tx for a relay
// on PostgreSQL (OpenPostgres, NewPostgres) and *sql.Tx for one on SQLite
// (OpenSQLite, NewSQLite), checked by the compiler. Open, for a database
// chosen at run time, returns a Relay[any], whose EnqueueTx checks the
// transaction's type when called.
type Relay[TTx any] struct {
	c *core
}

// Enqueue stores job for delivery and returns its idempotency key. It
// returns an error matching ErrDuplicate when the key was enqueued before,
// and a *leadkit.InputError naming the field when the job is not valid (a
// lead the vendor would refuse is refused here, before it is stored).
func (r *Relay[TTx]) Enqueue(ctx context.Context, job Job) (string, error) {
	return r.c.enqueue(ctx, nil, job)
}

// EnqueueTx stores job inside the caller's transaction tx, the outbox
// pattern: the lead is delivered if and only if tx commits. On PostgreSQL,
// tx may be begun on any pool of the relay's database; on SQLite, on the
// relay's *sql.DB (see DB and NewSQLite). It returns what Enqueue returns;
// after an error, tx is as it was (nothing of the job is in it).
func (r *Relay[TTx]) EnqueueTx(ctx context.Context, tx TTx, job Job) (string, error) {
	if isNil(tx) {
		return "", leadkit.Invalid("tx", "must not be nil (use Enqueue without a transaction)")
	}
	return r.c.enqueue(ctx, tx, job)
}

// EnqueueMany stores jobs for delivery in one transaction, with one
// statement per table for the whole batch, and returns what it did with
// each job, in the order given: its key, and whether it was a duplicate (a
// key enqueued before, or earlier in jobs), for which nothing was stored;
// the others are enqueued. Every job is checked as Enqueue checks it
// first: when any is not valid, nothing is stored and the error joins a
// *leadkit.InputError per invalid job, its Field prefixed "jobs[i].".
func (r *Relay[TTx]) EnqueueMany(ctx context.Context, jobs []Job) ([]EnqueueResult, error) {
	return r.c.enqueueMany(ctx, nil, jobs)
}

// EnqueueManyTx is EnqueueMany inside the caller's transaction tx (see
// EnqueueTx): the jobs it enqueued are delivered if and only if tx
// commits.
func (r *Relay[TTx]) EnqueueManyTx(ctx context.Context, tx TTx, jobs []Job) ([]EnqueueResult, error) {
	if isNil(tx) {
		return nil, leadkit.Invalid("tx", "must not be nil (use EnqueueMany without a transaction)")
	}
	return r.c.enqueueMany(ctx, tx, jobs)
}

// Start begins delivering the jobs of the vendors whose client c holds, in
// the background, until Stop or Close. Any number of processes may Start on
// one PostgreSQL relay; River gives each job to one of them at a time.
// Every started process also runs the sweep (see WithSweepInterval) when
// River elects it leader.
func (r *Relay[TTx]) Start(ctx context.Context, c Clients) error { return r.c.start(ctx, c) }

// Stop stops delivering: jobs being worked get until ctx ends to finish,
// then they are cancelled (their outcome being unknown, the next process
// reconciles them). Start may be called again after it.
func (r *Relay[TTx]) Stop(ctx context.Context) error { return r.c.stop(ctx) }

// Close stops delivering as Stop does, within ctx (jobs still running when
// ctx ends are cancelled, and Close returns without waiting for them), then
// closes the database connections the relay opened (OpenPostgres,
// OpenSQLite, Open), never the application's (NewPostgres, NewSQLite).
// Every call after it returns an error matching ErrClosed.
func (r *Relay[TTx]) Close(ctx context.Context) error { return r.c.close(ctx) }

// Status returns the delivery of key, with the job as enqueued (Job: the
// lead, in the vendor package's JSON form), or an error matching
// ErrUnknownKey.
func (r *Relay[TTx]) Status(ctx context.Context, key string) (*Delivery, error) {
	return r.c.status(ctx, key)
}

// Stats counts the deliveries by state, of vendor v, or of all when v is "".
func (r *Relay[TTx]) Stats(ctx context.Context, v Vendor) (Stats, error) { return r.c.stats(ctx, v) }

// Resend sends again a delivery that is not delivered and whose River job
// is not live: it needs review, it failed, or River ended its job without
// it (see the sweep). The operator checked that the vendor does not hold
// the lead (or fixed what the vendor refused). A delivery River ended
// while an attempt's outcome was unknown, not yet parked for review, is
// looked up at the vendor before it is sent again. A Datacake delivery whose
// prospect was created resumes with the file upload; others start over,
// with the attempts WithRetries gives.
// Two Resends of one delivery at once (two replicas) send it once: one
// wins, the other returns ErrConflict.
func (r *Relay[TTx]) Resend(ctx context.Context, key string) error { return r.c.resend(ctx, key) }

// MarkDelivered records that the vendor holds the lead of a delivery that
// is not delivered and whose River job is not live (found by the operator),
// with its id. A SalesMan lead id or a Datacake prospect id is the
// delivery's vendor record: one already held by another delivery is
// refused.
func (r *Relay[TTx]) MarkDelivered(ctx context.Context, key, vendorID string) error {
	return r.c.markDelivered(ctx, key, vendorID)
}

// ZenLimiter returns a zen.Limiter kept in the relay's database, so that
// every process sharing the database shares Zen's one-call-per-window
// budget (give it to each zen client with zen.WithLimiter). The window is
// measured on the database's clock, so replicas with skewed clocks agree.
func (r *Relay[TTx]) ZenLimiter() zen.Limiter { return dbLimiter{r.c} }

// DB is the SQLite database of a relay on SQLite (nil on PostgreSQL):
// begin the transactions given to EnqueueTx on it. With one connection
// (OpenSQLite's, and River's advice for SQLite), while such a transaction
// is open the relay's own work waits for it: keep it short, and do not
// call the relay's other methods inside it (they would wait for it too).
func (r *Relay[TTx]) DB() *sql.DB { return r.c.sqlDB }

// Pool is the PostgreSQL pool of a relay on PostgreSQL (nil on SQLite).
// EnqueueTx takes a pgx.Tx begun on it or on any pool of the same
// database.
func (r *Relay[TTx]) Pool() *pgxpool.Pool { return r.c.pool }

// Open opens the relay of a database chosen at run time (a flag, an
// environment variable): dsn is a SQLite file, "sqlite:///var/lib/app/relay.db"
// (absolute), "sqlite://relay.db" (relative) or "sqlite::memory:" (one
// process, gone on Close), or a PostgreSQL URL,
// "postgres://user@host:5432/db?sslmode=disable", which any number of
// replicas can share. It is OpenSQLite or OpenPostgres, chosen by dsn; the
// Relay's transaction type is any, so EnqueueTx checks at run time that tx
// is the database's (*sql.Tx or pgx.Tx). A program that knows its database
// calls OpenSQLite or OpenPostgres, and the compiler checks it.
func Open(ctx context.Context, dsn string, opts ...Option) (*Relay[any], error) {
	var c *core
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		var r *Relay[*sql.Tx]
		r, err = OpenSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//"), opts...)
		if r != nil {
			c = r.c
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		var r *Relay[pgx.Tx]
		r, err = OpenPostgres(ctx, dsn, opts...)
		if r != nil {
			c = r.c
		}
	default:
		return nil, leadkit.Invalid("dsn", "must start with sqlite: or postgres://")
	}
	if err != nil {
		return nil, err
	}
	return &Relay[any]{c}, nil
}

// OpenSQLite opens (creating it when needed) the relay's SQLite database
// at path ("/var/lib/app/relay.db", or ":memory:" for a database of one
// process, gone on Close) with SQLiteDSN's settings and one connection, and
// brings its schema up to date with River's migrator and the relay's own
// migrations (see Migrations). Close closes it.
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Relay[*sql.Tx], error) {
	return build[*sql.Tx](ctx, opts, func(c *core) error { return c.openSQLite(ctx, path) })
}

// NewSQLite runs a relay on the application's SQLite database db, sharing
// its connections (the relay's tables live beside the application's, and
// EnqueueTx takes a transaction begun on db). Open db with SQLiteDSN's
// settings and, as River advises for SQLite, db.SetMaxOpenConns(1). The
// schema is brought up to date as OpenSQLite does. Close does not close
// db.
func NewSQLite(ctx context.Context, db *sql.DB, opts ...Option) (*Relay[*sql.Tx], error) {
	if db == nil {
		return nil, leadkit.Invalid("db", "must not be nil")
	}
	return build[*sql.Tx](ctx, opts, func(c *core) error { return c.initSQLite(ctx, db) })
}

// OpenPostgres opens a pool of connections to the PostgreSQL database of
// dsn ("postgres://user@host:5432/db?sslmode=disable"; WithPoolSize caps
// it) and brings the schema up to date with River's migrator and the
// relay's own migrations (see Migrations, WithSchema). Any number of
// replicas can share the database. Close closes the pool.
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (*Relay[pgx.Tx], error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil, leadkit.Invalid("dsn", "must be a postgres:// URL (with another form, open a pgxpool.Pool and use NewPostgres)")
	}
	return build[pgx.Tx](ctx, opts, func(c *core) error { return c.openPostgres(ctx, dsn) })
}

// NewPostgres runs a relay on the application's pgx pool, sharing its
// connections (while started, River holds one of them for LISTEN, and
// each delivering worker uses one at a time: size the pool for it). The
// schema is brought up to date as OpenPostgres does, on a connection of
// its own made with the pool's settings. Close does not close pool.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Relay[pgx.Tx], error) {
	if pool == nil {
		return nil, leadkit.Invalid("pool", "must not be nil")
	}
	return build[pgx.Tx](ctx, opts, func(c *core) error { return c.initPostgres(ctx, pool, nil) })
}

// build applies opts and runs open on a new relay; a relay whose opening
// failed is closed.
func build[TTx any](ctx context.Context, opts []Option, open func(*core) error) (*Relay[TTx], error) {
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
	c := &core{cfg: cfg, log: cfg.logger, red: transport.NewRedactor()}
	if err := errors.Join(open(c), c.initTelemetry()); err != nil {
		_ = c.close(context.WithoutCancel(ctx))
		return nil, err
	}
	return &Relay[TTx]{c}, nil
}

// isNil reports a nil transaction: a nil interface or a nil pointer in one.
func isNil(tx any) bool {
	if tx == nil {
		return true
	}
	v := reflect.ValueOf(tx)
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}
