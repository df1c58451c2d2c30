package transport

import (
	"encoding/json"
	"reflect"
	"sync"
)

// MaskJSON returns raw with the secrets of r masked, still valid JSON: a
// body or a part of one that the SDK hands back as sent (a create's answer,
// an object's Raw), which a server that echoes what it received fills with
// the key the request carried. Text that masking would leave invalid (a
// secret matched across JSON syntax) comes back as a JSON string of the
// masked text. Raw without a secret is returned unchanged.
func MaskJSON(r *Redactor, raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || r == nil {
		return raw
	}
	masked := r.Redact(string(raw))
	if masked == string(raw) {
		return raw
	}
	if json.Valid([]byte(masked)) {
		return json.RawMessage(masked)
	}
	b, _ := json.Marshal(masked) // a string always encodes
	return b
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// maskRawMessages masks, with MaskJSON, every json.RawMessage that v (a
// pointer DecodeJSON decoded into) reaches through pointers, struct fields,
// slices, arrays and maps.
func maskRawMessages(r *Redactor, v reflect.Value) {
	if !v.IsValid() || !holdsRaw(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			maskRawMessages(r, v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			maskRawMessages(r, v.Field(i))
		}
	case reflect.Slice:
		if v.Type() == rawMessageType {
			if v.CanSet() {
				v.Set(reflect.ValueOf(MaskJSON(r, v.Interface().(json.RawMessage))))
			}
			return
		}
		for i := range v.Len() {
			maskRawMessages(r, v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			maskRawMessages(r, v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() || !v.CanSet() {
			return
		}
		it := v.MapRange()
		for it.Next() {
			// Map values are not addressable: mask a copy and put it back.
			nv := reflect.New(v.Type().Elem()).Elem()
			nv.Set(it.Value())
			maskRawMessages(r, nv)
			v.SetMapIndex(it.Key(), nv)
		}
	}
}

// rawTypes caches holdsRaw per type.
var rawTypes sync.Map // reflect.Type → bool

// holdsRaw reports whether a value of type t can reach a json.RawMessage.
// An interface field is not followed: encoding/json decodes into one only
// maps, slices, strings, numbers and booleans.
func holdsRaw(t reflect.Type) bool {
	if v, ok := rawTypes.Load(t); ok {
		return v.(bool)
	}
	rawTypes.Store(t, false) // a recursive type: assume no while deciding
	h := holdsRawUncached(t)
	rawTypes.Store(t, h)
	return h
}

func holdsRawUncached(t reflect.Type) bool {
	if t == rawMessageType {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsRaw(t.Elem())
	case reflect.Map:
		return holdsRaw(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsRaw(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
