package relay_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/relay"
)

// Each vendor's jobs go to the vendor's own River queue, worked by workers
// of its own: while every SalesMan create hangs (holding all of SalesMan's
// workers), Zen's leads are delivered. A job left in the shared queue by
// an earlier version of the relay is still worked. Red before: with one
// queue of 4 workers, 4 hanging SalesMan leads held every worker and no
// Zen lead was delivered.
func TestVendorQueues(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		release := make(chan struct{})
		var hanging atomic.Int32
		sb := startSandboxes(t, func(vendor string, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if vendor == "salesman" && req.Method == http.MethodPost {
					hanging.Add(1)
					select {
					case <-release:
					case <-req.Context().Done():
						return
					}
				}
				h.ServeHTTP(w, req)
			})
		})
		r := open(t, b, relay.WithWorkers(4), relay.WithJobTimeout(30*time.Second))
		ctx := context.Background()
		var jobs []relay.Job
		for i := range 4 {
			jobs = append(jobs, salesmanLead(i))
		}
		for i := range 6 {
			jobs = append(jobs, zenLead(i))
		}
		res, err := r.EnqueueMany(ctx, jobs)
		require.NoError(t, err)
		countQueue := func(q string) int {
			var n int
			countRows(t, r, b.schema, `SELECT count(*) FROM river_job WHERE queue = $1`, &n, q)
			return n
		}
		assert.Equal(t, 4, countQueue(relay.QueueOf(relay.VendorSalesman)))
		assert.Equal(t, 6, countQueue(relay.QueueOf(relay.VendorZen)))
		// One Zen lead as an earlier relay enqueued it: in the shared queue.
		execSQL(t, r, b.schema, `UPDATE river_job SET queue = $1 WHERE id = $2`, relay.Queue, jobID(t, r, b.schema, res[9].Key))
		assert.Equal(t, 1, countQueue(relay.Queue))

		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, r.ZenLimiter(), nil)))
		require.Eventually(t, func() bool { return hanging.Load() == 4 }, 20*time.Second, 10*time.Millisecond,
			"SalesMan's four workers each hold a lead")
		s := waitFor(t, r, 20*time.Second, func(s relay.Stats) bool { return s.Delivered == 6 })
		assert.Equal(t, 4, s.Total()-s.Delivered, "SalesMan's leads still hang: %+v", s)
		d, err := r.Status(ctx, res[9].Key)
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, d.State, "the shared queue's job was worked")
		close(release)
		waitFor(t, r, 20*time.Second, func(s relay.Stats) bool { return s.Delivered == 10 })
		assert.Equal(t, 4, sb.salesman.Count(http.MethodPost, ""), "each SalesMan lead once")
	})
}

// WithVendorWorkers sets one vendor's workers; bad values name the field.
func TestVendorWorkersOption(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		opt   relay.Option
		field string
	}{
		{relay.WithVendorWorkers("weclever", 2), "Vendor"},
		{relay.WithVendorWorkers(relay.VendorZen, 0), "VendorWorkers"},
		{relay.WithFetchCooldown(0), "FetchCooldown"},
	} {
		_, err := relay.OpenSQLite(ctx, ":memory:", c.opt)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, c.field, ie.Field)
	}
	// One slow SalesMan worker beside Zen's default: SalesMan's two leads
	// are sent one at a time.
	var inFlight, most atomic.Int32
	sb := startSandboxes(t, func(vendor string, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if vendor == "salesman" && req.Method == http.MethodPost {
				n := inFlight.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(200 * time.Millisecond)
				defer inFlight.Add(-1)
			}
			h.ServeHTTP(w, req)
		})
	})
	r := open(t, sqliteBackend(t), relay.WithVendorWorkers(relay.VendorSalesman, 1), relay.WithFetchCooldown(time.Millisecond))
	_, err := r.EnqueueMany(ctx, []relay.Job{salesmanLead(1), salesmanLead(2), salesmanLead(3)})
	require.NoError(t, err)
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
	waitFor(t, r, 20*time.Second, func(s relay.Stats) bool { return s.Delivered == 3 })
	assert.Equal(t, int32(1), most.Load(), "one SalesMan worker")
}

// statements counts the SQL statements a pool runs that contain a text.
type statements struct {
	mu  sync.Mutex
	all []string
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.mu.Lock()
	s.all = append(s.all, d.SQL)
	s.mu.Unlock()
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (s *statements) count(fn func(q string) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.all {
		if fn(q) {
			n++
		}
	}
	return n
}

func (s *statements) reset() {
	s.mu.Lock()
	s.all = nil
	s.mu.Unlock()
}

// tracedPostgres is a relay on a pool whose statements st records.
func tracedPostgres(t *testing.T, st *statements, opts ...relay.Option) (*relay.Relay[pgx.Tx], string) {
	t.Helper()
	needPostgres(t)
	schema := freshSchema(t)
	ctx := context.Background()
	pc, err := pgxpool.ParseConfig(pgURL())
	require.NoError(t, err)
	pc.ConnConfig.Tracer = st
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	r, err := relay.NewPostgres(ctx, pool, append(append([]relay.Option{relay.WithSchema(schema)}, fastOpts()...), opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = r.Close(cctx)
	})
	return r, schema
}

// EnqueueMany stores a batch with one statement per table: River's jobs
// (InsertManyTx), then the deliveries. Red before: one INSERT per job in
// each table (200 for 100 leads).
func TestEnqueueManyOneStatementPerTable(t *testing.T) {
	st := &statements{}
	r, _ := tracedPostgres(t, st)
	ctx := context.Background()
	jobs := make([]relay.Job, 100)
	for i := range jobs {
		jobs[i] = zenLead(i)
	}
	st.reset()
	res, err := r.EnqueueMany(ctx, jobs)
	require.NoError(t, err)
	require.Len(t, res, 100)
	inserts := func(table string) func(string) bool {
		return func(q string) bool { return strings.Contains(q, "INSERT INTO") && strings.Contains(q, table) }
	}
	assert.Equal(t, 1, st.count(inserts("river_job")), "River's jobs")
	assert.Equal(t, 1, st.count(inserts("leadkit_relay_delivery")), "the deliveries")
	s, err := r.Stats(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, 100, s.Queued)
}

// A delivery on the happy path costs the relay two statements: the claim,
// which also records the attempt before the send, and the outcome (one
// worker: no batching of several workers' claims or outcomes). Red
// before: three (claim, record, outcome).
func TestDeliveryTwoStatements(t *testing.T) {
	st := &statements{}
	r, _ := tracedPostgres(t, st, relay.WithWorkers(1))
	sb := startSandboxes(t, nil)
	ctx := context.Background()
	const n = 20
	jobs := make([]relay.Job, n)
	for i := range jobs {
		jobs[i] = salesmanLead(i)
	}
	_, err := r.EnqueueMany(ctx, jobs)
	require.NoError(t, err)
	st.reset()
	require.NoError(t, r.Start(ctx, relay.Clients{Salesman: clientsFor(t, sb.urls, nil, nil).Salesman}))
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := r.Stats(ctx, relay.VendorSalesman)
		require.NoError(t, err)
		if s.Delivered == n {
			break
		}
		require.True(t, time.Now().Before(deadline), "not delivered: %+v", s)
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, r.Stop(ctx))
	writes := st.count(func(q string) bool {
		return strings.Contains(q, "leadkit_relay_delivery") && strings.Contains(q, "UPDATE") && !strings.Contains(q, "river_job")
	})
	assert.Equal(t, 2*n, writes, "the relay's writes of %d deliveries", n)
	assert.Equal(t, n, sb.salesman.Count(http.MethodPost, ""))
}
