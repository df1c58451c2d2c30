package relay_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/relay"
)

// EnqueueTx takes the driver's own transaction type, checked by the
// compiler: a *sql.Tx given to a PostgreSQL relay, or a pgx.Tx to a SQLite
// one, does not build; the right ones do.
func TestEnqueueTxTypeChecked(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two programs")
	}
	const head = `package typecheck

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"

	"github.com/leadkit/leadkit/relay"
)

func use(ctx context.Context, pg *relay.Relay[pgx.Tx], lite *relay.Relay[*sql.Tx], stx *sql.Tx, ptx pgx.Tx, jobs []relay.Job) {
`
	build := func(body string) (string, error) {
		dir, err := os.MkdirTemp(".", "typecheck-")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		require.NoError(t, os.WriteFile(filepath.Join(dir, "use.go"), []byte(head+body+"}\n"), 0o644))
		out, err := exec.Command("go", "build", "./"+filepath.Base(dir)).CombinedOutput()
		return string(out), err
	}
	out, err := build(`	_, _ = pg.EnqueueTx(ctx, ptx, jobs[0])
	_, _ = lite.EnqueueTx(ctx, stx, jobs[0])
	_, _ = pg.EnqueueManyTx(ctx, ptx, jobs)
	_, _ = lite.EnqueueManyTx(ctx, stx, jobs)
`)
	require.NoError(t, err, "the right transactions: %s", out)
	out, err = build(`	_, _ = pg.EnqueueTx(ctx, stx, jobs[0])
	_, _ = lite.EnqueueTx(ctx, ptx, jobs[0])
	_, _ = pg.EnqueueManyTx(ctx, stx, jobs)
`)
	require.Error(t, err, "a transaction of the other database built")
	assert.Contains(t, out, "cannot use stx (variable of type *sql.Tx) as pgx.Tx value")
	assert.Contains(t, out, "cannot use ptx (variable of interface type pgx.Tx) as *sql.Tx value")
}

// After Close every call fails with an error matching ErrClosed, a second
// Close included.
func TestEveryCallAfterCloseIsErrClosed(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		r := open(t, b)
		ctx := context.Background()
		key, err := r.Enqueue(ctx, salesmanLead(1))
		require.NoError(t, err)
		require.NoError(t, r.Close(ctx))
		tx := any(&sql.Tx{}) // never used: the relay is closed
		calls := map[string]func() error{
			"Enqueue":       func() error { _, err := r.Enqueue(ctx, salesmanLead(2)); return err },
			"EnqueueTx":     func() error { _, err := r.EnqueueTx(ctx, tx, salesmanLead(2)); return err },
			"EnqueueMany":   func() error { _, err := r.EnqueueMany(ctx, []relay.Job{salesmanLead(2)}); return err },
			"EnqueueManyTx": func() error { _, err := r.EnqueueManyTx(ctx, tx, []relay.Job{salesmanLead(2)}); return err },
			"Start":         func() error { return r.Start(ctx, relay.Clients{}) },
			"Stop":          func() error { return r.Stop(ctx) },
			"Status":        func() error { _, err := r.Status(ctx, key); return err },
			"Stats":         func() error { _, err := r.Stats(ctx, ""); return err },
			"Resend":        func() error { return r.Resend(ctx, key) },
			"MarkDelivered": func() error { return r.MarkDelivered(ctx, key, "1") },
			"ZenLimiter":    func() error { _, err := r.ZenLimiter().Allow(ctx, "k", time.Minute); return err },
			"Close":         func() error { return r.Close(ctx) },
		}
		for name, call := range calls {
			assert.ErrorIs(t, call(), relay.ErrClosed, name)
		}
	})
}

