package salesman

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func addCorpus(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "salesman", "*"))
	if err != nil || len(files) == 0 {
		f.Fatal("no testdata")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"data":[{"id":"x","user":{"a":1},"did":[1],"datum":"вчера"}]}`))
	f.Add([]byte(`[{"error":7}]`))
}

// FuzzDecodeLeads: whatever the body, decoding a list or an info answer
// never panics, and a body that decodes gives leads with plain values.
func FuzzDecodeLeads(f *testing.F) {
	addCorpus(f)
	loc := time.FixedZone("MSK", 3*3600)
	f.Fuzz(func(t *testing.T, body []byte) {
		var lw listWire
		if json.Unmarshal(body, &lw) == nil {
			for i := range lw.Data {
				l := lw.Data[i].lead(loc)
				if l.ID != int(lw.Data[i].ID) {
					t.Fatalf("id %d became %d", lw.Data[i].ID, l.ID)
				}
			}
		}
		var iw infoWire
		if json.Unmarshal(body, &iw) == nil && iw.Data.found && iw.Data.lead.ID == 0 {
			t.Fatal("found a lead without an id")
		}
		var sw statWire
		_ = json.Unmarshal(body, &sw)
		var aw addWire
		_ = json.Unmarshal(body, &aw)
	})
}

// FuzzDecodeError: the error detection of every answer never panics, and
// finds an error in every object that has a non-null "error" key.
func FuzzDecodeError(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var env errEnvelope
		if json.Unmarshal(body, &env) != nil {
			return
		}
		var raw map[string]json.RawMessage
		if json.Unmarshal(body, &raw) == nil {
			if v, ok := raw["error"]; ok && string(v) != "null" && env.Error == nil {
				t.Fatalf("error key %s not detected", v)
			}
		}
	})
}
