package jsonx

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// CentsError is an amount that ParseCents refuses: Text is the value as
// sent, quoted, or only its size when it is too long to quote whole
// (QuoteShort: never a cut prefix), Reason what is wrong with it.
type CentsError struct {
	Text, Reason string
}

func (e *CentsError) Error() string {
	return fmt.Sprintf("jsonx: %s is not an amount: %s", e.Text, e.Reason)
}

// maxCentsDigits bounds an amount: 18 digits of hundredths always fit an
// int64.
const maxCentsDigits = 18

// ParseCents decodes the raw JSON value b, an amount of money with at most
// two decimal places, into hundredths (centavos), exactly: no float is
// involved. It reads a JSON number (79.9, 7990e-2) or a string holding one,
// with a decimal point or comma ("79.90", "79,90") and thousands grouped the
// Brazilian or the English way ("1.234,56", "1,234.56"); "" and null are 0.
//
// More than two decimal places are refused, unless the extra digits are
// zeros or the noise of a binary float (six or more 0s or 9s first:
// 79.90000000000001, 0.30000000000000004, 79.89999999999999), which an ERP
// that computes in floats sends; such a value is rounded to the centavo.
// A lone separator between groups of three ("1.234", "1,234") reads as
// decimals and is therefore refused: it is ambiguous.
func ParseCents(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, null) {
		return 0, nil
	}
	s := string(b)
	if b[0] == '"' {
		var err error
		if s, err = unquote(b); err != nil {
			return 0, err
		}
		if s = strings.TrimSpace(s); s == "" {
			return 0, nil
		}
	}
	v, reason := parseCents(s)
	if reason != "" {
		return 0, &CentsError{Text: truncate(s), Reason: reason}
	}
	return v, nil
}

// parseCents reads s as ParseCents describes; reason is "" on success.
func parseCents(s string) (int64, string) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e < -30 || e > 30 {
			return 0, "not a number"
		}
		mant, exp = s[:i], e
	}
	whole, frac, reason := splitDecimal(mant, exp == 0)
	if reason != "" {
		return 0, reason
	}
	// Move the decimal point by the exponent.
	digits, point := whole+frac, len(whole)+exp
	if point < 0 {
		digits, point = strings.Repeat("0", -point)+digits, 0
	}
	if point+2 > len(digits) {
		digits += strings.Repeat("0", point+2-len(digits))
	}
	cents, extra := strings.TrimLeft(digits[:point+2], "0"), digits[point+2:]
	up := false
	switch {
	case strings.Trim(extra, "0") == "":
	case len(extra) >= 6 && strings.HasPrefix(extra, "000000"):
	case len(extra) >= 6 && strings.HasPrefix(extra, "999999"):
		up = true
	default:
		return 0, "more than two decimal places"
	}
	if len(cents) > maxCentsDigits {
		return 0, "too large"
	}
	v, _ := strconv.ParseInt("0"+cents, 10, 64)
	if up {
		v++
	}
	if neg {
		v = -v
	}
	return v, ""
}

// splitDecimal splits a number without sign or exponent into its whole and
// fraction digits, dropping thousands separators (only where grouping is
// allowed: not in front of an exponent).
func splitDecimal(s string, grouping bool) (whole, frac, reason string) {
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	dec := byte(0) // the decimal separator, if any
	switch {
	case dots > 0 && commas > 0:
		dec = s[strings.LastIndexAny(s, ".,")]
	case dots == 1 && commas == 0:
		dec = '.'
	case commas == 1 && dots == 0:
		dec = ','
	}
	whole = s
	if dec != 0 {
		i := strings.LastIndexByte(s, dec)
		whole, frac = s[:i], s[i+1:]
	}
	if strings.ContainsAny(whole, ".,") {
		if !grouping || !grouped(whole) {
			return "", "", "not a number"
		}
		whole = strings.NewReplacer(".", "", ",", "").Replace(whole)
	}
	if whole+frac == "" || !allDigits(whole) || !allDigits(frac) {
		return "", "", "not a number"
	}
	return whole, frac, ""
}

// grouped reports whether s is digits in groups of three separated by one
// and the same separator, the first group of one to three digits.
func grouped(s string) bool {
	sep := s[strings.IndexAny(s, ".,")]
	groups := strings.Split(s, string(sep))
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return allDigits(strings.Join(groups, ""))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
