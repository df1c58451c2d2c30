package relay_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

func TestUniqueKeys(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		r := open(t, b)
		ctx := context.Background()
		k, err := r.Enqueue(ctx, salesmanLead(1))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(k, "salesman:"), k)
		_, err = r.Enqueue(ctx, salesmanLead(1))
		assert.ErrorIs(t, err, relay.ErrDuplicate, "same content, same derived key")

		j := salesmanLead(2)
		j.Key = "order-42"
		k, err = r.Enqueue(ctx, j)
		require.NoError(t, err)
		assert.Equal(t, "order-42", k)
		j2 := zenLead(3)
		j2.Key = "order-42"
		_, err = r.Enqueue(ctx, j2)
		assert.ErrorIs(t, err, relay.ErrDuplicate, "a caller's key is one key whatever the vendor")

		// Concurrent enqueues of one key: exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := r.Enqueue(ctx, salesmanLead(99))
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					wins++
				} else {
					assert.ErrorIs(t, err, relay.ErrDuplicate)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, wins)
		s, err := r.Stats(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, 3, s.Queued)
	})
}

// A bad job is refused at Enqueue with the field named (by the vendor
// client's own validation, as its create would refuse it); nothing is
// stored. Before, the relay checked a few fields of its own and accepted a
// bad industry or e-mail, a bad IP, CRLF in a title, an 11 MiB file, NUL
// (a raw PostgreSQL error at insert) and invalid UTF-8 (silently replaced).
func TestEnqueueRefusesBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		r := open(t, b)
		ctx := context.Background()
		pdf := datacakeFile().Data
		big := append(append([]byte{}, pdf...), make([]byte, 11<<20)...)
		for name, c := range map[string]struct {
			job   relay.Job
			field string
		}{
			"nil lead":           {relay.SalesmanLead{}, "Lead"},
			"no title":           {relay.SalesmanLead{Lead: &salesman.NewLead{Email: "a@b.ru"}}, "title"},
			"nothing to find by": {relay.SalesmanLead{Lead: &salesman.NewLead{Title: "x"}}, "email"},
			"salesman e-mail":    {relay.SalesmanLead{Lead: &salesman.NewLead{Title: "x", Email: "not-an-email"}}, "email"},
			"salesman IP":        {relay.SalesmanLead{Lead: &salesman.NewLead{Title: "x", Email: "a@b.ru", IP: "999.1.1.1"}}, "ip"},
			"CRLF in a title":    {relay.SalesmanLead{Lead: &salesman.NewLead{Title: "x\r\nBcc: y", Email: "a@b.ru"}}, "title"},
			"uid too long":       {relay.SalesmanLead{Lead: &salesman.NewLead{Title: "x", Email: "a@b.ru", UIDs: map[string]string{"o": strings.Repeat("a", 101)}}}, "uids[o]"},
			"zen edit":           {relay.ZenLead{Lead: &zen.LeadEntry{Action: zen.ActionEdit, IntegrationCode: "x"}}, "acao"},
			"zen bad e-mail":     {relay.ZenLead{Lead: &zen.LeadEntry{Name: "a", Email: "not-an-email"}}, "email"},
			"zenvia industry":    {relay.ZenviaLead{Industry: "cars", Lead: zenviaLead(1).Lead}, "industry"},
			"zenvia no industry": {relay.ZenviaLead{Lead: zenviaLead(1).Lead}, "industry"},
			"zenvia e-mail":      {relay.ZenviaLead{Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "s", Emails: []string{"x@"}}}, "emails[0]"},
			"datacake file":      {relay.DatacakeProspect{Prospect: datacakeProspect(1).Prospect, Files: []datacake.File{{Name: "x.exe", Data: []byte("MZ\x90")}}}, "arquivos[0]"},
			"datacake 11 MiB":    {relay.DatacakeProspect{Prospect: datacakeProspect(1).Prospect, Files: []datacake.File{{Name: "a.pdf", Data: big}}}, "arquivos[0]"},
			"datacake e-mail":    {relay.DatacakeProspect{Prospect: &datacake.Prospect{Name: "a", PersonType: datacake.PersonNatural, Document: datacaketest.CPF(1), Email: "x"}}, "email"},
			"NUL in a field":     {relay.ZenviaLead{Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "s", Emails: []string{"a@b.ru"}, Company: "a\x00b"}}, "Lead.Company"},
			"NUL in a Zen field": {relay.ZenLead{Lead: &zen.LeadEntry{Name: "a", Extra: map[string]string{"campo": "\x00"}}}, `Lead.Extra["campo"]`},
			"invalid UTF-8":      {relay.ZenviaLead{Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "s", Emails: []string{"a@b.ru"}, FirstName: "\xff"}}, "Lead.FirstName"},
			"NaN priority":       {relay.ZenviaLead{Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "s", Emails: []string{"a@b.ru"}, Priority: math.NaN()}}, "Lead.Priority"},
			"NUL in the key":     {relay.SalesmanLead{Key: "k\x00", Lead: &salesman.NewLead{Title: "x", Email: "a@b.ru"}}, "Key"},
			"UTF-8 in the key":   {relay.ZenLead{Key: "k\xc3", Lead: &zen.LeadEntry{Name: "a"}}, "Key"},
		} {
			_, err := r.Enqueue(ctx, c.job)
			var ie *leadkit.InputError
			require.ErrorAs(t, err, &ie, name)
			assert.Equal(t, c.field, ie.Field, name)
		}
		_, err := r.Enqueue(ctx, nil)
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
		s, err := r.Stats(ctx, "")
		require.NoError(t, err)
		assert.Equal(t, 0, s.Total())
	})
}

