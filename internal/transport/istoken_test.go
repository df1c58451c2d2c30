package transport

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsToken(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Authorization", "x-api-key", "token", "X_Key.1", "Bearer", "a!#$%&'*+-.^_`|~z"} {
		assert.True(t, IsToken(s), s)
	}
	for _, s := range []string{"", "x key", "x:key", `x"key`, "x(key)", "x\r\nkey", "chave-é", "a/b", "a@b", "a\x7f"} {
		assert.False(t, IsToken(s), s)
	}
}
