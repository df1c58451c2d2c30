package relay

import (
	"testing"
	"time"
)

// A lead sent at 01:00 UTC is filed under the previous day in São Paulo,
// where Zen's archive keeps its days: the lookup asks both.
func TestZenDaysCoverSaoPaulo(t *testing.T) {
	at := time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	var got []string
	for _, d := range zenDays(at, at.Add(time.Minute)) {
		got = append(got, d.Format(time.DateOnly))
	}
	if len(got) != 2 || got[0] != "2026-11-24" || got[1] != "2026-11-25" {
		t.Fatalf("days asked: %v, want São Paulo's 2026-11-24 and the process's 2026-11-25", got)
	}
	noon := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	if days := zenDays(noon, noon.Add(time.Hour)); len(days) != 1 {
		t.Fatalf("one day when every zone agrees, got %d", len(days))
	}
}
