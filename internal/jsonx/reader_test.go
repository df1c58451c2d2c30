package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walk reads any document through the Reader's structural calls and
// re-encodes it, so a test can compare it with encoding/json.
func walk(r *Reader) any {
	switch r.Peek() {
	case '{':
		m := map[string]any{}
		r.Object()
		for first := true; ; first = false {
			k, ok := r.Key(first)
			if !ok {
				break
			}
			m[string(k)] = walk(r)
		}
		return m
	case '[':
		a := []any{}
		r.Array()
		for first := true; r.More(first); first = false {
			a = append(a, walk(r))
		}
		return a
	}
	var v any
	if raw := r.Value(); raw != nil {
		if err := decodeNumbers(raw, &v); err != nil {
			panic("Value returned invalid JSON: " + string(raw))
		}
	}
	return v
}

func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func checkReader(t *testing.T, in []byte) {
	r := NewReader(in)
	got := walk(r)
	err := r.End()
	var want any
	werr := decodeNumbers(in, &want)
	if err == nil {
		if !json.Valid(in) {
			t.Fatalf("Reader accepted invalid JSON %q", in)
		}
		if werr == nil {
			assert.Equal(t, want, got, "%q", in)
		}
		return
	}
	if errors.Is(err, ErrUnsupported) {
		return // the caller falls back to encoding/json, whatever the input
	}
	if json.Valid(in) {
		t.Fatalf("Reader refused valid JSON %q: %v", in, err)
	}
}

var readerCases = []string{
	`{}`, `[]`, ` { } `, `[ ]`, `{"a":1}`, `{"a":[1,2,{"b":null}],"c":"x\"y\u00e9\ud83d\ude00"}`,
	`[true,false,null,-0,0.5,1e10,-1.5E-3,"",{}]`, `"text"`, `12`, `null`,
	`{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":1 "b":2}`, `[01]`, `[1.]`, `[.5]`, `[1e]`, `[-]`, `[+1]`,
	`{"a":tru}`, `[nul]`, `"abc`, `"a\x"`, `"a\u12"`, "\"a\x01\"", `{"a":1}x`, `{"a":1}}`, `[`, `{`, ``, ` `,
	`{"\u0061":1}`, "[\"\xff\"]", `{"a":[}`, `[1 2]`, `{,}`, `[,1]`, `{"a":1,"a":2}`,
}

func TestReader(t *testing.T) {
	for _, c := range readerCases {
		checkReader(t, []byte(c))
	}
	r := NewReader([]byte(`{"\u0061":1}`))
	r.Object()
	_, ok := r.Key(true)
	require.False(t, ok)
	require.ErrorIs(t, r.Err(), ErrUnsupported)

	r = NewReader([]byte(`{"Nome":1,"other":2}`))
	r.Object()
	k, _ := r.Key(true)
	r.SkipUnknown(k, "nome")
	require.ErrorIs(t, r.Err(), ErrUnsupported)

	r = NewReader([]byte(`[1]`))
	require.False(t, r.Object())
	require.ErrorIs(t, r.Err(), ErrUnsupported)
}

func FuzzReader(f *testing.F) {
	for _, c := range readerCases {
		f.Add([]byte(c))
	}
	files, _ := filepath.Glob("../../testdata/*/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkReader(t, in) })
}
