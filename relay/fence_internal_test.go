package relay

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/leadkit/leadkit/salesman"
)

// Every write of a delivery is a compare-and-set on its fence: a claim
// takes a new one, and a writer holding an older one changes nothing
// (errFenced). Before fences the stale writer's row replaced the newer one.
func TestFencedWrite(t *testing.T) {
	ctx := context.Background()
	rl, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Close(ctx)
	r := rl.c
	key, err := r.enqueue(ctx, nil, SalesmanLead{Key: "k", Lead: &salesman.NewLead{Title: "a", Email: "a@b.ru"}})
	if err != nil {
		t.Fatal(err)
	}
	stale, now, marked, err := r.dial.claim(ctx, key, 1) // a 1 ms lease: over at once
	if err != nil || stale == nil {
		t.Fatalf("claim: %v %v", stale, err)
	}
	if !marked || stale.State != string(stateSending) || stale.Attempts != 1 || stale.InDoubtMS != now || stale.DoubtEndMS != stale.LeaseMS {
		t.Fatalf("the claim of a queued delivery did not record the send: marked %v, %+v", marked, stale)
	}
	for now2 := now; now2 <= now+2; { // let the lease pass on the database's clock
		_, now2, _ = r.dial.load(ctx, r.dial.db, key)
	}
	fresh, _, marked, err := r.dial.claim(ctx, key, 60_000)
	if err != nil || fresh == nil {
		t.Fatalf("second claim: %v %v", fresh, err)
	}
	if marked || fresh.Attempts != 1 || fresh.InDoubtMS != stale.InDoubtMS || fresh.DoubtEndMS != stale.DoubtEndMS {
		t.Fatalf("the claim of a delivery in doubt changed its doubt (it is reconciled, not sent): marked %v, %+v", marked, fresh)
	}
	if fresh.Fence != stale.Fence+1 {
		t.Fatalf("fences %d then %d", stale.Fence, fresh.Fence)
	}
	stale.State, stale.InDoubtMS = string(stateSending), 1
	if err := r.dial.write(ctx, r.dial.db, stale, now, false, false); !errors.Is(err, errFenced) {
		t.Fatalf("the stale write: %v, want errFenced", err)
	}
	if err := r.dial.write(ctx, r.dial.db, fresh, now, true, true); !errors.Is(err, errFenced) {
		t.Fatalf("an operator's write while a lease is live: %v, want errFenced", err)
	}
	fresh.State, fresh.InDoubtMS, fresh.DoubtEndMS = string(StateDelivered), 0, 0
	if err := r.dial.write(ctx, r.dial.db, fresh, now, false, false); err != nil {
		t.Fatalf("the holder's write: %v", err)
	}
	got, _, err := r.dial.load(ctx, r.dial.db, key)
	if err != nil || got.State != string(StateDelivered) || got.InDoubtMS != 0 {
		t.Fatalf("stored: %+v %v", got, err)
	}
}
