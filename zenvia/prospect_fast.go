package zenvia

import (
	"encoding/json"
	"time"

	"github.com/leadkit/leadkit/internal/jsonx"
)

// The fast path of "List prospects" and "Get prospect": one pass over the
// body with jsonx.Reader, straight into the public types, each scalar
// decoded by the very function the wire types use (jsonx.ParseString,
// jsonx.ParseInt, wireTime and wireBool's UnmarshalJSON). It is strict: it
// reports false for anything unusual (malformed JSON, a value of another
// kind than the field's, a repeated key, a key matching a field only in
// another case or with escapes, a page wrapped in an object), and the caller
// then decodes with the wire types and encoding/json, which handle every
// case and give the exact error. So results and error kinds are those of the
// wire path; FuzzProspectsFast checks it.

// decodeProspectsFast decodes a page of prospects sent as a bare array;
// limit is the page size asked for (0: Zenvia's default).
func decodeProspectsFast(b []byte, limit int) ([]Prospect, bool) {
	r := jsonx.NewReader(b)
	if r.Peek() != '[' {
		return nil, false
	}
	out := make([]Prospect, 0, pageCap(limit, len(b)))
	for range r.Elems() {
		fastProspect(r, jsonx.AppendZero(&out))
	}
	if r.End() != nil {
		return nil, false
	}
	return out, true
}

// minProspectBytes is less than any real prospect takes in a page (an id,
// a name, a phone, a status and a lead already take more).
const minProspectBytes = 256

// pageCap is the capacity a page starts with: the page size asked for
// (Zenvia sends no more), bounded by what the body can hold at
// minProspectBytes a prospect, so that a short last page does not reserve a
// full one. More prospects than that still fit: append grows the page.
func pageCap(limit, size int) int {
	if limit <= 0 {
		limit = DefaultPageSize
	}
	return max(1, min(limit, size/minProspectBytes))
}

// decodeProspectFast decodes one prospect sent as an object.
func decodeProspectFast(b []byte) (*Prospect, bool) {
	r := jsonx.NewReader(b)
	if r.Peek() != '{' {
		return nil, false
	}
	p := new(Prospect)
	fastProspect(r, p)
	if r.End() != nil {
		return nil, false
	}
	return p, true
}

// plainStr decodes a field of a string kind without a decoder of its own:
// a string, or null (left as it is: the zero value, keys being unique).
// Anything else is an encoding/json type error: fall back.
func plainStr(r *jsonx.Reader) string {
	switch r.Peek() {
	case '"':
		return r.ParseString()
	case 'n':
		r.Skip()
		return ""
	}
	r.Fail()
	return ""
}

// tolTime decodes a wireTime field.
func tolTime(r *jsonx.Reader) time.Time {
	var t wireTime
	if err := t.UnmarshalJSON(r.Value()); err != nil {
		r.Fail()
	}
	return time.Time(t)
}

// tolBool decodes a wireBool field.
func tolBool(r *jsonx.Reader) bool {
	var v wireBool
	if err := v.UnmarshalJSON(r.Value()); err != nil {
		r.Fail()
	}
	return bool(v)
}

// raw decodes a json.RawMessage field as the wire path leaves it: a copy of
// the value, nil for null.
func raw(r *jsonx.Reader) json.RawMessage {
	v := r.Value()
	if v == nil || string(v) == "null" {
		return nil
	}
	return append(json.RawMessage(nil), v...)
}

