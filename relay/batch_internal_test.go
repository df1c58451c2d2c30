package relay

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/leadkit/leadkit/salesman"
)

// Batched claims and outcomes keep each delivery's fence: in one batch
// of outcomes, the write whose fence moved gets errFenced and the others
// are written; a batch meeting another delivery's vendor record is made
// again write by write, so that only the one concerned gets errRefTaken.
func TestBatchedWritesKeepFences(t *testing.T) {
	ctx := context.Background()
	rl := internalPostgres(t, "relay_t_")
	r := rl.c
	var keys []string
	for _, k := range []string{"a", "b", "c", "d"} {
		key, err := r.enqueue(ctx, nil, SalesmanLead{Key: k, Lead: &salesman.NewLead{Title: k, Email: k + "@b.ru"}})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	got, now, err := r.dial.claimMany(ctx, keys, 60_000)
	if err != nil || len(got) != 4 {
		t.Fatalf("claimMany: %d %v", len(got), err)
	}
	for _, k := range keys {
		if !claimMarked(got[k], now) || got[k].Attempts != 1 {
			t.Fatalf("%s: the batched claim did not record the send: %+v", k, got[k])
		}
	}
	if again, _, err := r.dial.claimMany(ctx, keys, 60_000); err != nil || len(again) != 0 {
		t.Fatalf("leased rows claimed again: %d %v", len(again), err)
	}
	stale := *got["b"]
	stale.Fence-- // an attempt taken over
	rows := []*row{got["a"], &stale, got["c"]}
	for i, r := range rows {
		r.State, r.LeaseMS, r.InDoubtMS, r.DoubtEndMS, r.VendorID, r.VendorRef = string(StateDelivered), 0, 0, 0, "1"+string(rune('0'+i)), "ref"+string(rune('0'+i))
	}
	written, err := r.dial.writeMany(ctx, rows, []int64{now, now, now})
	if err != nil || len(written) != 3 || !written[0] || written[1] || !written[2] {
		t.Fatalf("writeMany: %v %v", written, err)
	}
	// Through the batcher, as the workers write: each gets its own answer.
	o := newOutcomes(r.dial)
	defer o.close()
	var wg sync.WaitGroup
	errs := make([]error, len(rows))
	for i, row := range rows {
		wg.Go(func() { errs[i] = o.write(ctx, row, now) })
	}
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], errFenced) || errs[2] != nil {
		t.Fatalf("outcomes: %v", errs)
	}
	// d takes the vendor record a holds: d alone is refused.
	d := got["d"]
	d.State, d.LeaseMS, d.VendorRef = string(StateDelivered), 0, "ref0"
	if err := r.dial.write(ctx, r.dial.db, d, now, false, false); !errors.Is(err, errRefTaken) {
		t.Fatalf("d's write: %v, want errRefTaken", err)
	}
	if _, err := r.dial.writeMany(ctx, []*row{d}, []int64{now}); !errors.Is(err, errRefTaken) {
		t.Fatalf("d's batched write: %v, want errRefTaken", err)
	}
	for _, k := range []string{"a", "b", "c"} {
		row, _, err := r.dial.load(ctx, r.dial.db, k)
		if err != nil {
			t.Fatal(err)
		}
		want := string(StateDelivered)
		if k == "b" {
			want = string(stateSending)
		}
		if row.State != want {
			t.Errorf("%s is %s, want %s", k, row.State, want)
		}
	}
}
