package salesmantest

import (
	"strconv"
	"time"
)

// v1Lead is a lead as v1 writes it: every number a string.
type v1Lead struct {
	ID             string      `json:"id"`
	Datum          string      `json:"datum"`
	DatumDo        *string     `json:"datum_do"`
	Title          string      `json:"title,omitempty"` // info only: no list row carries it
	Email          string      `json:"email"`
	Phone          string      `json:"phone"`
	Site           string      `json:"site"`
	Company        string      `json:"company"`
	City           string      `json:"city"`
	Country        string      `json:"country"`
	Content        string      `json:"content"`
	Clid           string      `json:"clid"`
	Client         *string     `json:"client"`
	Pid            string      `json:"pid"`
	Person         *string     `json:"person"`
	Did            *string     `json:"did"`
	Deal           *string     `json:"deal"`
	User           *string     `json:"user"`
	UserName       *string     `json:"userName"`
	Status         string      `json:"status"`
	StatusName     string      `json:"statusName"`
	Rezult         string      `json:"rezult"`
	RezultName     any         `json:"rezultName"`
	ClientPath     string      `json:"clientpath"`
	ClientPathName *string     `json:"clientpathName"`
	UIDs           []uidRecord `json:"uids,omitempty"` // info only (never in a v1 list row)
	*infoFields
}

// uidRecord is one of a lead's uids as v2 and v3 write it.
type uidRecord struct {
	Datum string `json:"datum"`
	Name  string `json:"name"`
	Value string `json:"value"`
	EID   int    `json:"eid"`
	ClID  int    `json:"clid"`
	DID   int    `json:"did"`
}

// v2Lead is a lead as v2 and v3 write it: numbers as numbers, except
// clientpath in lists.
type v2Lead struct {
	ID             int          `json:"id"`
	Title          string       `json:"title,omitempty"`
	Datum          string       `json:"datum"`
	DatumDo        *string      `json:"datum_do"`
	Email          string       `json:"email"`
	Phone          string       `json:"phone"`
	Site           string       `json:"site"`
	Company        string       `json:"company"`
	City           string       `json:"city"`
	Country        string       `json:"country"`
	Content        string       `json:"content"`
	Clid           int          `json:"clid"`
	Client         *string      `json:"client"`
	Pid            int          `json:"pid"`
	Person         *string      `json:"person"`
	Did            int          `json:"did"`
	Deal           *string      `json:"deal"`
	User           int          `json:"user"`
	UserName       string       `json:"userName"`
	Status         int          `json:"status"`
	StatusName     string       `json:"statusName"`
	Rezult         int          `json:"rezult"`
	RezultName     string       `json:"rezultName"`
	ClientPath     any          `json:"clientpath"`
	ClientPathName *string      `json:"clientpathName"`
	UIDs           *[]uidRecord `json:"uids,omitempty"` // list rows: always; info: when there are some
	*infoFields
}

