package relay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

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
	// prepare validates the job as the vendor's client will, fills the
	// key, and puts in the lead what identifies it (the marker).
	prepare(cfg *config) (Job, error)
	// ident is what a lookup matches the vendor's records on, stored with
	// the delivery ("" when none).
	ident() string
	send(ctx context.Context, c *Clients, a *attempt) (sent, error)
	lookup(ctx context.Context, c *Clients, a *attempt) (verdict, error)
	// check says what an operator looks for at the vendor.
	check() string
}

// sent is what a create answered: the vendor's id, and the record only
// this delivery holds ("" when the answer does not say).
type sent struct{ id, ref string }

// finding is what a reconciliation lookup proved.
type finding int

const (
	found       finding = iota // the vendor holds this lead
	absent                     // nothing the vendor holds could be it
	undecidable                // something could be it, nothing proves it: needs review
)

// verdict is a lookup's answer: for found, the vendor's id and record; for
// undecidable, what to check.
type verdict struct {
	f             finding
	id, ref, note string
}

// markerUID is the name of the uid the relay gives a SalesMan lead.
const markerUID = "leadkit"

// withMarker appends marker to text, unless text carries it already (the
// caller put it there). Another marker in text (one copied from another
// lead's text) is not this lead's: marker is appended after it.
func withMarker(text, marker string) string {
	if strings.Contains(text, marker) {
		return text
	}
	if text == "" {
		return marker
	}
	return text + " " + marker
}

// ownMarker returns the marker of key's lead when text carries it. Only it
// identifies the lead: another marker in the text may be another lead's
// (copied with its text), and a lookup by it would find that lead.
func ownMarker(text, key string) (string, bool) {
	m := leadkit.Marker(key)
	return m, strings.Contains(text, m)
}

// SalesmanLead delivers a lead with salesman's Leads.Create (запрос "add").
// The relay appends the lead's marker (leadkit.Marker of the key) to its
// Description, and on V2/V3 gives it as the uid "leadkit", so that a lookup
// finds this lead and no other lead of the same person (WithoutMarker turns
// that off). Reconciled with Leads.Find: by the marker (V3 searches it; V2
// lists every lead since the day before the attempt; V1 lists its newest
// 200, proof only when they reach back that far).
type SalesmanLead struct {
	Key  string            `json:"key" river:"unique"`
	Lead *salesman.NewLead `json:"lead"`
}

// Kind implements river.JobArgs.
func (SalesmanLead) Kind() string { return "leadkit_salesman_lead" }

// IdempotencyKey implements Job.
func (j SalesmanLead) IdempotencyKey() string { return j.Key }

func (SalesmanLead) vendor() Vendor { return VendorSalesman }
func (SalesmanLead) ident() string  { return "" }

