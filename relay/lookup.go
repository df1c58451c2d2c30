package relay

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// cannotTell turns a client's *leadkit.CannotTellError into a review.
func cannotTell(err error, what string) (verdict, bool) {
	var ct *leadkit.CannotTellError
	if !errors.As(err, &ct) {
		return verdict{}, false
	}
	note := what + ": " + ct.Check
	if len(ct.Candidates) > 0 {
		note += " (candidates: " + strings.Join(ct.Candidates, ", ") + ")"
	}
	return verdict{f: undecidable, note: transport.Clip(note, 1500) + "; then MarkDelivered or Resend"}, true
}

func (j SalesmanLead) lookup(ctx context.Context, c *Clients, a *attempt) (verdict, error) {
	// Find takes a row with any of the lead's uids for the lead; the
	// caller's may be the person's (a customer id): only the relay's own
	// uid identifies this lead.
	// Likewise only the relay's marker (leadkit.Marker of the key): the
	// description may carry another lead's, copied with its text. Find
	// looks for the marker the description holds, so it is given the
	// lead's own alone (none: the person's leads are the candidates).
	lead := *j.Lead
	lead.UIDs, lead.Description = nil, ""
	if m, ok := ownMarker(j.Lead.Description, j.Key); ok {
		lead.Description = m
		if _, mt, _ := leadkit.FindMarker(m); j.Lead.UIDs[markerUID] == mt {
			lead.UIDs = map[string]string{markerUID: mt}
		}
	}
	l, err := c.Salesman.Leads.Find(ctx, &lead, a.inDoubt)
	if err == nil {
		id := strconv.Itoa(l.ID)
		return verdict{f: found, id: id, ref: id}, nil
	}
	if v, ok := cannotTell(err, "SalesMan cannot tell whether it holds this lead"); ok {
		return v, nil
	}
	if errors.Is(err, salesman.ErrNotFound) {
		return verdict{f: absent}, nil
	}
	return verdict{}, err
}

func (j ZenviaLead) lookup(ctx context.Context, c *Clients, a *attempt) (verdict, error) {
	// Only the relay's marker identifies the lead (see SalesmanLead.lookup):
	// FindLead looks for the marker the comments hold.
	lead := *j.Lead
	lead.Comments = ""
	if m, ok := ownMarker(j.Lead.Comments, j.Key); ok {
		lead.Comments = m
	}
	f, err := c.Zenvia.Prospects.FindLead(ctx, &lead, a.inDoubt)
	if err == nil {
		return verdict{f: found, id: f.Prospect.ID, ref: f.Ref()}, nil
	}
	if v, ok := cannotTell(err, "Zenvia cannot tell whether it holds this lead"); ok {
		return v, nil
	}
	if errors.Is(err, zenvia.ErrNotFound) {
		return verdict{f: absent}, nil
	}
	return verdict{}, err
}

func (j DatacakeProspect) lookup(_ context.Context, _ *Clients, a *attempt) (verdict, error) {
	if a.row.Step > 0 {
		return verdict{f: undecidable, note: "prospect " + a.row.VendorID + " was created; whether its files arrived is unknown (the contract lists no files): check the prospect in the ERP, then MarkDelivered, or Resend (which uploads the files again, not the prospect)"}, nil
	}
	return verdict{f: undecidable, note: "Datacake's contract has no prospect search: look for the prospect (document " + j.Prospect.Document + ") in the ERP, then MarkDelivered with its id, or Resend"}, nil
}

// zenSkew is how much earlier than the attempt a deal's creation time may
// read (clocks differ) and still count as created since the attempt.
const zenSkew = 2 * time.Minute