// infoFields are what info adds to a list row.
type infoFields struct {
	Description string `json:"description"`
	IP          string `json:"ip"`
	IDUser      any    `json:"iduser"`
	Partner     any    `json:"partner"` // v1: text; v2/v3: an id, 0 for none
	UTMSource   string `json:"utm_source"`
	UTMMedium   string `json:"utm_medium"`
	UTMCampaign string `json:"utm_campaign"`
	UTMTerm     string `json:"utm_term"`
	UTMContent  string `json:"utm_content"`
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// rendered is what every version's row is made of.
type rendered struct {
	datum    string
	datumDo  *string
	userName string
	info     *infoFields // nil in a list row
}

// render returns l in the version's shape; info adds the info-only fields.
func (s *Server) render(l lead, version int, info bool) any {
	c := rendered{datum: s.date(l.datum)}
	if !l.datumDo.IsZero() {
		d := s.date(l.datumDo)
		c.datumDo = &d
	}
	if u := s.userByID(l.user); u != nil {
		c.userName = u.name
	}
	if info {
		c.info = &infoFields{
			Description: l.description, IP: l.ip, Partner: l.partner,
			UTMSource: l.utm[0], UTMMedium: l.utm[1], UTMCampaign: l.utm[2], UTMTerm: l.utm[3], UTMContent: l.utm[4],
		}
	}
	if version == 1 {
		return s.renderV1(l, c)
	}
	return s.renderV2(l, c)
}

// renderV1 writes l as v1 does: every number a string.
func (s *Server) renderV1(l lead, c rendered) *v1Lead {
	r := &v1Lead{
		ID: strconv.Itoa(l.id), Datum: c.datum, DatumDo: c.datumDo,
		Email: l.email, Phone: l.phone, Site: l.site, Company: l.company, City: l.city, Country: l.country,
		Content: l.description, Clid: strconv.Itoa(l.clid), Client: strp(l.client), Pid: strconv.Itoa(l.pid),
		Person: strp(l.person), Deal: strp(l.deal), UserName: strp(c.userName),
		Status: strconv.Itoa(l.status), StatusName: statusName(l.status),
		Rezult: strconv.Itoa(l.rezult), RezultName: resultName(l.rezult),
		ClientPath: strconv.Itoa(l.clientpath), ClientPathName: strp(s.pathName(l.clientpath)),
		infoFields: c.info,
	}
	if c.info != nil {
		r.Title = l.title
		c.info.IDUser = strconv.Itoa(l.user)
		r.UIDs = s.uidRecords(l)
	}
	if l.did != 0 || s.opts.Tidy {
		r.Did = strp(strconv.Itoa(l.did))
	}
	if s.opts.Tidy {
		r.User = strp(strconv.Itoa(l.user))
	} else {
		// The real v1 sends the user's name in user, and its placeholder
		// "not set" in userName.
		r.User, r.UserName = strp(c.userName), strp(userNotSet)
		if l.rezult == 0 {
			r.RezultName = 0
		}
	}
	return r
}

// renderV2 writes l as v2 and v3 do: numbers as numbers, except clientpath
// in lists.
func (s *Server) renderV2(l lead, c rendered) *v2Lead {
	r := &v2Lead{
		ID: l.id, Datum: c.datum, DatumDo: c.datumDo,
		Email: l.email, Phone: l.phone, Site: l.site, Company: l.company, City: l.city, Country: l.country,
		Content: l.description, Clid: l.clid, Client: strp(l.client), Pid: l.pid, Person: strp(l.person),
		Did: l.did, Deal: strp(l.deal), User: l.user, UserName: c.userName,
		Status: l.status, StatusName: statusName(l.status), Rezult: l.rezult, RezultName: resultName(l.rezult),
		ClientPath: l.clientpath, ClientPathName: strp(s.pathName(l.clientpath)),
		infoFields: c.info,
	}
	if len(l.uids) > 0 || c.info == nil {
		recs := s.uidRecords(l)
		if recs == nil {
			recs = []uidRecord{}
		}
		r.UIDs = &recs
	}
	if c.info != nil {
		c.info.IDUser = l.user
		if l.partner == "" {
			c.info.Partner = 0
		}
		r.Title = l.title
	} else if !s.opts.Tidy {
		// v2/v3 lists: user always 0, "Не определен", clientpath a string.
		r.User, r.UserName = 0, userNotSet
		r.ClientPath = strconv.Itoa(l.clientpath)
	}
	return r
}

// uidRecords are l's uids as the server writes them (nil when none).
func (s *Server) uidRecords(l lead) []uidRecord {
	var out []uidRecord
	for _, u := range l.uids {
		out = append(out, uidRecord{Datum: s.date(u.datum), Name: u.name, Value: u.value, ClID: l.clid})
	}
	return out
}

// userNotSet is the servers' placeholder where a user's name is unknown.
const userNotSet = "Не определен"

func (s *Server) date(t time.Time) string {
	if s.opts.Tidy {
		return t.In(s.loc).Format("2006-01-02")
	}
	return t.In(s.loc).Format("2006-01-02 15:04:05")
}

func statusName(st int) string {
	names := [...]string{"Открыт", "В работе", "Обработан", "Закрыт"}
	if st >= 0 && st < len(names) {
		return names[st]
	}
	return ""
}

func resultName(r int) string {
	names := [...]string{"", "Спам", "Дубль", "Другое", "Не целевой"}
	if r >= 0 && r < len(names) {
		return names[r]
	}
	return ""
}
