package zenvia_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
)

// A header name net/http would refuse on every request is refused when the
// client is built, naming the option.
func TestAPIKeyHeaderMustBeAToken(t *testing.T) {
	t.Parallel()
	for _, name := range []string{`x"key`, "x(key)", "x/key", "x@key", "chave-é"} {
		_, err := zenvia.NewClient("k-1", zenvia.WithAuthHeader(name, ""))
		require.ErrorIs(t, err, leadkit.ErrInvalidInput, name)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "authHeader", ie.Field)
	}
	_, err := zenvia.NewClient("k-1", zenvia.WithAuthHeader("x-api-key", ""))
	require.NoError(t, err)
}
