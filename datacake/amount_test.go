package datacake_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

func TestAmountText(t *testing.T) {
	t.Parallel()
	for a, want := range map[datacake.Amount]string{
		7990: "R$ 79,90", 0: "R$ 0,00", 5: "R$ 0,05", -1050: "-R$ 10,50", 123456705: "R$ 1.234.567,05",
		100000: "R$ 1.000,00", math.MinInt64: "-R$ 92.233.720.368.547.758,08",
	} {
		assert.Equal(t, want, a.String())
	}
	assert.Equal(t, "79.90", datacake.Amount(7990).Decimal())
	assert.Equal(t, "-0.05", datacake.Amount(-5).Decimal())
	assert.Equal(t, "1234567.05", datacake.Amount(123456705).Decimal())
}

func TestAmountJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(map[string]datacake.Amount{"valor": 7990, "multa": 0})
	require.NoError(t, err)
	assert.JSONEq(t, `{"valor":"79.90","multa":"0.00"}`, string(b), "the contract's form: strings with two decimals")

	var p datacake.Product
	for in, want := range map[string]datacake.Amount{
		`"79.90"`: 7990, `"79,90"`: 7990, `79.9`: 7990, `"1.234,56"`: 123456, `""`: 0, `null`: 0,
		`79.90000000000001`: 7990, `7990e-2`: 7990,
	} {
		require.NoError(t, json.Unmarshal([]byte(`{"id_servico":"1","valor":`+in+`}`), &p), in)
		assert.Equal(t, want, p.Price, in)
	}
	for in, why := range map[string]string{
		`"79.999"`: "more than two decimal places", `"abc"`: "not a number", `"1.234"`: "more than two decimal places",
		`true`: "not a number", `1e99`: "not a number",
	} {
		err := json.Unmarshal([]byte(`{"id_servico":"1","valor":`+in+`}`), &p)
		var te *json.UnmarshalTypeError
		require.True(t, errors.As(err, &te), "%s: %v", in, err)
		assert.Equal(t, "valor", te.Field, "the error names the field")
		assert.Contains(t, err.Error(), why, in)
	}
	// Deeper fields are named with their path.
	var ins datacake.Installation
	err = json.Unmarshal([]byte(`{"id_instalacao":"1","servicos":[{"id_servico":"2","valor":"R$ 5"}]}`), &ins)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "servicos.valor")
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]datacake.Amount{
		"79,90": 7990, "R$ 79,90": 7990, "-R$ 10,50": -1050, " 1.234,56 ": 123456, "0": 0,
	} {
		got, err := datacake.ParseAmount(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := datacake.ParseAmount("79,999")
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "amount", ie.Field)
	assert.Contains(t, err.Error(), "more than two decimal places")
}

// A client reading an ERP that sends a bad amount gets a decoding error that
// names the field, never a silent zero or a rounded value; the fast path of
// the products and the general one agree.
func TestClientRefusesBadAmounts(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`[{"id_servico":"101","nome":"Fibra","valor":"79,999"}]`,
		`{"dados":[{"id_servico":"101","nome":"Fibra","valor":"79,999"}]}`,
		`{ [{"id_servico":"101","nome":"Fibra","valor":"79,999"}] }`,
	} {
		url := newLoopback(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c, err := datacake.NewClient(url, "tok")
		require.NoError(t, err)
		_, err = c.Catalogues.Products(context.Background())
		require.ErrorIs(t, err, leadkit.ErrDecode, body)
		assert.Contains(t, err.Error(), "valor", body)
		assert.Contains(t, err.Error(), "more than two decimal places", body)
	}
}
