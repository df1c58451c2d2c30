package testutil

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSyncBufferConcurrentWrites(t *testing.T) {
	t.Parallel()
	var b SyncBuffer
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				_, _ = b.Write([]byte("x"))
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, strings.Repeat("x", 800), b.String())
}

func TestEnv(t *testing.T) {
	t.Parallel()
	get := Env(map[string]string{"A": "1"})
	assert.Equal(t, "1", get("A"))
	assert.Empty(t, get("B"))
	assert.Empty(t, Env(nil)("A"), "a nil map sets nothing")
}

func TestDebugLogger(t *testing.T) {
	t.Parallel()
	logger, buf := DebugLogger()
	logger.Debug("hello", "k", "v")
	assert.Contains(t, buf.String(), "level=DEBUG")
	assert.Contains(t, buf.String(), "k=v")
}

// TestOnlyTestsImport keeps this package out of the SDK: no file but a
// _test.go file may import it.
func TestOnlyTestsImport(t *testing.T) {
	t.Parallel()
	const self = "github.com/leadkit/leadkit/internal/testutil"
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == self {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s imports %s: only _test.go files may", rel, self)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 20, "walked the module")
}

func TestClock(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := NewClock(t0)
	assert.Equal(t, t0, c.Now())
	assert.Equal(t, t0.Add(time.Minute), c.Add(time.Minute))
	assert.Equal(t, t0.Add(time.Minute), c.Now())
}

func TestTally(t *testing.T) {
	t.Parallel()
	walk := func(yield func(string, error) bool) {
		for _, s := range []string{"a", "b", "a"} {
			if !yield(s, nil) {
				return
			}
		}
	}
	order, times := Tally(t, walk, func(s string) string { return s })
	assert.Equal(t, []string{"a", "b", "a"}, order)
	assert.Equal(t, map[string]int{"a": 2, "b": 1}, times)
}
