package relay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// Vendor names the vendor a job is delivered to.
type Vendor string

// The vendors the relay delivers to (WeClever has no create to relay).
const (
	VendorSalesman Vendor = "salesman"
	VendorZen      Vendor = "zen"
	VendorZenvia   Vendor = "zenvia"
	VendorDatacake Vendor = "datacake"
)

// Clients are the vendor clients a delivering process uses; jobs of a
// vendor whose client is nil are left to other processes.
type Clients struct {
	Salesman *salesman.Client
	Zen      *zen.Client
	Zenvia   *zenvia.Client
	Datacake *datacake.Client
}

// Job is a lead to deliver: SalesmanLead, ZenLead, ZenviaLead or
// DatacakeProspect. Each carries the vendor package's own input type and an
// idempotency key.
type Job interface {
	river.JobArgs
	// IdempotencyKey is the job's key: the caller's, or, when empty, one
	// derived from the vendor and the content when it is enqueued.
	IdempotencyKey() string

	vendor() Vendor
	prepare() (Job, error) // validates, fills the key and what reconciliation needs
	send(ctx context.Context, c *Clients, a *attempt) (vendorID string, err error)
	lookup(ctx context.Context, c *Clients, a *attempt) (vendorID string, f finding, note string, err error)
}

// finding is what a reconciliation lookup proved.
type finding int

const (
	found       finding = iota // the vendor holds the lead
	absent                     // the vendor proved it does not
	undecidable                // the vendor cannot tell: needs review
)

// attempt is what a job's send and lookup see of the delivery.
type attempt struct {
	row      *row
	inDoubt  time.Time          // when the attempt in doubt began
	settled  time.Time          // inDoubt plus the vendor's settle time: evidence must be newer
	zen      *zenArchives       // the process's Zen archive reads
	progress func(string) error // records a finished step (datacake) and marks the next in doubt
}

// SalesmanLead delivers a lead with salesman's Leads.Create (запрос "add").
// Reconciled with Leads.Find: by e-mail or phone since the day of the
// attempt in doubt (so the lead needs one of the two). A V1 server lists
// only its newest 200 leads, so there an absence is not proof: the job is
// parked for review instead of being resent.
type SalesmanLead struct {
	Key  string            `json:"key" river:"unique"`
	Lead *salesman.NewLead `json:"lead"`
}

// Kind implements river.JobArgs.
func (SalesmanLead) Kind() string { return "leadkit_salesman_lead" }

// IdempotencyKey implements Job.
func (j SalesmanLead) IdempotencyKey() string { return j.Key }

func (SalesmanLead) vendor() Vendor { return VendorSalesman }

func (j SalesmanLead) prepare() (Job, error) {
	if j.Lead == nil {
		return nil, leadkit.Invalid("Lead", "must not be nil")
	}
	if strings.TrimSpace(j.Lead.Title) == "" {
		return nil, leadkit.Invalid("Lead.Title", "is required")
	}
	if strings.TrimSpace(j.Lead.Email) == "" && strings.TrimSpace(j.Lead.Phone) == "" {
		return nil, leadkit.Invalid("Lead.Email", "the relay needs an e-mail or a phone to reconcile the lead")
	}
	l := *j.Lead
	j.Lead = &l
	var err error
	j.Key, err = keyOf(j.Key, VendorSalesman, j)
	return j, err
}

func (j SalesmanLead) send(ctx context.Context, c *Clients, _ *attempt) (string, error) {
	res, err := c.Salesman.Leads.Create(ctx, j.Lead)
	if err != nil {
		return "", err
	}
	return strconv.Itoa(res.ID), nil
}

func (j SalesmanLead) lookup(ctx context.Context, c *Clients, a *attempt) (string, finding, string, error) {
	l, err := c.Salesman.Leads.Find(ctx, j.Lead, a.inDoubt)
	switch {
	case err == nil:
		return strconv.Itoa(l.ID), found, "found by Leads.Find", nil
	case errors.Is(err, salesman.ErrNotFound) && c.Salesman.APIVersion() == salesman.V1:
		return "", undecidable, "not among the newest leads a V1 server lists (200): it may be older; look it up by e-mail/phone in the CRM", nil
	case errors.Is(err, salesman.ErrNotFound):
		return "", absent, "", nil
	}
	return "", 0, "", err
}

// ZenLead delivers a lead entry with zen's Leads.Send (action Inserir; the
// only create). When IntegrationCode is empty the relay sets one derived
// from the key ("lk" and 22 hex digits), so that the lead can be looked up
// by it in the day's archive ("Arquivo de Lead", as Leads.Find does). An
// archive read spends Zen's 5-minute window (share it between replicas with
// ZenLimiter); one read answers every lookup of that day whose attempt had
// settled before it. A lead Zen has not distributed yet is not in the
// archive: the settle time (WithSettle, 10 minutes by default) comes first.
type ZenLead struct {
	Key  string         `json:"key" river:"unique"`
	Lead *zen.LeadEntry `json:"lead"`
}

// Kind implements river.JobArgs.
func (ZenLead) Kind() string { return "leadkit_zen_lead" }