// A file given by Reader is read through the cap: a 64 MiB one is refused
// after the cap, never read whole (it was, before). The whole job has a
// cap too.
func TestEnqueueCaps(t *testing.T) {
	r := open(t, sqliteBackend(t), relay.WithMaxFileBytes(1<<20), relay.WithMaxJobBytes(64<<10))
	ctx := context.Background()
	src := &countingReader{head: datacakeFile().Data, size: 64 << 20}
	_, err := r.Enqueue(ctx, relay.DatacakeProspect{Prospect: datacakeProspect(1).Prospect, Files: []datacake.File{{Name: "a.pdf", Reader: src}}})
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "arquivos[0]", ie.Field)
	assert.LessOrEqual(t, src.read, int64(1<<20)+64<<10, "read up to the cap only")
	_, err = r.Enqueue(ctx, relay.DatacakeProspect{Prospect: datacakeProspect(2).Prospect,
		Files: []datacake.File{{Name: "a.pdf", Data: append(datacakeFile().Data, make([]byte, 100<<10)...)}}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "job", ie.Field, "a 100 KiB file is over the 64 KiB job cap")
	_, err = r.Enqueue(ctx, relay.DatacakeProspect{Prospect: datacakeProspect(3).Prospect,
		Files: []datacake.File{{Name: "a.pdf", Reader: bytes.NewReader(datacakeFile().Data)}}})
	require.NoError(t, err, "a small Reader is read")
}

