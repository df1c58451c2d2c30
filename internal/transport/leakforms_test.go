package transport

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"
)

// encodedForms returns the forms in which a test looks for a leaked
// secret, written out one by one (independently of the masker, which
// decodes): raw; percent-encoded as Go's url package writes it, with
// lower-case hex (.NET, some PHP builds) and with every byte escaped in
// either case; JSON-escaped as Go, PHP (\/ and non-ASCII as \uXXXX) and
// .NET write it, and with every character as \uXXXX in either case; HTML
// character references of every character; base64 in the standard and URL
// alphabets, with and without padding.
func encodedForms(s string) []string {
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s),
		lowerHexEscapes(url.QueryEscape(s)), lowerHexEscapes(url.PathEscape(s)),
		percentAll(s, "%%%02X"), percentAll(s, "%%%02x"),
		strings.Trim(goJSON(s), `"`), strings.Trim(phpJSON(s), `"`),
		uAll(s, `\u%04X`), uAll(s, `\u%04x`), uSome(s, `\u%04X`),
		refAll(s, "&#%d;"), refAll(s, "&#x%X;"),
	}
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		forms = append(forms, e.EncodeToString([]byte(s)))
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// lowerHexEscapes writes the hex digits of every %XX in lower case.
func lowerHexEscapes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString("%" + strings.ToLower(s[i+1:i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func percentAll(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// uAll writes every character of s as \uXXXX (UTF-16, surrogate pairs
// beyond the BMP).
func uAll(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, format, u)
		}
	}
	return b.String()
}

// uSome escapes every other character, as an encoder that escapes some
// characters (.NET escapes "+", "&", "<", ">", "'", non-ASCII) would.
func uSome(s, format string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i%2 == 1 || r == '+' || r == '/' || r >= 0x80 {
			fmt.Fprintf(&b, format, r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func refAll(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// phpJSON encodes s as PHP's json_encode does by default: "\/" for "/",
// \uXXXX (lower-case hex) for non-ASCII.
func phpJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.Trim(goJSON(s), `"`) {
		switch {
		case r == '/':
			b.WriteString(`\/`)
		case r >= 0x80:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func goJSON(s string) string {
	b, _ := json.Marshal(s) // "\u0026" for "&", "\u003c" for "<"
	return string(b)
}

// hexDecoded returns the text that %x printed, decoded, so that the scan
// reads it too ("" when it is not hex).
func hexDecoded(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}
