package relay

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/leadkit/leadkit/salesman"
)

// reads counts the reads a store is asked for.
type reads struct {
	store
	n int
}

func (s *reads) queryRow(ctx context.Context, q string, args ...any) scanner {
	s.n++
	return s.store.queryRow(ctx, q, args...)
}

func (s *reads) query(ctx context.Context, q string, each func(scanner) error, args ...any) error {
	s.n++
	return s.store.query(ctx, q, each, args...)
}

// TestCrossVendorReadsOnce: an EnqueueMany sent again (the idempotent
// retry of a batch) has every key stored; which vendor holds them is read
// in one statement, not one a key. Red before: 500 reads for 500 keys (a
// retried batch of 5000 took 3.3 times as long as the first on PostgreSQL).
func TestCrossVendorReadsOnce(t *testing.T) {
	ctx := context.Background()
	r, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close(ctx) }()
	jobs := make([]Job, 500)
	for i := range jobs {
		jobs[i] = SalesmanLead{Key: fmt.Sprintf("k%d", i), Lead: &salesman.NewLead{Title: fmt.Sprintf("Ivan %d", i), Email: fmt.Sprintf("i%d@example.ru", i)}}
	}
	if _, err := r.EnqueueMany(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	ready := make([]ready, len(jobs))
	out := make([]EnqueueResult, len(jobs))
	for i, j := range jobs {
		if ready[i], err = r.c.ready(j); err != nil {
			t.Fatal(err)
		}
		out[i] = EnqueueResult{Key: ready[i].key, Duplicate: true}
	}
	st := &reads{store: r.c.dial.db}
	if err := r.c.crossVendor(ctx, txn{st: st}, ready, out, true); err != nil {
		t.Fatal(err)
	}
	if st.n > 1 {
		t.Fatalf("%d reads for %d stored keys, want one", st.n, len(jobs))
	}
	// A stored key of another vendor is still found.
	ready[250].job = ZenLead{Key: ready[250].key}
	if err := r.c.crossVendor(ctx, txn{st: st}, ready, out, true); err == nil {
		t.Fatal("jobs[250]: a salesman lead's key for a zen lead was not refused")
	}
}
