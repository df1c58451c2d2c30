package relay

import (
	"context"
	"fmt"
	"time"
)

// dbLimiter is Relay.ZenLimiter's zen.Limiter.

type dbLimiter struct{ r *core }

// Allow implements zen.Limiter: one statement takes the window when it has
// passed (or was never taken), atomically across processes.
func (l dbLimiter) Allow(ctx context.Context, key string, interval time.Duration) (time.Duration, error) {
	if l.r.closed.Load() {
		return 0, ErrClosed
	}
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
