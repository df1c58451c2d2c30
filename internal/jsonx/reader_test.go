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
		for k := range r.Fields() {
			m[string(k)] = walk(r)
		}
		return m
	case '[':
		a := []any{}
		for range r.Elems() {
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

func TestReaderHelpers(t *testing.T) {
	type pair struct {
		N int64
		S string
	}
	elem := func(r *Reader, p *pair) {
		var seen uint64
		for k := range r.Fields() {
			switch string(k) {
			case "n":
				r.Once(&seen, 0)
				p.N = r.ParseInt()
			case "s":
				r.Once(&seen, 1)
				p.S = r.ParseString()
			default:
				r.SkipUnknown(k, "n", "s")
			}
		}
	}
	elems := func(r *Reader, got []pair) []pair {
		for range r.Elems() {
			elem(r, AppendZero(&got))
		}
		return got
	}
	r := NewReader([]byte(`[{"n":"7","s":5,"x":[1,{}]},null,{},{"s":null}]`))
	got := elems(r, []pair{{N: 1}})
	require.NoError(t, r.End())
	require.Equal(t, []pair{{N: 1}, {N: 7, S: "5"}, {}, {}, {}}, got)

	r = NewReader([]byte(`null`))
	require.Nil(t, elems(r, nil))
	require.NoError(t, r.End())

	r = NewReader([]byte(`{"f":"1.5e2","g":"x"}`))
	var f float64
	for k := range r.Fields() {
		if string(k) == "f" {
			f = r.ParseFloat()
		} else {
			r.ParseFloat()
		}
	}
	require.Equal(t, 150.0, f)
	require.ErrorIs(t, r.End(), ErrUnsupported, "a value ParseFloat refuses")

	for _, in := range []string{`[{"n":1,"n":2}]`, `[{"N":1}]`, `{}`, `[1]`, `[{"n":{}}]`, `[{"n":1}`} {
		r = NewReader([]byte(in))
		elems(r, nil)
		require.Error(t, r.End(), "%s", in)
	}

	// Leaving a loop early fails the Reader rather than leave it mid-value.
	r = NewReader([]byte(`{"a":1,"b":2}`))
	for range r.Fields() {
		r.Skip()
		break
	}
	require.ErrorIs(t, r.Err(), ErrUnsupported)
	r = NewReader([]byte(`[1,2]`))
	for range r.Elems() {
		r.Skip()
		break
	}
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
