package transport

import "testing"

func TestSamePhoneAndEmail(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"+7 916 123-45-67", "8 916 1234567", true}, // country code vs trunk prefix
		{"+55 21 90000-0040", "21900000040", true},  // with and without the country code
		{"+5521900000004", "+5521900000040", false}, // one digit apart
		{"900000040", "+5521900000040", false},      // a suffix is not the phone
		{"12345", "12-345", true},                   // short numbers: all digits equal
		{"", "", false}, {"abc", "abc", false},      // no digits matches nothing
	} {
		if got := SamePhone(c.a, c.b); got != c.same {
			t.Errorf("SamePhone(%q, %q) = %v", c.a, c.b, got)
		}
	}
	if !SameEmail(" Ana@Example.com ", "ana@example.com") || SameEmail("", "") || SameEmail("a@x.com", "b@x.com") {
		t.Error("SameEmail")
	}
	if Digits("+7 (916) 123-45-67") != "79161234567" {
		t.Error("Digits")
	}
}
