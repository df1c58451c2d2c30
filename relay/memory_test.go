package relay_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/relay"
)

func TestMemoryDSN(t *testing.T) {
	r, err := relay.Open(context.Background(), "sqlite::memory:")
	require.NoError(t, err)
	defer r.Close()
	_, err = r.Enqueue(context.Background(), salesmanLead(1))
	require.NoError(t, err)
	s, err := r.Stats(context.Background(), "")
	require.NoError(t, err)
	require.Equal(t, 1, s.Queued)
}