func (j SalesmanLead) prepare(cfg *config) (Job, error) {
	if j.Lead == nil {
		return nil, leadkit.Invalid("Lead", "must not be nil")
	}
	l := *j.Lead
	l.UIDs = maps.Clone(l.UIDs)
	var err error
	if j.Key, err = keyOf(j.Key, VendorSalesman, SalesmanLead{Lead: &l}); err != nil {
		return nil, err
	}
	if cfg.marker {
		marker := leadkit.Marker(j.Key)
		l.Description = withMarker(l.Description, marker)
		_, token, _ := leadkit.FindMarker(marker)
		if l.UIDs == nil {
			l.UIDs = map[string]string{}
		}
		l.UIDs[markerUID] = token
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	j.Lead = &l
	return j, nil
}

func (j SalesmanLead) send(ctx context.Context, c *Clients, _ *attempt) (sent, error) {
	res, err := c.Salesman.Leads.Create(ctx, j.Lead)
	if err != nil {
		return sent{}, err
	}
	id := strconv.Itoa(res.ID)
	return sent{id, id}, nil
}

func (j SalesmanLead) check() string {
	if m, ok := ownMarker(j.Lead.Description, j.Key); ok {
		return "Look in SalesMan for the lead whose description carries " + m
	}
	return "Look in SalesMan for this lead among the leads of its e-mail or phone (see the job)"
}

// ZenLead delivers a lead entry with zen's Leads.Send (action Inserir; the
// only create). When IntegrationCode is empty the relay sets one derived
// from the key ("lk" and 22 hex digits; not with WithoutMarker). An archive
// read spends Zen's 5-minute window (share it between replicas with
// ZenLimiter); one read answers every lookup of that day whose attempt had
// settled before it. A lead Zen has not distributed yet is not in the
// archive: the settle time (WithSettle, 10 minutes by default) comes first.
//
// Zen files a deal under its contact's integration code, so a lead merged
// into a contact Zen already had carries that contact's code: the lookup
// finds the lead by its code, proves it absent only when no deal created
// since the attempt could be it (each such deal carries the code of a lead
// the relay sent for another person), and otherwise parks it for review.
type ZenLead struct {
	Key  string         `json:"key" river:"unique"`
	Lead *zen.LeadEntry `json:"lead"`
}

// Kind implements river.JobArgs.
func (ZenLead) Kind() string { return "leadkit_zen_lead" }

// IdempotencyKey implements Job.
func (j ZenLead) IdempotencyKey() string { return j.Key }

func (ZenLead) vendor() Vendor  { return VendorZen }
func (j ZenLead) ident() string { return strings.TrimSpace(j.Lead.IntegrationCode) }

// zenCode is the integration code the relay gives a Zen lead of key.
func zenCode(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "lk" + hex.EncodeToString(sum[:11])
}

func (j ZenLead) prepare(cfg *config) (Job, error) {
	if j.Lead == nil {
		return nil, leadkit.Invalid("Lead", "must not be nil")
	}
	l := *j.Lead
	l.Extra = maps.Clone(l.Extra)
	if l.Action == "" {
		l.Action = zen.ActionInsert
	}
	if l.Action != zen.ActionInsert {
		return nil, leadkit.Invalid("acao", "the relay delivers creates (Inserir), got %q", string(l.Action))
	}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	j.Lead = &l
	var err error
	if j.Key, err = keyOf(j.Key, VendorZen, j); err != nil {
		return nil, err
	}
	if strings.TrimSpace(l.IntegrationCode) == "" && cfg.marker {
		l.IntegrationCode = zenCode(j.Key)
	}
	return j, nil
}

func (j ZenLead) send(ctx context.Context, c *Clients, _ *attempt) (sent, error) {
	if err := c.Zen.Leads.Send(ctx, j.Lead); err != nil {
		return sent{}, err
	}
	code := j.ident()
	if code != "" && code == zenCode(j.Key) {
		return sent{code, code}, nil // the relay's code: this lead's alone
	}
	return sent{code, ""}, nil // the caller's code may be the contact's
}

func (j ZenLead) check() string {
	if code := j.ident(); code != "" {
		return "Look in Zen for the deal with integration code " + code + ", or a new deal of this contact"
	}
	return "Look in Zen for a new deal of this contact"
}

// ZenviaLead delivers a lead with zenvia's Leads.Create for Industry;
// Zenvia merges it into the prospect of its phone or e-mail (the person's).
// The relay appends the lead's marker (leadkit.Marker of the key) to its
// Comments, which Zenvia keeps per lead (WithoutMarker turns that off), and
// reconciles with Prospects.FindLead: this lead is the person's lead whose
// comments carry the marker. The delivery's VendorID is the prospect's id;
// its VendorRef is the lead's own ("<prospect id>/<created>"): two leads of
// one person share the prospect.
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
func (ZenviaLead) ident() string  { return "" }

func (j ZenviaLead) prepare(cfg *config) (Job, error) {
	if j.Lead == nil {
		return nil, leadkit.Invalid("Lead", "must not be nil")
	}
	l := *j.Lead
	l.Phones, l.Emails = slices.Clone(l.Phones), slices.Clone(l.Emails)
	var err error
	if j.Key, err = keyOf(j.Key, VendorZenvia, ZenviaLead{Industry: j.Industry, Lead: &l}); err != nil {
		return nil, err
	}
	if cfg.marker {
		l.Comments = withMarker(l.Comments, leadkit.Marker(j.Key))
	}
	if err := l.Validate(j.Industry); err != nil {
		return nil, err
	}
	j.Lead = &l
	return j, nil
}

func (j ZenviaLead) send(ctx context.Context, c *Clients, _ *attempt) (sent, error) {
	res, err := c.Zenvia.Leads.Create(ctx, j.Industry, j.Lead)
	if err != nil {
		return sent{}, err
	}
	p := res.Prospect
	if p == nil {
		return sent{res.ID, ""}, nil // queued (202): the prospect comes by webhook
	}
	if m, ok := ownMarker(j.Lead.Comments, j.Key); ok {
		for _, l := range p.Leads {
			if strings.Contains(l.Comments, m) {
				return sent{p.ID, zenvia.LeadRef(p.ID, l.Created)}, nil
			}
		}
	}
	return sent{p.ID, ""}, nil
}

func (j ZenviaLead) check() string {
	if m, ok := ownMarker(j.Lead.Comments, j.Key); ok {
		return "Look in Zenvia, in the prospect of this lead's phone or e-mail, for the lead whose comments carry " + m
	}
	return "Look in Zenvia, in the prospect of this lead's phone or e-mail, for a lead created since the attempt"
}

// DatacakeProspect creates a prospect with datacake's Prospects.Create and
// then uploads Files to it with Prospects.UploadFiles. Datacake's contract
// has no prospect search, so an attempt whose outcome is unknown cannot be
// reconciled: the job is parked for review (with the prospect id when the
// create succeeded and only the upload is in doubt), never resent blindly;
// a Resend of a delivery whose prospect was created uploads the files only.
// Files given by Reader are read when the job is enqueued, through the
// file cap (WithMaxFileBytes).
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
func (DatacakeProspect) ident() string  { return "" }

func (j DatacakeProspect) prepare(cfg *config) (Job, error) {
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
		if f.Data == nil && f.Reader != nil {
			// Read through the cap: a larger file is refused, not read whole.
			b, err := io.ReadAll(io.LimitReader(f.Reader, cfg.maxFile+1))
			if err != nil {
				return nil, fmt.Errorf("relay: read arquivos[%d] (%s): %w", i, f.Name, err)
			}
			if int64(len(b)) > cfg.maxFile {
				return nil, leadkit.Invalid(fmt.Sprintf("arquivos[%d]", i), "file %q is larger than the cap of %d bytes (WithMaxFileBytes); it was read no further", f.Name, cfg.maxFile)
			}
			f.Data = b
		}
		f.Reader = nil
		files[i] = f
	}
	if len(files) > 0 {
		if err := datacake.ValidateFiles(files, cfg.maxFile); err != nil {
			return nil, err
		}
	}
	j.Files = files
	var err error
	j.Key, err = keyOf(j.Key, VendorDatacake, j)
	return j, err
}

