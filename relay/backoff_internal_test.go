package relay

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/assert"
)

// TestBackoffEveryAttempt: the retry wait of every attempt River can
// count (WithRetries allows 500 by default) is between one second and the
// cap plus its 10 % jitter. Red before: attempt 35 panicked in
// rand.Int64N (a second shifted by 34 overflows int64), crashing River's
// executor; the CI run met it on an inbox event with 50 attempts.
func TestBackoffEveryAttempt(t *testing.T) {
	for _, cap := range []time.Duration{10 * time.Millisecond, 50 * time.Millisecond, 10 * time.Minute, 100 * 365 * 24 * time.Hour} {
		b := backoff{max: cap}
		for n := 1; n <= 600; n++ {
			before := time.Now()
			d := b.NextRetry(&rivertype.JobRow{Attempt: n}).Sub(before)
			want := cap
			if n <= 31 {
				want = min(cap, time.Second<<(n-1))
			}
			assert.GreaterOrEqual(t, d, want-time.Second/100, "attempt %d, cap %s", n, cap)
			assert.LessOrEqual(t, d, want+want/10+time.Second, "attempt %d, cap %s", n, cap)
		}
	}
}
