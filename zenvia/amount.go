package zenvia

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
)

// Amount is a sum of money in hundredths of its currency's unit (centavos,
// centésimos), held exactly: Amount(7990) is 79.90. Zenvia sends and reads
// amounts as JSON numbers (79.9) in the account's currency (Leads.Defaults);
// a number with more than two decimals is refused rather than rounded, so
// that no centavo is lost or invented.
type Amount int64

// String returns the amount with two decimals and a point: "79.90",
// "-0.05".
func (a Amount) String() string {
	sign, n := "", int64(a)
	if n < 0 {
		sign = "-"
	}
	u := uint64(n)
	if n < 0 {
		u = uint64(-(n + 1)) + 1 // math.MinInt64 too
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// MarshalJSON writes the amount as a JSON number, 79.9 for Amount(7990).
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(trimZeros(a.String())), nil
}

// trimZeros drops the decimals that are zero: "79.90" → "79.9", "80.00" → "80".
func trimZeros(s string) string {
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// UnmarshalJSON reads a JSON number, a number in a string ("79.90"), or
// null (zero). A value that is not a number, has more than two decimals or
// does not fit is an error.
func (a *Amount) UnmarshalJSON(b []byte) error {
	t := bytes.TrimSpace(b)
	if string(t) == "null" {
		return nil
	}
	if len(t) > 0 && t[0] == '"' {
		s, err := strconv.Unquote(string(t))
		if err != nil {
			return fmt.Errorf("zenvia: amount %.40q: %w", t, err)
		}
		t = []byte(s)
		if len(bytes.TrimSpace(t)) == 0 {
			return nil
		}
	}
	v, err := ParseAmount(string(t))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// decimalNumber is a JSON number whose exponent, if any, has at most three
// digits (a bigger one is no amount, and would be costly to expand).
var decimalNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$`)

// ParseAmount reads a decimal number ("79.9", "1e3", "-2.50") as an
// Amount. It refuses what is not a number, a value with more than two
// decimals, and a value beyond the range of an Amount.
func ParseAmount(s string) (Amount, error) {
	if len(s) > 64 || !decimalNumber.MatchString(s) {
		return 0, fmt.Errorf("zenvia: %.40q is not an amount", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("zenvia: %.40q is not an amount", s)
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() {
		return 0, fmt.Errorf("zenvia: %.40q has more than two decimals", s)
	}
	n := r.Num()
	if !n.IsInt64() || n.Int64() == math.MinInt64 {
		return 0, fmt.Errorf("zenvia: %.40q is out of range", s)
	}
	return Amount(n.Int64()), nil
}
