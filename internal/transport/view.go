package transport

import (
	"encoding/base64"
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// view is text with its escapes decoded, once: percent-escapes (%2f, %2F),
// JSON and JavaScript escapes (\u002B, \u002b, \/, \", \n, \x2b, surrogate
// pairs), and HTML character references (&#43;, &#x2B;, &amp;). A secret is
// matched in the text and in each view decoded from it in turn (a secret
// percent-encoded and then JSON-escaped needs two), whatever subset of its
// characters a server or a library escaped and in whichever case it wrote
// the hex digits; each match is mapped back to the bytes of the original
// text that it came from.
type view struct {
	text  string
	edits []edit // the escapes decoded, in order
	prev  *view  // the view this one was decoded from (nil: the original text)
}

// edit says that bytes [at, at+n) of a view came from bytes [src, src+srcN)
// of the text it was decoded from.
type edit struct{ at, n, src, srcN int }

// maxEntity bounds the length of an HTML character reference: "&", the
// longest HTML5 name (32 bytes) and ";".
const maxEntity = 34

// maxDecodeRounds bounds how many encodings deep a secret is looked for.
const maxDecodeRounds = 3

// mayHoldEscape is the cheap test before decoding.
func mayHoldEscape(s string) bool { return strings.ContainsAny(s, `%\&`) }

// decode returns the view of s with one level of escapes decoded, or nil
// when it holds none; prev is the view s is the text of (nil: s is the
// original text).
func decode(s string, prev *view) *view { return decodeWith(s, prev, false) }

// decodeLatin1 is decode for text written by JavaScript's escape() (IIS and
// old ASP pages echo so): %uXXXX is a UTF-16 unit, and %XX a Latin-1
// character, not a UTF-8 byte (%E9 is "é"). It returns nil unless s holds
// a %uXXXX escape, escape()'s mark (encodeURIComponent never writes one).
func decodeLatin1(s string) *view {
	for i := strings.Index(s, "%"); i >= 0 && i+6 <= len(s); i = nextPercent(s, i) {
		if s[i+1] == 'u' || s[i+1] == 'U' {
			if _, ok := hexAt(s, i+2, 4); ok {
				return decodeWith(s, nil, true)
			}
		}
	}
	return nil
}

// decodeQP is the view of s with its quoted-printable escapes decoded
// (RFC 2045: "=3D" for "=", in either case, and the soft line break "=\r\n"
// or "=\n" that splits a long line, also inside a key), as a mail gateway's
// bounce or a multipart answer echoes a key. It is a root of its own, not
// one more escape of decode: a key holding "=" followed by hex digits, sent
// percent-encoded, would then no longer read as itself. It returns nil when
// s holds no such escape; prev is the view s is the text of (nil: the
// original).
func decodeQP(s string, prev *view) *view {
	var b strings.Builder
	var edits []edit
	last := 0
	for i := strings.IndexByte(s, '='); i >= 0 && i+1 < len(s); i = nextEquals(s, i) {
		var out string
		n := 0
		switch {
		case s[i+1] == '\n':
			n = 2
		case s[i+1] == '\r' && i+2 < len(s) && s[i+2] == '\n':
			n = 3
		default:
			if h, ok := hexAt(s, i+1, 2); ok {
				out, n = string([]byte{byte(h)}), 3
			}
		}
		if n == 0 {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		edits = append(edits, edit{at: b.Len(), n: len(out), src: i, srcN: n})
		b.WriteString(out)
		last = i + n
	}
	if edits == nil {
		return nil
	}
	b.WriteString(s[last:])
	return &view{text: b.String(), edits: edits, prev: prev}
}

// minBase64Run is the shortest run of base64 characters decodeBase64
// decodes: 12 bytes, room for a key of MinFreeSecret bytes and a little.
const minBase64Run = 16

// decodeBase64 is the view of s with each run of at least minBase64Run
// base64 characters (standard or URL alphabet, padded or not) decoded, as
// a server writes a cursor or a "state" holding the query string it saw,
// or a JWT whose payload quotes a key: a key escaped and then
// base64-encoded shows in no base64 form of the key itself. A match inside
// a decoded run masks the whole run. It returns nil when s holds no run
// that decodes; prev is the view s is the text of (nil: the original).
func decodeBase64(s string, prev *view) *view { return decodeBase64With(s, prev, false) }

// decodeBase64Lines is decodeBase64 with a run continuing across line
// breaks ("\n", "\r\n"), as MIME and PEM wrap base64 every 64 or 76
// characters: a long key, or Basic credentials, echoed in a mail or a
// multipart answer. It returns nil when s holds no line break.
func decodeBase64Lines(s string) *view {
	if strings.IndexByte(s, '\n') < 0 {
		return nil
	}
	return decodeBase64With(s, nil, true)
}

func decodeBase64With(s string, prev *view, lines bool) *view {
	var b strings.Builder
	var edits []edit
	last := 0
	for i := 0; i < len(s); {
		if !isBase64Byte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isBase64Byte(s[j]) {
			j++
		}
		run := s[i:j]
		if lines {
			var joined strings.Builder
			joined.WriteString(run)
			for {
				k := j
				if k < len(s) && s[k] == '\r' {
					k++
				}
				if k >= len(s) || s[k] != '\n' || k+1 >= len(s) || !isBase64Byte(s[k+1]) {
					break
				}
				j = k + 1
				for j < len(s) && isBase64Byte(s[j]) {
					j++
				}
				joined.WriteString(s[k+1 : j])
			}
			run = joined.String()
		}
		end := j
		for k := 0; k < 2 && end < len(s) && s[end] == '='; k++ {
			end++
		}
		out, ok := base64Run(run)
		if ok {
			if b.Len() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last:i])
			edits = append(edits, edit{at: b.Len(), n: len(out), src: i, srcN: end - i})
			b.WriteString(out)
			last = end
		}
		i = end
	}
	if edits == nil {
		return nil
	}
	b.WriteString(s[last:])
	return &view{text: b.String(), edits: edits, prev: prev}
}

