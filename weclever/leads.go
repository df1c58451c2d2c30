package weclever

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// FinalizedLead is one lead of "Busca dos leads por data".
type FinalizedLead struct {
	// ID is WeClever's id of the lead (weclever_lead_id), for Lead.
	ID int64 `json:"weclever_lead_id"`
	// MappedStatus is the lead's status mapped to the CRM's statuses.
	MappedStatus string `json:"mapped_status"`
	// ClientLeadID is the CRM's own id of the lead: a string, an integer or
	// null, kept apart and exact.
	ClientLeadID ClientLeadID `json:"client_lead_id"`
}

type wireFinalized struct {
	Leads []wireFinalizedLead `json:"leads"`
}

type wireFinalizedLead struct {
	ID           jsonx.Int    `json:"weclever_lead_id"`
	MappedStatus jsonx.String `json:"mapped_status"`
	ClientLeadID ClientLeadID `json:"client_lead_id"`
}

// Finalized calls "Busca dos leads por data" (GET
// /lead/find/finalized/{firstDate}/{lastDate}): every lead whose attendance
// was finalized between from and to.
//
// Each time is sent as its wall clock in its own location, to the second: a
// time at midnight as YYYY-MM-DD (the whole day), any other as
// YYYY-MM-DD+HH:mm:ss. Build them in the zone the account works in, e.g.
// time.Date(2024, 3, 1, 0, 0, 0, 0, loc). from after to, a zero time or a
// year outside 0000-9999 is refused before anything is sent.
func (s *LeadsService) Finalized(ctx context.Context, from, to time.Time) ([]FinalizedLead, error) {
	c := s.c
	first, err := FormatDate(from)
	if err != nil {
		return nil, leadkit.Invalid("firstDate", "%s", err)
	}
	last, err := FormatDate(to)
	if err != nil {
		return nil, leadkit.Invalid("lastDate", "%s", err)
	}
	if from.After(to) {
		return nil, leadkit.Invalid("firstDate", "%s is after lastDate %s", first, last)
	}
	resp, err := c.hc.Do(ctx, &transport.Request{
		Method: http.MethodGet,
		Path:   []string{"lead", "find", "finalized", first, last},
	})
	if err != nil {
		return nil, err
	}
	var w wireFinalized
	if err := resp.DecodeJSON(&w); err != nil {
		return nil, err
	}
	if w.Leads == nil {
		if e := c.bodyError(resp); e != nil {
			return nil, e
		}
	}
	out := make([]FinalizedLead, len(w.Leads))
	for i, l := range w.Leads {
		out[i] = FinalizedLead{ID: int64(l.ID), MappedStatus: string(l.MappedStatus), ClientLeadID: l.ClientLeadID}
	}
	return out, nil
}

// Path date layouts of "Busca dos leads por data".
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2006-01-02+15:04:05"
)

// FormatDate returns t as WeClever's path date: YYYY-MM-DD when t is at
// midnight (hour, minute, second and nanosecond all zero), else
// YYYY-MM-DD+HH:mm:ss with a literal '+'. The wall clock of t's own location
// is used; fractions of a second are dropped.
func FormatDate(t time.Time) (string, error) {
	if t.IsZero() {
		return "", errors.New("must be set (got the zero time)")
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return "", errors.New("year " + strconv.Itoa(y) + " is outside 0000-9999")
	}
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(dateLayout), nil
	}
	return t.Format(dateTimeLayout), nil
}

// ParseDate reads a path date (YYYY-MM-DD or YYYY-MM-DD+HH:mm:ss; a space or
// a T in place of the '+' is accepted too) in loc. dateOnly reports the
// first form. It is the inverse of FormatDate, for servers and tests.
func ParseDate(s string, loc *time.Location) (t time.Time, dateOnly bool, err error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(s) == len(dateLayout) {
		t, err = time.ParseInLocation(dateLayout, s, loc)
		return t, err == nil, err
	}
	if len(s) == len(dateTimeLayout) {
		switch s[10] {
		case ' ', 'T':
			s = s[:10] + "+" + s[11:]
		}
		t, err = time.ParseInLocation(dateTimeLayout, s, loc)
		return t, false, err
	}
	return time.Time{}, false, errors.New("date " + strconv.Quote(s) + " is not YYYY-MM-DD or YYYY-MM-DD+HH:mm:ss")
}