// lookup reads the archive of every day the lead can be filed under. The
// relay's own code (derived from the key) is this lead's alone: a deal
// with it is the lead. A caller's code may be the contact's: a deal with
// it is the lead only when it is the one deal with that code created since
// the attempt (a deal created before cannot be it) and no other delivery
// was sent with it. When no deal carries the code, the lead may
// still be there, filed under the code of a contact Zen merged it into:
// absent only when every deal created since the attempt carries the code
// of a lead the relay sent for another person (a deal without a code is
// no one's proof: it may be any lead sent without one).
func (j ZenLead) lookup(ctx context.Context, c *Clients, a *attempt) (verdict, error) {
	code := j.ident()
	own := code == zenCode(j.Key)
	since := a.inDoubt.Add(-zenSkew)
	settled := a.localTime(max(a.row.DoubtEndMS, a.row.InDoubtMS) + a.r.cfg.settle[VendorZen].Milliseconds())
	var mine, touched []zen.ArchivedLead
	newer := map[string]bool{}                    // codes of the other deals created since the attempt
	end := max(a.row.DoubtEndMS, a.row.InDoubtMS) // the request's last moment in flight, on both clocks
	for _, d := range zenDays(a.inDoubt, time.Now(), time.UnixMilli(end), a.localTime(end).Round(0)) {
		arc, err := a.zen.read(ctx, c.Zen, d, settled)
		if err != nil {
			return verdict{}, err
		}
		for _, l := range arc {
			switch got := strings.TrimSpace(l.IntegrationCode); {
			case code != "" && got == code && (own || !l.Created.Before(since)):
				// The relay's code is this lead's alone, whenever its deal
				// reads created; the caller's may be the contact's, and a
				// deal of the contact created before the attempt (another
				// channel's, an earlier lead) is not this lead's...
				mine = append(mine, l)
			case code != "" && got == code && changedSince(l, since):
				// ...unless it changed since: whether Zen merges a lead
				// into the contact's open deal is not documented.
				touched = append(touched, l)
			case !l.Created.Before(since):
				newer[got] = true
			}
		}
	}
	if len(touched) > 0 {
		return verdict{f: undecidable, note: "integration code " + code + " (the caller's, which Zen treats as the contact's) is on " +
			strconv.Itoa(len(touched)) + " deal(s) created before the attempt and changed since, and on " + strconv.Itoa(len(mine)) +
			" created since: Zen may have merged this lead into one of them. Check the contact's deals; then MarkDelivered or Resend"}, nil
	}
	if len(mine) > 0 {
		return j.judgeMine(ctx, a, code, mine)
	}
	codes := slices.Sorted(maps.Keys(newer))
	unexplained, err := j.unexplained(ctx, a, codes)
	if err != nil {
		return verdict{}, err
	}
	if len(unexplained) > 0 {
		return verdict{f: undecidable, note: transport.Clip("no deal carries integration code "+code+", but deals created since the attempt carry codes that may be this person's contact (Zen files a lead merged into an existing contact under the contact's code): "+
			strings.Join(unexplained, ", ")+". Check whether one of them is this lead", 1500) + "; then MarkDelivered or Resend"}, nil
	}
	return verdict{f: absent}, nil
}

// changedSince reports a deal whose status, stage or classification was
// set at or after since.
func changedSince(l zen.ArchivedLead, since time.Time) bool {
	return !l.StatusAt.Before(since) || !l.StageAt.Before(since) || !l.ClassifiedAt.Before(since)
}

// judgeMine decides on the deals that carry the lead's code.
func (j ZenLead) judgeMine(ctx context.Context, a *attempt, code string, mine []zen.ArchivedLead) (verdict, error) {
	if code == zenCode(j.Key) {
		return verdict{f: found, id: code, ref: code}, nil
	}
	others, err := a.r.dial.byIdent(ctx, VendorZen, j.Key, []string{code})
	if err != nil {
		return verdict{}, err
	}
	if len(mine) == 1 && len(others[code]) == 0 {
		return verdict{f: found, id: code}, nil
	}
	return verdict{f: undecidable, note: "integration code " + code + " (the caller's, which Zen treats as the contact's) is on " +
		strconv.Itoa(len(mine)) + " deal(s) and was sent with " + strconv.Itoa(len(others[code])) + " other lead(s): check which deal is this lead; then MarkDelivered or Resend"}, nil
}

