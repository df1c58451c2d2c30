package salesman

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/leadkit/leadkit/internal/jsonx"
)

// Status is the processing status of a lead (field "status").
type Status int

// The lead statuses SalesMan knows. Other values are kept as they come.
const (
	StatusOpen      Status = 0 // Открыт
	StatusInWork    Status = 1 // В работе
	StatusProcessed Status = 2 // Обработан
	StatusClosed    Status = 3 // Закрыт
)

// String returns the status in English ("open", "in work", "processed",
// "closed"), or "Status(N)" for a value SalesMan did not document.
func (s Status) String() string {
	switch s {
	case StatusOpen:
		return "open"
	case StatusInWork:
		return "in work"
	case StatusProcessed:
		return "processed"
	case StatusClosed:
		return "closed"
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Russian returns the label the CRM shows ("Открыт", "В работе", "Обработан",
// "Закрыт"), or String() for an undocumented value.
func (s Status) Russian() string {
	switch s {
	case StatusOpen:
		return "Открыт"
	case StatusInWork:
		return "В работе"
	case StatusProcessed:
		return "Обработан"
	case StatusClosed:
		return "Закрыт"
	}
	return s.String()
}

// Result is the outcome of processing a lead (field "rezult").
type Result int

// The lead results SalesMan knows. Other values are kept as they come.
const (
	ResultNone      Result = 0 // not processed yet
	ResultSpam      Result = 1 // Спам
	ResultDuplicate Result = 2 // Дубль
	ResultOther     Result = 3 // Другое
	ResultNotTarget Result = 4 // Не целевой
)

// String returns the result in English ("none", "spam", "duplicate",
// "other", "not target"), or "Result(N)" for an undocumented value.
func (r Result) String() string {
	switch r {
	case ResultNone:
		return "none"
	case ResultSpam:
		return "spam"
	case ResultDuplicate:
		return "duplicate"
	case ResultOther:
		return "other"
	case ResultNotTarget:
		return "not target"
	}
	return "Result(" + strconv.Itoa(int(r)) + ")"
}

// Russian returns the label the CRM shows ("Спам", "Дубль", "Другое",
// "Не целевой"; "" for ResultNone), or String() for an undocumented value.
func (r Result) Russian() string {
	switch r {
	case ResultNone:
		return ""
	case ResultSpam:
		return "Спам"
	case ResultDuplicate:
		return "Дубль"
	case ResultOther:
		return "Другое"
	case ResultNotTarget:
		return "Не целевой"
	}
	return r.String()
}

// Lead is a lead ("заявка") as list and info return it. Numbers the server
// sends as strings are numbers here, null is "" or 0, and the dates are read
// in the client's time zone (WithTimeZone).
type Lead struct {
	ID        int       // id
	Created   time.Time // datum: when the lead came in
	Processed time.Time // datum_do: when it was processed; zero until then

	Title       string // title: the visitor's name (info only)
	Email       string // email
	Phone       string // phone
	Site        string // site
	Company     string // company
	City        string // city
	Country     string // country
	Content     string // content: the lead's description, as list rows return it (V1, V2, V3)
	Description string // description (info only; list rows carry it as content)
	IP          string // ip (info only; V2 and V3 servers do not store it)
	Partner     string // partner (info only)

	ClientID int    // clid: the client's record, 0 until processed
	Client   string // client: the client's name
	PersonID int    // pid: the contact's record, 0 until processed
	Person   string // person: the contact's full name
	DealID   int    // did: the deal's record, 0 until processed
	Deal     string // deal: the deal's title
	UserID   int    // iduser, or user when it is a number: the responsible user
	UserName string // userName (V1 lists send the name in user instead)

	Status         Status // status
	StatusName     string // statusName, as the server labels it
	Result         Result // rezult
	ResultName     string // rezultName, as the server labels it ("" when none)
	ClientPathID   int    // clientpath: the client source (channel)
	ClientPathName string // clientpathName

	UTMSource   string // utm_source (info only)
	UTMMedium   string // utm_medium (info only)
	UTMCampaign string // utm_campaign (info only)
	UTMTerm     string // utm_term (info only)
	UTMContent  string // utm_content (info only)

	// UIDs are the lead's external ids (uids: name → value) as V2 and V3
	// return them in list rows and info; a V1 server never returns them.
	UIDs map[string]string
}

// isNotSet reports the servers' placeholder for an unknown name.
func isNotSet(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "не определен" || s == "не определён"
}

// lint is a tolerant integer: a number, a numeric string, "" or null; any
// other value (a name where an id was expected) decodes as 0 instead of
// failing the whole page.
type lint int64

func (n *lint) UnmarshalJSON(b []byte) error {
	v, err := jsonx.ParseInt(b)
	if err != nil {
		v = 0
	}
	*n = lint(v)
	return nil
}

// lstr is tolerant text: a string, a number or boolean as written, null as
// ""; an object or array decodes as "".
type lstr string

func (s *lstr) UnmarshalJSON(b []byte) error {
	v, err := jsonx.ParseString(b)
	if err != nil {
		v = ""
	}
	*s = lstr(v)
	return nil
}

// wireLead is a lead as any version sends it, decoded in one pass.
type wireLead struct {
	ID             lint    `json:"id"`
	Datum          lstr    `json:"datum"`
	DatumDo        lstr    `json:"datum_do"`
	Title          lstr    `json:"title"`
	Email          lstr    `json:"email"`
	Phone          lstr    `json:"phone"`
	Site           lstr    `json:"site"`
	Company        lstr    `json:"company"`
	City           lstr    `json:"city"`
	Country        lstr    `json:"country"`
	Content        lstr    `json:"content"`
	Description    lstr    `json:"description"`
	IP             lstr    `json:"ip"`
	Partner        lstr    `json:"partner"`
	ClID           lint    `json:"clid"`
	Client         lstr    `json:"client"`
	PID            lint    `json:"pid"`
	Person         lstr    `json:"person"`
	DID            lint    `json:"did"`
	Deal           lstr    `json:"deal"`
	User           lstr    `json:"user"`
	IDUser         lint    `json:"iduser"`
	UserName       lstr    `json:"userName"`
	Status         lint    `json:"status"`
	StatusName     lstr    `json:"statusName"`
	Rezult         lint    `json:"rezult"`
	RezultName     lstr    `json:"rezultName"`
	ClientPath     lint    `json:"clientpath"`
	ClientPathName lstr    `json:"clientpathName"`
	UTMSource      lstr    `json:"utm_source"`
	UTMMedium      lstr    `json:"utm_medium"`
	UTMCampaign    lstr    `json:"utm_campaign"`
	UTMTerm        lstr    `json:"utm_term"`
	UTMContent     lstr    `json:"utm_content"`
	UIDs           uidList `json:"uids"`
}

// uidList is "uids" of a lead: V2 and V3 send a list of records
// ({"datum", "name", "value", ...}); an object of name → value, null, or
// anything else decodes too (anything unreadable as nothing).
type uidList map[string]string

func (u *uidList) UnmarshalJSON(b []byte) error {
	*u = parseUIDs(b)
	return nil
}

func parseUIDs(b []byte) uidList {
	var recs []struct {
		Name  lstr `json:"name"`
		Value lstr `json:"value"`
	}
	out := uidList{}
	if json.Unmarshal(b, &recs) == nil {
		for _, r := range recs {
			if r.Name != "" {
				out[string(r.Name)] = string(r.Value)
			}
		}
	} else {
		var m map[string]lstr
		if json.Unmarshal(b, &m) == nil {
			for k, v := range m {
				out[k] = string(v)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// lead converts w; dates that do not parse are left zero.
func (w *wireLead) lead(loc *time.Location) Lead {
	l := Lead{
		ID:             int(w.ID),
		Title:          string(w.Title),
		Email:          string(w.Email),
		Phone:          string(w.Phone),
		Site:           string(w.Site),
		Company:        string(w.Company),
		City:           string(w.City),
		Country:        string(w.Country),
		Content:        string(w.Content),
		Description:    string(w.Description),
		IP:             string(w.IP),
		Partner:        string(w.Partner),
		ClientID:       int(w.ClID),
		Client:         string(w.Client),
		PersonID:       int(w.PID),
		Person:         string(w.Person),
		DealID:         int(w.DID),
		Deal:           string(w.Deal),
		UserID:         int(w.IDUser),
		UserName:       string(w.UserName),
		Status:         Status(w.Status),
		StatusName:     string(w.StatusName),
		Result:         Result(w.Rezult),
		ResultName:     string(w.RezultName),
		ClientPathID:   int(w.ClientPath),
		ClientPathName: string(w.ClientPathName),
		UTMSource:      string(w.UTMSource),
		UTMMedium:      string(w.UTMMedium),
		UTMCampaign:    string(w.UTMCampaign),
		UTMTerm:        string(w.UTMTerm),
		UTMContent:     string(w.UTMContent),
		UIDs:           w.UIDs,
	}
	if w.Datum != "" {
		l.Created, _ = jsonx.ParseTime(string(w.Datum), loc)
	}
	if w.DatumDo != "" {
		l.Processed, _ = jsonx.ParseTime(string(w.DatumDo), loc)
	}
	// "Не определен" ("not set") is the servers' placeholder, not a name.
	if isNotSet(l.UserName) {
		l.UserName = ""
	}
	// An id of 0 means no partner.
	if strings.TrimSpace(l.Partner) == "0" {
		l.Partner = ""
	}
	// user is an id in V2/V3 and the documents, the user's name in V1 lists.
	if u := string(w.User); u != "" && !isNotSet(u) {
		if n, err := strconv.Atoi(u); err == nil {
			if l.UserID == 0 {
				l.UserID = n
			}
		} else if l.UserName == "" {
			l.UserName = u
		}
	}
	if l.ResultName == "0" {
		l.ResultName = ""
	}
	return l
}
