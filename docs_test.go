package leadkit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"

	"github.com/leadkit/leadkit/internal/testutil"
)

// snippetHeader wraps a Go snippet of the docs: the snippet is the body of
// a function that returns an error, with these names in scope.
const snippetHeader = `package snippet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

var (
	_ = errors.Is
	_ = fmt.Sprint
	_ = http.Handle
	_ = os.Getenv
	_ = leadkit.ErrOutcomeUnknown
	_ = datacake.NewClient
	_ = salesman.NewClient
	_ = weclever.NewClient
	_ = zen.NewClient
	_ = zenvia.NewClient
	_ = zenviatest.NewServer
)

var myERP datacake.ERP

func store(*zenvia.Prospect) error { return nil }

func snippet() error {
	var (
		ctx                                                  = context.Background()
		token, apiKey, platformID, user, password           string
		from, to, day                                        time.Time
	)
	_, _, _, _, _, _, _, _, _, _ = ctx, token, apiKey, platformID, user, password, from, to, day, context.Canceled
`

// TestDocSnippetsCompile extracts every Go snippet of README.md and docs/
// and builds it, so that no snippet drifts from the API.
func TestDocSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every snippet")
	}
	t.Parallel()
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "README.md", "ARCHITECTURE.md")
	n := testutil.CompileSnippets(t, files, "go", func(body string) string {
		return useDeclared(t, snippetHeader+body+"\n}\n")
	})
	if n == 0 {
		t.Fatal("no Go snippets found")
	}
}

// useDeclared adds "_ = x" after every statement of the snippet's top
// level that declares x, so that a snippet that only shows a value still
// compiles.
func useDeclared(t *testing.T, src string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippet.go", src, 0)
	if err != nil {
		t.Fatalf("a documentation snippet does not parse: %v\n%s", err, src)
	}
	type insert struct {
		at   int
		text string
	}
	var ins []insert
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != "snippet" {
			continue
		}
		for _, st := range fd.Body.List {
			as, ok := st.(*ast.AssignStmt)
			if !ok || as.Tok != token.DEFINE {
				continue
			}
			text := ""
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
					text += "; _ = " + id.Name
				}
			}
			if text != "" {
				ins = append(ins, insert{fset.Position(as.End()).Offset, text})
			}
		}
	}
	for i := len(ins) - 1; i >= 0; i-- {
		src = src[:ins[i].at] + ins[i].text + src[ins[i].at:]
	}
	return src
}
