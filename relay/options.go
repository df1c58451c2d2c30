package relay

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

// Option configures a relay when it opens (Open, OpenSQLite, OpenPostgres,
// NewSQLite, NewPostgres).
type Option func(*config) error

type config struct {
	schema      string
	logger      *slog.Logger
	workers     int            // per queue
	vendorWork  map[Vendor]int // per vendor's queue, over workers
	cooldown    time.Duration  // River's FetchCooldown; 0: the default
	poolSize    int
	jobTimeout  time.Duration
	rescueAfter time.Duration
	maxAttempts int
	maxBackoff  time.Duration
	poll        time.Duration
	settle      map[Vendor]time.Duration
	marker      bool  // put the lead's marker in what the vendor stores with it
	noMigrate   bool  // Open checks the schema instead of migrating it
	maxFile     int64 // one file of a job
	maxJob      int64 // a job as stored
	sweepEvery  time.Duration

	meterProvider  metric.MeterProvider // otel.go: nil, none
	tracerProvider trace.TracerProvider
	eraseAfter     time.Duration // retention.go: 0, never
	deleteAfter    time.Duration
}

func defaults() config {
	return config{
		logger:      slog.New(slog.DiscardHandler),
		workers:     4,
		jobTimeout:  2 * time.Minute,
		maxAttempts: 500,
		maxBackoff:  10 * time.Minute,
		poll:        time.Second,
		settle: map[Vendor]time.Duration{
			VendorSalesman: time.Minute, VendorZenvia: 2 * time.Minute, VendorZen: 10 * time.Minute, VendorDatacake: 0,
		},
		marker:     true,
		maxFile:    datacake.DefaultMaxFileBytes,
		maxJob:     DefaultMaxJobBytes,
		sweepEvery: time.Minute,

		eraseAfter:  DefaultEraseAfter, // retention.go
		deleteAfter: DefaultDeleteAfter,
	}
}

// WithSchema puts River's tables and the relay's in this PostgreSQL schema
// (created when missing), so several relays, or a relay and tests, share one
// database. Lower-case letters, digits and underscores.
func WithSchema(name string) Option {
	return func(c *config) error {
		if !schemaName.MatchString(name) {
			return invalidSchema()
		}
		c.schema = name
		return nil
	}
}

func invalidSchema() error {
	return leadkit.Invalid("Schema", "must be lower-case letters, digits and underscores, starting with a letter")
}

// DefaultMaxJobBytes is the default cap on a job as the relay stores it
// (its JSON, files base64-encoded): 16 MiB. The relay keeps the job once,
// in its delivery row (River's job holds its key).
const DefaultMaxJobBytes = 16 << 20

// WithMaxFileBytes caps each file of a DatacakeProspect (default
// datacake.DefaultMaxFileBytes, 10 MiB; give what the datacake client's
// WithMaxFileBytes allows). A file given by Reader is read up to the cap
// and refused beyond it, never read whole. Where the datacake client's cap
// is lower, it wins: Enqueue in a process that started that client refuses
// the file, and a worker refuses it before it creates the prospect (the
// delivery fails, and nothing was sent).
func WithMaxFileBytes(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return leadkit.Invalid("MaxFileBytes", "must be positive")
		}
		c.maxFile = n
		return nil
	}
}

// WithMaxJobBytes caps a job as the relay stores it (its JSON, files
// base64-encoded; default DefaultMaxJobBytes): Enqueue refuses a larger one.
func WithMaxJobBytes(n int64) Option {
	return func(c *config) error {
		if n < 1024 {
			return leadkit.Invalid("MaxJobBytes", "must be at least 1024")
		}
		c.maxJob = n
		return nil
	}
}

// WithoutMarker stops the relay from putting each lead's marker
// (leadkit.Marker of its key: "[lk:" and 12 characters) in what the vendor
// stores with it: a SalesMan lead's description (and its uid "leadkit" on
// V2/V3), a Zenvia lead's comments, and the integration code of a Zen lead
// that has none. CRM users see the marker. Without it a lookup after an
// unknown outcome can tell this lead from another of the same person only
// by time, so more deliveries end in StateNeedsReview (any lead of the same
// e-mail or phone since the attempt is "cannot tell").
func WithoutMarker() Option {
	return func(c *config) error {
		c.marker = false
		return nil
	}
}

// WithoutMigrations makes the constructor check that River's migrations
// and the relay's (Migrations) are applied instead of applying them, for
// teams that run their own migration tool; it fails when they are not.
func WithoutMigrations() Option {
	return func(c *config) error {
		c.noMigrate = true
		return nil
	}
}

// WithSweepInterval sets how often the relay's sweep runs (default a
// minute; River's leader enqueues it): it ends every delivery whose River
// job ended without it (attempts used up, the job cancelled, discarded or
// deleted outside the relay) as StateNeedsReview when an attempt's outcome
// was unknown, or StateFailed with River's last error.
func WithSweepInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < 100*time.Millisecond {
			return leadkit.Invalid("SweepInterval", "must be at least 100ms")
		}
		c.sweepEvery = d
		return nil
	}
}

// WithLogger receives one line per delivery attempt (key, vendor, attempt,
// outcome) and River's warnings. Leads' contents and credentials are never
// logged. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return leadkit.Invalid("Logger", "must not be nil")
		}
		c.logger = l
		return nil
	}
}

