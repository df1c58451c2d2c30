package weclever

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// checkLeadFast: whatever the fast path accepts, the encoding/json path
// accepts too, with the same lead.
func checkLeadFast(t *testing.T, b []byte) bool {
	w, found, ok := decodeLeadFast(b)
	if !ok {
		return false
	}
	loc := time.FixedZone("-03", -3*60*60)
	slow, err := decodeLeadJSON(b, loc)
	require.NoError(t, err, "fast path accepted %q", b)
	if !found {
		require.Nil(t, slow, "%q", b)
		return true
	}
	fast, err := convertLead(w, loc)
	require.NoError(t, err)
	require.Equal(t, slow, fast, "%q", b)
	return true
}

func TestLeadFastMatchesJSON(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../testdata/weclever/lead*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	taken := 0
	for _, p := range files {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		if checkLeadFast(t, b) {
			taken++
		}
	}
	require.GreaterOrEqual(t, taken, len(files)/2, "the fast path should take most golden bodies")
	for _, s := range []string{
		`{"lead":null}`, `{}`, `{"other":1}`, `{"lead":{"chats":null,"feelings":null,"csat":null}}`,
		`{"lead":{"chats":{"messages":[null,{"id_chat":"7","body":12,"media_url":null}]}}}`,
		`{"lead":{"chats":{"messages":"x"}}}`, `{"lead":{"Email":"a"}}`, `{"lead":{"email":"a","email":"b"}}`,
		`{"lead":{"feelings":{"total_messages":"1e2","positive_feeling":2.0}}}`, `{"lead":"x"}`, `[]`,
		`{"lead":{"csat":{"rating":5,"message":true}}}`, `{"lead":{"chats":{"metrics":{"total_messages":"1.5"}}}}`,
	} {
		checkLeadFast(t, []byte(s))
		got, err := DecodeLead([]byte(s), nil)
		want, werr := decodeLeadJSON([]byte(s), nil)
		require.Equal(t, werr == nil, err == nil, "%s", s)
		require.Equal(t, want, got, "%s", s)
	}
}

func FuzzLeadFast(f *testing.F) {
	files, _ := filepath.Glob("../testdata/weclever/lead*.json")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkLeadFast(t, b) })
}
