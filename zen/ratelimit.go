package zen

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Limits are the minimum intervals between two calls to one endpoint with
// one token. A zero interval means no client-side limit for that endpoint.
type Limits struct {
	Totals      time.Duration // Totais de Distribuição de Leads por usuários (Zen: 5 minutes)
	LeadsByUser time.Duration // Consulta de Leads por Usuário (Zen: 1 minute)
	Archive     time.Duration // Arquivo de Lead (Zen: 5 minutes)
}

// DefaultLimits returns Zen's documented limits.
func DefaultLimits() Limits {
	return Limits{Totals: 5 * time.Minute, LeadsByUser: time.Minute, Archive: 5 * time.Minute}
}

func (l Limits) window(e Endpoint) time.Duration {
	switch e {
	case EndpointTotals:
		return l.Totals
	case EndpointLeadsByUser:
		return l.LeadsByUser
	case EndpointArchive:
		return l.Archive
	}
	return 0
}

// WithLimits replaces the client-side windows (for sandboxes and tests, so
// that nothing waits for minutes; or for an account with other limits).
func WithLimits(l Limits) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if l.Totals < 0 || l.LeadsByUser < 0 || l.Archive < 0 {
			return leadkit.Invalid("Limits", "intervals must not be negative")
		}
		c.limits = &l
		return nil
	})}
}

// WithWaitOnRateLimit makes a call inside the window wait for it to pass
// (honouring ctx) instead of failing with a *RateLimitError.
func WithWaitOnRateLimit() Option {
	return Option{transport.VendorOption(func(c *config) error {
		c.wait = true
		return nil
	})}
}

// WithLimiter shares the client-side limits through l, for example between
// the replicas of a service (see Limiter).
func WithLimiter(l Limiter) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if l == nil {
			return leadkit.Invalid("Limiter", "must not be nil")
		}
		c.limiter = l
		return nil
	})}
}

// Limiter decides whether a call may go out now. The client calls Allow
// before every rate-limited call with a key naming the endpoint and the
// token (a hash of it, never the token itself) and the endpoint's interval.
//
// The default, NewMemoryLimiter, counts calls within one process. Services
// that run several replicas with one token share one budget by implementing
// Limiter over a shared store; with Redis, for example:
//
//	// allowed when the key did not exist; it then expires after the window
//	ok := rdb.SetNX(ctx, "zen:"+key, 1, window).Val()
//	if ok { return 0, nil }
//	return rdb.PTTL(ctx, "zen:"+key).Val(), nil
type Limiter interface {
	// Allow records a call to key and returns 0 when one is allowed now;
	// otherwise it records nothing and returns how long until one is.
	Allow(ctx context.Context, key string, interval time.Duration) (time.Duration, error)
}

// MemoryLimiter is an in-process Limiter built on golang.org/x/time/rate,
// one token bucket of size one per key. Share one between clients of the
// same process that use the same token.
type MemoryLimiter struct {
	mu sync.Mutex
	// buckets is keyed by an HMAC of each key under salt, a random value of
	// this limiter's own: a key holds a digest of the client's token, and a
	// limiter printed (%v, %#v, a panic's dump) must not show it (an
	// offline test of guesses at the token).
	salt    []byte
	buckets map[string]*rate.Limiter
}

// bucketKey returns the name of key's bucket; m.mu is held.
func (m *MemoryLimiter) bucketKey(key string) string {
	if m.salt == nil {
		m.salt = make([]byte, 32)
		if _, err := rand.Read(m.salt); err != nil {
			// Not on any platform Go supports today; a salt of the clock
			// still keeps the print from being the token's plain digest.
			binary.BigEndian.PutUint64(m.salt, uint64(time.Now().UnixNano()))
		}
	}
	h := hmac.New(sha256.New, m.salt)
	h.Write([]byte(key))
	return string(h.Sum(nil)[:16])
}

// NewMemoryLimiter returns an empty in-process limiter.
func NewMemoryLimiter() *MemoryLimiter {
	return &MemoryLimiter{buckets: map[string]*rate.Limiter{}}
}

// Allow implements Limiter.
func (m *MemoryLimiter) Allow(_ context.Context, key string, interval time.Duration) (time.Duration, error) {
	if interval <= 0 {
		return 0, nil
	}
	m.mu.Lock()
	if m.buckets == nil { // the zero MemoryLimiter is ready to use
		m.buckets = map[string]*rate.Limiter{}
	}
	bk := m.bucketKey(key)
	b, ok := m.buckets[bk]
	if !ok || b.Limit() != rate.Every(interval) {
		b = rate.NewLimiter(rate.Every(interval), 1)
		m.buckets[bk] = b
	}
	m.mu.Unlock()
	now := time.Now()
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, nil
	}
	return 0, nil
}

func (c *Client) limitKey(e Endpoint) string {
	sum := sha256.Sum256([]byte(c.token.Value()))
	return string(e) + ":" + hex.EncodeToString(sum[:8])
}

// acquire passes the client-side limit of e: at once, after waiting (when
// wait is set), or with a *RateLimitError.
func (c *Client) acquire(ctx context.Context, e Endpoint, wait bool) error {
	if ctx == nil {
		// Checked here, before a window is spent, as the core checks it.
		return leadkit.Invalid("ctx", "must not be nil")
	}
	if err := ctx.Err(); err != nil {
		// A call that cannot be sent must not spend the window.
		return err
	}
	interval := c.limits.window(e)
	if interval <= 0 {
		return nil
	}
	key := c.limitKey(e)
	for {
		d, err := c.limiter.Allow(ctx, key, interval)
		if err != nil {
			return err
		}
		if d <= 0 {
			return nil
		}
		if !wait {
			return &RateLimitError{RetryAfter: d, ClientSide: true}
		}
		if c.logger != nil {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "zen rate limit wait",
				slog.String("endpoint", string(e)), slog.Duration("wait", d))
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
