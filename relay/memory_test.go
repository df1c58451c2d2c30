package relay_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
)

func TestMemoryDSN(t *testing.T) {
	r, err := relay.Open(context.Background(), "sqlite::memory:")
	require.NoError(t, err)
	defer closeRelay(r)
	_, err = r.Enqueue(context.Background(), salesmanLead(1))
	require.NoError(t, err)
	s, err := r.Stats(context.Background(), "")
	require.NoError(t, err)
	require.Equal(t, 1, s.Queued)
}

// A SQLite path holding "#", "?" or "%" names that file (a file: URI would
// read a fragment or parameters there: red before, the relay opened a
// file named by the path's head).
func TestSQLitePathOddCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leads#1?x=%41.db")
	r, err := relay.Open(context.Background(), "sqlite://"+path)
	require.NoError(t, err)
	defer closeRelay(r)
	_, err = r.Enqueue(context.Background(), salesmanLead(1))
	require.NoError(t, err)
	_, err = os.Stat(path)
	require.NoError(t, err, "the file is the one named")
}