// base64Run decodes run (base64 characters, no padding) in the alphabet
// its characters name, or reports false.
func base64Run(run string) (string, bool) {
	if len(run) < minBase64Run {
		return "", false
	}
	std, url := strings.ContainsAny(run, "+/"), strings.ContainsAny(run, "-_")
	if std && url {
		return "", false
	}
	if len(run)%4 == 1 {
		run = run[:len(run)-1]
	}
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	out, err := enc.DecodeString(run)
	if err != nil {
		return "", false
	}
	return string(out), true
}

// nextEquals returns the index of the next "=" after the escape or "=" at
// s[i] (-1 when none).
func nextEquals(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '=')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func nextPercent(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '%')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// decodeWith is decode; latin1 reads %XX as escape() writes it.
func decodeWith(s string, prev *view, latin1 bool) *view {
	if !mayHoldEscape(s) {
		return nil
	}
	var b strings.Builder
	var edits []edit
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' && c != '\\' && c != '&' {
			continue
		}
		out, n := unescapeAt(s, i, latin1)
		if n == 0 {
			continue
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		edits = append(edits, edit{at: b.Len(), n: len(out), src: i, srcN: n})
		b.WriteString(out)
		last = i + n
		i += n - 1
	}
	if edits == nil {
		return nil
	}
	b.WriteString(s[last:])
	return &view{text: b.String(), edits: edits, prev: prev}
}

// unescapeAt decodes the escape that starts at s[i], returning its bytes
// and its length in s (0 when none starts there). latin1: %XX is the
// Latin-1 character XX, as JavaScript's escape() writes it.
func unescapeAt(s string, i int, latin1 bool) (string, int) {
	switch s[i] {
	case '%':
		if i+1 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') {
			return unescapeUnit(s, i, '%')
		}
		if h, ok := hexAt(s, i+1, 2); ok {
			if latin1 && h >= 0x80 {
				return string(rune(h)), 3
			}
			return string([]byte{byte(h)}), 3
		}
	case '\\':
		return unescapeBackslash(s, i)
	case '&':
		return unescapeEntity(s, i)
	}
	return "", 0
}

