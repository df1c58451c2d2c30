package zenvia

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/leadkit/leadkit/internal/jsonx"
)

// ProspectStatus is a prospect's status. Unknown values are kept as sent.
type ProspectStatus string

// The documented prospect statuses.
const (
	StatusUnclaimed  ProspectStatus = "unclaimed"
	StatusNew        ProspectStatus = "new"
	StatusFollowUp   ProspectStatus = "followUp"
	StatusProcessing ProspectStatus = "processing"
	StatusArchived   ProspectStatus = "archived"
)

// String returns the status as Zenvia spells it.
func (s ProspectStatus) String() string { return string(s) }

// Known reports whether s is one of the documented statuses.
func (s ProspectStatus) Known() bool {
	switch s {
	case StatusUnclaimed, StatusNew, StatusFollowUp, StatusProcessing, StatusArchived:
		return true
	}
	return false
}

// LeadType is the industry of a prospect's lead, spelt in camelCase
// (realEstate, savingPlan) unlike the intake URL. Unknown values are kept.
type LeadType string

// The documented lead types.
const (
	LeadRetail     LeadType = "retail"
	LeadInsurance  LeadType = "insurance"
	LeadRealEstate LeadType = "realEstate"
	LeadVehicle    LeadType = "vehicle"
	LeadSavingPlan LeadType = "savingPlan"
)

// String returns the type as Zenvia spells it.
func (t LeadType) String() string { return string(t) }

// Prospect is a contact of the sales module built from one or more leads
// ("Prospect"). ID is a 24-character hexadecimal string.
type Prospect struct {
	ID               string
	Created          time.Time
	Account          string
	AccountID        string
	Group            string
	GroupID          string
	InitialGroup     string
	InitialGroupID   string
	FirstName        string
	LastName         string
	Category         string
	Status           ProspectStatus
	NIN              []NIN
	Phones           []string
	Emails           []string
	Leads            []LeadData
	Agent            *Agent // nil while unassigned
	Assigned         time.Time
	Merged           bool
	UserMade         bool
	ArchivingReason  string
	NextReminder     time.Time
	FirstContactedAt time.Time
	// AbsenceMessage and SentWorkingHourMessage say whether the away and
	// the working-hours messages went out.
	AbsenceMessage         bool
	SentWorkingHourMessage bool
	// FacebookDueAt, InstagramDueAt and WhatsAppDueAt are when each
	// channel's answer window closes (zero: none).
	FacebookDueAt, InstagramDueAt, WhatsAppDueAt time.Time
	// AdditionalData is the prospect's free-form data, as sent.
	AdditionalData json.RawMessage
	// Interactions come with a prospect just created by a lead ("ProspectCreated").
	Interactions []Interaction
}

// Name returns the first and last name joined by a space ("" for nil).
func (p *Prospect) Name() string {
	switch {
	case p == nil:
		return ""
	case p.FirstName == "":
		return p.LastName
	case p.LastName == "":
		return p.FirstName
	}
	return p.FirstName + " " + p.LastName
}

// LeadData is one lead of a prospect ("LeadData").
type LeadData struct {
	Priority    float64
	Created     time.Time
	CreatedBy   string
	Source      string
	Comments    string
	UTMSource   string
	ProviderKey string
	Company     string
	Store       string
	Agent       string
	Type        LeadType
	Product     json.RawMessage // as sent; vehicle and real-estate leads
}

// Agent is a user who works prospects ("Agent").
type Agent struct {
	ID         string
	FirstName  string
	LastName   string
	Email      string
	Phone      string
	LegacyID   string
	ExternalID json.RawMessage // an object in Zenvia's spec, as sent
	AppFields  json.RawMessage // an object, as sent
}

// Name returns the first and last name joined by a space ("" for nil).
func (a *Agent) Name() string {
	switch {
	case a == nil:
		return ""
	case a.FirstName == "":
		return a.LastName
	case a.LastName == "":
		return a.FirstName
	}
	return a.FirstName + " " + a.LastName
}

// Interaction is a contact between an agent (or the bot) and a prospect
// ("Interaction"): a call, a message, a note.
type Interaction struct {
	ID         string
	AgentID    string
	Agent      *Agent
	Bot        bool
	ProspectID string
	CreatedAt  time.Time
	DueAt      time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	Status     string
	Proactive  bool
	Via        string
	// Type is "note" for a note, whose text is Content (Zenvia's
	// output.comment).
	Type    string
	Content string
	// Output is the interaction's result, as sent.
	Output json.RawMessage
}

