package jsonx

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCents(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		`79.9`: 7990, `"79.90"`: 7990, `"79,90"`: 7990, `79`: 7900, `"79"`: 7900, `0`: 0, `-10.5`: -1050,
		`"1.234,56"`: 123456, `"1,234.56"`: 123456, `"1.234.567"`: 123456700, `"1,234,567.05"`: 123456705,
		`7990e-2`: 7990, `7.99E1`: 7990, `"0,5"`: 50, `".5"`: 50, `"5."`: 500, `"+3"`: 300, `"  12.30  "`: 1230,
		`79.900`: 7990, `79.90000000000001`: 7990, `0.30000000000000004`: 30, `79.89999999999999`: 7990,
		`-79.89999999999999`: -7990, `""`: 0, `"   "`: 0, `null`: 0, ``: 0,
	} {
		got, err := ParseCents([]byte(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	v, err := ParseCents([]byte(`99999999999999.99`))
	require.NoError(t, err)
	assert.Equal(t, int64(9999999999999999), v)

	for in, reason := range map[string]string{
		`79.999`: "more than two decimal places", `"1,234"`: "more than two decimal places",
		`"1.234"`: "more than two decimal places", `79.9000001`: "more than two decimal places",
		`"abc"`: "not a number", `"R$ 10,00"`: "not a number", `"1.23.456,00"`: "not a number", `"12.3.4"`: "not a number",
		`"-"`: "not a number", `"."`: "not a number", `"NaN"`: "not a number", `"Infinity"`: "not a number",
		`1e400`: "not a number", `1e30`: "too large", `"1,5,0"`: "not a number", `true`: "not a number",
		`"1.234,567.89"`: "not a number", `"1 234,56"`: "not a number", `"0x10"`: "not a number",
	} {
		_, err := ParseCents([]byte(in))
		var ce *CentsError
		require.True(t, errors.As(err, &ce), "%s: %v", in, err)
		assert.Equal(t, reason, ce.Reason, in)
		assert.Contains(t, err.Error(), "is not an amount", in)
	}
	_, err = ParseCents([]byte(`"unterminated`))
	assert.Error(t, err)
}

func FuzzParseCents(f *testing.F) {
	for _, s := range []string{`79.9`, `"1.234,56"`, `7990e-2`, `0.30000000000000004`, `"-0,01"`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseCents(b)
		if err != nil {
			return
		}
		// A value read is written back and read again to the same cents.
		neg := v < 0
		u := uint64(v)
		if neg {
			u = uint64(-v)
		}
		s := ""
		if neg {
			s = "-"
		}
		back, err := ParseCents([]byte(s + formatUint(u/100) + "." + twoDigits(u%100)))
		if err != nil || back != v {
			t.Fatalf("%q read as %d, written back read as %d (%v)", b, v, back, err)
		}
	})
}

func formatUint(u uint64) string {
	if u == 0 {
		return "0"
	}
	var out []byte
	for ; u > 0; u /= 10 {
		out = append([]byte{byte('0' + u%10)}, out...)
	}
	return string(out)
}

func twoDigits(u uint64) string { return string([]byte{byte('0' + u/10), byte('0' + u%10)}) }