// countingReader is a PDF header followed by zeros, size bytes in all.
type countingReader struct {
	head       []byte
	size, read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.size {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > c.size-c.read {
		n = c.size - c.read
	}
	for i := range n {
		if off := c.read + i; off < int64(len(c.head)) {
			p[i] = c.head[off]
		} else {
			p[i] = 0
		}
	}
	c.read += n
	return int(n), nil
}

// EnqueueTx: the lead is delivered if and only if the caller's transaction
// commits.
func TestEnqueueTxOutbox(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		var rolled, committed string
		var err error
		switch b.name {
		case "sqlite":
			db := r.DB()
			_, err = db.ExecContext(ctx, `CREATE TABLE orders (id INTEGER PRIMARY KEY, lead TEXT)`)
			require.NoError(t, err)
			for _, commit := range []bool{false, true} {
				tx, err := db.BeginTx(ctx, nil)
				require.NoError(t, err)
				_, err = tx.ExecContext(ctx, `INSERT INTO orders (lead) VALUES ('x')`)
				require.NoError(t, err)
				k, err := r.EnqueueTx(ctx, tx, salesmanLead(map[bool]int{false: 1, true: 2}[commit]))
				require.NoError(t, err)
				if commit {
					committed = k
					require.NoError(t, tx.Commit())
				} else {
					rolled = k
					require.NoError(t, tx.Rollback())
				}
			}
			_, err = r.EnqueueTx(ctx, &pgxTxStandIn{}, salesmanLead(3))
			assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "a transaction of the other database")
		case "postgres":
			pool := r.Pool()
			for _, commit := range []bool{false, true} {
				tx, err := pool.Begin(ctx)
				require.NoError(t, err)
				k, err := r.EnqueueTx(ctx, tx, salesmanLead(map[bool]int{false: 1, true: 2}[commit]))
				require.NoError(t, err)
				if commit {
					committed = k
					require.NoError(t, tx.Commit(ctx))
				} else {
					rolled = k
					require.NoError(t, tx.Rollback(ctx))
				}
			}
			_, err = r.EnqueueTx(ctx, &sql.Tx{}, salesmanLead(3))
			assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "a transaction of the other database")
		}
		_, err = r.Status(ctx, rolled)
		assert.ErrorIs(t, err, relay.ErrUnknownKey)
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, nil)))
		waitFor(t, r, 30*time.Second, settled(1))
		d, err := r.Status(ctx, committed)
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, d.State)
		assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""), "the rolled-back lead was never sent")
		// The rolled-back key is free again.
		_, err = r.Enqueue(ctx, salesmanLead(1))
		assert.NoError(t, err)
	})
}

type pgxTxStandIn struct{ pgx.Tx }

// Failures the vendor proves: a refusal is recorded and not retried; 503
// and 429 are retried (429 after its Retry-After).
func TestFailuresTheVendorProves(t *testing.T) {
	eachBackendSlowOnSQLite(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		sb.zenvia.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "/lead", Status: http.StatusUnprocessableEntity,
			Body: `{"code":"INVALID","message":"phone rejected by the vendor"}`, Header: http.Header{"Content-Type": {"application/json"}}})
		d1 := deliverOne(t, r, sb, zenviaLead(1))
		assert.Equal(t, relay.StateFailed, d1.State)
		assert.Contains(t, d1.LastError, "phone rejected by the vendor")
		assert.Equal(t, 1, sb.zenvia.Count(http.MethodPost, "/lead"))

		sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusServiceUnavailable, Times: 4,
			Header: http.Header{"Retry-After": {"0"}}})
		sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"1"}}})
		start := time.Now()
		k, err := r.Enqueue(ctx, salesmanLead(5))
		require.NoError(t, err)
		waitFor(t, r, 30*time.Second, settled(2))
		d, err := r.Status(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, relay.StateDelivered, d.State, "%+v", d)
		assert.False(t, d.Reconciled)
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "429's Retry-After honoured")
		assert.Equal(t, 6, sb.salesman.Count(http.MethodPost, ""), "4×503, 429, then the lead")
		// Resend a refused lead once the cause is fixed.
		require.NoError(t, r.Resend(ctx, d1.Key))
		waitFor(t, r, 30*time.Second, func(s relay.Stats) bool { return s.Delivered == 2 })
	})
}

// Zen's window is shared through the database: two relays (two replicas)
// get one call per window between them.
func TestZenLimiterShared(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		r1 := open(t, b)
		r2 := r1
		if b.name == "postgres" { // a second replica on the same schema
			r2 = open(t, b)
		}
		ctx := context.Background()
		l1, l2 := r1.ZenLimiter(), r2.ZenLimiter()
		var allowed int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := l1
				if i%2 == 1 {
					l = l2
				}
				d, err := l.Allow(ctx, "archive:abc", time.Hour)
				assert.NoError(t, err)
				if d == 0 {
					mu.Lock()
					allowed++
					mu.Unlock()
				} else {
					assert.InDelta(t, time.Hour.Seconds(), d.Seconds(), 60)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, 1, allowed)
		d, err := l1.Allow(ctx, "other", 50*time.Millisecond)
		require.NoError(t, err)
		assert.Zero(t, d)
		time.Sleep(80 * time.Millisecond)
		d, err = l2.Allow(ctx, "other", 50*time.Millisecond)
		require.NoError(t, err)
		assert.Zero(t, d, "the window passed")
	})
}