// Close is bounded by its context: an attempt still waiting for the
// vendor when ctx ends is cancelled and not waited for, and its delivery
// stays in doubt (recorded before the send), for the next process to
// reconcile. Red before: Close waited for the job timeout plus 5 s.
func TestCloseBoundedByContext(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		got := make(chan struct{}, 1)
		sb := startSandboxes(t, func(vendor string, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if vendor == "salesman" && req.Method == http.MethodPost {
					select {
					case got <- struct{}{}:
					default:
					}
					_, _ = io.Copy(io.Discard, req.Body) // then the server sees the client hang up
					<-req.Context().Done()               // never answers
					return
				}
				h.ServeHTTP(w, req)
			})
		})
		r := open(t, b, relay.WithJobTimeout(30*time.Second))
		ctx := context.Background()
		key, err := r.Enqueue(ctx, salesmanLead(1))
		require.NoError(t, err)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		<-got
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err = r.Close(cctx)
		assert.Less(t, time.Since(start), 10*time.Second, "Close returned when its context ended, not after the 30 s job (loose bound for a loaded machine)")
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		r2 := open(t, b)
		d, err := r2.Status(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, relay.StateRetrying, d.State, "in doubt, to be reconciled: %+v", d)
		assert.Equal(t, 1, d.Attempts)
	})
}

// NewSQLite and NewPostgres run on the application's database handle:
// EnqueueTx and EnqueueManyTx take its transactions (typed), the lead is
// delivered if and only if the transaction commits, and Close leaves the
// handle open.
func TestSharedConnections(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		db, err := sql.Open("sqlite", relay.SQLiteDSN(filepath.Join(t.TempDir(), "app.db")))
		require.NoError(t, err)
		db.SetMaxOpenConns(1)
		defer db.Close()
		_, err = db.ExecContext(ctx, `CREATE TABLE orders (id INTEGER PRIMARY KEY)`)
		require.NoError(t, err)
		r, err := relay.NewSQLite(ctx, db, fastOpts()...)
		require.NoError(t, err)
		outbox(t, r, func() (*sql.Tx, func(bool) error) {
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			_, err = tx.ExecContext(ctx, `INSERT INTO orders DEFAULT VALUES`)
			require.NoError(t, err)
			return tx, func(commit bool) error {
				if commit {
					return tx.Commit()
				}
				return tx.Rollback()
			}
		})
		require.NoError(t, db.PingContext(ctx), "the application's database is still open")
		var n int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&n))
		assert.Equal(t, 2, n, "the committed orders")
	})
	t.Run("postgres", func(t *testing.T) {
		be := postgresBackend(t)
		pool, err := pgxpool.New(ctx, pgURL())
		require.NoError(t, err)
		defer pool.Close()
		_, err = relay.NewPostgres(ctx, pool, relay.WithPoolSize(4))
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "PoolSize", ie.Field)
		r, err := relay.NewPostgres(ctx, pool, append(be.opts, fastOpts()...)...)
		require.NoError(t, err)
		assert.Same(t, pool, r.Pool())
		outbox(t, r, func() (pgx.Tx, func(bool) error) {
			tx, err := pool.Begin(ctx)
			require.NoError(t, err)
			return tx, func(commit bool) error {
				if commit {
					return tx.Commit(ctx)
				}
				return tx.Rollback(ctx)
			}
		})
		require.NoError(t, pool.Ping(ctx), "the application's pool is still open")
	})
}

// outbox enqueues, with EnqueueTx and with EnqueueManyTx, one lead in a
// transaction rolled back and one in a transaction committed, delivers
// them, and closes r: only the committed ones reach the vendor.
func outbox[TTx any](t *testing.T, r *relay.Relay[TTx], begin func() (TTx, func(commit bool) error)) {
	t.Helper()
	ctx := context.Background()
	sb := startSandboxes(t, nil)
	var committed []string
	for i, commit := range []bool{false, true, false, true} {
		tx, end := begin()
		var key string
		if i < 2 {
			k, err := r.EnqueueTx(ctx, tx, salesmanLead(i))
			require.NoError(t, err)
			key = k
		} else {
			res, err := r.EnqueueManyTx(ctx, tx, []relay.Job{salesmanLead(i)})
			require.NoError(t, err)
			key = res[0].Key
		}
		require.NoError(t, end(commit))
		if commit {
			committed = append(committed, key)
			continue
		}
		_, err := r.Status(ctx, key)
		require.ErrorIs(t, err, relay.ErrUnknownKey, "rolled back")
	}
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	deadline := time.Now().Add(30 * time.Second)
	for _, key := range committed {
		for {
			d, err := r.Status(ctx, key)
			require.NoError(t, err)
			if d.State == relay.StateDelivered {
				break
			}
			require.True(t, time.Now().Before(deadline), "not delivered: %+v", d)
			time.Sleep(20 * time.Millisecond)
		}
	}
	assert.Equal(t, 2, sb.salesman.Count(http.MethodPost, ""), "only the committed leads were sent")
	require.NoError(t, r.Close(ctx))
	_, err := r.Enqueue(ctx, salesmanLead(9))
	assert.ErrorIs(t, err, relay.ErrClosed)
}

