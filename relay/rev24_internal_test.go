package relay

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leadkit/leadkit/salesman"
)

// rev24Postgres opens a relay on a schema of its own on the test
// PostgreSQL (skipped when it is absent) with keys enqueued and claimed
// in one batch; it returns the core, the claimed rows and the database's
// clock at the claim.
func rev24Postgres(t *testing.T, keys ...string) (*core, map[string]*row, int64) {
	t.Helper()
	ctx := context.Background()
	rl := internalPostgres(t, "relay_rev24_")
	r := rl.c
	var stored []string
	for _, k := range keys {
		key, err := r.enqueue(ctx, nil, SalesmanLead{Key: k, Lead: &salesman.NewLead{Title: k, Email: k + "@b.ru"}})
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, key)
	}
	got, now, err := r.dial.claimMany(ctx, stored, 60_000)
	if err != nil || len(got) != len(keys) {
		t.Fatalf("claimMany: %d %v", len(got), err)
	}
	return r, got, now
}

// flushTogether runs one batch of outcomes (as the batcher does for the
// writes that waited together) and returns each write's answer.
func flushTogether(o *outcomes, rows []*row, now int64) []error {
	batch := make([]*pendingWrite, len(rows))
	for i, r := range rows {
		batch[i] = &pendingWrite{ctx: context.Background(), row: r, now: now, err: make(chan error, 1)}
	}
	o.flush(batch)
	errs := make([]error, len(rows))
	for i, p := range batch {
		errs[i] = <-p.err
	}
	return errs
}

// Two outcomes of one delivery in one batch (a stale attempt's and the
// current holder's): each is told the truth about its own write. The
// batched UPDATE joins the delivery with both and writes the one whose
// fence holds; the stale attempt must get errFenced, not "written".
func TestBatchedOutcomeKeyTwiceTellsEach(t *testing.T) {
	r, got, now := rev24Postgres(t, "a")
	o := &outcomes{d: r.dial}
	cur := got["a"]
	stale := *cur
	stale.Fence-- // the attempt before, taken over
	stale.State, stale.LeaseMS, stale.InDoubtMS, stale.DoubtEndMS, stale.VendorID, stale.VendorRef = string(StateDelivered), 0, 0, 0, "old", "old"
	cur.State, cur.LeaseMS, cur.LastError = string(StateRetrying), 0, "503"
	errs := flushTogether(o, []*row{&stale, cur}, now)
	if !errors.Is(errs[0], errFenced) || errs[1] != nil {
		t.Fatalf("stale write: %v (want errFenced), current write: %v (want nil)", errs[0], errs[1])
	}
	row, _, err := r.dial.load(context.Background(), r.dial.db, "a")
	if err != nil || row.State != string(StateRetrying) || row.VendorRef != "" {
		t.Fatalf("the stored delivery: %+v %v", row, err)
	}
}

// One write that PostgreSQL refuses does not fail the other writes of
// its batch: an error text holding a NUL byte (which a vendor's answer
// can carry) is recorded, the NUL replaced; a write refused all the same
// fails alone.
func TestBatchedOutcomeBadRowAlone(t *testing.T) {
	r, got, now := rev24Postgres(t, "a", "b", "c", "d")
	o := &outcomes{d: r.dial}
	a, b := got["a"], got["b"]
	a.State, a.LeaseMS, a.InDoubtMS, a.DoubtEndMS, a.LastError = string(StateRetrying), 0, 0, 0, "bad\x00answer"
	b.State, b.LeaseMS, b.InDoubtMS, b.DoubtEndMS, b.VendorID, b.VendorRef = string(StateDelivered), 0, 0, 0, "7", "7"
	errs := flushTogether(o, []*row{a, b}, now)
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("writes: %v", errs)
	}
	ctx := context.Background()
	if row, _, err := r.dial.load(ctx, r.dial.db, "b"); err != nil || row.State != string(StateDelivered) {
		t.Fatalf("b: %+v %v", row, err)
	}
	ra, _, err := r.dial.load(ctx, r.dial.db, "a")
	if err != nil || ra.State != string(StateRetrying) || !strings.HasPrefix(ra.LastError, "bad") || strings.Contains(ra.LastError, "\x00") {
		t.Fatalf("a: %+v %v", ra, err)
	}
	// A value the database refuses in any case fails only its own write.
	c, d := got["c"], got["d"]
	c.State, c.LeaseMS, c.InDoubtMS, c.DoubtEndMS, c.VendorID, c.VendorRef = string(StateDelivered), 0, 0, 0, "8\x00", "8\x00"
	d.State, d.LeaseMS, d.InDoubtMS, d.DoubtEndMS, d.VendorID, d.VendorRef = string(StateDelivered), 0, 0, 0, "9", "9"
	errs = flushTogether(o, []*row{c, d}, now)
	if errs[0] == nil || errs[1] != nil {
		t.Fatalf("writes: %v (want the first alone failed)", errs)
	}
	if row, _, err := r.dial.load(ctx, r.dial.db, "d"); err != nil || row.State != string(StateDelivered) {
		t.Fatalf("d: %+v %v", row, err)
	}
}
