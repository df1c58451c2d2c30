package relay_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// relaySnippetHeader wraps a "go relay" snippet of the docs: the body of a
// function returning an error, with these names in scope.
const relaySnippetHeader = `package snippet

import (
	"context"
	"errors"
	"fmt"

	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
)

var (
	_ = errors.Is
	_ = fmt.Sprint
	_ = relay.Open
	_ = salesman.NewClient
	_ = zen.NewClient
)

func snippet() error {
	var (
		ctx            = context.Background()
		salesmanClient *salesman.Client
		zenClient      *zen.Client
		pool           relayPool
	)
	_, _, _, _ = ctx, salesmanClient, zenClient, pool
`

// TestDocSnippetsCompile builds every "go relay" snippet of the README and
// docs/relay.md (the root module's own snippet test cannot import the relay).
func TestDocSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every snippet")
	}
	block := regexp.MustCompile("(?s)```go relay\n(.*?)\n```")
	dir, err := os.MkdirTemp(".", "snippets-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	n := 0
	for _, f := range []string{"../README.md", "../docs/relay.md"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range block.FindAllStringSubmatch(string(b), -1) {
			n++
			src := relaySnippetHeader + m[1] + "\n}\n\ntype relayPool = interface{}\n"
			sub := filepath.Join(dir, strings.NewReplacer("/", "_", ".", "_").Replace(f)+"_"+string(rune('a'+i)))
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(sub, "snippet.go"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n < 2 {
		t.Fatalf("found %d relay snippets; the README and docs/relay.md each have at least one", n)
	}
	out, err := exec.Command("go", "vet", "./"+filepath.Base(dir)+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("a documentation snippet does not compile:\n%s", out)
	}
}