// unescapeBackslash decodes the backslash escape at s[i] as JSON,
// JavaScript, C and Python write them: \n and the like; \xNN (either
// case); octal \NNN (C, Python, PHP, Perl: one to three digits, a byte);
// \uXXXX and ES6's \u{X..X}; Python's \UXXXXXXXX; a backslash before
// a line break, which continues the line and stands for nothing; \", \',
// \/ and \\. A backslash before other punctuation (JavaScript's identity
// escapes, a regular expression or a shell quoting a key: \+, \=, \.) is
// read by decodeCSS, which reads every "\c" as "c": here it would eat a
// key's own trailing backslash before "&".
func unescapeBackslash(s string, i int) (string, int) {
	if i+1 >= len(s) {
		return "", 0
	}
	switch c := s[i+1]; {
	case c == 'n':
		return "\n", 2
	case c == 'r':
		return "\r", 2
	case c == 't':
		return "\t", 2
	case c == 'b':
		return "\b", 2
	case c == 'f':
		return "\f", 2
	case c == 'x' || c == 'X':
		if h, ok := hexAt(s, i+2, 2); ok {
			return string([]byte{byte(h)}), 4
		}
	case c == 'u':
		if i+2 < len(s) && s[i+2] == '{' {
			return unescapeBraced(s, i)
		}
		return unescapeUnit(s, i, '\\')
	case c == 'U':
		if h, ok := hexAt(s, i+2, 8); ok && h <= utf8.MaxRune {
			return string(rune(h)), 10
		}
	case c >= '0' && c <= '7':
		v, j := 0, i+1
		for ; j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '7'; j++ {
			v = v<<3 | int(s[j]-'0')
		}
		if v > 0xFF { // \400 and up: two digits, then a digit
			v, j = v>>3, j-1
		}
		return string([]byte{byte(v)}), j - i
	case c == '\n':
		return "", 2
	case c == '\r':
		if i+2 < len(s) && s[i+2] == '\n' {
			return "", 3
		}
		return "", 2
	case c == '"' || c == '\\' || c == '/' || c == '\'':
		return string(c), 2
	}
	return "", 0
}

// unescapeBraced decodes ES6's \u{X..X} (one to six hex digits) at s[i].
func unescapeBraced(s string, i int) (string, int) {
	v, j := 0, i+3
	for ; j < len(s) && j < i+9; j++ {
		d := hexVal(s[j])
		if d < 0 {
			break
		}
		v = v<<4 | d
	}
	if j == i+3 || j >= len(s) || s[j] != '}' || v > utf8.MaxRune {
		return "", 0
	}
	return string(rune(v)), j + 1 - i
}

// decodeContinued is the view of s with only its backslash-newline
// continuations ("\\\n", "\\\r\n") taken out, as C, Python, shells and
// JavaScript strings split a long line, also inside a key. decode takes
// them out too, along with every other escape; this view keeps the rest as
// written, so that a key ending in a backslash still reads as itself where
// a quote follows it (decode would read that backslash and the quote as
// one escape). It returns nil when s holds none.
func decodeContinued(s string) *view {
	i := strings.Index(s, "\\\n")
	if j := strings.Index(s, "\\\r\n"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(len(s))
	var edits []edit
	last := 0
	for ; i >= 0 && i+1 < len(s); i = nextByte(s, i, '\\') {
		n := 0
		switch {
		case s[i+1] == '\n':
			n = 2
		case s[i+1] == '\r' && i+2 < len(s) && s[i+2] == '\n':
			n = 3
		default:
			continue
		}
		b.WriteString(s[last:i])
		edits = append(edits, edit{at: b.Len(), src: i, srcN: n})
		last = i + n
		i += n - 1
	}
	b.WriteString(s[last:])
	return &view{text: b.String(), edits: edits}
}

// decodeCSS is the view of s with its CSS escapes decoded (a stylesheet, a
// selector, CSS.escape): a backslash and one to six hex digits is a code
// point, and one white space after them belongs to the escape ("\2B " and
// "\00002B" are "+"); a backslash before a line break stands for nothing,
// before any other character for that character (so this view also reads
// the identity escapes of JavaScript, regular expressions and shells:
// "\+", "\=", "\."). It is a root of its own,
// not one more escape of decode: "\53" is "S" in CSS and "+" in C. It
// returns nil when s holds no backslash; prev is the view s is the text of
// (nil: the original).
func decodeCSS(s string, prev *view) *view {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return nil
	}
	var b strings.Builder
	var edits []edit
	last := 0
	for ; i >= 0 && i+1 < len(s); i = nextByte(s, i, '\\') {
		var out string
		n := 2
		switch c := s[i+1]; {
		case hexVal(c) >= 0:
			v, j := 0, i+1
			for ; j < len(s) && j < i+7 && hexVal(s[j]) >= 0; j++ {
				v = v<<4 | hexVal(s[j])
			}
			if v > utf8.MaxRune {
				continue
			}
			switch {
			case j+1 < len(s) && s[j] == '\r' && s[j+1] == '\n':
				j += 2
			case j < len(s) && strings.IndexByte(" \t\n\r\f", s[j]) >= 0:
				j++
			}
			out, n = string(rune(v)), j-i
		case c == '\n' || c == '\f':
		case c == '\r':
			if i+2 < len(s) && s[i+2] == '\n' {
				n = 3
			}
		default:
			r, size := utf8.DecodeRuneInString(s[i+1:])
			out, n = string(r), 1+size
		}
		if b.Len() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		edits = append(edits, edit{at: b.Len(), n: len(out), src: i, srcN: n})
		b.WriteString(out)
		last = i + n
		i += n - 1 // the next backslash is looked for after the escape
	}
	if edits == nil {
		return nil
	}
	b.WriteString(s[last:])
	return &view{text: b.String(), edits: edits, prev: prev}
}