func fastProspect(r *jsonx.Reader, p *Prospect) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "id":
			r.Once(&seen, 0)
			p.ID = plainStr(r)
		case "created":
			r.Once(&seen, 1)
			p.Created = tolTime(r)
		case "account":
			r.Once(&seen, 2)
			p.Account = r.ParseString()
		case "accountId":
			r.Once(&seen, 3)
			p.AccountID = plainStr(r)
		case "group":
			r.Once(&seen, 4)
			p.Group = r.ParseString()
		case "groupId":
			r.Once(&seen, 5)
			p.GroupID = plainStr(r)
		case "initialGroup":
			r.Once(&seen, 6)
			p.InitialGroup = r.ParseString()
		case "initialGroupId":
			r.Once(&seen, 7)
			p.InitialGroupID = plainStr(r)
		case "firstName":
			r.Once(&seen, 8)
			p.FirstName = plainStr(r)
		case "lastName":
			r.Once(&seen, 9)
			p.LastName = plainStr(r)
		case "category":
			r.Once(&seen, 10)
			p.Category = r.ParseString()
		case "status":
			r.Once(&seen, 11)
			p.Status = ProspectStatus(plainStr(r))
		case "nin":
			r.Once(&seen, 12)
			for range r.Elems() {
				fastNIN(r, jsonx.AppendZero(&p.NIN))
			}
		case "phones":
			r.Once(&seen, 13)
			for range r.Elems() {
				p.Phones = append(p.Phones, r.ParseString())
			}
		case "emails":
			r.Once(&seen, 14)
			for range r.Elems() {
				p.Emails = append(p.Emails, plainStr(r))
			}
		case "leads":
			r.Once(&seen, 15)
			for range r.Elems() {
				fastLeadData(r, jsonx.AppendZero(&p.Leads))
			}
		case "agent":
			r.Once(&seen, 16)
			p.Agent = fastAgent(r)
		case "assigned":
			r.Once(&seen, 17)
			p.Assigned = tolTime(r)
		case "merged":
			r.Once(&seen, 18)
			p.Merged = tolBool(r)
		case "userMade":
			r.Once(&seen, 19)
			p.UserMade = tolBool(r)
		case "archivingReason":
			r.Once(&seen, 20)
			p.ArchivingReason = r.ParseString()
		case "nextReminder":
			r.Once(&seen, 21)
			p.NextReminder = tolTime(r)
		case "firstContactedAt":
			r.Once(&seen, 22)
			p.FirstContactedAt = tolTime(r)
		case "additionalData":
			r.Once(&seen, 23)
			p.AdditionalData = raw(r)
		case "absenceMessage":
			r.Once(&seen, 25)
			p.AbsenceMessage = tolBool(r)
		case "sentWorkingHourMessage":
			r.Once(&seen, 26)
			p.SentWorkingHourMessage = tolBool(r)
		case "facebookDueAt":
			r.Once(&seen, 27)
			p.FacebookDueAt = tolTime(r)
		case "instagramDueAt":
			r.Once(&seen, 28)
			p.InstagramDueAt = tolTime(r)
		case "whatsAppDueAt":
			r.Once(&seen, 29)
			p.WhatsAppDueAt = tolTime(r)
		case "interactions":
			r.Once(&seen, 24)
			if r.Peek() == '[' {
				p.Interactions = []Interaction{} // [] is an empty list, not nil
			}
			for range r.Elems() {
				fastInteraction(r, jsonx.AppendZero(&p.Interactions))
			}
		default:
			r.SkipUnknown(k, "id", "created", "account", "accountId", "group", "groupId", "initialGroup",
				"initialGroupId", "firstName", "lastName", "category", "status", "nin", "phones", "emails",
				"leads", "agent", "assigned", "merged", "userMade", "archivingReason", "nextReminder",
				"firstContactedAt", "additionalData", "interactions", "absenceMessage", "sentWorkingHourMessage",
				"facebookDueAt", "instagramDueAt", "whatsAppDueAt")
		}
	}
	// As prospectWire.prospect leaves them: these lists are never nil.
	if p.NIN == nil {
		p.NIN = []NIN{}
	}
	if p.Phones == nil {
		p.Phones = []string{}
	}
	if p.Emails == nil {
		p.Emails = []string{}
	}
	if p.Leads == nil {
		p.Leads = []LeadData{}
	}
}

func fastNIN(r *jsonx.Reader, n *NIN) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "type":
			r.Once(&seen, 0)
			n.Type = NINType(plainStr(r))
		case "number":
			r.Once(&seen, 1)
			n.Number = plainStr(r)
		default:
			r.SkipUnknown(k, "type", "number")
		}
	}
}

