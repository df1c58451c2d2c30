package zenvia_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
)

func TestWithMaxBodyBytesValidates(t *testing.T) {
	t.Parallel()
	_, err := zenvia.NewClient("key", zenvia.WithMaxBodyBytes(0))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = zenvia.NewClient("key", zenvia.WithMaxBodyBytes(1<<20))
	require.NoError(t, err)
}
