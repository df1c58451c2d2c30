package relay

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/riverqueue/river"

	"github.com/leadkit/leadkit"
)

// intakeMigration is migration 3: the webhook inbox's events, the routes'
// cursors and the items each route handled.
func intakeMigration(d dialect) []string {
	blob := "BYTEA"
	if d.sqlite {
		blob = "BLOB"
	}
	return []string{
		d.ti(`CREATE TABLE IF NOT EXISTS {ib} (
	inbox       TEXT NOT NULL,
	id          TEXT NOT NULL,
	topic       TEXT NOT NULL,
	body        ` + blob + ` NOT NULL,
	state       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	received_ms BIGINT NOT NULL,
	handled_ms  BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (inbox, id)
)`),
		d.ti(`CREATE INDEX IF NOT EXISTS leadkit_relay_inbox_state ON {ib} (inbox, state)`),
		d.ti(`CREATE TABLE IF NOT EXISTS {cu} (
	source     TEXT PRIMARY KEY,
	pos        TEXT NOT NULL DEFAULT '',
	version    BIGINT NOT NULL DEFAULT 0,
	items      BIGINT NOT NULL DEFAULT 0,
	polls      BIGINT NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	lease_ms   BIGINT NOT NULL DEFAULT 0,
	holder     TEXT NOT NULL DEFAULT '',
	updated_ms BIGINT NOT NULL DEFAULT 0
)`),
		d.ti(`CREATE TABLE IF NOT EXISTS {se} (
	source  TEXT NOT NULL,
	item    TEXT NOT NULL,
	state   TEXT NOT NULL,
	note    TEXT NOT NULL DEFAULT '',
	seen_ms BIGINT NOT NULL,
	PRIMARY KEY (source, item)
)`),
	}
}

// ti expands the intake's tables, {ib} (inbox), {cu} (cursors) and {se}
// (seen items), then what t expands.
func (d dialect) ti(q string) string {
	prefix := ""
	if d.schema != "" {
		prefix = `"` + d.schema + `".`
	}
	return d.t(strings.NewReplacer("{ib}", prefix+"leadkit_relay_inbox", "{cu}", prefix+"leadkit_relay_cursor",
		"{se}", prefix+"leadkit_relay_seen").Replace(q))
}

// forUpdate is the row lock a transaction takes on what it reads
// (PostgreSQL; SQLite's IMMEDIATE transaction holds the file's write lock).
func (d dialect) forUpdate() string {
	if d.sqlite {
		return ""
	}
	return " FOR UPDATE"
}

// intake is the inboxes and routes registered on one process: Start adds
// their River workers and the routes' periodic polls.
type intake struct {
	mu      sync.Mutex
	inboxes map[string]*inboxReg
	routes  map[string]*routeReg
}

var intakeName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,62}$`)

// checkName refuses a name that is empty, too long or not plain.
func checkName(field, name string) error {
	if !intakeName.MatchString(name) {
		return leadkit.Invalid(field, "must be 1 to 63 of a-z, 0-9, '_', '.', '-' (starting with a letter or digit), got %q", name)
	}
	return nil
}

func (in *intake) addInbox(reg *inboxReg) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.inboxes[reg.name]; ok {
		return leadkit.Invalid("name", "inbox %q is registered already", reg.name)
	}
	if in.inboxes == nil {
		in.inboxes = map[string]*inboxReg{}
	}
	in.inboxes[reg.name] = reg
	return nil
}

func (in *intake) addRoute(reg *routeReg) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.routes[reg.name]; ok {
		return leadkit.Invalid("source", "a route from %q is registered already", reg.name)
	}
	if in.routes == nil {
		in.routes = map[string]*routeReg{}
	}
	in.routes[reg.name] = reg
	return nil
}

func (in *intake) inbox(name string) *inboxReg {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.inboxes[name]
}

func (in *intake) route(name string) *routeReg {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.routes[name]
}

// register is the engine's one registration point for the intake: it adds
// the inbox's and the routes' workers to workers and returns how many
// kinds it added and the routes' periodic polls.
func (in *intake) register(r *core, workers *river.Workers) (int, []*river.PeriodicJob) {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	if len(in.inboxes) > 0 {
		river.AddWorker(workers, &inboxWorker{r: r})
		n++
	}
	var jobs []*river.PeriodicJob
	if len(in.routes) > 0 {
		river.AddWorker(workers, &pollWorker{r: r})
		n++
		names := make([]string, 0, len(in.routes))
		for name := range in.routes {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			jobs = append(jobs, pollJob(in.routes[name]))
		}
	}
	return n, jobs
}

// txRunner is the engine's typed transaction, for the intake's user
// functions: fn gets the driver's transaction (pgx.Tx or *sql.Tx, as any)
// and the relay's operations inside it; it commits when fn returns nil.
type txRunner interface {
	rawTx(ctx context.Context, fn func(tx any, t txn) error) error
}

func (e *riverEngine[TTx]) rawTx(ctx context.Context, fn func(tx any, t txn) error) error {
	t, err := e.begin(ctx)
	if err != nil {
		return fmt.Errorf("relay: begin: %w", err)
	}
	defer e.rollback(ctx, t)
	if err := e.inTx(ctx, t, func(x txn) error { return fn(t, x) }); err != nil {
		return err
	}
	if err := e.commit(ctx, t); err != nil {
		return fmt.Errorf("relay: commit: %w", err)
	}
	return nil
}

// userTx runs fn in a transaction of the relay's database.
func (r *core) userTx(ctx context.Context, fn func(tx any, t txn) error) error {
	return r.eng.(txRunner).rawTx(ctx, fn)
}

// asTx is the user's typed transaction.
func asTx[TTx any](tx any) TTx {
	t, _ := tx.(TTx)
	return t
}

// clip bounds a note or an error kept in the database.
func clip(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "?")
	if len(s) > 2000 {
		s = strings.ToValidUTF8(s[:2000], "") + "…"
	}
	return s
}
