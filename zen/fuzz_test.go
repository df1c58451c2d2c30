package zen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func addGolden(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "zen", "*"))
	for _, p := range files {
		if strings.HasSuffix(p, "300-users.json") {
			continue // large; the small files cover its shapes
		}
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"usuarios":{"0":{"origem":{"1":{"quantidade":"1e2"}}}}}`))
}

// FuzzTotals: any body either decodes or fails with an error; a decoded
// value survives a round trip through its own JSON.
func FuzzTotals(f *testing.F) {
	addGolden(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var tot Totals
		if err := json.Unmarshal(b, &tot); err != nil {
			return
		}
		out, err := json.Marshal(&tot)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var again Totals
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
		if again.Errors != tot.Errors || len(again.Users) != len(tot.Users) {
			t.Fatalf("round trip changed the value")
		}
	})
}

func FuzzLeadsPage(f *testing.F) {
	addGolden(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeLeadsPage(b, time.UTC)
		if err != nil {
			return
		}
		for _, u := range p.Users {
			if u.Leads == nil {
				t.Fatal("nil leads")
			}
		}
	})
}

func FuzzArchive(f *testing.F) {
	addGolden(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var w wireArchive
		if json.Unmarshal(b, &w) != nil {
			return
		}
		a, err := w.archive(time.UTC)
		if err == nil && a.Leads == nil {
			t.Fatal("nil leads")
		}
	})
}

func FuzzErrorBody(f *testing.F) {
	addGolden(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		code, msg, ok := parseErrorBody(b)
		if !ok && (code != "" || msg != "") {
			t.Fatal("inconsistent")
		}
		_ = IsNothingChanged(&Error{StatusCode: 400, Message: msg})
	})
}
