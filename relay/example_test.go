package relay_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

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
