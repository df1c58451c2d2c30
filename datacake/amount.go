package datacake

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
)

// Amount is an amount of Brazilian reais in centavos, exact: Amount(7990)
// is R$ 79,90. Every amount of the contract ("valor", "valor_inicial",
// "valor_atual", "valor_pago", "juros", "multa", "desconto") is one; none is
// a float, so sums and comparisons are exact.
//
// On the wire it is what the contract sends: a string with two decimals
// ("79.90"). It reads a string or a JSON number, with a decimal point or
// comma and thousands grouped either way ("79.9", "79,90", "1.234,56",
// 7990e-2; "" and null are zero), and refuses anything else, including more
// than two decimal places (except the noise of a binary float, such as
// 79.90000000000001, which is rounded to the centavo), with an error naming
// the JSON field.
type Amount int64

// amountType is Amount's reflect.Type, for the decoding errors.
var amountType = reflect.TypeFor[Amount]()

// ParseAmount reads an amount as the JSON decoding does, from text such as
// "79,90", "79.90" or "1.234,56" (a leading "R$" is accepted too). Bad text
// is an *leadkit.InputError naming "amount".
func ParseAmount(s string) (Amount, error) {
	t := strings.TrimSpace(s)
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t, "-"), "R$"))
	if neg {
		t = "-" + t
	}
	v, err := jsonx.ParseCents([]byte(strconv.Quote(t)))
	var ce *jsonx.CentsError
	if errors.As(err, &ce) {
		return 0, leadkit.Invalid("amount", "%s is not an amount: %s", ce.Text, ce.Reason)
	}
	return Amount(v), err
}

// String writes the amount the Brazilian way: "R$ 79,90", "R$ 1.234,56",
// "-R$ 10,50".
func (a Amount) String() string {
	whole, cents, neg := a.parts()
	digits := strconv.FormatUint(whole, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString("R$ ")
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteByte(digits[i])
	}
	fmt.Fprintf(&b, ",%02d", cents)
	return b.String()
}

// Decimal writes the amount as the contract does: "79.90", "-10.50".
func (a Amount) Decimal() string {
	whole, cents, neg := a.parts()
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s%d.%02d", sign, whole, cents)
}

// parts splits a into reais and centavos, without the sign.
func (a Amount) parts() (whole, cents uint64, neg bool) {
	u := uint64(a)
	if a < 0 {
		u = -u // also right for the smallest int64
	}
	return u / 100, u % 100, a < 0
}

// MarshalJSON writes the contract's form, a string with two decimals.
func (a Amount) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, a.Decimal()), nil
}

// UnmarshalJSON reads a string or a number (see Amount). A value that is
// not an amount is a *json.UnmarshalTypeError: encoding/json adds the field
// it was read for.
func (a *Amount) UnmarshalJSON(b []byte) error {
	v, err := jsonx.ParseCents(b)
	var ce *jsonx.CentsError
	if errors.As(err, &ce) {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("%s (%s)", ce.Text, ce.Reason), Type: amountType}
	}
	if err != nil {
		return err
	}
	*a = Amount(v)
	return nil
}
