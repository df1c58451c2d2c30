package transport

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
)

// jsEscape writes s as JavaScript's escape() does (and IIS and old ASP
// pages echo it): letters, digits and @*_+-./ as they are, other Latin-1
// characters as %XX, everything else as %uXXXX (UTF-16 units, so a
// character beyond the BMP is a surrogate pair).
func jsEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@*_+-./", r)):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, "%%%02X", r)
		default:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, "%%u%04X", u)
			}
		}
	}
	return b.String()
}

var reJSEsc = regexp.MustCompile(`%(?:u[0-9A-F]{4}|[0-9A-F]{2})`)

// TestMaskedInJSEscape: a non-ASCII key echoed as JavaScript's escape()
// writes it ("%u043A%u043B...") was not masked: the views decoded %XX only.
func TestMaskedInJSEscape(t *testing.T) {
	t.Parallel()
	for _, secret := range []string{"ключ/Сек+рет=é&ã", "tok😀en-Ü9x", "cnCANARY/k+y=&%9x"} {
		r := NewRedactor(secret)
		lower := reJSEsc.ReplaceAllStringFunc(jsEscape(secret), strings.ToLower)
		for _, form := range []string{jsEscape(secret), lower} {
			out := r.Redact(`{"error":"bad key ` + form + `"}`)
			assert.NotContains(t, out, form, "%q", secret)
			assert.Contains(t, out, Mask, "%q: %s", secret, out)
		}
	}
}
