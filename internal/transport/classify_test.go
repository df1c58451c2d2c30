package transport

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestClassifyJSONErrorCutLiterals: a body cut inside a literal or a number
// is truncated, not "not JSON" (encoding/json reports those as an invalid
// space at the end of input; the fault matrix cut a Zenvia page in
// "false" once and saw ErrNotJSON).
func TestClassifyJSONErrorCutLiterals(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]error{
		`[{"a":f`:      leadkit.ErrTruncatedBody,
		`[{"a":fa`:     leadkit.ErrTruncatedBody,
		`[{"a":nu`:     leadkit.ErrTruncatedBody,
		`[{"a":tr`:     leadkit.ErrTruncatedBody,
		`[{"a":-`:      leadkit.ErrTruncatedBody,
		`[{"a":1.`:     leadkit.ErrTruncatedBody,
		`[{"a":1e`:     leadkit.ErrTruncatedBody,
		`[{"a":1`:      leadkit.ErrTruncatedBody,
		`[{"a":"x`:     leadkit.ErrTruncatedBody,
		"[{\"a\":f \n": leadkit.ErrTruncatedBody,
		`{"id":1]`:     leadkit.ErrNotJSON,
		`{"id":1}}`:    leadkit.ErrNotJSON,
		`{"id":f}`:     leadkit.ErrNotJSON,
		`{"id":tx`:     leadkit.ErrNotJSON,
		`{"id":t rue}`: leadkit.ErrNotJSON,
		`{"id":"one"}`: leadkit.ErrDecode,
		`{"id":1}`:     nil,
	} {
		var out struct{ ID int }
		err := json.Unmarshal([]byte(body), &out)
		assert.Equal(t, want, ClassifyJSONError([]byte(body), err), "%q: %v", body, err)
	}
}

// TestEveryCutOfAValidBodyIsTruncated: whatever byte a connection dies
// after, the prefix of a valid JSON answer classifies as truncated.
func TestEveryCutOfAValidBodyIsTruncated(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	checked := 0
	for _, f := range files {
		body, err := os.ReadFile(f)
		require.NoError(t, err)
		body = bytes.TrimSpace(body)
		if !json.Valid(body) || len(body) < 2 {
			continue
		}
		step := max(1, len(body)/300) // every byte of small files, ~300 cuts of large ones
		for n := 1; n < len(body); n += step {
			cut := body[:n]
			var v any
			err := json.Unmarshal(cut, &v)
			if err == nil {
				continue // a prefix that is itself a document (a number cut to fewer digits)
			}
			if !assert.Equal(t, leadkit.ErrTruncatedBody, ClassifyJSONError(cut, err), "%s cut at %d: %q: %v", f, n, tail(cut), err) {
				return
			}
			checked++
		}
	}
	assert.Greater(t, checked, 1000)
}

func tail(b []byte) []byte {
	if len(b) > 40 {
		return b[len(b)-40:]
	}
	return b
}
