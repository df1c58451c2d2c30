package transport

import (
	"fmt"
	"strings"
	"testing"
)

// TestMaskedNumericRefWithoutSemicolon: HTML and XML numeric references
// without their ";" (&#43, &#x2B; what an HTML parser decodes all the
// same), and with leading zeros, were not decoded.
func TestMaskedNumericRefWithoutSemicolon(t *testing.T) {
	t.Parallel()
	for _, secret := range review2Secrets {
		r := NewRedactor(secret)
		for name, ref := range map[string]func(rune) string{
			"decimal": func(c rune) string { return fmt.Sprintf("&#%d", c) },
			"hex":     func(c rune) string { return fmt.Sprintf("&#x%X", c) },
			"hex X":   func(c rune) string { return fmt.Sprintf("&#X%x", c) },
			"zeros":   func(c rune) string { return fmt.Sprintf("&#x0000%X;", c) },
			"zeros d": func(c rune) string { return fmt.Sprintf("&#000%d;", c) },
		} {
			form := numericRefs(secret, ref)
			assertMasked(t, r, secret, name, form)
		}
	}
}

// numericRefs writes each "+", "/", "=" and "_" of s as ref writes it,
// adding the ";" only where the next character would continue the digits
// (an HTML parser reads "&#47987" as one reference, and so must an echo).
func numericRefs(s string, ref func(rune) string) string {
	var b strings.Builder
	for i, c := range s {
		if !strings.ContainsRune("+/=_", c) {
			b.WriteRune(c)
			continue
		}
		esc := ref(c)
		if !strings.HasSuffix(esc, ";") && i+1 < len(s) && (hexVal(s[i+1]) >= 0 || s[i+1] == ';') {
			esc += ";"
		}
		b.WriteString(esc)
	}
	return b.String()
}
