package jsonx

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDepthAgreesWithEncodingJSON is issue 13, item 17: the Reader accepted
// one level more than encoding/json (10001), and Value restarted the count
// inside the containers the caller had opened.
func TestDepthAgreesWithEncodingJSON(t *testing.T) {
	t.Parallel()
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, n := range []int{4, 9999, 10000, 10001, 10002} {
		doc := nest(n)
		r := NewReader([]byte(doc))
		r.Skip()
		assert.Equal(t, json.Valid([]byte(doc)), r.End() == nil, "%d nested arrays alone", n)

		// The same depth, reached through containers opened by the caller.
		wrapped := `{"a":[{"b":` + nest(n-3) + `}]}`
		want := json.Valid([]byte(wrapped))
		r = NewReader([]byte(wrapped))
		ok := r.Object()
		_, ok2 := r.Key(true)
		ok3 := r.Array()
		more := r.More(true)
		ok4 := r.Object()
		_, ok5 := r.Key(true)
		r.Skip()
		_, end1 := r.Key(false)
		more2 := r.More(false)
		_, end2 := r.Key(false)
		got := ok && ok2 && ok3 && more && ok4 && ok5 && !end1 && !more2 && !end2 && r.End() == nil
		assert.Equal(t, want, got, "%d nested containers, 3 opened by the caller", n)
		if got {
			assert.Zero(t, r.depth, "every container the caller opened was closed")
		}
	}
}
