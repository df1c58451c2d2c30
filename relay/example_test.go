package relay_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// A lead enqueued on an embedded SQLite relay and delivered to the SalesMan
// sandbox, then read back by its key.
func Example() {
	ctx := context.Background()
	srv := salesmantest.NewServer(&salesmantest.Options{Seed: 1, NoRateLimits: true})
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "relay-example-")
	defer os.RemoveAll(dir)

	r, err := relay.OpenSQLite(ctx, filepath.Join(dir, "relay.db"), relay.WithPollInterval(50*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close(ctx)
	key, err := r.Enqueue(ctx, relay.SalesmanLead{Key: "order-42", Lead: &salesman.NewLead{Title: "Андреев Владислав", Email: "v@example.ru"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	cr := srv.Credentials()
	sc, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V3))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := r.Start(ctx, relay.Clients{Salesman: sc}); err != nil {
		fmt.Println(err)
		return
	}
	for {
		d, err := r.Status(ctx, key)
		if err != nil {
			fmt.Println(err)
			return
		}
		if d.State == relay.StateDelivered {
			fmt.Println(d.Key, d.State, d.VendorID != "", d.Attempts)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Output: order-42 delivered true 1
}

// The outbox on SQLite: the application's order and its lead are written
// in one transaction of the application's own, begun on the relay's
// database (DB), and committed together: the lead is delivered if and
// only if the order is stored.
func ExampleRelay_EnqueueTx_sqlite() {
	ctx := context.Background()
	srv := salesmantest.NewServer(&salesmantest.Options{Seed: 1, NoRateLimits: true})
	defer srv.Close()
	dir, _ := os.MkdirTemp("", "relay-example-")
	defer os.RemoveAll(dir)
	r, err := relay.OpenSQLite(ctx, filepath.Join(dir, "app.db"), relay.WithPollInterval(50*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close(ctx)
	db := r.DB() // the application's tables live beside the relay's
	if _, err := db.ExecContext(ctx, `CREATE TABLE orders (id INTEGER PRIMARY KEY, email TEXT NOT NULL)`); err != nil {
		fmt.Println(err)
		return
	}

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, email) VALUES (?, ?)`, 42, "v@example.ru"); err != nil {
		fmt.Println(err)
		return
	}
	key, err := r.EnqueueTx(ctx, tx, relay.SalesmanLead{Key: "order-42", Lead: &salesman.NewLead{Title: "Андреев Владислав", Email: "v@example.ru"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := tx.Commit(); err != nil { // the order and its lead, or neither
		fmt.Println(err)
		return
	}

	cr := srv.Credentials()
	sc, err := salesman.NewClient(cr["SALESMAN_URL"], cr["SALESMAN_LOGIN"], cr["SALESMAN_APIKEY"], salesman.WithAPIVersion(salesman.V3))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := r.Start(ctx, relay.Clients{Salesman: sc}); err != nil {
		fmt.Println(err)
		return
	}
	d := waitState(ctx, r, key, relay.StateDelivered)
	var orders int
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM orders`).Scan(&orders)
	fmt.Println(orders, d.Key, d.State)
	// Output: 1 order-42 delivered
}

// The outbox on PostgreSQL, on the application's pgx pool (NewPostgres):
// the order and its lead in one pgx transaction. It needs a PostgreSQL
// (LEADKIT_POSTGRES_URL), so it prints nothing to compare.
func ExampleRelay_EnqueueTx_postgres() {
	ctx := context.Background()
	url := os.Getenv("LEADKIT_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	pool, err := pgxpool.New(ctx, url) // the application's pool
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()
	r, err := relay.NewPostgres(ctx, pool, relay.WithSchema("example_outbox"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close(ctx) // leaves pool open
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS example_outbox.orders (id bigint PRIMARY KEY, email text NOT NULL)`); err != nil {
		fmt.Println(err)
		return
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tx.Rollback(ctx)
	id := time.Now().UnixNano()
	if _, err := tx.Exec(ctx, `INSERT INTO example_outbox.orders (id, email) VALUES ($1, $2)`, id, "v@example.ru"); err != nil {
		fmt.Println(err)
		return
	}
	key, err := r.EnqueueTx(ctx, tx, relay.SalesmanLead{Key: fmt.Sprintf("order-%d", id), Lead: &salesman.NewLead{Title: "Андреев Владислав", Email: "v@example.ru"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := tx.Commit(ctx); err != nil { // the order and its lead, or neither
		fmt.Println(err)
		return
	}
	d, err := r.Status(ctx, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.State) // queued, until a process that Started delivers it
}

// A delivery that needs review: Datacake's ERP cannot be searched, so a
// create whose answer was lost (here the connection dropped) ends in
// StateNeedsReview with a note saying what to check. The operator looked
// in the ERP, found no such prospect, and sends it again (had it been
// there: MarkDelivered with its id).
func ExampleRelay_Resend() {
	ctx := context.Background()
	srv := datacaketest.NewServer(&datacaketest.Options{Seed: 1, NoRateLimits: true})
	defer srv.Close()
	srv.Fail(datacaketest.Fault{Method: http.MethodPost, Drop: true}) // the first create's connection drops
	dir, _ := os.MkdirTemp("", "relay-example-")
	defer os.RemoveAll(dir)
	r, err := relay.OpenSQLite(ctx, filepath.Join(dir, "relay.db"), relay.WithPollInterval(50*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close(ctx)
	cr := srv.Credentials()
	dc, err := datacake.NewClient(cr["DATACAKE_URL"], cr["DATACAKE_TOKEN"])
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := r.Start(ctx, relay.Clients{Datacake: dc}); err != nil {
		fmt.Println(err)
		return
	}
	key, err := r.Enqueue(ctx, relay.DatacakeProspect{Key: "signup-7", Prospect: &datacake.Prospect{
		Name: "Maria Souza", PersonType: datacake.PersonNatural, Document: datacaketest.CPF(100000007), Email: "maria@example.com.br"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := waitState(ctx, r, key, relay.StateNeedsReview)
	fmt.Println(d.State)
	fmt.Println(d.Review)

	if err := r.Resend(ctx, key); err != nil { // or r.MarkDelivered(ctx, key, id)
		fmt.Println(err)
		return
	}
	d = waitState(ctx, r, key, relay.StateDelivered)
	fmt.Println(d.State, d.VendorID != "", d.Attempts)
	// Output:
	// needs_review
	// Datacake's contract has no prospect search: look for the prospect (document 10000000795) in the ERP, then MarkDelivered with its id, or Resend
	// delivered true 2
}

// waitState polls the delivery of key until it reaches state.
func waitState[TTx any](ctx context.Context, r *relay.Relay[TTx], key string, state relay.State) *relay.Delivery {
	for {
		d, err := r.Status(ctx, key)
		if err == nil && d.State == state {
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
}