// IdempotencyKey implements Job.
func (j ZenLead) IdempotencyKey() string { return j.Key }

func (ZenLead) vendor() Vendor { return VendorZen }

func (j ZenLead) prepare() (Job, error) {
	if j.Lead == nil {
		return nil, leadkit.Invalid("Lead", "must not be nil")
	}
	l := *j.Lead
	if l.Action == "" {
		l.Action = zen.ActionInsert
	}
	if l.Action != zen.ActionInsert {
		return nil, leadkit.Invalid("Lead.Action", "the relay delivers creates (Inserir), got %q", string(l.Action))
	}
	if _, err := l.Form(); err != nil {
		return nil, err
	}
	j.Lead = &l
	var err error
	if j.Key, err = keyOf(j.Key, VendorZen, j); err != nil {
		return nil, err
	}
	if strings.TrimSpace(l.IntegrationCode) == "" {
		sum := sha256.Sum256([]byte(j.Key))
		l.IntegrationCode = "lk" + hex.EncodeToString(sum[:11])
	}
	return j, nil
}

func (j ZenLead) send(ctx context.Context, c *Clients, _ *attempt) (string, error) {
	if err := c.Zen.Leads.Send(ctx, j.Lead); err != nil {
		return "", err
	}
	return j.Lead.IntegrationCode, nil
}

func (j ZenLead) lookup(ctx context.Context, c *Clients, a *attempt) (string, finding, string, error) {
	code := strings.TrimSpace(j.Lead.IntegrationCode)
	// Zen's days are São Paulo's; the process may run in another zone, and
	// the lead may have crossed midnight: every day it can be filed under.
	for _, d := range zenDays(a.inDoubt, time.Now()) {
		ok, err := a.zen.has(ctx, c.Zen, d, code, a.settled)
		if err != nil {
			return "", 0, "", err
		}
		if ok {
			return code, found, "found in the archive of " + d.Format(time.DateOnly) + " by integration code", nil
		}
	}
	return "", absent, "", nil
}

// saoPaulo is Zen's zone (Brazil has kept UTC-3 all year since 2019).
var saoPaulo = func() *time.Location {
	if l, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return l
	}
	return time.FixedZone("BRT", -3*60*60)
}()

