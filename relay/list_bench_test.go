package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchRows is the size of the table BenchmarkDeliveriesPage pages
// through: one delivery in ten needs review.
const benchRows = 200_000

// BenchmarkDeliveriesPage reads the last page (100) of the needs_review
// list of a table of 200,000 deliveries (20,000 in review), as Deliveries
// does (keyset: after the last delivery of the page before) and, as the
// baseline in the same run, as an OFFSET would (skipping 19,900).
//
//	go -C relay test -run '^$' -bench DeliveriesPage -benchtime 200x .
func BenchmarkDeliveriesPage(b *testing.B) {
	ctx := context.Background()
	b.Run("sqlite", func(b *testing.B) {
		rl, err := OpenSQLite(ctx, filepath.Join(b.TempDir(), "relay.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer rl.Close(ctx)
		fill := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ` + strconv.Itoa(benchRows) + `)
INSERT INTO {d} (key, vendor, state, created_ms, updated_ms)
SELECT printf('k%08d', i), 'zen', CASE WHEN i % 10 = 0 THEN 'needs_review' ELSE 'delivered' END, 1000 + i / 3, 1000 + i FROM n`
		benchPages(b, rl.c, fill, `ANALYZE`)
	})
	b.Run("postgres", func(b *testing.B) {
		url := os.Getenv("LEADKIT_POSTGRES_URL")
		if url == "" {
			url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		s := make([]byte, 6)
		_, _ = rand.Read(s)
		schema := "relay_b_" + hex.EncodeToString(s)
		rl, err := OpenPostgres(ctx, url, WithSchema(schema))
		if err != nil {
			b.Skipf("PostgreSQL: %v", err)
		}
		defer func() {
			_, _ = rl.Pool().Exec(ctx, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
			rl.Close(ctx)
		}()
		fill := `INSERT INTO {d} (key, vendor, state, created_ms, updated_ms)
SELECT 'k' || lpad(i::text, 8, '0'), 'zen', CASE WHEN i % 10 = 0 THEN 'needs_review' ELSE 'delivered' END, 1000 + i / 3, 1000 + i
FROM generate_series(1, ` + strconv.Itoa(benchRows) + `) AS i`
		benchPages(b, rl.c, fill, `ANALYZE {d}`)
	})
}

func benchPages(b *testing.B, c *core, fill, analyze string) {
	ctx := context.Background()
	for _, q := range []string{fill, analyze} {
		if _, err := c.dial.db.exec(ctx, c.dial.t(q)); err != nil {
			b.Fatal(err)
		}
	}
	o := &ListOptions{States: []State{StateNeedsReview}}
	const size = 100
	depth := benchRows/10 - size
	// The delivery before the last page: where a keyset walk stands.
	var ms int64
	var key string
	q := c.dial.listSQL(o, true, 0, "", depth)
	err := c.dial.db.query(ctx, q.sql, func(s scanner) error {
		var skip [9]any
		var vendor, state string
		var rec int
		dest := []any{&key, &vendor, &state, &skip[0], &skip[1], &rec, &skip[2], &skip[3], &skip[4], &ms, &skip[5]}
		return s.Scan(dest...)
	}, q.args...)
	if err != nil {
		b.Fatal(err)
	}
	page := func(q listQuery) {
		n := 0
		err := c.dial.db.query(ctx, q.sql, func(s scanner) error { n++; return nil }, q.args...)
		if err != nil || n != size {
			b.Fatalf("page: %d rows, %v", n, err)
		}
	}
	keyset := c.dial.listSQL(o, false, ms, key, size)
	offset := c.dial.listSQL(o, true, 0, "", size)
	offset.sql += " OFFSET " + strconv.Itoa(depth)
	for _, v := range []struct {
		name string
		q    listQuery
	}{{"keyset", keyset}, {"offset", offset}} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				page(v.q)
			}
		})
	}
	b.Logf("%d deliveries, %d in review, the page after %d", benchRows, benchRows/10, depth)
}
