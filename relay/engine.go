package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/leadkit/leadkit"
)

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
	// insertMany inserts River's jobs in one statement (InsertManyTx).
	insertMany func([]river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	retry      func(id int64) (*rivertype.JobRow, error)
	get        func(id int64) (*rivertype.JobRow, error)
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
	c, err := river.NewClient(e.drv, &river.Config{Schema: cfg.schema, MaxAttempts: cfg.maxAttempts, Logger: riverLogger(cfg.logger), Plugins: cfg.riverPlugins()})
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
			insertMany: func(p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
				return e.inserter.InsertManyTx(ctx, t, p)
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
	if err != nil && ctx.Err() != nil {
		// ctx ended: the jobs still running are cancelled (their outcome is
		// unknown: the delivery, recorded in doubt before the send, is
		// reconciled by the next attempt), and not waited for.
		_ = e.worker.StopAndCancel(ctx)
		err = fmt.Errorf("relay: stop: the jobs still running were cancelled: %w", ctx.Err())
	}
	e.worker = nil
	return err
}
