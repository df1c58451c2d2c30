package relay

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
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

// Every job kind survives the relay's own copy (the JSON kept in the
// delivery row, from which Resend re-enqueues after River's retention).
func TestJobsRoundTrip(t *testing.T) {
	jobs := []Job{
		SalesmanLead{Key: "s", Lead: &salesman.NewLead{Title: "Иван", Email: "i@example.ru", UTMSource: "ya"}},
		ZenLead{Lead: &zen.LeadEntry{Name: "Ana", Phone: "+5511999990000", Extra: map[string]string{"campo": "x"}}},
		ZenviaLead{Industry: zenvia.IndustryRetail, Lead: &zenvia.Lead{UTMSource: "site", Emails: []string{"a@example.com"}, Priority: 2}},
		DatacakeProspect{Prospect: &datacake.Prospect{Name: "Maria", PersonType: datacake.PersonNatural, Document: "52998224725"},
			Files: []datacake.File{{Name: "a.pdf", Data: []byte("%PDF-1.4\n%%EOF\n")}}},
	}
	for _, j := range jobs {
		cfg := defaults()
		p, err := j.prepare(&cfg)
		if err != nil {
			t.Fatalf("%s: %v", j.Kind(), err)
		}
		body, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeJob(p.vendor(), string(body))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, back) {
			t.Errorf("%s changed on its way through JSON:\n%#v\n%#v", p.Kind(), p, back)
		}
		if p.IdempotencyKey() == "" {
			t.Errorf("%s has no key", p.Kind())
		}
	}
	if _, err := decodeJob("other", "{}"); err == nil {
		t.Error("an unknown vendor decoded")
	}
}

// TestZenDaysAroundMidnight: an attempt near midnight in São Paulo can be
// filed by Zen, whose clock differs from ours by up to zenSkew, under the
// day before or the day after: the lookup reads both (red before: only
// the attempt's own day, so a lead filed on the other was proved absent
// and sent twice).
func TestZenDaysAroundMidnight(t *testing.T) {
	days := func(inDoubt, now time.Time, more ...time.Time) []string {
		var got []string
		for _, d := range zenDays(inDoubt, now, more...) {
			got = append(got, d.In(saoPaulo).Format(time.DateOnly))
		}
		return got
	}
	late := time.Date(2026, 11, 24, 23, 59, 30, 0, saoPaulo)
	if got := days(late, late.Add(10*time.Second)); !slices.Contains(got, "2026-11-25") {
		t.Errorf("an attempt at 23:59:30 reads %v, not the next day", got)
	}
	early := time.Date(2026, 11, 25, 0, 0, 30, 0, saoPaulo)
	if got := days(early, early.Add(10*time.Second)); !slices.Contains(got, "2026-11-24") {
		t.Errorf("an attempt at 00:00:30 reads %v, not the day before", got)
	}
	// A request in flight across midnight (its answer came at 00:01).
	if got := days(late.Add(-3*time.Minute), late.Add(-2*time.Minute), early.Add(30*time.Second)); !slices.Contains(got, "2026-11-25") {
		t.Errorf("an attempt whose request was in flight until 00:01 reads %v, not its day", got)
	}
	mid := time.Date(2026, 11, 25, 12, 0, 0, 0, saoPaulo)
	if got := days(mid, mid.Add(time.Hour)); len(got) != 1 {
		t.Errorf("an attempt at noon reads %v, want its day only", got)
	}
}

// TestDoubtBeganOnTheEarlierClock: the database's clock runs 10 minutes
// ahead of this process's (or behind it): a lookup window starts at the
// earlier of the two readings of the attempt's start, so a vendor whose
// clock agrees with either still has the lead inside it (red before: the
// database's reading was taken alone, 10 minutes late by this process's
// clock, and a Zen deal or a Zenvia lead created meanwhile fell before the
// window).
func TestDoubtBeganOnTheEarlierClock(t *testing.T) {
	for _, skew := range []time.Duration{10 * time.Minute, -10 * time.Minute} {
		local := time.Now()
		dbNow := local.Add(skew).UnixMilli()
		a := &attempt{row: &row{InDoubtMS: dbNow - 1000}, dbNow: dbNow, local: local}
		got := a.doubtBegan()
		want := local.Add(-time.Second) // this process's reading
		if skew < 0 {
			want = time.UnixMilli(dbNow - 1000) // the database's
		}
		if d := got.Sub(want); d < -5*time.Millisecond || d > 5*time.Millisecond {
			t.Errorf("database clock %v ahead: the attempt began at %v, want %v", skew, got, want)
		}
	}
}
