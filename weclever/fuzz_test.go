package weclever

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
)

func addTestdata(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "weclever", "*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"lead":{"chats":{"messages":[{"id_chat":"1","date_created":"31/12/2024 23:59"}]}}}`))
	f.Add([]byte(`{"leads":[{"client_lead_id":-0.5e+3}]}`))
}

func FuzzDecodeLead(f *testing.F) {
	addTestdata(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		l, err := DecodeLead(body, time.UTC)
		if err != nil {
			if l != nil {
				t.Fatal("lead and error")
			}
			return
		}
		if l != nil && l.Chats.Messages == nil {
			t.Fatal("nil messages")
		}
	})
}

func FuzzFinalized(f *testing.F) {
	addTestdata(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var w wireFinalized
		if json.Unmarshal(body, &w) != nil {
			return
		}
		for _, l := range w.Leads {
			out, err := json.Marshal(l.ClientLeadID)
			if err != nil {
				t.Fatalf("marshal %#v: %v", l.ClientLeadID, err)
			}
			var back ClientLeadID
			if err := json.Unmarshal(out, &back); err != nil || back != l.ClientLeadID {
				t.Fatalf("round trip %s: %#v != %#v (%v)", out, back, l.ClientLeadID, err)
			}
		}
	})
}

func FuzzClientLeadID(f *testing.F) {
	for _, s := range []string{`"00123"`, `9007199254740993`, `null`, `""`, `1.5e3`, `true`, `-0`, `"\u00e9"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var id ClientLeadID
		if id.UnmarshalJSON(b) != nil {
			return
		}
		out, err := id.MarshalJSON()
		if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		var back ClientLeadID
		if err := back.UnmarshalJSON(out); err != nil || back != id {
			t.Fatalf("round trip %q -> %q", b, out)
		}
	})
}

func FuzzErrorMessage(f *testing.F) {
	addTestdata(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := transport.Clip(errorMessage(body), maxMessage)
		if len(msg) > maxMessage+len("…") {
			t.Fatalf("message of %d bytes", len(msg))
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-03-01", "2024-03-01+08:30:00", "2024-03-01 08:30:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, dateOnly, err := ParseDate(s, time.UTC)
		if err != nil {
			return
		}
		out, err := FormatDate(tm)
		if err != nil {
			return // year 0000: the zero-ish time
		}
		if dateOnly && out != s {
			t.Fatalf("%q -> %q", s, out)
		}
		if back, _, err := ParseDate(out, time.UTC); err != nil || !back.Equal(tm) {
			t.Fatalf("%q -> %q -> %v", s, out, back)
		}
	})
}