// nextByte returns the index of the next c after s[i] (-1 when none).
func nextByte(s string, i int, c byte) int {
	j := strings.IndexByte(s[i+1:], c)
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// decodeCompat is the view of s as it reads: without the characters that
// do not show and only break a word (the soft hyphen, zero-width space,
// non-joiner and joiner, word joiner, byte-order mark, bidirectional marks,
// variation selectors: every format character, and HTML's <wbr>), and with
// each compatibility character in its NFKC form (full-width letters,
// digits and signs U+FF01..U+FF5E as ASCII, the ideographic space, ligatures,
// mathematical and circled letters). A key a page hyphenated, a chat or a
// spreadsheet wrote in full-width letters reads as itself there. It returns
// nil when s holds none of them; prev is the view s is the text of (nil:
// the original).
func decodeCompat(s string, prev *view) *view {
	if !mayHoldCompat(s) {
		return nil
	}
	var b strings.Builder
	var edits []edit
	last := 0
	put := func(i, n int, out string) {
		if edits == nil {
			b.Grow(len(s))
		}
		b.WriteString(s[last:i])
		edits = append(edits, edit{at: b.Len(), n: len(out), src: i, srcN: n})
		b.WriteString(out)
		last = i + n
	}
	for i := 0; i < len(s); {
		if s[i] < 0x80 {
			n := wbrAt(s, i)
			if n > 0 {
				put(i, n, "")
			}
			i += max(n, 1)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			put(i, size, string(r-0xFF01+'!'))
		case invisible(r):
			put(i, size, "")
		case r != utf8.RuneError && !norm.NFKC.IsNormalString(s[i:i+size]):
			put(i, size, norm.NFKC.String(s[i:i+size]))
		}
		i += size
	}
	if edits == nil {
		return nil
	}
	b.WriteString(s[last:])
	return &view{text: b.String(), edits: edits, prev: prev}
}

// invisible reports whether r does not show and only breaks a word: a
// format character (soft hyphen, zero-width space, joiners, word joiner,
// byte-order mark, bidirectional marks), a variation selector, the
// combining grapheme joiner, a Hangul filler.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		r == 0x034F || r == 0x115F || r == 0x1160 || r == 0x3164 || r == 0xFFA0
}

// mayHoldCompat is decodeCompat's cheap test: a non-ASCII byte or "<".
func mayHoldCompat(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == '<' {
			return true
		}
	}
	return false
}

// wbrAt returns the length of the <wbr> tag at s[i] ("<wbr>", "<WBR/>",
// "<wbr />"), 0 when none starts there.
func wbrAt(s string, i int) int {
	if s[i] != '<' || len(s)-i < 5 || !asciiEqualFold(s[i+1:i+4], "wbr") {
		return 0
	}
	j := i + 4
	for j < len(s) && (s[j] == ' ' || s[j] == '/') {
		j++
	}
	if j < len(s) && s[j] == '>' {
		return j + 1 - i
	}
	return 0
}

// unescapeUnit decodes a UTF-16 unit written as <esc>uXXXX (\u002B, or
// %u002B as escape() writes it) at s[i], and the low surrogate escaped the
// same way after a high one.
func unescapeUnit(s string, i int, esc byte) (string, int) {
	r, ok := hexAt(s, i+2, 4)
	if !ok {
		return "", 0
	}
	if utf16.IsSurrogate(rune(r)) && i+12 <= len(s) && s[i+6] == esc && (s[i+7] == 'u' || esc == '%' && s[i+7] == 'U') {
		if r2, ok := hexAt(s, i+8, 4); ok {
			if p := utf16.DecodeRune(rune(r), rune(r2)); p != utf8.RuneError {
				return string(p), 12
			}
		}
	}
	return string(rune(r)), 6
}