// unexplained returns the codes that could be this person's contact: codes
// the relay never sent (another channel's), codes it sent for a lead of
// the same e-mail or phone, and no code at all: a deal without one may be
// any lead sent without one (this one, when it has none), and no other
// delivery sent without a code explains it.
func (j ZenLead) unexplained(ctx context.Context, a *attempt, codes []string) ([]string, error) {
	var out, sent []string
	for _, code := range codes {
		if code == "" {
			out = append(out, `"" (no integration code)`)
		} else {
			sent = append(sent, code)
		}
	}
	sentWith, err := a.r.dial.byIdent(ctx, VendorZen, j.Key, sent)
	if err != nil {
		return nil, err
	}
	for _, code := range sent {
		jobs := sentWith[code]
		if len(jobs) == 0 {
			out = append(out, code)
			continue
		}
		for _, body := range jobs {
			var other ZenLead
			if json.Unmarshal([]byte(body), &other) != nil || other.Lead == nil || samePerson(j.Lead, other.Lead) {
				out = append(out, code)
				break
			}
		}
	}
	return out, nil
}

// samePerson reports two Zen leads of one e-mail or phone.
func samePerson(x, y *zen.LeadEntry) bool {
	return transport.SameEmail(x.Email, y.Email) || transport.SamePhone(x.Phone, y.Phone)
}

// saoPaulo is Zen's zone (Brazil has kept UTC-3 all year since 2019).
var saoPaulo = func() *time.Location {
	if l, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return l
	}
	return time.FixedZone("BRT", -3*60*60)
}()

// zenDays returns the distinct dates the archive may file the lead under,
// each as a time whose Format gives it: in São Paulo, those of the attempt
// and of now, each with zenSkew either side (Zen's clock may differ from
// ours, so an attempt near midnight can be filed under the day before or
// after), and of the times in more (when the attempt's request could last
// be in flight); and, in the process's own zone, those of the attempt and
// of now.
func zenDays(inDoubt, now time.Time, more ...time.Time) []time.Time {
	var out []time.Time
	seen := map[string]bool{}
	add := func(t time.Time) {
		if k := t.Format(time.DateOnly); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	for _, t := range append([]time.Time{inDoubt, now}, more...) {
		sp := t.In(saoPaulo)
		add(sp.Add(-zenSkew))
		add(sp)
		add(sp.Add(zenSkew))
	}
	add(inDoubt)
	add(now)
	return out
}

// zenArchives keeps the day archives this process read, so that one read
// (one of Zen's 5-minute windows) answers every lookup whose attempt had
// settled before the read began: many leads in doubt cost one archive call
// per day, not one each. A read older than an attempt's settle point is
// never used for it: absence must be proved by a read made after.
type zenArchives struct {
	mu   sync.Mutex
	days map[string]zenArchive
}

type zenArchive struct {
	at    time.Time // when the read began
	leads []zen.ArchivedLead
}

// read returns the archive of day, read at notBefore or later.
func (z *zenArchives) read(ctx context.Context, c *zen.Client, day time.Time, notBefore time.Time) ([]zen.ArchivedLead, error) {
	key := day.Format(time.DateOnly)
	z.mu.Lock()
	a, ok := z.days[key]
	z.mu.Unlock()
	if ok && !a.at.Before(notBefore) {
		return a.leads, nil
	}
	at := time.Now()
	arc, err := c.Leads.Archive(ctx, day)
	if err != nil {
		return nil, err
	}
	a = zenArchive{at: at, leads: arc.Leads}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.days == nil {
		z.days = map[string]zenArchive{}
	}
	if old, ok := z.days[key]; !ok || old.at.Before(at) {
		z.days[key] = a
	}
	for k, v := range z.days { // keep the last few days only
		if time.Since(v.at) > 48*time.Hour {
			delete(z.days, k)
		}
	}
	return a.leads, nil
}