// No credential reaches the relay's log lines or its records, even when the
// vendor's answers quote it.
func TestNoSecretInLogsOrRecords(t *testing.T) {
	sb := startSandboxes(t, nil)
	var logs testutil.SyncBuffer
	lg := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := open(t, sqliteBackend(t), relay.WithLogger(lg))
	ctx := context.Background()
	echo := `{"error":"bad key ` + sbSalesmanKey + `","token":"` + sbZenToken + `"}`
	sb.salesman.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusBadGateway, Body: echo, AfterVendor: true})
	sb.zen.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusBadRequest, Body: `{"message":"token ` + sbZenToken + ` refused"}`})
	sb.datacake.Fail(leadkittest.Fault{Method: http.MethodPost, Status: http.StatusInternalServerError, Body: `{"erro":"` + sbDatacakeToken + `"}`, AfterVendor: true})
	keys := []string{}
	for _, j := range []relay.Job{salesmanLead(1), zenLead(1), datacakeProspect(1)} {
		k, err := r.Enqueue(ctx, j)
		require.NoError(t, err)
		keys = append(keys, k)
	}
	require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, nil, lg)))
	waitFor(t, r, 30*time.Second, settled(3))
	var records strings.Builder
	for _, k := range keys {
		d, err := r.Status(ctx, k)
		require.NoError(t, err)
		records.WriteString(d.LastError + d.Review + string(d.Job))
	}
	require.Contains(t, logs.String(), "relay: attempt")
	for _, secret := range []string{sbSalesmanKey, sbZenToken, sbZenviaKey, sbDatacakeToken} {
		assert.NotContains(t, logs.String(), secret)
		assert.NotContains(t, records.String(), secret)
	}
}

// A PostgreSQL password never reaches Open's error, whatever failed: not
// even when the server's answer quotes it (a fake server below answers the
// connection with an error message holding the password, raw and
// URL-encoded).
func TestOpenErrorHidesThePassword(t *testing.T) {
	const pw = "pw/CANARY@93be1f"
	echo := fakePostgres(t, "password authentication failed for "+pw+" ("+url.QueryEscape(pw)+")")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	enc := url.QueryEscape(pw)
	for _, dsn := range []string{
		"postgres://app:" + enc + "@" + echo + "/test?sslmode=disable",                  // the server quotes it
		"postgres://app:" + enc + "@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", // nothing listens
		"postgres://app:" + enc + "@127.0.0.1:5432/test?sslmode=bogus",                  // does not parse
		"postgres://app:" + enc + "@[::1:5432/test",                                     // does not parse
	} {
		_, err := relay.Open(ctx, dsn)
		require.Error(t, err)
		errs := []error{err}
		if pool, perr := pgxpool.New(ctx, dsn); perr == nil { // the application's pool, given to NewPostgres
			_, err = relay.NewPostgres(ctx, pool)
			pool.Close()
			require.Error(t, err)
			errs = append(errs, err)
		}
		for _, err := range errs {
			for _, form := range []string{pw, enc} {
				assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), form)
				for e := err; e != nil; e = errors.Unwrap(e) {
					assert.NotContains(t, e.Error(), form)
				}
			}
		}
	}
	_, err := relay.Open(ctx, "mysql://root@127.0.0.1/test")
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "dsn", ie.Field)
}

