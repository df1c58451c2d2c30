package relay

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
)

// ListOptions select the deliveries Deliveries walks. The zero value walks
// every delivery, oldest first.
type ListOptions struct {
	// States keeps the deliveries in one of these states (none: every
	// state). StateRetrying includes the deliveries being attempted now.
	States []State
	// Vendor keeps the deliveries of one vendor ("": every vendor).
	Vendor Vendor
	// Since and Until keep the deliveries enqueued at or after Since and
	// before Until (a zero time: no bound).
	Since, Until time.Time
	// After resumes a walk after the delivery of this key (the last one a
	// previous walk yielded), in the walk's order; "" starts at the
	// beginning. A key never enqueued is an error matching ErrUnknownKey.
	After string
	// Newest walks newest first; the default is oldest first, so that
	// deliveries enqueued during the walk come at its end.
	Newest bool
	// PageSize is how many deliveries one query reads (default 100, at
	// most 1000). The walk reads the next page when the loop reaches it.
	PageSize int
}

// DefaultPageSize is the page size of Deliveries when ListOptions sets none.
const DefaultPageSize = 100

// maxPageSize bounds ListOptions.PageSize.
const maxPageSize = 1000

// Deliveries returns the deliveries opts selects, in the order they were
// enqueued (then by key), reading them a page at a time with keyset
// pagination: each page continues after the last delivery of the previous
// one (an index on state, enqueue time and key serves it; no OFFSET), so a
// delivery enqueued or changing state during the walk never shifts the
// others, and a walk can be resumed later with ListOptions.After. The
// deliveries it yields have no Job (Status returns it). A bad option or a
// failed query is yielded once, last; stop early by breaking out of the
// loop.
func (r *Relay[TTx]) Deliveries(ctx context.Context, opts *ListOptions) iter.Seq2[Delivery, error] {
	return r.c.deliveries(ctx, opts)
}

// listQuery is a page's query and its arguments.
type listQuery struct {
	sql  string
	args []any
}

// listSQL builds the query of a page that starts after (ms, key), or at the
// beginning when key is "" and first is true.
func (d dialect) listSQL(o *ListOptions, first bool, ms int64, key string, limit int) listQuery {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(o.States) > 0 {
		var in []string
		seen := map[State]bool{}
		for _, s := range o.States {
			for _, st := range []State{s, map[State]State{StateRetrying: stateSending}[s]} {
				if st != "" && !seen[st] {
					seen[st] = true
					in = append(in, arg(string(st)))
				}
			}
		}
		where = append(where, "state IN ("+strings.Join(in, ", ")+")")
	}
	if o.Vendor != "" {
		where = append(where, "vendor = "+arg(string(o.Vendor)))
	}
	if !o.Since.IsZero() {
		where = append(where, "created_ms >= "+arg(o.Since.UnixMilli()))
	}
	if !o.Until.IsZero() {
		where = append(where, "created_ms < "+arg(o.Until.UnixMilli()))
	}
	dir, cmp := "ASC", ">"
	if o.Newest {
		dir, cmp = "DESC", "<"
	}
	if !first {
		where = append(where, "(created_ms, key) "+cmp+" ("+arg(ms)+", "+arg(key)+")")
	}
	q := `SELECT key, vendor, state, vendor_id, vendor_ref, reconciled, attempts, last_error, review, created_ms, updated_ms FROM {d}`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_ms " + dir + ", key " + dir + " LIMIT " + arg(limit)
	return listQuery{d.t(q), args}
}

// checkList validates opts, naming the field.
func checkList(o *ListOptions) error {
	for i, s := range o.States {
		switch s {
		case StateQueued, StateRetrying, StateDelivered, StateNeedsReview, StateFailed:
		default:
			return leadkit.Invalid(fmt.Sprintf("States[%d]", i), "is %q, not a state of a delivery", string(s))
		}
	}
	switch o.Vendor {
	case "", VendorSalesman, VendorZen, VendorZenvia, VendorDatacake:
	default:
		return leadkit.Invalid("Vendor", "is %q, not a vendor of the relay", string(o.Vendor))
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && !o.Since.Before(o.Until) {
		return leadkit.Invalid("Until", "must be after Since")
	}
	if o.PageSize < 0 || o.PageSize > maxPageSize {
		return leadkit.Invalid("PageSize", "must be between 1 and %d (0: %d), got %d", maxPageSize, DefaultPageSize, o.PageSize)
	}
	return nil
}

func (r *core) deliveries(ctx context.Context, opts *ListOptions) iter.Seq2[Delivery, error] {
	return func(yield func(Delivery, error) bool) {
		var o ListOptions
		if opts != nil {
			o = *opts
		}
		if ctx == nil {
			yield(Delivery{}, leadkit.Invalid("ctx", "must not be nil"))
			return
		}
		if r.closed.Load() {
			yield(Delivery{}, ErrClosed)
			return
		}
		if err := checkList(&o); err != nil {
			yield(Delivery{}, err)
			return
		}
		size := o.PageSize
		if size == 0 {
			size = DefaultPageSize
		}
		first, ms, key := true, int64(0), ""
		if o.After != "" {
			err := r.dial.db.queryRow(ctx, r.dial.t(`SELECT created_ms FROM {d} WHERE key = $1`), o.After).Scan(&ms)
			if errors.Is(err, errNoRows) {
				yield(Delivery{}, fmt.Errorf("%w: After: %s", ErrUnknownKey, o.After))
				return
			}
			if err != nil {
				yield(Delivery{}, fmt.Errorf("relay: deliveries: %w", err))
				return
			}
			first, key = false, o.After
		}
		for {
			page := make([]Delivery, 0, size)
			q := r.dial.listSQL(&o, first, ms, key, size)
			err := r.dial.db.query(ctx, q.sql, func(s scanner) error {
				var d Delivery
				var rec int
				var created, updated int64
				var state, vendor string
				if err := s.Scan(&d.Key, &vendor, &state, &d.VendorID, &d.VendorRef, &rec, &d.Attempts, &d.LastError, &d.Review, &created, &updated); err != nil {
					return err
				}
				d.Vendor, d.State, d.Reconciled = Vendor(vendor), State(state), rec != 0
				if d.State == stateSending {
					d.State = StateRetrying
				}
				d.Enqueued, d.Updated = time.UnixMilli(created), time.UnixMilli(updated)
				page = append(page, d)
				return nil
			}, q.args...)
			if err != nil {
				yield(Delivery{}, fmt.Errorf("relay: deliveries: %w", err))
				return
			}
			for _, d := range page {
				if !yield(d, nil) {
					return
				}
			}
			if len(page) < size {
				return
			}
			last := page[len(page)-1]
			first, ms, key = false, last.Enqueued.UnixMilli(), last.Key
		}
	}
}