// WithWorkers sets how many jobs of each of the relay's River queues one
// process works at once (default 4): each vendor's queue (QueueOf) whose
// client Start was given, unless WithVendorWorkers sets it, and the shared
// queue (Queue). A process given the four clients works up to 5 × n jobs
// at once; on PostgreSQL each uses a connection of the pool while it
// reads or writes its delivery, never during the vendor's call.
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 10000 {
			return leadkit.Invalid("Workers", "must be between 1 and 10000")
		}
		c.workers = n
		return nil
	}
}

// WithVendorWorkers sets how many jobs of vendor v's queue (QueueOf) one
// process works at once (default: WithWorkers' count, 4). A vendor that
// answers slowly holds only its own workers: give it more to keep up
// (its throughput is about n divided by its answer time), or fewer to
// spare it.
func WithVendorWorkers(v Vendor, n int) Option {
	return func(c *config) error {
		if _, ok := c.settle[v]; !ok {
			return leadkit.Invalid("Vendor", "unknown vendor %q", string(v))
		}
		if n < 1 || n > 10000 {
			return leadkit.Invalid("VendorWorkers", "must be between 1 and 10000")
		}
		if c.vendorWork == nil {
			c.vendorWork = map[Vendor]int{}
		}
		c.vendorWork[v] = n
		return nil
	}
}

// workersOf is the worker count of vendor v's queue.
func (c config) workersOf(v Vendor) int {
	if n, ok := c.vendorWork[v]; ok {
		return n
	}
	return c.workers
}

// WithFetchCooldown sets the shortest time between two fetches of jobs
// from one queue while jobs keep coming (River's FetchCooldown; default
// 100 ms, or the poll interval when shorter). A queue fetches as many jobs
// as it has free workers, so while it is busy it works at most its workers
// per cooldown (4 workers, 100 ms: 40 leads a second per vendor): shorten
// it for more, at the cost of more queries. At least 1 ms.
func WithFetchCooldown(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond {
			return leadkit.Invalid("FetchCooldown", "must be at least 1ms")
		}
		c.cooldown = d
		return nil
	}
}

// WithPoolSize caps the PostgreSQL connections of the pool OpenPostgres (or
// Open) opens (pgx's default: the larger of 4 and the number of CPUs);
// NewPostgres refuses it (the pool is the application's).
func WithPoolSize(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return leadkit.Invalid("PoolSize", "must be at least 1")
		}
		c.poolSize = n
		return nil
	}
}

// WithJobTimeout bounds one delivery attempt, lookups included (default 2
// minutes). A process that dies mid-attempt leaves its jobs to be rescued
// by another after WithRescueAfter.
func WithJobTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Second {
			return leadkit.Invalid("JobTimeout", "must be at least a second")
		}
		c.jobTimeout = d
		return nil
	}
}

// WithRescueAfter sets how long a job may stay "running" before another
// process takes it over, for when the process working it died (default: the
// job timeout plus a minute). It must exceed the job timeout: a job still
// worked by a live process is never taken over.
func WithRescueAfter(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return leadkit.Invalid("RescueAfter", "must be positive")
		}
		c.rescueAfter = d
		return nil
	}
}

// WithRetries sets how many attempts a lead gets while the vendor fails in
// ways that prove it was not delivered (503, connection refused), and the
// longest wait between two (defaults: 500 attempts, 10 minutes apart at
// most: about three days). Rate limits and reconciliation waits do not
// count. A lead out of attempts is kept as Failed; Resend starts it again.
func WithRetries(maxAttempts int, maxBackoff time.Duration) Option {
	return func(c *config) error {
		if maxAttempts < 1 {
			return leadkit.Invalid("MaxAttempts", "must be at least 1")
		}
		if maxBackoff < 10*time.Millisecond {
			return leadkit.Invalid("MaxBackoff", "must be at least 10ms")
		}
		c.maxAttempts, c.maxBackoff = maxAttempts, maxBackoff
		return nil
	}
}

// WithPollInterval sets how often an idle worker looks for new jobs
// (default 1s; PostgreSQL workers are also woken by LISTEN/NOTIFY).
func WithPollInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond {
			return leadkit.Invalid("PollInterval", "must be at least 1ms")
		}
		c.poll = d
		return nil
	}
}

// WithSettle sets how long after an attempt whose outcome is unknown the
// relay waits before asking the vendor whether the lead arrived, so that a
// lead still in the vendor's pipeline is not taken for absent. Defaults:
// SalesMan 1 minute, Zenvia 2 minutes (leads may be queued, 202), Zen 10
// minutes (its archive lists a lead once it is distributed).
func WithSettle(v Vendor, d time.Duration) Option {
	return func(c *config) error {
		if _, ok := c.settle[v]; !ok {
			return leadkit.Invalid("Vendor", "unknown vendor %q", string(v))
		}
		if d < 0 {
			return leadkit.Invalid("Settle", "must not be negative")
		}
		c.settle[v] = d
		return nil
	}
}

// riverLogger passes River's warnings and errors on, not its chatter.
func riverLogger(l *slog.Logger) *slog.Logger {
	return slog.New(levelFloor{l.Handler(), slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}

func (h levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(name), h.min}
}
