package relay_test

import (
	"testing"

	"github.com/leadkit/leadkit/internal/testutil"
)

// relaySnippetHeader wraps a "go relay" snippet of the docs: the body of a
// function returning an error, with these names in scope.
const relaySnippetHeader = `package snippet

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/zen"
)

var (
	_ = errors.Is
	_ = fmt.Sprint
	_ = http.Handle
	_ = relay.Open
	_ = salesman.NewClient
	_ = zen.NewClient
)

func snippet() error {
	var (
		ctx            = context.Background()
		salesmanClient *salesman.Client
		zenClient      *zen.Client
		pool           *pgxpool.Pool
	)
	_, _, _, _ = ctx, salesmanClient, zenClient, pool
`

// TestDocSnippetsCompile builds every "go relay" snippet of the README and
// docs/relay.md (the root module's own snippet test cannot import the relay).
func TestDocSnippetsCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every snippet")
	}
	n := testutil.CompileSnippets(t, []string{"../README.md", "../docs/relay.md"}, "go relay", func(body string) string {
		return relaySnippetHeader + body + "\n}\n"
	})
	if n < 2 {
		t.Fatalf("found %d relay snippets; the README and docs/relay.md each have at least one", n)
	}
}