// EnqueueMany: one result per job, in order; a key enqueued before, one
// twice in the batch, and one whose River job River already deleted (its
// retention) are duplicates, with nothing stored for them; the rest are
// enqueued and delivered. An invalid job refuses the whole batch, naming
// every invalid job's field.
func TestEnqueueMany(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		before, err := r.Enqueue(ctx, salesmanLead(1))
		require.NoError(t, err)
		gone, err := r.Enqueue(ctx, zenviaLead(9))
		require.NoError(t, err)
		execSQL(t, r, b.schema, `DELETE FROM river_job WHERE id = $1`, jobID(t, r, b.schema, gone))

		bad := salesmanLead(5)
		bad.Lead.Title = "nul\x00"
		_, err = r.EnqueueMany(ctx, []relay.Job{zenLead(2), relay.ZenLead{}, zenLead(3), bad})
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "jobs[1].Lead", ie.Field)
		assert.Contains(t, err.Error(), "jobs[3].Lead.Title")
		s, err := r.Stats(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, 2, s.Total(), "nothing of the refused batch was stored")

		jobs := []relay.Job{salesmanLead(1), zenLead(2), zenLead(2), zenviaLead(9), zenviaLead(3), datacakeProspect(4),
			relay.SalesmanLead{Key: "mine", Lead: salesmanLead(6).Lead}}
		res, err := r.EnqueueMany(ctx, jobs)
		require.NoError(t, err)
		require.Len(t, res, len(jobs))
		var dup []bool
		for _, e := range res {
			dup = append(dup, e.Duplicate)
		}
		assert.Equal(t, []bool{true, false, true, true, false, false, false}, dup)
		assert.Equal(t, before, res[0].Key)
		assert.Equal(t, res[1].Key, res[2].Key)
		assert.Equal(t, gone, res[3].Key)
		assert.Equal(t, "mine", res[6].Key)
		assert.True(t, strings.HasPrefix(res[4].Key, "zenvia:"), res[4].Key)
		var jobsOfGone int
		countRows(t, r, b.schema, `SELECT count(*) FROM river_job WHERE args->>'key' = $1`, &jobsOfGone, gone)
		assert.Zero(t, jobsOfGone, "no River job left for the duplicate whose River job was gone")

		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, r.ZenLimiter(), nil)))
		s = waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 5 })
		assert.Equal(t, 6, s.Total(), "%+v", s)
		assert.Equal(t, 2, sb.salesman.Count(http.MethodPost, ""), "each SalesMan lead once")
	})
}

// countRows scans q's one number into n, on either database.
func countRows(t *testing.T, r *relay.Relay[any], schema, q string, n *int, args ...any) {
	t.Helper()
	ctx := context.Background()
	if p := r.Pool(); p != nil {
		conn, err := p.Acquire(ctx)
		require.NoError(t, err)
		defer conn.Release()
		_, err = conn.Exec(ctx, `SET search_path TO "`+schema+`"`)
		require.NoError(t, err)
		require.NoError(t, conn.QueryRow(ctx, q, args...).Scan(n))
		_, err = conn.Exec(ctx, `RESET search_path`)
		require.NoError(t, err)
		return
	}
	q = strings.ReplaceAll(q, "args->>'key'", "json_extract(args, '$.key')")
	require.NoError(t, r.DB().QueryRowContext(ctx, q, args...).Scan(n))
}
