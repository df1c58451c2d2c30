package transport

import "strings"

// Digits returns the decimal digits of s, in order: "+7 916 123-45-67"
// gives "79161234567".
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// SamePhone reports whether two phones are one: their digits are equal, or,
// when both have at least 10, their last 10 are (one written with a country
// code or a trunk prefix, the other without: "+7 916 123-45-67" and
// "8 916 1234567"). A phone without digits matches nothing. Every
// reconciliation lookup compares phones here, the same way.
func SamePhone(a, b string) bool {
	da, db := Digits(a), Digits(b)
	if da == "" || db == "" {
		return false
	}
	if da == db {
		return true
	}
	if len(da) < 10 || len(db) < 10 {
		return false
	}
	return da[len(da)-10:] == db[len(db)-10:]
}

// SameEmail reports whether two e-mail addresses are one, case and
// surrounding spaces aside. An empty address matches nothing.
func SameEmail(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && strings.EqualFold(a, b)
}
