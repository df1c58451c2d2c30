package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// CompileSnippets builds every code block of files fenced "```"+fence (a
// line of its own: "go" does not take "go relay" blocks) as a package of
// its own: wrap turns a block's text into the whole file. The packages are
// written under a temporary directory in the current one (so the current
// module's imports resolve) and vetted together. It returns how many
// blocks it built.
func CompileSnippets(t testing.TB, files []string, fence string, wrap func(body string) string) int {
	t.Helper()
	block := regexp.MustCompile("(?s)```" + regexp.QuoteMeta(fence) + "\n(.*?)\n```")
	dir, err := os.MkdirTemp(".", "snippets-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllStringSubmatch(string(b), -1) {
			n++
			sub := filepath.Join(dir, "s"+strings.NewReplacer("/", "_", ".", "_").Replace(f)+"_"+string(rune('a'+i))) // "s": go ignores directories starting with _
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub, "snippet.go"), []byte(wrap(m[1])), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n == 0 {
		return 0
	}
	out, err := exec.Command("go", "vet", "./"+filepath.Base(dir)+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("a documentation snippet does not compile:\n%s", out)
	}
	return n
}
