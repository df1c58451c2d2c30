package salesman

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// A V3 list row as the real server writes it: content is the description,
// uids a list of records (an empty list when none). Both decoding paths
// read them alike.
func TestDecodeContentAndUIDs(t *testing.T) {
	b, err := os.ReadFile("../testdata/salesman/v3_list_uids.json")
	if err != nil {
		t.Fatal(err)
	}
	loc := time.FixedZone("MSK", 3*3600)
	fast, ok := decodeListFast(b, loc)
	if !ok {
		t.Fatal("the fast path refused a usual page")
	}
	var w listWire
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	for i, l := range fast {
		slow := w.Data[i].lead(loc)
		if l.Content != slow.Content || len(l.UIDs) != len(slow.UIDs) || l.UIDs["leadkit"] != slow.UIDs["leadkit"] {
			t.Errorf("row %d: fast %+v, slow %+v", i, l, slow)
		}
	}
	if fast[0].Content != "Перезвоните [lk:abcdefghij23]" || fast[0].UIDs["leadkit"] != "abcdefghij23" {
		t.Errorf("row 0: content %q, uids %v", fast[0].Content, fast[0].UIDs)
	}
	if fast[1].UIDs != nil {
		t.Errorf("row 1: uids %v, want none", fast[1].UIDs)
	}
}
