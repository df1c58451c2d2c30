package jsonx

import (
	"encoding/json"
	"testing"
)

// FuzzUnquoteMatchesEncodingJSON: the reflection-free string decoder agrees
// with encoding/json on every input, value and error alike.
func FuzzUnquoteMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{`"a"`, `"\/path\/x"`, `"\u0457\u0436"`, `"\ud83d\ude00"`, `"\ud83d"`, `"a\"b"`, `"tab\tx"`, "\"raw\x01\"", `"\x"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want string
		wantErr := json.Unmarshal(b, &want)
		if len(b) == 0 || b[0] != '"' {
			return
		}
		got, err := unquote(b)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: err %v, encoding/json err %v", b, err, wantErr)
		}
		if err == nil && got != want {
			t.Fatalf("%q: got %q, encoding/json %q", b, got, want)
		}
	})
}
