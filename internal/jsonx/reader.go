package jsonx

import (
	"bytes"
	"errors"
	"unicode/utf8"
)

// ErrUnsupported is the error of a Reader that met valid JSON it does not
// decode itself (a key with escapes, a key matching a known one only
// case-insensitively, a shape the caller declined): decode again with
// encoding/json, which knows every case and gives the exact error.
var ErrUnsupported = errors.New("jsonx: input needs the general decoder")

// errSyntax is the error of a Reader that met something that is not JSON.
var errSyntax = errors.New("jsonx: invalid JSON")

// Reader walks one JSON document in a single pass, without reflection, for
// decoders of fixed wire shapes on the hot path. It is strict: it accepts
// only valid JSON (RFC 8259 grammar, whole input), and any error is sticky,
// so a decoder walks on and checks Err once at the end. The intended use is
// a fast path whose every failure falls back to encoding/json over the same
// bytes: a Reader never decodes something encoding/json would reject.
//
// Scalars are returned raw (Value) for the Parse functions of this package,
// so a fast path decodes each scalar exactly as the tolerant types do.
type Reader struct {
	b     []byte
	i     int
	err   error
	empty bool // Object or Array just consumed an empty container
	depth int  // containers opened by Object and Array and not yet closed
}

// NewReader returns a Reader over b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Err returns the first error met (nil when everything so far was valid).
func (r *Reader) Err() error { return r.err }

// Fail marks the input as unsupported (ErrUnsupported) unless an error is
// already recorded.
func (r *Reader) Fail() {
	if r.err == nil {
		r.err = ErrUnsupported
	}
}

func (r *Reader) syntax() {
	if r.err == nil {
		r.err = errSyntax
	}
	r.i = len(r.b)
}

func (r *Reader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\r', '\n':
			r.i++
		default:
			return
		}
	}
}

