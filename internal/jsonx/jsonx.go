// Package jsonx holds tolerant JSON scalars and date helpers shared by the
// vendor packages: vendors send numbers as strings, strings as numbers, and
// null or "" where a value is missing.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

var null = []byte("null")

// Int is an integer sent as a JSON number, a numeric string, "" or null
// (both zero). A number with a zero fraction ("12.0", 1e3) is accepted; any
// other fraction or word is an error, never a silent zero.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	v, err := ParseInt(b)
	if err != nil {
		return err
	}
	*n = Int(v)
	return nil
}

// MarshalJSON writes the value as a JSON number.
func (n Int) MarshalJSON() ([]byte, error) { return strconv.AppendInt(nil, int64(n), 10), nil }

// ParseInt decodes the raw JSON value b as Int does.
func ParseInt(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, null) {
		return 0, nil
	}
	if b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return 0, err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, nil
		}
		return parseIntText(s)
	}
	return parseIntText(string(b))
}

func parseIntText(s string) (int64, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, fmt.Errorf("jsonx: %s is not an integer", truncate(s))
	}
	return int64(f), nil
}

// Float is a number sent as a JSON number, a numeric string ("12.50", or
// "12,50" with a decimal comma), "" or null (zero).
type Float float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	v, err := ParseFloat(b)
	if err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// ParseFloat decodes the raw JSON value b as Float does.
func ParseFloat(b []byte) (float64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, null) {
		return 0, nil
	}
	if b[0] != '"' {
		// A bare number: string(b) does not escape here (strconv copies
		// what it keeps), so this allocates nothing on success.
		v, err := strconv.ParseFloat(string(b), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("jsonx: %s is not a number", truncate(string(b)))
		}
		return v, nil
	}
	s, err := unquote(b)
	if err != nil {
		return 0, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("jsonx: %s is not a number", truncate(s))
	}
	return v, nil
}

// String is text sent as a JSON string, a number or a boolean (kept as
// written), or null ("").
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(b []byte) error {
	v, err := ParseString(b)
	if err != nil {
		return err
	}
	*s = String(v)
	return nil
}

// Text decodes any JSON value into text, for the message fields of error
// bodies, where a vendor may send an object where a string was expected: a
// string or number as String does, an object or array as its compact JSON,
// null and booleans as "". It never fails on valid JSON, so one odd field
// does not lose the others of its body.
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == 't' || b[0] == 'f' || b[0] == 'n' {
		*t = "" // {"error": true} says nothing
		return nil
	}
	if v, err := ParseString(b); err == nil {
		*t = Text(v)
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	*t = Text(buf.String())
	return nil
}

// ParseString decodes the raw JSON value b as String does.
func ParseString(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, null) {
		return "", nil
	}
	switch b[0] {
	case '"':
		return unquote(b)
	case '{', '[':
		return "", errors.New("jsonx: expected a string, got an object or array")
	}
	return string(b), nil
}

// unquote decodes a JSON string without reflection; anything unusual (a
// control character, invalid UTF-8, a bad escape) goes to encoding/json for
// its exact behaviour and error.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[len(b)-1] == '"' && utf8.Valid(b) {
		inner := b[1 : len(b)-1]
		if bytes.IndexByte(inner, '\\') < 0 {
			if bytes.IndexByte(inner, '"') < 0 && !hasControl(inner) {
				return string(inner), nil
			}
		} else if s, ok := unescape(inner); ok {
			return s, nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", err
	}
	return s, nil
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// unescape decodes the inside of a JSON string that holds escapes. It
// reports false for anything it does not handle exactly like encoding/json.
func unescape(in []byte) (string, bool) {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch {
		case c == '"' || c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			continue
		}
		i++
		if i >= len(in) {
			return "", false
		}
		switch in[i] {
		case '"', '\\', '/':
			out = append(out, in[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(in[i+1:])
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(in) && in[i+1] == '\\' && in[i+2] == 'u' {
					if r2, ok := hex4(in[i+3:]); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							i += 6
							continue
						}
					}
				}
				return "", false // a lone surrogate: let encoding/json decide
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return string(out), true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// maxQuoted bounds a value an error of this package quotes.
const maxQuoted = 40

// QuoteShort returns s in Go's quoted syntax when it has at most n bytes,
// and only its size ("a value of 57 bytes") when it is longer: never a cut
// prefix. Errors quoting what a server sent are masked by the client
// afterwards, and a masker matches a secret whole: a value cut inside an
// echoed key would show the key's start.
func QuoteShort(s string, n int) string {
	if len(s) <= n {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("a value of %d bytes", len(s))
}

func truncate(s string) string { return QuoteShort(s, maxQuoted) }

// Date layouts.
const (
	DateLayout     = "2006-01-02"
	DateTimeLayout = "2006-01-02 15:04:05"
)

// FormatDate formats t as YYYY-MM-DD in t's own location.
func FormatDate(t time.Time) string { return t.Format(DateLayout) }

// FormatDateTime formats t as YYYY-MM-DD HH:MM:SS in t's own location.
func FormatDateTime(t time.Time) string { return t.Format(DateTimeLayout) }

// ParseTime reads "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" (also with a T, with
// fractional seconds, or with an offset) in loc when the text has no offset.
// "" and the MySQL zero dates give the zero time.
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range []string{DateTimeLayout, DateLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("jsonx: %s is not a date (want YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", truncate(s))
}
