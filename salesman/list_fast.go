package salesman

import (
	"time"

	"github.com/leadkit/leadkit/internal/jsonx"
)

// decodeListFast decodes the usual "list" answer ({"data":[...]}, no
// "error") in one pass without reflection, each value through the same
// tolerant parsers as lint and lstr, and converts each lead as the wire
// path does. It reports false for anything else (an "error" key, an array
// body, malformed JSON, a repeated "data", a key in another case): List then
// takes the general path, which handles every case and gives the exact
// error.
func decodeListFast(b []byte, loc *time.Location) ([]Lead, bool) {
	r := jsonx.NewReader(b)
	if r.Peek() != '{' {
		return nil, false
	}
	var out []Lead
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "data":
			r.Once(&seen, 0)
			for range r.Elems() {
				var w wireLead
				fastLead(r, &w) // null: a zero lead, as encoding/json leaves it
				out = append(out, w.lead(loc))
			}
		case "error":
			if !r.Null() {
				r.Fail() // the general path builds the *Error
			}
		default:
			r.SkipUnknown(k, "data", "error")
		}
	}
	if r.End() != nil {
		return nil, false
	}
	if out == nil {
		out = []Lead{}
	}
	return out, true
}

func fastLInt(r *jsonx.Reader) lint {
	v, err := jsonx.ParseInt(r.Value())
	if err != nil {
		v = 0 // as lint: a name where an id was expected is 0
	}
	return lint(v)
}

func fastLStr(r *jsonx.Reader) lstr {
	v, err := jsonx.ParseString(r.Value())
	if err != nil {
		v = "" // as lstr: an object or array is ""
	}
	return lstr(v)
}

// fastLead reads one lead object (null leaves w as it is).
func fastLead(r *jsonx.Reader, w *wireLead) {
	for k := range r.Fields() {
		switch string(k) {
		case "id":
			w.ID = fastLInt(r)
		case "datum":
			w.Datum = fastLStr(r)
		case "datum_do":
			w.DatumDo = fastLStr(r)
		case "title":
			w.Title = fastLStr(r)
		case "email":
			w.Email = fastLStr(r)
		case "phone":
			w.Phone = fastLStr(r)
		case "site":
			w.Site = fastLStr(r)
		case "company":
			w.Company = fastLStr(r)
		case "city":
			w.City = fastLStr(r)
		case "country":
			w.Country = fastLStr(r)
		case "content":
			w.Content = fastLStr(r)
		case "description":
			w.Description = fastLStr(r)
		case "ip":
			w.IP = fastLStr(r)
		case "partner":
			w.Partner = fastLStr(r)
		case "clid":
			w.ClID = fastLInt(r)
		case "client":
			w.Client = fastLStr(r)
		case "pid":
			w.PID = fastLInt(r)
		case "person":
			w.Person = fastLStr(r)
		case "did":
			w.DID = fastLInt(r)
		case "deal":
			w.Deal = fastLStr(r)
		case "user":
			w.User = fastLStr(r)
		case "iduser":
			w.IDUser = fastLInt(r)
		case "userName":
			w.UserName = fastLStr(r)
		case "status":
			w.Status = fastLInt(r)
		case "statusName":
			w.StatusName = fastLStr(r)
		case "rezult":
			w.Rezult = fastLInt(r)
		case "rezultName":
			w.RezultName = fastLStr(r)
		case "clientpath":
			w.ClientPath = fastLInt(r)
		case "clientpathName":
			w.ClientPathName = fastLStr(r)
		case "utm_source":
			w.UTMSource = fastLStr(r)
		case "utm_medium":
			w.UTMMedium = fastLStr(r)
		case "utm_campaign":
			w.UTMCampaign = fastLStr(r)
		case "utm_term":
			w.UTMTerm = fastLStr(r)
		case "utm_content":
			w.UTMContent = fastLStr(r)
		case "uids":
			w.UIDs = parseUIDs(r.Value())
		default:
			r.SkipUnknown(k, "id", "datum", "datum_do", "title", "email", "phone", "site", "company", "city", "country", "content", "description", "ip", "partner", "clid", "client", "pid", "person", "did", "deal", "user", "iduser", "userName", "status", "statusName", "rezult", "rezultName", "clientpath", "clientpathName", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "uids")
		}
	}
}
