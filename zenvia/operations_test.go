package zenvia_test

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// specOp is one operation of the spec: its operation id, method and path.
type specOp struct{ id, method, path string }

// specOps reads testdata/zenvia/operations.txt: the 59 operations of the
// clients generated from "Sirena API 1.10.0".
func specOps(t *testing.T) []specOp {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "zenvia", "operations.txt"))
	require.NoError(t, err)
	defer f.Close()
	var out []specOp
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Fields(line)
		require.Len(t, parts, 3, line)
		out = append(out, specOp{parts[0], parts[1], parts[2]})
	}
	require.NoError(t, sc.Err())
	return out
}

var (
	docRow    = regexp.MustCompile("^\\| `(\\w+)` \\| `([A-Z]+) (\\S+)` \\| (.+) \\|$")
	docMethod = regexp.MustCompile("`([A-Z][A-Za-z]+)\\.([A-Z][A-Za-z]+)`")
)

// TestOperationTableIsComplete: docs/zenvia.md's operation table has one
// row per operation of the spec (59), no other, each naming Go methods that
// exist on the client's services; only a deprecated operation may say
// "none".
func TestOperationTableIsComplete(t *testing.T) {
	t.Parallel()
	ops := specOps(t)
	require.Len(t, ops, 59)
	doc, err := os.ReadFile(filepath.Join("..", "docs", "zenvia.md"))
	require.NoError(t, err)
	rows := map[string]string{} // "METHOD path" → the methods cell
	ids := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		m := docRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := m[2] + " " + m[3]
		assert.NotContains(t, rows, key, "one row per operation")
		rows[key], ids[key] = m[4], m[1]
	}
	c, err := zenvia.NewClient("k")
	require.NoError(t, err)
	client := reflect.ValueOf(c).Elem()
	covered := 0
	for _, op := range ops {
		key := op.method + " " + op.path
		cell, ok := rows[key]
		if !assert.True(t, ok, "docs/zenvia.md lacks %s (%s)", key, op.id) {
			continue
		}
		assert.Equal(t, op.id, ids[key], key)
		delete(rows, key)
		if strings.HasPrefix(cell, "none") {
			assert.True(t, strings.HasPrefix(op.id, "deprecated"), "%s names no method", key)
			continue
		}
		methods := docMethod.FindAllStringSubmatch(cell, -1)
		assert.NotEmpty(t, methods, "%s names no method", key)
		for _, m := range methods {
			svc := client.FieldByName(m[1])
			if !assert.True(t, svc.IsValid(), "%s: Client has no service %s", key, m[1]) {
				continue
			}
			assert.True(t, svc.MethodByName(m[2]).IsValid(), "%s: %s has no method %s", key, m[1], m[2])
		}
		covered++
	}
	assert.Empty(t, rows, "rows for operations the spec does not have")
	assert.Equal(t, 58, covered, "every operation but the deprecated one has a method")
}

// TestSandboxServesEveryOperation: the sandbox routes each of the 59
// operations (a request to it is never "no such route" nor "method not
// allowed"), whatever its answer to the placeholder ids.
func TestSandboxServesEveryOperation(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 3, Tidy: true})
	defer s.Close()
	id := s.ProspectIDs()[0]
	param := regexp.MustCompile(`\{(\w+)\}`)
	for _, op := range specOps(t) {
		path := param.ReplaceAllStringFunc(op.path, func(p string) string {
			if p == "{channel}" {
				return "whatsapp"
			}
			return id
		})
		req, err := http.NewRequest(op.method, s.URL+path+"?api-key="+s.Credentials()["ZENVIA_API_KEY"], strings.NewReader("{}"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body [512]byte
		n, _ := resp.Body.Read(body[:])
		resp.Body.Close()
		assert.NotEqual(t, http.StatusMethodNotAllowed, resp.StatusCode, "%s %s", op.method, path)
		assert.NotContains(t, string(body[:n]), "Route not found", "%s %s", op.method, path)
	}
}
