package testutil

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf16"
)

// LeakForms returns the forms in which a canary scan looks for a leaked
// secret, written out one by one (independently of the SDK's masker, which
// decodes): raw; percent-encoded as Go's url package writes it, with
// lower-case hex (.NET, some PHP builds), and with every byte escaped in
// either case; JSON-escaped as Go writes it, with "\/" (PHP), with every
// character \uXXXX in either case and with every other one (.NET escapes
// some); HTML character references of every character, decimal and hex;
// base64 in the standard and URL alphabets, with and without padding;
// C/JavaScript/Python escapes of every byte (\x2b, \x2B, octal \053) and of
// every character (ES6 \u{2B}), CSS escapes (\2B  and \00002B), the key
// split by a backslash-newline continuation, by a soft hyphen, by each
// zero-width character and by <wbr> between every two characters, in
// full-width letters and digits (U+FF01..U+FF5E); and nested once: \xNN
// inside a JSON string, full-width inside percent-encoding.
func LeakForms(secret string) []string {
	goJSON, _ := json.Marshal(secret)
	js := strings.Trim(string(goJSON), `"`)
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		LowerHex(url.QueryEscape(secret)), LowerHex(url.PathEscape(secret)),
		EachByte(secret, "%%%02X"), EachByte(secret, "%%%02x"),
		js, strings.ReplaceAll(js, "/", `\/`),
		EachRune(secret, `\u%04X`), EachRune(secret, `\u%04x`), everyOther(secret),
		EachRune(secret, "&#%d;"), EachRune(secret, "&#x%X;"),
	}
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		forms = append(forms, e.EncodeToString([]byte(secret)))
	}
	hex := EachByte(secret, `\x%02x`)
	forms = append(forms, hex, EachByte(secret, `\x%02X`), EachByte(secret, `\%03o`),
		EachRune(secret, `\u{%x}`), EachRune(secret, `\u{%X}`), EachRune(secret, `\%X `), EachRune(secret, `\%06X`),
		Interleave(secret, "\\\n"), FullWidth(secret),
		strings.ReplaceAll(hex, `\`, `\\`), url.QueryEscape(FullWidth(secret)))
	for _, sep := range Invisibles {
		forms = append(forms, Interleave(secret, sep))
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// Invisibles are what a page or a library may put inside a word without
// changing how it reads: a soft hyphen, the zero-width space, non-joiner
// and joiner, the word joiner, the byte-order mark (zero-width no-break
// space), and HTML's <wbr> line-break opportunity.
var Invisibles = []string{"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "<wbr>"}

// Interleave writes sep between every two characters of s.
func Interleave(s, sep string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FullWidth writes every printable ASCII character of s ("!".."~") in its
// full-width form (U+FF01..U+FF5E), as East Asian input methods and some
// echoes write it; other characters stay.
func FullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '!' && r <= '~' {
			r += 0xFF01 - '!'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// LowerHex writes the hex digits of every %XX of s in lower case.
func LowerHex(s string) string {
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

// EachByte writes every byte of s with format ("%%%02x").
func EachByte(s, format string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, format, s[i])
	}
	return b.String()
}

// EachRune writes every character of s with format: for a \u format as
// UTF-16 units (surrogate pairs beyond the BMP), else as the rune ("&#%d;",
// ES6's "\u{%x}").
func EachRune(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.HasPrefix(format, `\u`) && !strings.HasPrefix(format, `\u{`) {
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, format, u)
			}
			continue
		}
		fmt.Fprintf(&b, format, r)
	}
	return b.String()
}

// everyOther \u-escapes every other character, and "+", "/" and non-ASCII
// always, as an encoder escaping some characters (.NET's) would.
func everyOther(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i%2 == 1 || r == '+' || r == '/' || r >= 0x80 {
			b.WriteString(EachRune(string(r), `\u%04X`))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// GzipBomb answers with an endless gzip stream of zeros (at most 4 GiB
// decompressed) until the client leaves, counting the decompressed bytes
// it wrote in written.
func GzipBomb(w http.ResponseWriter, r *http.Request, written *atomic.Int64) {
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Set("Content-Type", "application/json")
	zw := gzip.NewWriter(w)
	zeros := make([]byte, 1<<20)
	for r.Context().Err() == nil && written.Load() < 4<<30 {
		if _, err := zw.Write(zeros); err != nil {
			return
		}
		written.Add(int64(len(zeros)))
		_ = zw.Flush()
	}
}