// ---- wire shapes: decoded once, converted to the public types ----

// wireTime is a time sent as RFC 3339 (with or without milliseconds), as
// "YYYY-MM-DD HH:MM:SS", "" or null.
type wireTime time.Time

func (t *wireTime) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' {
		if string(b) == "null" {
			return nil
		}
		// epoch milliseconds, as some Zenvia answers carry
		ms, err := jsonx.ParseInt(b)
		if err != nil {
			return err
		}
		*t = wireTime(time.UnixMilli(ms).UTC())
		return nil
	}
	s := b[1 : len(b)-1]
	if len(s) == 0 {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, string(s)); err == nil {
		*t = wireTime(v)
		return nil
	}
	str, err := jsonx.ParseString(b)
	if err != nil {
		return err
	}
	v, err := jsonx.ParseTime(str, time.UTC)
	if err != nil {
		return err
	}
	*t = wireTime(v)
	return nil
}

// wireBool is a boolean sent as true/false, "true"/"false", 0/1 or null.
type wireBool bool

func (v *wireBool) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", `"true"`, "1", `"1"`:
		*v = true
	case "false", `"false"`, "0", `"0"`, "null", `""`:
		*v = false
	default:
		return fmt.Errorf("zenvia: %.40q is not a boolean", b)
	}
	return nil
}

type prospectWire struct {
	ID               string            `json:"id"`
	Created          wireTime          `json:"created"`
	Account          jsonx.String      `json:"account"`
	AccountID        string            `json:"accountId"`
	Group            jsonx.String      `json:"group"`
	GroupID          string            `json:"groupId"`
	InitialGroup     jsonx.String      `json:"initialGroup"`
	InitialGroupID   string            `json:"initialGroupId"`
	FirstName        string            `json:"firstName"`
	LastName         string            `json:"lastName"`
	Category         jsonx.String      `json:"category"`
	Status           ProspectStatus    `json:"status"`
	NIN              []NIN             `json:"nin"`
	Phones           []jsonx.String    `json:"phones"`
	Emails           []string          `json:"emails"`
	Leads            []leadDataWire    `json:"leads"`
	Agent            *agentWire        `json:"agent"`
	Assigned         wireTime          `json:"assigned"`
	Merged           wireBool          `json:"merged"`
	UserMade         wireBool          `json:"userMade"`
	ArchivingReason  jsonx.String      `json:"archivingReason"`
	NextReminder     wireTime          `json:"nextReminder"`
	FirstContactedAt wireTime          `json:"firstContactedAt"`
	AbsenceMessage   wireBool          `json:"absenceMessage"`
	SentWorkingHour  wireBool          `json:"sentWorkingHourMessage"`
	FacebookDueAt    wireTime          `json:"facebookDueAt"`
	InstagramDueAt   wireTime          `json:"instagramDueAt"`
	WhatsAppDueAt    wireTime          `json:"whatsAppDueAt"`
	AdditionalData   json.RawMessage   `json:"additionalData"`
	Interactions     []interactionWire `json:"interactions"`
}

func (w *prospectWire) prospect() Prospect {
	p := Prospect{
		ID:               w.ID,
		Created:          time.Time(w.Created),
		Account:          string(w.Account),
		AccountID:        w.AccountID,
		Group:            string(w.Group),
		GroupID:          w.GroupID,
		InitialGroup:     string(w.InitialGroup),
		InitialGroupID:   w.InitialGroupID,
		FirstName:        w.FirstName,
		LastName:         w.LastName,
		Category:         string(w.Category),
		Status:           w.Status,
		NIN:              w.NIN,
		Emails:           w.Emails,
		Assigned:         time.Time(w.Assigned),
		Merged:           bool(w.Merged),
		UserMade:         bool(w.UserMade),
		ArchivingReason:  string(w.ArchivingReason),
		NextReminder:     time.Time(w.NextReminder),
		FirstContactedAt: time.Time(w.FirstContactedAt),
		AdditionalData:   nullToNil(w.AdditionalData),
		AbsenceMessage:   bool(w.AbsenceMessage), SentWorkingHourMessage: bool(w.SentWorkingHour),
		FacebookDueAt: time.Time(w.FacebookDueAt), InstagramDueAt: time.Time(w.InstagramDueAt), WhatsAppDueAt: time.Time(w.WhatsAppDueAt),
	}
	if p.NIN == nil {
		p.NIN = []NIN{}
	}
	if p.Emails == nil {
		p.Emails = []string{}
	}
	p.Phones = make([]string, len(w.Phones))
	for i, ph := range w.Phones {
		p.Phones[i] = string(ph)
	}
	p.Leads = make([]LeadData, len(w.Leads))
	for i := range w.Leads {
		p.Leads[i] = w.Leads[i].leadData()
	}
	if w.Agent != nil && w.Agent.ID != "" {
		a := w.Agent.agent()
		p.Agent = &a
	}
	if w.Interactions != nil {
		p.Interactions = make([]Interaction, len(w.Interactions))
		for i := range w.Interactions {
			p.Interactions[i] = w.Interactions[i].interaction()
		}
	}
	return p
}

