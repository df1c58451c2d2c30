package relay

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// listPlans are the walks whose pages an index must serve in order (no
// sort of the matching rows), and the index.
var listPlans = []struct {
	o     ListOptions
	index string
}{
	{ListOptions{States: []State{StateNeedsReview}}, "leadkit_relay_delivery_list"},
	{ListOptions{States: []State{StateFailed}, Vendor: VendorZen, Newest: true, Since: time.Unix(1, 0)}, "leadkit_relay_delivery_list"},
	{ListOptions{}, "leadkit_relay_delivery_created"},
	{ListOptions{Vendor: VendorDatacake, Newest: true}, "leadkit_relay_delivery_created"},
}

// Every page of Deliveries is an index range scan in the walk's order, on
// SQLite (its query plan) and PostgreSQL (EXPLAIN, with sequential scans
// and sorts priced out so that the plan shows what an index can serve).
func TestDeliveriesUseIndex(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		rl, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "relay.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer rl.Close(ctx)
		for _, c := range listPlans {
			for _, first := range []bool{true, false} {
				q := rl.c.dial.listSQL(&c.o, first, 5, "k", 100)
				var plan []string
				err := rl.c.dial.db.query(ctx, "EXPLAIN QUERY PLAN "+q.sql, func(s scanner) error {
					var id, parent, unused int
					var detail string
					if err := s.Scan(&id, &parent, &unused, &detail); err != nil {
						return err
					}
					plan = append(plan, detail)
					return nil
				}, q.args...)
				if err != nil {
					t.Fatal(err)
				}
				p := strings.Join(plan, "; ")
				if !strings.Contains(p, "INDEX "+c.index) || strings.Contains(p, "TEMP B-TREE") {
					t.Errorf("%+v (first page %v): plan %q, want a scan of %s and no sort", c.o, first, p, c.index)
				}
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		rl := internalPostgres(t, "relay_t_")
		for _, c := range listPlans {
			for _, first := range []bool{true, false} {
				q := rl.c.dial.listSQL(&c.o, first, 5, "k", 100)
				var plan []string
				err := pgx.BeginFunc(ctx, rl.Pool(), func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off`); err != nil {
						return err
					}
					return pgStore{tx}.query(ctx, "EXPLAIN "+q.sql, func(s scanner) error {
						var line string
						if err := s.Scan(&line); err != nil {
							return err
						}
						plan = append(plan, strings.TrimSpace(line))
						return nil
					}, q.args...)
				})
				if err != nil {
					t.Fatal(err)
				}
				p := strings.Join(plan, "; ")
				if !strings.Contains(p, "Index Scan") || !strings.Contains(p, c.index) || strings.Contains(p, "Sort") {
					t.Errorf("%+v (first page %v): plan %q, want an index scan of %s and no sort", c.o, first, p, c.index)
				}
			}
		}
	})
}
