package transport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMaskedCaseChanged: a server that upper- or lower-cases what it
// echoes ("INVALID API KEY SK_LIVE_ABC123+XYZ/987", a case-insensitive
// lookup's normalised key) printed the key in clear, also inside the
// escapes the masker decodes.
func TestMaskedCaseChanged(t *testing.T) {
	t.Parallel()
	for _, secret := range review2Secrets {
		r := NewRedactor(secret)
		assertMasked(t, r, strings.ToUpper(secret), "upper", strings.ToUpper(secret))
		assertMasked(t, r, strings.ToLower(secret), "lower", strings.ToLower(secret))
		swapped := strings.Map(func(c rune) rune {
			switch {
			case c >= 'a' && c <= 'z':
				return c - 'a' + 'A'
			case c >= 'A' && c <= 'Z':
				return c - 'A' + 'a'
			}
			return c
		}, secret)
		assertMasked(t, r, swapped, "swapped", swapped)
		up := strings.ToUpper(strings.NewReplacer("+", "%2b", "/", "%2f", "=", "%3d").Replace(secret))
		assertMasked(t, r, strings.ToUpper(secret), "upper percent-encoded", up)
	}
	// Short secrets stay bounded: "Abc1" is not found inside "xABC1y".
	r := NewRedactor("Abc1")
	assert.Equal(t, "xABC1y", r.Redact("xABC1y"))
	assert.Equal(t, "key "+Mask+" end", r.Redact("key ABC1 end"))
}
