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
	if !r.Array() {
		return nil, false
	}
	out := make([]Prospect, 0, pageCap(limit, len(b)))
	for first := true; r.More(first); first = false {
		out = append(out, Prospect{})
		fastProspect(r, &out[len(out)-1])
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

// once fails the Reader on a repeated key (encoding/json would overwrite or
// merge; the wire path keeps its exact behaviour).
func once(r *jsonx.Reader, seen *uint64, bit uint) {
	if *seen&(1<<bit) != 0 {
		r.Fail()
	}
	*seen |= 1 << bit
}

// plainStr decodes a field of a string kind without a decoder of its own:
// a string, or null (left as it is: the zero value, keys being unique).
// Anything else is an encoding/json type error: fall back.
func plainStr(r *jsonx.Reader) string {
	switch r.Peek() {
	case '"':
		s, err := jsonx.ParseString(r.Value())
		if err != nil {
			r.Fail()
		}
		return s
	case 'n':
		r.Value()
		return ""
	}
	r.Fail()
	return ""
}

// tolStr decodes a jsonx.String field.
func tolStr(r *jsonx.Reader) string {
	s, err := jsonx.ParseString(r.Value())
	if err != nil {
		r.Fail()
	}
	return s
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

// object opens an object value; null leaves the destination as it is, as
// encoding/json does. It reports whether there are keys to read.
func object(r *jsonx.Reader) bool {
	if r.Null() {
		return false
	}
	return r.Object()
}

// array opens an array value; null leaves the destination as it is. It
// reports whether to read elements.
func array(r *jsonx.Reader) bool {
	if r.Null() {
		return false
	}
	return r.Array()
}

func fastProspect(r *jsonx.Reader, p *Prospect) {
	if object(r) {
		var seen uint64
		for first := true; ; first = false {
			k, more := r.Key(first)
			if !more {
				break
			}
			switch string(k) {
			case "id":
				once(r, &seen, 0)
				p.ID = plainStr(r)
			case "created":
				once(r, &seen, 1)
				p.Created = tolTime(r)
			case "account":
				once(r, &seen, 2)
				p.Account = tolStr(r)
			case "accountId":
				once(r, &seen, 3)
				p.AccountID = plainStr(r)
			case "group":
				once(r, &seen, 4)
				p.Group = tolStr(r)
			case "groupId":
				once(r, &seen, 5)
				p.GroupID = plainStr(r)
			case "initialGroup":
				once(r, &seen, 6)
				p.InitialGroup = tolStr(r)
			case "initialGroupId":
				once(r, &seen, 7)
				p.InitialGroupID = plainStr(r)
			case "firstName":
				once(r, &seen, 8)
				p.FirstName = plainStr(r)
			case "lastName":
				once(r, &seen, 9)
				p.LastName = plainStr(r)
			case "category":
				once(r, &seen, 10)
				p.Category = tolStr(r)
			case "status":
				once(r, &seen, 11)
				p.Status = ProspectStatus(plainStr(r))
			case "nin":
				once(r, &seen, 12)
				if array(r) {
					for first := true; r.More(first); first = false {
						p.NIN = append(p.NIN, NIN{})
						fastNIN(r, &p.NIN[len(p.NIN)-1])
					}
				}
			case "phones":
				once(r, &seen, 13)
				if array(r) {
					for first := true; r.More(first); first = false {
						p.Phones = append(p.Phones, tolStr(r))
					}
				}
			case "emails":
				once(r, &seen, 14)
				if array(r) {
					for first := true; r.More(first); first = false {
						p.Emails = append(p.Emails, plainStr(r))
					}
				}
			case "leads":
				once(r, &seen, 15)
				if array(r) {
					for first := true; r.More(first); first = false {
						p.Leads = append(p.Leads, LeadData{})
						fastLeadData(r, &p.Leads[len(p.Leads)-1])
					}
				}
			case "agent":
				once(r, &seen, 16)
				p.Agent = fastAgent(r)
			case "assigned":
				once(r, &seen, 17)
				p.Assigned = tolTime(r)
			case "merged":
				once(r, &seen, 18)
				p.Merged = tolBool(r)
			case "userMade":
				once(r, &seen, 19)
				p.UserMade = tolBool(r)
			case "archivingReason":
				once(r, &seen, 20)
				p.ArchivingReason = tolStr(r)
			case "nextReminder":
				once(r, &seen, 21)
				p.NextReminder = tolTime(r)
			case "firstContactedAt":
				once(r, &seen, 22)
				p.FirstContactedAt = tolTime(r)
			case "additionalData":
				once(r, &seen, 23)
				p.AdditionalData = raw(r)
			case "interactions":
				once(r, &seen, 24)
				if array(r) {
					p.Interactions = []Interaction{} // [] is an empty list, not nil
					for first := true; r.More(first); first = false {
						p.Interactions = append(p.Interactions, Interaction{})
						fastInteraction(r, &p.Interactions[len(p.Interactions)-1])
					}
				}
			default:
				r.SkipUnknown(k, "id", "created", "account", "accountId", "group", "groupId", "initialGroup",
					"initialGroupId", "firstName", "lastName", "category", "status", "nin", "phones", "emails",
					"leads", "agent", "assigned", "merged", "userMade", "archivingReason", "nextReminder",
					"firstContactedAt", "additionalData", "interactions")
			}
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
	if !object(r) {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			return
		}
		switch string(k) {
		case "type":
			once(r, &seen, 0)
			n.Type = NINType(plainStr(r))
		case "number":
			once(r, &seen, 1)
			n.Number = plainStr(r)
		default:
			r.SkipUnknown(k, "type", "number")
		}
	}
}

func fastLeadData(r *jsonx.Reader, l *LeadData) {
	if !object(r) {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			return
		}
		switch string(k) {
		case "priority":
			once(r, &seen, 0)
			n, err := jsonx.ParseInt(r.Value())
			if err != nil {
				r.Fail()
			}
			l.Priority = int(n)
		case "created":
			once(r, &seen, 1)
			l.Created = tolTime(r)
		case "createdBy":
			once(r, &seen, 2)
			l.CreatedBy = tolStr(r)
		case "source":
			once(r, &seen, 3)
			l.Source = tolStr(r)
		case "comments":
			once(r, &seen, 4)
			l.Comments = tolStr(r)
		case "utmSource":
			once(r, &seen, 5)
			l.UTMSource = tolStr(r)
		case "providerKey":
			once(r, &seen, 6)
			l.ProviderKey = tolStr(r)
		case "company":
			once(r, &seen, 7)
			l.Company = tolStr(r)
		case "store":
			once(r, &seen, 8)
			l.Store = tolStr(r)
		case "agent":
			once(r, &seen, 9)
			l.Agent = tolStr(r)
		case "type":
			once(r, &seen, 10)
			l.Type = LeadType(plainStr(r))
		case "product":
			once(r, &seen, 11)
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
	if !object(r) {
		return nil
	}
	a := new(Agent)
	var seen uint64
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			break
		}
		switch string(k) {
		case "id":
			once(r, &seen, 0)
			a.ID = plainStr(r)
		case "firstName":
			once(r, &seen, 1)
			a.FirstName = plainStr(r)
		case "lastName":
			once(r, &seen, 2)
			a.LastName = plainStr(r)
		case "email":
			once(r, &seen, 3)
			a.Email = plainStr(r)
		case "phone":
			once(r, &seen, 4)
			a.Phone = tolStr(r)
		case "legacyId":
			once(r, &seen, 5)
			a.LegacyID = tolStr(r)
		case "externalId":
			once(r, &seen, 6)
			a.ExternalID = tolStr(r)
		case "appFields":
			once(r, &seen, 7)
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
	if !object(r) {
		return
	}
	var seen uint64
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			return
		}
		switch string(k) {
		case "id":
			once(r, &seen, 0)
			in.ID = plainStr(r)
		case "agentId":
			once(r, &seen, 1)
			in.AgentID = plainStr(r)
		case "agent":
			once(r, &seen, 2)
			in.Agent = fastAgent(r)
		case "bot":
			once(r, &seen, 3)
			in.Bot = tolBool(r)
		case "prospectId":
			once(r, &seen, 4)
			in.ProspectID = plainStr(r)
		case "createdAt":
			once(r, &seen, 5)
			in.CreatedAt = tolTime(r)
		case "dueAt":
			once(r, &seen, 6)
			in.DueAt = tolTime(r)
		case "startedAt":
			once(r, &seen, 7)
			in.StartedAt = tolTime(r)
		case "finishedAt":
			once(r, &seen, 8)
			in.FinishedAt = tolTime(r)
		case "status":
			once(r, &seen, 9)
			in.Status = tolStr(r)
		case "proactive":
			once(r, &seen, 10)
			in.Proactive = tolBool(r)
		case "via":
			once(r, &seen, 11)
			in.Via = tolStr(r)
		case "type":
			once(r, &seen, 12)
			in.Type = plainStr(r)
		case "content":
			once(r, &seen, 13)
			in.Content = plainStr(r)
		case "output":
			once(r, &seen, 14)
			in.Output = raw(r)
		default:
			r.SkipUnknown(k, "id", "agentId", "agent", "bot", "prospectId", "createdAt", "dueAt", "startedAt",
				"finishedAt", "status", "proactive", "via", "type", "content", "output")
		}
	}
}
