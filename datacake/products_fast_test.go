package datacake

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// slowProducts decodes b the general way (unwrapList, encoding/json, wire
// types).
func slowProducts(t *testing.T, b []byte) ([]Product, error) {
	arr, err := unwrapList(b)
	if err != nil {
		return nil, err
	}
	out := []Product{}
	if arr == nil {
		return out, nil
	}
	var ws []productWire
	if err := json.Unmarshal(arr, &ws); err != nil {
		return nil, err
	}
	for i := range ws {
		out = append(out, ws[i].public())
	}
	return out, nil
}

func checkProductsFast(t *testing.T, b []byte) bool {
	fast, ok := decodeProductsFast(b)
	if !ok {
		return false
	}
	slow, err := slowProducts(t, b)
	require.NoError(t, err, "fast path accepted %q", b)
	require.Equal(t, slow, fast, "%q", b)
	return true
}

func TestProductsFastMatchesWire(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../testdata/datacake/products*.json")
	require.NotEmpty(t, files)
	taken := 0
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		if checkProductsFast(t, b) {
			taken++
		}
	}
	require.Positive(t, taken)
	for _, s := range []string{
		`[]`, `{"dados":[],"registros":"0"}`, `[null,{}]`, `[{"id_servico":1,"valor":"89,90","obs":null}]`,
		`{"a":[],"b":[]}`, `{"x":1}`, `[{"Nome":"a"}]`, `[{"valor":"abc"}]`, `[1]`, `null`, "\ufeff[]", `{ [ ] }`,
	} {
		checkProductsFast(t, []byte(s))
	}
}

func FuzzProductsFast(f *testing.F) {
	files, _ := filepath.Glob("../testdata/datacake/products*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkProductsFast(t, b) })
}
