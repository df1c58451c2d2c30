package transport

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leadkit/leadkit"
)

// CheckEncodable returns an *leadkit.InputError naming, by its path under
// root, the first value in v that cannot be sent as JSON: a NaN or an
// infinity (JSON has no such numbers, and a type writing them as strings
// would send "NaN" to the vendor), a channel, a func, a complex number, a
// map whose keys are not strings or integers, a value that refers to
// itself. Paths read like Go: priority, history[2].duration,
// additionalData["score"], each field named as its json tag names it. Every
// create and update is checked before it is sent (MarshalJSON); a package's
// Validate methods call it so that whoever validates an input ahead of time
// (the relay, when a lead is enqueued) refuses what the client would.
func CheckEncodable(root string, v any) error {
	w := encWalk{tag: "json"}
	return w.walk(root, reflect.ValueOf(v), false, 0)
}

// MarshalJSON encodes v, a request body, after CheckEncodable(root, v):
// what cannot be encoded is an *leadkit.InputError naming the field, never
// encoding/json's "unsupported value" naming none.
func MarshalJSON(root string, v any) ([]byte, error) {
	if err := CheckEncodable(root, v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, leadkit.Invalid(orBody(root), "cannot be sent as JSON: %v", err)
	}
	return b, nil
}

// checkFiniteParams refuses a non-finite number in a query or form struct
// (go-querystring would write "NaN"), naming the parameter by its url tag.
func checkFiniteParams(v any) error {
	w := encWalk{tag: "url", floatsOnly: true}
	return w.walk("", reflect.ValueOf(v), true, 0)
}

func orBody(root string) string {
	if root == "" {
		return "body"
	}
	return root
}

// maxEncodeDepth bounds the walk, as encoding/json bounds its own.
const maxEncodeDepth = 1000

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// encWalk walks a value the way an encoder would.
type encWalk struct {
	tag        string // the struct tag that names fields ("json", "url")
	floatsOnly bool   // report non-finite numbers only
	seen       map[uintptr]bool
}

// walk checks v at path. custom: v is inside a type that encodes itself
// (its exported fields are still checked for non-finite numbers, which
// such a type may write as strings).
func (w *encWalk) walk(path string, v reflect.Value, custom bool, depth int) error {
	if !v.IsValid() || depth > maxEncodeDepth {
		return nil
	}
	t := v.Type()
	self := encodesItself(t)
	custom = custom || w.floatsOnly || self
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return leadkit.Invalid(orBody(path), "is %v: JSON has no such number (nothing non-finite is sent)", f)
		}
	case reflect.String:
		// Also inside a type that encodes itself: one that hands its
		// strings to encoding/json has them replaced all the same.
		if i := invalidUTF8(v.String()); i >= 0 && !w.floatsOnly && !self {
			return leadkit.Invalid(orBody(path), "is not valid UTF-8 (byte %d): JSON would replace it with U+FFFD", i)
		}
	case reflect.Complex64, reflect.Complex128, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		if !custom {
			return leadkit.Invalid(orBody(path), "a %s cannot be sent as JSON", t)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		if w.seen == nil {
			w.seen = map[uintptr]bool{}
		}
		if p := v.Pointer(); w.seen[p] {
			return leadkit.Invalid(orBody(path), "refers to itself: it cannot be sent as JSON")
		} else {
			w.seen[p] = true
			defer delete(w.seen, p)
		}
		return w.walk(path, v.Elem(), custom, depth+1)
	case reflect.Interface:
		return w.walk(path, v.Elem(), custom, depth+1)
	case reflect.Map:
		return w.walkMap(path, v, custom, depth)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // base64
		}
		fallthrough
	case reflect.Array:
		for i := range v.Len() {
			if err := w.walk(path+"["+strconv.Itoa(i)+"]", v.Index(i), custom, depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return w.walkStruct(path, v, custom, depth)
	}
	return nil
}

// encodesItself reports whether t (or *t) is a json.Marshaler or an
// encoding.TextMarshaler.
func encodesItself(t reflect.Type) bool {
	return t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler) ||
		t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler)
}

// invalidUTF8 returns the offset of the first byte of s that is not UTF-8,
// or -1.
func invalidUTF8(s string) int {
	if utf8.ValidString(s) {
		return -1
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return i
			}
		}
	}
	return -1
}

func (w *encWalk) walkMap(path string, v reflect.Value, custom bool, depth int) error {
	if v.IsNil() {
		return nil
	}
	kt := v.Type().Key()
	switch kt.Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if !custom && !kt.Implements(textMarshaler) {
			return leadkit.Invalid(orBody(path), "a map with %s keys cannot be sent as JSON", kt)
		}
	}
	keys := v.MapKeys()
	names := make([]string, len(keys))
	for i, k := range keys {
		if kt.Kind() == reflect.String && !w.floatsOnly && !encodesItself(kt) && invalidUTF8(k.String()) >= 0 {
			return leadkit.Invalid(orBody(path), "has a key that is not valid UTF-8: JSON would replace it with U+FFFD")
		}
		names[i] = fmt.Sprint(k.Interface())
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	for _, i := range order {
		elem := path + "[" + strconv.Quote(names[i]) + "]"
		if kt.Kind() != reflect.String {
			elem = path + "[" + names[i] + "]"
		}
		if err := w.walk(elem, v.MapIndex(keys[i]), custom, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (w *encWalk) walkStruct(path string, v reflect.Value, custom bool, depth int) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get(w.tag)
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		embedded := f.Anonymous && name == "" && ft.Kind() == reflect.Struct
		if !f.IsExported() && !embedded {
			continue
		}
		p := path
		if !embedded {
			if name == "" {
				name = f.Name
			}
			p = name
			if path != "" {
				p = path + "." + name
			}
		}
		if err := w.walk(p, v.Field(i), custom, depth+1); err != nil {
			return err
		}
	}
	return nil
}