// ClientLeadIDKind says what JSON value a ClientLeadID holds.
type ClientLeadIDKind uint8

// The kinds of ClientLeadID.
const (
	// ClientLeadIDNull is JSON null or an absent field (the zero value).
	ClientLeadIDNull ClientLeadIDKind = iota
	// ClientLeadIDString is a JSON string, kept as written ("00123").
	ClientLeadIDString
	// ClientLeadIDNumber is a JSON number, kept digit for digit as written,
	// so an integer of any size stays exact (9007199254740993).
	ClientLeadIDNumber
)

// String returns "null", "string" or "number".
func (k ClientLeadIDKind) String() string {
	switch k {
	case ClientLeadIDNull:
		return "null"
	case ClientLeadIDString:
		return "string"
	case ClientLeadIDNumber:
		return "number"
	}
	return "ClientLeadIDKind(" + strconv.Itoa(int(k)) + ")"
}

// ClientLeadID is the CRM's id of a lead, documented as "string, integer or
// null". It keeps the three apart without loss: the string "00123" stays
// 00123, the number 123 stays 123 (never 123.0), 9007199254740993 stays exact,
// and null is not "". The zero value is null. Values compare with ==, and
// encode back to the JSON they came from.
type ClientLeadID struct {
	kind ClientLeadIDKind
	text string
}

// StringClientLeadID returns a ClientLeadID holding the string s.
func StringClientLeadID(s string) ClientLeadID {
	return ClientLeadID{kind: ClientLeadIDString, text: s}
}

// IntClientLeadID returns a ClientLeadID holding the integer n.
func IntClientLeadID(n int64) ClientLeadID {
	return ClientLeadID{kind: ClientLeadIDNumber, text: strconv.FormatInt(n, 10)}
}

// NumberClientLeadID returns a ClientLeadID holding the JSON number
// literal (such as "9007199254740993", kept digit for digit). A text that is
// not a JSON number is an error.
func NumberClientLeadID(literal string) (ClientLeadID, error) {
	if !isJSONNumber(literal) {
		return ClientLeadID{}, leadkit.Invalid("client_lead_id", "%q is not a JSON number", transport.Clip(literal, maxMessage))
	}
	return ClientLeadID{kind: ClientLeadIDNumber, text: literal}, nil
}

// Kind says whether id is null, a string or a number.
func (id ClientLeadID) Kind() ClientLeadIDKind { return id.kind }

// IsNull reports whether id is null (or was absent).
func (id ClientLeadID) IsNull() bool { return id.kind == ClientLeadIDNull }

// String returns the id as text: the string as sent, the number's digits as
// sent, or "" for null (use IsNull or Kind to tell null from "").
func (id ClientLeadID) String() string { return id.text }

// Int64 returns the id as an int64 when it is a number, or a string of
// decimal digits, that fits; ok is false otherwise (null, "abc", 1.5, or an
// integer beyond int64).
func (id ClientLeadID) Int64() (n int64, ok bool) {
	if id.kind == ClientLeadIDNull {
		return 0, false
	}
	n, err := strconv.ParseInt(id.text, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// MarshalJSON writes id back as it came: null, a JSON string or the number's
// own digits.
func (id ClientLeadID) MarshalJSON() ([]byte, error) {
	switch id.kind {
	case ClientLeadIDString:
		return json.Marshal(id.text)
	case ClientLeadIDNumber:
		if !isJSONNumber(id.text) {
			return nil, errors.New("weclever: ClientLeadID number " + strconv.Quote(id.text) + " is not a JSON number")
		}
		return []byte(id.text), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads a JSON string, number or null. Booleans, objects and
// arrays are an error.
func (id *ClientLeadID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("weclever: client_lead_id: empty value")
	case string(b) == "null":
		*id = ClientLeadID{}
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ClientLeadID{kind: ClientLeadIDString, text: s}
		return nil
	case isJSONNumber(string(b)):
		*id = ClientLeadID{kind: ClientLeadIDNumber, text: string(b)}
		return nil
	}
	// Quoted whole or not at all: the client masks the error afterwards,
	// and a cut would leave the start of a key echoed here unmasked.
	return errors.New("weclever: client_lead_id must be a string, a number or null, got " + jsonx.QuoteShort(string(b), maxMessage))
}

// isJSONNumber reports whether s is exactly one JSON number literal.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}