// unescapeEntity decodes the HTML character reference at s[i]: numeric
// (see unescapeNumericRef) or any of HTML5's named ones, as html.UnescapeString
// knows them (PHP's htmlentities with ENT_HTML5 writes "_" as &lowbar;,
// "." as &period;, ":" as &colon;, "é" as &eacute;), also in another
// letter case (&AMP;, &Sol;).
func unescapeEntity(s string, i int) (string, int) {
	if i+1 < len(s) && s[i+1] == '#' {
		return unescapeNumericRef(s, i)
	}
	end := strings.IndexByte(s[i:min(len(s), i+maxEntity)], ';')
	if end < 2 {
		return "", 0
	}
	name := s[i+1 : i+end]
	for _, ref := range []string{s[i : i+end+1], "&" + strings.ToLower(name) + ";"} {
		// A name that only starts with an entity's ("&ltx;") decodes in
		// part ("<x;"): take only a reference decoded whole, to the one
		// or two characters of an entity.
		if out := html.UnescapeString(ref); out != ref && utf8.RuneCountInString(out) <= 2 && !strings.ContainsAny(out[1:], ";&") {
			return out, end + 1
		}
	}
	return "", 0
}

// unescapeNumericRef decodes the numeric character reference at s[i]
// ("&#43;", "&#x2B;", "&#0043;"), also without its ";" ("&#43", which HTML
// parsers decode all the same), returning its bytes and its length in s.
// Its digits run as far as they go, as an HTML parser reads them.
func unescapeNumericRef(s string, i int) (string, int) {
	j, base := i+2, 10
	if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
		j, base = j+1, 16
	}
	start, r := j, 0
	for ; j < len(s); j++ {
		d := hexVal(s[j])
		if d < 0 || d >= base {
			break
		}
		if r = r*base + d; r > utf8.MaxRune {
			return "", 0
		}
	}
	if j == start {
		return "", 0
	}
	if j < len(s) && s[j] == ';' {
		j++
	}
	return string(rune(r)), j - i
}

// hexAt reads n hex digits (either case) at s[i:].
func hexAt(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for j := i; j < i+n; j++ {
		d := hexVal(s[j])
		if d < 0 || d > 15 {
			return 0, false
		}
		v = v<<4 | d
	}
	return v, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// utf16Views returns s read as UTF-16 when it holds a zero byte (which
// UTF-16 writes beside every ASCII character, and UTF-8 text never holds):
// little- and big-endian, from its first byte and from its second (an
// excerpt or a window may start mid-unit). A .NET or Java server answering
// in charset=utf-16 echoes a key so.
func utf16Views(s string) []*view {
	if strings.IndexByte(s, 0) < 0 {
		return nil
	}
	var out []*view
	for _, order := range []func(string, int) uint16{utf16LE, utf16BE} {
		for off := 0; off < 2; off++ {
			if v := utf16View(s, off, order); v != nil {
				out = append(out, v)
			}
		}
	}
	return out
}

func utf16LE(s string, i int) uint16 { return uint16(s[i]) | uint16(s[i+1])<<8 }
func utf16BE(s string, i int) uint16 { return uint16(s[i])<<8 | uint16(s[i+1]) }

// utf16View decodes s from byte off as UTF-16 units read by unit; every
// unit (or surrogate pair) is an edit, so a match maps back to its bytes.
func utf16View(s string, off int, unit func(string, int) uint16) *view {
	if len(s)-off < 2 {
		return nil
	}
	var b strings.Builder
	b.Grow(len(s) - off)
	edits := make([]edit, 0, (len(s)-off)/2)
	for i := off; i+1 < len(s); {
		r, n := rune(unit(s, i)), 2
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
			if i+3 < len(s) {
				if p := utf16.DecodeRune(rune(unit(s, i)), rune(unit(s, i+2))); p != utf8.RuneError {
					r, n = p, 4
				}
			}
		}
		edits = append(edits, edit{at: b.Len(), n: utf8.RuneLen(r), src: i, srcN: n})
		b.WriteRune(r)
		i += n
	}
	return &view{text: b.String(), edits: edits}
}

// origin maps bytes [i, j) of the view to the bytes of the original text
// they came from.
func (v *view) origin(i, j int) (int, int) {
	for ; v != nil; v = v.prev {
		i, _ = v.parent(i)
		_, j = v.parent(j - 1)
	}
	return i, j
}

// parent returns the span, in the text v was decoded from, of v's byte p.
func (v *view) parent(p int) (int, int) {
	k := sort.Search(len(v.edits), func(k int) bool { return v.edits[k].at > p }) - 1
	if k < 0 {
		return p, p + 1
	}
	e := v.edits[k]
	if p < e.at+e.n {
		return e.src, e.src + e.srcN
	}
	q := e.src + e.srcN + p - (e.at + e.n)
	return q, q + 1
}