func fastLeadData(r *jsonx.Reader, l *LeadData) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "priority":
			r.Once(&seen, 0)
			l.Priority = r.ParseFloat()
		case "created":
			r.Once(&seen, 1)
			l.Created = tolTime(r)
		case "createdBy":
			r.Once(&seen, 2)
			l.CreatedBy = r.ParseString()
		case "source":
			r.Once(&seen, 3)
			l.Source = r.ParseString()
		case "comments":
			r.Once(&seen, 4)
			l.Comments = r.ParseString()
		case "utmSource":
			r.Once(&seen, 5)
			l.UTMSource = r.ParseString()
		case "providerKey":
			r.Once(&seen, 6)
			l.ProviderKey = r.ParseString()
		case "company":
			r.Once(&seen, 7)
			l.Company = r.ParseString()
		case "store":
			r.Once(&seen, 8)
			l.Store = r.ParseString()
		case "agent":
			r.Once(&seen, 9)
			l.Agent = r.ParseString()
		case "type":
			r.Once(&seen, 10)
			l.Type = LeadType(plainStr(r))
		case "product":
			r.Once(&seen, 11)
			l.Product = raw(r)
		default:
			r.SkipUnknown(k, "priority", "created", "createdBy", "source", "comments", "utmSource",
				"providerKey", "company", "store", "agent", "type", "product")
		}
	}
}

// fastAgent decodes an agent object; like the wire path it returns nil for
// null and for an agent without an id.
func fastAgent(r *jsonx.Reader) *Agent {
	if r.Null() {
		return nil
	}
	a := new(Agent)
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "id":
			r.Once(&seen, 0)
			a.ID = plainStr(r)
		case "firstName":
			r.Once(&seen, 1)
			a.FirstName = plainStr(r)
		case "lastName":
			r.Once(&seen, 2)
			a.LastName = plainStr(r)
		case "email":
			r.Once(&seen, 3)
			a.Email = plainStr(r)
		case "phone":
			r.Once(&seen, 4)
			a.Phone = r.ParseString()
		case "legacyId":
			r.Once(&seen, 5)
			a.LegacyID = r.ParseString()
		case "externalId":
			r.Once(&seen, 6)
			a.ExternalID = raw(r)
		case "appFields":
			r.Once(&seen, 7)
			a.AppFields = raw(r)
		default:
			r.SkipUnknown(k, "id", "firstName", "lastName", "email", "phone", "legacyId", "externalId", "appFields")
		}
	}
	if a.ID == "" {
		return nil
	}
	return a
}

func fastInteraction(r *jsonx.Reader, in *Interaction) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "id":
			r.Once(&seen, 0)
			in.ID = plainStr(r)
		case "agentId":
			r.Once(&seen, 1)
			in.AgentID = plainStr(r)
		case "agent":
			r.Once(&seen, 2)
			in.Agent = fastAgent(r)
		case "bot":
			r.Once(&seen, 3)
			in.Bot = tolBool(r)
		case "prospectId":
			r.Once(&seen, 4)
			in.ProspectID = plainStr(r)
		case "createdAt":
			r.Once(&seen, 5)
			in.CreatedAt = tolTime(r)
		case "dueAt":
			r.Once(&seen, 6)
			in.DueAt = tolTime(r)
		case "startedAt":
			r.Once(&seen, 7)
			in.StartedAt = tolTime(r)
		case "finishedAt":
			r.Once(&seen, 8)
			in.FinishedAt = tolTime(r)
		case "status":
			r.Once(&seen, 9)
			in.Status = r.ParseString()
		case "proactive":
			r.Once(&seen, 10)
			in.Proactive = tolBool(r)
		case "via":
			r.Once(&seen, 11)
			in.Via = r.ParseString()
		case "type":
			r.Once(&seen, 12)
			in.Type = plainStr(r)
		case "content":
			r.Once(&seen, 13)
			in.Content = plainStr(r)
		case "output":
			r.Once(&seen, 14)
			in.Output = raw(r)
		default:
			r.SkipUnknown(k, "id", "agentId", "agent", "bot", "prospectId", "createdAt", "dueAt", "startedAt",
				"finishedAt", "status", "proactive", "via", "type", "content", "output")
		}
	}
}