// zenDays returns the distinct dates of the attempt and of now, in São
// Paulo and in the process's own zone, each as a time whose Format gives it.
func zenDays(inDoubt, now time.Time) []time.Time {
	var out []time.Time
	seen := map[string]bool{}
	for _, t := range []time.Time{inDoubt.In(saoPaulo), inDoubt, now.In(saoPaulo), now} {
		if k := t.Format(time.DateOnly); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
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
	codes map[string]bool
}

func (z *zenArchives) has(ctx context.Context, c *zen.Client, day time.Time, code string, notBefore time.Time) (bool, error) {
	key := day.Format(time.DateOnly)
	z.mu.Lock()
	a, ok := z.days[key]
	z.mu.Unlock()
	if !ok || a.at.Before(notBefore) {
		at := time.Now()
		arc, err := c.Leads.Archive(ctx, day)
		if err != nil {
			return false, err
		}
		a = zenArchive{at: at, codes: make(map[string]bool, len(arc.Leads))}
		for _, l := range arc.Leads {
			a.codes[strings.TrimSpace(l.IntegrationCode)] = true
		}
		z.mu.Lock()
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
		z.mu.Unlock()
	}
	return a.codes[code], nil
}

// ZenviaLead delivers a lead with zenvia's Leads.Create for Industry;
// Zenvia merges it into a prospect by phone and e-mail. Reconciled with
// Prospects.Find: the lead arrived when a prospect with its phone or e-mail
// holds a lead created since the attempt in doubt began (two minutes of
// clock skew allowed).
type ZenviaLead struct {
	Key      string          `json:"key" river:"unique"`
	Industry zenvia.Industry `json:"industry"`
	Lead     *zenvia.Lead    `json:"lead"`
}

// Kind implements river.JobArgs.
func (ZenviaLead) Kind() string { return "leadkit_zenvia_lead" }

// IdempotencyKey implements Job.
func (j ZenviaLead) IdempotencyKey() string { return j.Key }

func (ZenviaLead) vendor() Vendor { return VendorZenvia }

func (j ZenviaLead) prepare() (Job, error) {
	if j.Lead == nil {
		return nil, leadkit.Invalid("Lead", "must not be nil")
	}
	if j.Industry == "" {
		return nil, leadkit.Invalid("Industry", "is required")
	}
	if strings.TrimSpace(j.Lead.UTMSource) == "" {
		return nil, leadkit.Invalid("Lead.UTMSource", "is required")
	}
	if len(j.Lead.Phones) == 0 && len(j.Lead.Emails) == 0 {
		return nil, leadkit.Invalid("Lead.Phones", "a lead needs a phone or an e-mail")
	}
	l := *j.Lead
	j.Lead = &l
	var err error
	j.Key, err = keyOf(j.Key, VendorZenvia, j)
	return j, err
}

func (j ZenviaLead) send(ctx context.Context, c *Clients, _ *attempt) (string, error) {
	res, err := c.Zenvia.Leads.Create(ctx, j.Industry, j.Lead)
	if err != nil {
		return "", err
	}
	if res.Prospect != nil {
		return res.Prospect.ID, nil
	}
	return res.ID, nil
}

// zenviaSkew is how much earlier than the attempt a lead's created time
// may read and still be taken for it.
const zenviaSkew = 2 * time.Minute

func (j ZenviaLead) lookup(ctx context.Context, c *Clients, a *attempt) (string, finding, string, error) {
	p, err := c.Zenvia.Prospects.Find(ctx, j.Lead)
	if errors.Is(err, zenvia.ErrNotFound) {
		return "", absent, "", nil
	}
	if err != nil {
		return "", 0, "", err
	}
	for _, l := range p.Leads {
		if !l.Created.Before(a.inDoubt.Add(-zenviaSkew)) {
			return p.ID, found, "prospect " + p.ID + " holds a lead created " + l.Created.UTC().Format(time.RFC3339), nil
		}
	}
	return "", absent, "", nil
}

// DatacakeProspect creates a prospect with datacake's Prospects.Create and
// then uploads Files to it with Prospects.UploadFiles. Datacake's contract
// has no prospect search, so an attempt whose outcome is unknown cannot be
// reconciled: the job is parked for review (with the prospect id when the
// create succeeded and only the upload is in doubt), never resent blindly.
// Files given by Reader are read when the job is enqueued.
type DatacakeProspect struct {
	Key      string             `json:"key" river:"unique"`
	Prospect *datacake.Prospect `json:"prospect"`
	Files    []datacake.File    `json:"files,omitempty"`
}

// Kind implements river.JobArgs.
func (DatacakeProspect) Kind() string { return "leadkit_datacake_prospect" }

// IdempotencyKey implements Job.
func (j DatacakeProspect) IdempotencyKey() string { return j.Key }

func (DatacakeProspect) vendor() Vendor { return VendorDatacake }

func (j DatacakeProspect) prepare() (Job, error) {
	if j.Prospect == nil {
		return nil, leadkit.Invalid("Prospect", "must not be nil")
	}
	if err := j.Prospect.Validate(true); err != nil {
		return nil, err
	}
	p := *j.Prospect
	j.Prospect = &p
	files := make([]datacake.File, len(j.Files))
	for i, f := range j.Files {
		if strings.TrimSpace(f.Name) == "" {
			return nil, leadkit.Invalid(fmt.Sprintf("Files[%d].Name", i), "is required")
		}
		if f.Data == nil && f.Reader != nil {
			b, err := io.ReadAll(f.Reader)
			if err != nil {
				return nil, fmt.Errorf("relay: read Files[%d] (%s): %w", i, f.Name, err)
			}
			f.Data = b
		}
		f.Reader = nil
		if len(f.Data) == 0 {
			return nil, leadkit.Invalid(fmt.Sprintf("Files[%d].Data", i), "is empty")
		}
		if _, err := datacake.SniffContentType(f.Data); err != nil {
			return nil, leadkit.Invalid(fmt.Sprintf("Files[%d].Data", i), "%v", err)
		}
		files[i] = f
	}
	j.Files = files
	var err error
	j.Key, err = keyOf(j.Key, VendorDatacake, j)
	return j, err
}

func (j DatacakeProspect) send(ctx context.Context, c *Clients, a *attempt) (string, error) {
	id := a.row.VendorID
	if a.row.Step == 0 {
		st, err := c.Datacake.Prospects.Create(ctx, j.Prospect)
		if err != nil {
			return "", err
		}
		id = st.ProspectID
		if len(j.Files) == 0 {
			return id, nil
		}
		if id == "" {
			return "", errNoProspectID
		}
		if err := a.progress(id); err != nil {
			return "", err
		}
	}
	if _, err := c.Datacake.Prospects.UploadFiles(ctx, id, j.Files...); err != nil {
		return "", err
	}
	return id, nil
}

var errNoProspectID = errors.New("datacake answered the create without id_prospecto: the files cannot be uploaded")

func (j DatacakeProspect) lookup(_ context.Context, _ *Clients, a *attempt) (string, finding, string, error) {
	if a.row.Step > 0 {
		return a.row.VendorID, undecidable, "prospect " + a.row.VendorID + " was created; whether its files arrived is unknown (the contract lists no files): check the prospect in the ERP, then MarkDelivered or Resend", nil
	}
	return "", undecidable, "Datacake's contract has no prospect search: look for the prospect (document " + j.Prospect.Document + ") in the ERP, then MarkDelivered with its id, or Resend", nil
}

// keyOf returns key, or one derived from the vendor and the job's content.
func keyOf(key string, v Vendor, content any) (string, error) {
	if key != "" {
		if len(key) > 200 {
			return "", leadkit.Invalid("Key", "must be at most 200 bytes")
		}
		return key, nil
	}
	b, err := json.Marshal(content)
	if err != nil {
		return "", fmt.Errorf("relay: encode the job: %w", err)
	}
	sum := sha256.Sum256(b)
	return string(v) + ":" + hex.EncodeToString(sum[:16]), nil
}
