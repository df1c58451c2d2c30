package zenvia_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// TestAmount: amounts are exact hundredths, read from numbers or strings,
// written as numbers; more than two decimals, exponents that would blow
// up, fractions and out-of-range values are refused.
func TestAmount(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]zenvia.Amount{
		`79.9`: 7990, `"79.90"`: 7990, `0.1`: 10, `0.29`: 29, `1e3`: 100000, `-2.5`: -250, `12.340`: 1234,
		`null`: 0, `""`: 0, `1.5E-1`: 15, `92233720368547758.07`: math.MaxInt64,
	} {
		var a zenvia.Amount
		require.NoError(t, json.Unmarshal([]byte(in), &a), in)
		assert.Equal(t, want, a, in)
	}
	for _, in := range []string{`1.005`, `"abc"`, `"1/3"`, `1e999999999`, `"0x10"`, `92233720368547758.08`, `true`, `"1,50"`, `" 1"`} {
		var a zenvia.Amount
		assert.Error(t, json.Unmarshal([]byte(in), &a), in)
	}
	for a, want := range map[zenvia.Amount]string{7990: "79.90", 5: "0.05", -5: "-0.05", 0: "0.00", -12345: "-123.45",
		math.MinInt64: "-92233720368547758.08"} {
		assert.Equal(t, want, a.String())
	}
	for a, want := range map[zenvia.Amount]string{7990: "79.9", 8000: "80", 5: "0.05", 0: "0", -250: "-2.5"} {
		b, err := json.Marshal(a)
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
		var back zenvia.Amount
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, a, back, "round trip")
	}
}
