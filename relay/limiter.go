package relay

import (
	"context"
	"fmt"
	"time"

	"github.com/leadkit/leadkit/zen"
)

// ZenLimiter returns a zen.Limiter kept in the relay's database, so that
// every process sharing the database shares Zen's one-call-per-window
// budget (give it to each zen client with zen.WithLimiter). The window is
// measured on the database's clock, so replicas with skewed clocks agree.
func (r *Relay) ZenLimiter() zen.Limiter { return dbLimiter{r} }

type dbLimiter struct{ r *Relay }

// Allow implements zen.Limiter: one statement takes the window when it has
// passed (or was never taken), atomically across processes.
func (l dbLimiter) Allow(ctx context.Context, key string, interval time.Duration) (time.Duration, error) {
	if interval <= 0 {
		return 0, nil
	}
	d := l.r.dial
	now := d.nowMS()
	var next int64
	err := d.db.queryRow(ctx, d.t(`INSERT INTO {l} AS lim (key, next_ms) VALUES ($1, `+now+` + $2) ON CONFLICT (key) DO UPDATE
SET next_ms = excluded.next_ms WHERE lim.next_ms <= `+now+` RETURNING next_ms`), key, interval.Milliseconds()).Scan(&next)
	if err == nil {
		return 0, nil
	}
	if err != errNoRows {
		return 0, fmt.Errorf("relay: zen limiter: %w", err)
	}
	var wait int64
	if err := d.db.queryRow(ctx, d.t(`SELECT next_ms - `+now+` FROM {l} WHERE key = $1`), key).Scan(&wait); err != nil {
		return 0, fmt.Errorf("relay: zen limiter: %w", err)
	}
	return max(time.Duration(wait)*time.Millisecond, time.Millisecond), nil
}