// send creates the prospect, then uploads the files; a delivery whose
// prospect was created (step 1) uploads the files only.
func (j DatacakeProspect) send(ctx context.Context, c *Clients, a *attempt) (sent, error) {
	id := a.row.VendorID
	if a.row.Step == 0 {
		if len(j.Files) > 0 {
			// The files pass the client's own checks (its cap may be below
			// the relay's) before the prospect they belong to is created:
			// a file refused after the create would leave half a delivery.
			if err := datacake.ValidateFiles(j.Files, c.Datacake.MaxFileBytes()); err != nil {
				return sent{}, err
			}
		}
		st, err := c.Datacake.Prospects.Create(ctx, j.Prospect)
		if err != nil {
			return sent{}, err
		}
		id = st.ProspectID
		if len(j.Files) == 0 {
			return sent{id, id}, nil
		}
		if id == "" {
			return sent{}, errNoProspectID
		}
		if err := a.progress(id, id); err != nil {
			return sent{}, err
		}
	}
	if _, err := c.Datacake.Prospects.UploadFiles(ctx, id, j.Files...); err != nil {
		return sent{}, err
	}
	return sent{id, id}, nil
}

var errNoProspectID = errors.New("datacake answered the create without id_prospecto: the files cannot be uploaded")

func (j DatacakeProspect) check() string {
	return "Look in the ERP for the prospect with document " + j.Prospect.Document
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