// Peek returns the first byte of the next value ('{', '[', '"', 'n', 't',
// 'f', or a number's first byte), or 0 at the end or after an error.
func (r *Reader) Peek() byte {
	if r.err != nil {
		return 0
	}
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// Null consumes a null and reports whether the next value was one.
func (r *Reader) Null() bool {
	if r.Peek() != 'n' {
		return false
	}
	r.Value()
	return true
}

// Object consumes the '{' of an object. It reports false, recording an
// error, when the next value is not an object.
func (r *Reader) Object() bool { return r.open('{', '}') }

// open consumes the opening byte of a container; an empty one is consumed
// whole, and the next Key or More call reports its end.
func (r *Reader) open(start, end byte) bool {
	if r.Peek() != start {
		r.syntaxOrFail()
		return false
	}
	if r.depth >= maxDepth {
		r.syntax()
		return false
	}
	r.i++
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == end {
		r.i++
		r.empty = true
		return true
	}
	r.depth++
	return true
}

// next ends a member of the container being read: it consumes the comma
// before the next member and reports true, or the closing end byte and
// reports false. Anything else is a syntax error.
func (r *Reader) next(end byte) bool {
	r.ws()
	if r.i < len(r.b) {
		switch r.b[r.i] {
		case end:
			r.i++
			return false
		case ',':
			r.i++
			return true
		}
	}
	r.syntax()
	return false
}

// syntaxOrFail records ErrUnsupported for a valid value of another kind.
func (r *Reader) syntaxOrFail() {
	if r.err == nil && r.i < len(r.b) {
		r.Fail()
		return
	}
	r.syntax()
}

// Key returns the next key of the object being read (unescaped text only:
// a key with escapes makes the Reader fail with ErrUnsupported) and consumes
// its colon. A key that is not valid UTF-8 fails with ErrUnsupported too.
// It returns false after the closing '}'. Every key's value must
// be consumed (by Value, Skip, Object or Array) before the next Key call.
func (r *Reader) Key(first bool) ([]byte, bool) {
	if r.err != nil {
		return nil, false
	}
	if r.empty {
		r.empty = false
		return nil, false
	}
	if !first && !r.next('}') {
		r.depth--
		return nil, false
	}
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != '"' {
		r.syntax()
		return nil, false
	}
	start := r.i + 1
	esc := r.skipString()
	if r.err != nil {
		return nil, false
	}
	key := r.b[start : r.i-1]
	if esc || !utf8.Valid(key) { // encoding/json would unescape or mend it
		r.Fail()
		return nil, false
	}
	r.ws()
	if r.i >= len(r.b) || r.b[r.i] != ':' {
		r.syntax()
		return nil, false
	}
	r.i++
	return key, true
}

// Array consumes the '[' of an array. It reports false, recording an error,
// when the next value is not an array.
func (r *Reader) Array() bool { return r.open('[', ']') }

// More reports whether the array being read has another element, consuming
// the comma before it or the closing ']' after the last. first is true
// before the first element.
func (r *Reader) More(first bool) bool {
	if r.err != nil {
		return false
	}
	if r.empty {
		r.empty = false
		return false
	}
	if first || r.next(']') {
		return true
	}
	r.depth--
	return false
}

// Value consumes the next value and returns its raw bytes (validated), for
// ParseString, ParseInt and ParseFloat, or json.RawMessage.
func (r *Reader) Value() []byte {
	if r.Peek() == 0 {
		r.syntax()
		return nil
	}
	start := r.i
	r.skipValue(r.depth)
	if r.err != nil {
		return nil
	}
	return r.b[start:r.i]
}

// Skip consumes the next value.
func (r *Reader) Skip() { r.Value() }

// SkipUnknown consumes the value of key, which the caller does not decode;
// when key matches one of known case-insensitively (encoding/json would
// decode it into that field), the Reader fails with ErrUnsupported instead.
func (r *Reader) SkipUnknown(key []byte, known ...string) {
	for _, k := range known {
		if bytes.EqualFold(key, []byte(k)) {
			r.Fail()
			return
		}
	}
	r.Skip()
}

// Fields reads an object value key by key, for a decoder that dispatches
// on the keys: each iteration gets one key (as Key returns it) and must
// consume that key's value. null reads as an object without keys (as
// encoding/json, which then leaves the destination as it is); a value of
// another kind fails the Reader (ErrUnsupported), and so does leaving the
// loop early (the rest of the object would be unread).
func (r *Reader) Fields() func(yield func(key []byte) bool) {
	return func(yield func([]byte) bool) {
		if r.Null() || !r.Object() {
			return
		}
		for first := true; ; first = false {
			k, ok := r.Key(first)
			if !ok {
				return
			}
			if !yield(k) {
				r.Fail()
				return
			}
		}
	}
}

// Elems reads an array value element by element: each iteration must
// consume one element. null reads as an empty array (as encoding/json,
// which then leaves the destination as it is); a value of another kind
// fails the Reader, and so does leaving the loop early.
func (r *Reader) Elems() func(yield func() bool) {
	return func(yield func() bool) {
		if r.Null() || !r.Array() {
			return
		}
		for first := true; r.More(first); first = false {
			if !yield() {
				r.Fail()
				return
			}
		}
	}
}

// AppendZero appends a zero element to *s and returns a pointer to it, for
// a decoder filling an array's elements in place (a local element would
// escape through the decoder, costing an allocation each):
//
//	for range r.Elems() {
//		decodeItem(r, jsonx.AppendZero(&items))
//	}
func AppendZero[T any](s *[]T) *T {
	*s = append(*s, *new(T))
	return &(*s)[len(*s)-1]
}

// Once fails the Reader when bit is already set in seen, and sets it: a
// decoder numbers the keys of an object and calls Once for each key read,
// so that a repeated key (which encoding/json would merge into the first
// value, or ignore when null) goes to the general decoder.
func (r *Reader) Once(seen *uint64, bit uint) {
	if *seen&(1<<bit) != 0 {
		r.Fail()
	}
	*seen |= 1 << bit
}

// ParseString consumes the next value and decodes it as ParseString (and
// so String) does; a value ParseString refuses fails the Reader.
func (r *Reader) ParseString() string {
	s, err := ParseString(r.Value())
	if err != nil {
		r.Fail()
	}
	return s
}

// ParseInt consumes the next value and decodes it as ParseInt (and so Int)
// does; a value ParseInt refuses fails the Reader.
func (r *Reader) ParseInt() int64 {
	n, err := ParseInt(r.Value())
	if err != nil {
		r.Fail()
	}
	return n
}

// ParseFloat consumes the next value and decodes it as ParseFloat (and so
// Float) does; a value ParseFloat refuses fails the Reader.
func (r *Reader) ParseFloat() float64 {
	v, err := ParseFloat(r.Value())
	if err != nil {
		r.Fail()
	}
	return v
}

// End checks that only white space follows the value read.
func (r *Reader) End() error {
	if r.err == nil {
		r.ws()
		if r.i != len(r.b) {
			r.syntax()
		}
	}
	return r.err
}

// maxDepth is encoding/json's limit: it accepts 10000 nested containers
// and refuses 10001.
const maxDepth = 10000

// skipValue consumes one value at depth, the number of containers around it.
func (r *Reader) skipValue(depth int) {
	r.ws()
	if r.i < len(r.b) && (r.b[r.i] == '{' || r.b[r.i] == '[') && depth >= maxDepth {
		r.syntax()
		return
	}
	if r.i >= len(r.b) {
		r.syntax()
		return
	}
	switch c := r.b[r.i]; {
	case c == '"':
		r.skipString()
	case c == '{':
		r.i++
		r.ws()
		if r.i < len(r.b) && r.b[r.i] == '}' {
			r.i++
			return
		}
		for r.err == nil {
			r.ws()
			if r.i >= len(r.b) || r.b[r.i] != '"' {
				r.syntax()
				return
			}
			r.skipString()
			r.ws()
			if r.i >= len(r.b) || r.b[r.i] != ':' {
				r.syntax()
				return
			}
			r.i++
			r.skipValue(depth + 1)
			if !r.next('}') {
				return
			}
		}
	case c == '[':
		r.i++
		r.ws()
		if r.i < len(r.b) && r.b[r.i] == ']' {
			r.i++
			return
		}
		for r.err == nil {
			r.skipValue(depth + 1)
			if !r.next(']') {
				return
			}
		}
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		r.skipNumber()
	default:
		r.syntax()
	}
}

func (r *Reader) literal(s string) {
	if len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		r.syntax()
		return
	}
	r.i += len(s)
}

// skipString consumes a string starting at its quote and reports whether
// it held escapes. Invalid UTF-8 passes, as encoding/json accepts it.
func (r *Reader) skipString() (escaped bool) {
	b := r.b
	i := r.i + 1
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			r.i = i + 1
			return escaped
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				r.syntax()
				return
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := hex4(b[i+2:]); !ok {
					r.syntax()
					return
				}
				i += 6
			default:
				r.syntax()
				return
			}
		case c < 0x20:
			r.syntax()
			return
		default:
			i++
		}
	}
	r.syntax()
	return
}

// skipNumber consumes a number of the JSON grammar:
// -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?
func (r *Reader) skipNumber() {
	b, i := r.b, r.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		r.syntax()
		return
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			r.syntax()
			return
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			r.syntax()
			return
		}
	}
	r.i = i
}