// fakePostgres listens on loopback and answers every connection's startup
// with a FATAL ErrorResponse carrying msg; it returns its host:port.
func fakePostgres(t *testing.T, msg string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for {
					var n uint32
					if binary.Read(c, binary.BigEndian, &n) != nil || n < 8 {
						return
					}
					body := make([]byte, n-4)
					if _, err := io.ReadFull(c, body); err != nil {
						return
					}
					if code := binary.BigEndian.Uint32(body); code == 80877103 || code == 80877104 {
						_, _ = c.Write([]byte{'N'}) // no SSL, no GSS encryption
						continue
					}
					fields := "SFATAL\x00C28P01\x00M" + msg + "\x00\x00"
					out := []byte{'E', 0, 0, 0, 0}
					binary.BigEndian.PutUint32(out[1:], uint32(4+len(fields)))
					_, _ = c.Write(append(out, fields...))
					return
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// A vendor that stays unavailable past the client's own retries and says
// when to come back (503 Retry-After) is waited for that long, without
// spending the lead's attempts.
func TestUnavailableWithRetryAfter(t *testing.T) {
	sb := startSandboxes(t, nil)
	// One attempt, 10ms of backoff: only the snooze keeps the lead.
	r := open(t, sqliteBackend(t), relay.WithRetries(1, 10*time.Millisecond))
	// The client tries 3 times (WithMaxRetries(2)) within one attempt.
	sb.zenvia.Fail(leadkittest.Fault{Method: http.MethodPost, Path: "/lead", Status: http.StatusServiceUnavailable,
		Header: http.Header{"Retry-After": {"1"}}, Times: 3})
	start := time.Now()
	d := deliverOne(t, r, sb, zenviaLead(9))
	assert.Equal(t, relay.StateDelivered, d.State, "%+v", d)
	assert.Equal(t, 4, sb.zenvia.Count(http.MethodPost, "/lead"), "three 503s, then the lead")
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After honoured")
}

// A vendor nobody answers for (connection refused: proof that nothing was
// sent) is retried with backoff, never taken for an unknown outcome, and the
// lead is kept as failed with the error once its attempts run out.
func TestConnectionRefusedIsRetried(t *testing.T) {
	closed := "http://" + testutil.ClosedPort(t)
	r := open(t, sqliteBackend(t), relay.WithRetries(3, 10*time.Millisecond))
	ctx := context.Background()
	key, err := r.Enqueue(ctx, salesmanLead(1))
	require.NoError(t, err)
	cs := clientsFor(t, map[string]string{"salesman": closed, "zen": closed, "zenvia": closed, "datacake": closed}, nil, nil)
	require.NoError(t, r.Start(ctx, relay.Clients{Salesman: cs.Salesman}))
	waitFor(t, r, 30*time.Second, settled(1))
	d, err := r.Status(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, relay.StateFailed, d.State, "%+v", d)
	assert.Equal(t, 3, d.Attempts, "every attempt of WithRetries(3, ...) was made")
	assert.Contains(t, d.LastError, "refused")
	assert.Empty(t, d.Review)
}

// Start checks its knobs: a rescue sooner than the lease would let a second
// process work a job a live one still holds.
func TestStartRefusesBadKnobs(t *testing.T) {
	nowhere := "http://127.0.0.1:1"
	zc := clientsFor(t, map[string]string{"salesman": nowhere, "zen": nowhere, "zenvia": nowhere, "datacake": nowhere}, nil, nil).Zen
	r := open(t, sqliteBackend(t), relay.WithJobTimeout(10*time.Second), relay.WithRescueAfter(5*time.Second))
	err := r.Start(context.Background(), relay.Clients{Zen: zc})
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "RescueAfter", ie.Field)
	r2 := open(t, sqliteBackend(t))
	require.ErrorAs(t, r2.Start(context.Background(), relay.Clients{}), &ie)
	assert.Equal(t, "Clients", ie.Field)
	require.NoError(t, closeRelay(r2))
	assert.Error(t, r2.Start(context.Background(), relay.Clients{Zen: zc}), "closed")
	_, err = r2.Enqueue(context.Background(), zenLead(1))
	assert.Error(t, err, "closed")
}
