package salesman

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// checkListFast: whatever the fast path accepts, encoding/json into the
// wire types accepts too (without an "error"), with the same leads.
func checkListFast(t *testing.T, b []byte) bool {
	loc := time.FixedZone("MSK", 3*60*60)
	fast, ok := decodeListFast(b, loc)
	if !ok {
		return false
	}
	var w listWire
	require.NoError(t, json.Unmarshal(b, &w), "fast path accepted %q", b)
	require.Nil(t, w.Error, "%q", b)
	slow := make([]Lead, len(w.Data))
	for i := range w.Data {
		slow[i] = w.Data[i].lead(loc)
	}
	require.Equal(t, slow, fast, "%q", b)
	return true
}

func TestListFastMatchesWire(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../testdata/salesman/v*_list*.json")
	require.NotEmpty(t, files)
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.True(t, checkListFast(t, b), p)
	}
	for _, s := range []string{
		`{"data":[]}`, `{}`, `{"data":null,"error":null}`, `{"data":[null,{}]}`,
		`{"data":[{"id":"x","user":5,"rezultName":0,"content":{"a":1},"datum":"bad"}]}`,
		`{"data":[{"ID":"1"}]}`, `{"data":[],"data":[]}`, `{"error":{"code":"404","text":"x"}}`,
		`[{"error":{"code":1}}]`, `{"data":[1]}`, `{"data":{}}`,
	} {
		checkListFast(t, []byte(s))
	}
}

func FuzzListFast(f *testing.F) {
	files, _ := filepath.Glob("../testdata/salesman/*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkListFast(t, b) })
}