func nullToNil(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || string(r) == "null" {
		return nil
	}
	return r
}

type leadDataWire struct {
	Priority    jsonx.Float     `json:"priority"`
	Created     wireTime        `json:"created"`
	CreatedBy   jsonx.String    `json:"createdBy"`
	Source      jsonx.String    `json:"source"`
	Comments    jsonx.String    `json:"comments"`
	UTMSource   jsonx.String    `json:"utmSource"`
	ProviderKey jsonx.String    `json:"providerKey"`
	Company     jsonx.String    `json:"company"`
	Store       jsonx.String    `json:"store"`
	Agent       jsonx.String    `json:"agent"`
	Type        LeadType        `json:"type"`
	Product     json.RawMessage `json:"product"`
}

func (w *leadDataWire) leadData() LeadData {
	return LeadData{
		Priority:    float64(w.Priority),
		Created:     time.Time(w.Created),
		CreatedBy:   string(w.CreatedBy),
		Source:      string(w.Source),
		Comments:    string(w.Comments),
		UTMSource:   string(w.UTMSource),
		ProviderKey: string(w.ProviderKey),
		Company:     string(w.Company),
		Store:       string(w.Store),
		Agent:       string(w.Agent),
		Type:        w.Type,
		Product:     nullToNil(w.Product),
	}
}

type agentWire struct {
	ID         string          `json:"id"`
	FirstName  string          `json:"firstName"`
	LastName   string          `json:"lastName"`
	Email      string          `json:"email"`
	Phone      jsonx.String    `json:"phone"`
	LegacyID   jsonx.String    `json:"legacyId"`
	ExternalID json.RawMessage `json:"externalId"`
	AppFields  json.RawMessage `json:"appFields"`
}

func (w *agentWire) agent() Agent {
	return Agent{
		ID: w.ID, FirstName: w.FirstName, LastName: w.LastName, Email: w.Email,
		Phone: string(w.Phone), LegacyID: string(w.LegacyID), ExternalID: nullToNil(w.ExternalID),
		AppFields: nullToNil(w.AppFields),
	}
}

type interactionWire struct {
	ID         string          `json:"id"`
	AgentID    string          `json:"agentId"`
	Agent      *agentWire      `json:"agent"`
	Bot        wireBool        `json:"bot"`
	ProspectID string          `json:"prospectId"`
	CreatedAt  wireTime        `json:"createdAt"`
	DueAt      wireTime        `json:"dueAt"`
	StartedAt  wireTime        `json:"startedAt"`
	FinishedAt wireTime        `json:"finishedAt"`
	Status     jsonx.String    `json:"status"`
	Proactive  wireBool        `json:"proactive"`
	Via        jsonx.String    `json:"via"`
	Type       string          `json:"type"`
	Content    string          `json:"content"`
	Output     json.RawMessage `json:"output"`
}

func (w *interactionWire) interaction() Interaction {
	in := Interaction{
		ID: w.ID, AgentID: w.AgentID, Bot: bool(w.Bot), ProspectID: w.ProspectID,
		CreatedAt: time.Time(w.CreatedAt), DueAt: time.Time(w.DueAt),
		StartedAt: time.Time(w.StartedAt), FinishedAt: time.Time(w.FinishedAt),
		Status: string(w.Status), Proactive: bool(w.Proactive), Via: string(w.Via),
		Type: w.Type, Content: w.Content, Output: nullToNil(w.Output),
	}
	// A note's text is output.comment (the live API); "content" is the
	// older spelling.
	var out struct {
		Comment jsonx.String `json:"comment"`
	}
	if len(w.Output) > 0 && w.Output[0] == '{' && json.Unmarshal(w.Output, &out) == nil && out.Comment != "" {
		in.Content = string(out.Comment)
		if in.Type == "" {
			in.Type = "note"
		}
	}
	if w.Agent != nil && w.Agent.ID != "" {
		a := w.Agent.agent()
		in.Agent = &a
	}
	return in
}
