package zen

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strconv"

	"github.com/leadkit/leadkit/internal/jsonx"
)

// list decodes a JSON array of T tolerantly: null, "", {} and a missing key
// give an empty list, and an object keyed "0", "1", ... (how PHP encodes an
// array that lost its first keys) gives its values in key order.
type list[T any] []T

func (l *list[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == 'n' || b[0] == '"' {
		*l = list[T]{}
		return nil
	}
	if b[0] == '[' {
		var out []T
		if err := json.Unmarshal(b, &out); err != nil {
			return err
		}
		if out == nil {
			out = []T{}
		}
		*l = out
		return nil
	}
	var m map[string]T
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, errA := strconv.Atoi(keys[i])
		c, errC := strconv.Atoi(keys[j])
		if errA == nil && errC == nil {
			return a < c
		}
		return keys[i] < keys[j]
	})
	out := make([]T, 0, len(m))
	for _, k := range keys {
		out = append(out, m[k])
	}
	*l = out
	return nil
}

// object decodes a JSON object tolerantly: null, "", [] (PHP's empty array)
// and a missing key give the zero value.
type object[T any] struct{ v T }

func (o *object[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		if len(b) > 0 && b[0] == '[' && !isEmptyArray(b) {
			return errors.New("zen: expected an object, got a non-empty array")
		}
		return nil
	}
	return json.Unmarshal(b, &o.v)
}

func isEmptyArray(b []byte) bool {
	return bytes.Equal(bytes.Join(bytes.Fields(b), nil), []byte("[]"))
}

// unmarshalObject decodes a top-level object; PHP's [] and null for an empty
// answer leave v at its zero value.
func unmarshalObject(b []byte, v any) error {
	t := bytes.TrimSpace(b)
	if bytes.Equal(t, []byte("null")) || (len(t) > 0 && t[0] == '[' && isEmptyArray(t)) {
		return nil
	}
	return json.Unmarshal(b, v)
}

type wireCount struct {
	Code     jsonx.String `json:"codigo"`
	Name     jsonx.String `json:"nome"`
	Quantity jsonx.Int    `json:"quantidade"`
}

func (l list[T]) counts(conv func(T) Count) []Count {
	out := make([]Count, len(l))
	for i, v := range l {
		out[i] = conv(v)
	}
	return out
}
