package relay

import (
	"strings"
	"testing"
)

// The console shows the job's text as written (the page escapes it), and
// a file's content by its length only.
func TestReadableJob(t *testing.T) {
	big := strings.Repeat("QUJD", 1000)
	got := readableJob([]byte(`{"prospect":{"nome":"<b>Ana</b> & \u003ci\u003e"},"files":[{"name":"a.pdf","data":"` + big + `"}]}`))
	for _, want := range []string{`"nome": "<b>Ana</b> & <i>"`, `"data": "(4000 bytes, not shown)"`, `"name": "a.pdf"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, big) {
		t.Error("the file's content is shown")
	}
	if got := readableJob([]byte("not json")); got != "not json" {
		t.Errorf("unparsable job: %q", got)
	}
}
