package zen

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkTotalsFast: whatever the fast path accepts, the wire decoder accepts
// too, with the same result.
func checkTotalsFast(t *testing.T, b []byte) bool {
	fast, ok := decodeTotalsFast(b)
	if !ok {
		return false
	}
	var slow Totals
	require.NoError(t, slow.decodeWire(b), "fast path accepted %q", b)
	require.Equal(t, slow, fast, "%q", b)
	return true
}

func TestTotalsFastMatchesWire(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../testdata/zen/totals-*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	taken := 0
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		if checkTotalsFast(t, b) {
			taken++
		}
	}
	require.GreaterOrEqual(t, taken, len(files)/2, "the fast path should take most golden bodies")
	for _, s := range []string{
		`{"usuarios":[null,{"nome":"a","origem":null,"segmento":"","automacao":[null,{}]}],"erros":[]}`,
		`{"usuarios":[],"usuarios":[{"nome":"b"}],"erros":{"com_erro":"1"},"erros":{"duplicados":2},"erros":null}`,
		`{"Usuarios":[{"nome":"x"}]}`, `{"usuarios":{"1":{"nome":"b"},"0":{"nome":"a"}}}`,
		`{"usuarios":[{"ſegmento":[{"quantidade":1}]}]}`, `{"data":5,"erros":"x"}`, `{"erros":[1]}`,
		`{"usuarios":[{"total_lead":"1.5"}]}`, `{"usuarios":[1]}`, `null`, `[]`, `{"data":"a"} x`,
	} {
		checkTotalsFast(t, []byte(s))
		var viaJSON Totals
		errJSON := viaJSON.UnmarshalJSON([]byte(s))
		var wire Totals
		errWire := wire.decodeWire([]byte(s))
		require.Equal(t, errWire == nil, errJSON == nil, "%s", s)
		require.Equal(t, wire, viaJSON, "%s", s)
	}
}

func FuzzTotalsFast(f *testing.F) {
	files, _ := filepath.Glob("../testdata/zen/totals-*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 16<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"usuarios":[null,{"nome":"a","origem":null}],"erros":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) { checkTotalsFast(t, b) })
}
