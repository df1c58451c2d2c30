package weclever_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/weclever"
)

func TestWithMaxBodyBytesValidates(t *testing.T) {
	t.Parallel()
	_, err := weclever.NewClient("p", "u", "pw", weclever.WithMaxBodyBytes(-1))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = weclever.NewClient("p", "u", "pw", weclever.WithMaxBodyBytes(1<<20))
	require.NoError(t, err)
}
