package datacake_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
)

// The test computes check digits with its own, independent transcription of
// the Receita Federal's rules, and cross-checks with published numbers.

func testCPF(nine string) string {
	d := nine
	for len(d) < 11 {
		sum := 0
		for i := 0; i < len(d); i++ {
			sum += int(d[i]-'0') * (len(d) + 1 - i)
		}
		r := 11 - sum%11
		if r >= 10 {
			r = 0
		}
		d += strconv.Itoa(r)
	}
	return d
}

func testCNPJ(twelve string) string {
	w1 := []int{5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	w2 := []int{6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2}
	d := twelve
	for _, w := range [][]int{w1, w2} {
		sum := 0
		for i, c := range []byte(d) {
			sum += (int(c) - 48) * w[i]
		}
		r := sum % 11
		if r < 2 {
			d += "0"
		} else {
			d += strconv.Itoa(11 - r)
		}
	}
	return d
}

func TestValidateCPF(t *testing.T) {
	t.Parallel()
	// Published examples: 529.982.247-25 and 111.444.777-35 appear in most
	// descriptions of the algorithm.
	for _, ok := range []string{"529.982.247-25", "52998224725", "111.444.777-35", " 111 444 777 35 ",
		testCPF("123456789"), testCPF("000000001"), testCPF("987654321")} {
		require.NoError(t, datacake.ValidateCPF(ok), ok)
		require.NoError(t, datacake.ValidateDocument(ok), ok)
		assert.Equal(t, datacake.DocumentCPF, datacake.KindOf(ok))
	}
	assert.Equal(t, "12345678909", testCPF("123456789")) // the classic example
	for _, bad := range []string{"", "529.982.247-24", "529.982.247-15", "52998224752", "111.111.111-11",
		"000.000.000-00", "5299822472", "529982247250", "52998224a25", "52998224725x", "529,982,247-25"} {
		err := datacake.ValidateCPF(bad)
		require.Error(t, err, bad)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, bad)
		assert.Equal(t, "cnpj_cpf", ie.Field)
	}
	// Every wrong check digit is refused.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		cpf := testCPF(fmt.Sprintf("%09d", rng.IntN(999999999)))
		if cpf[:9] == "000000000" {
			continue
		}
		require.NoError(t, datacake.ValidateCPF(cpf), cpf)
		for pos := 9; pos < 11; pos++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == cpf[pos] {
					continue
				}
				b := []byte(cpf)
				b[pos] = d
				require.Error(t, datacake.ValidateCPF(string(b)), string(b))
			}
		}
	}
}

func TestValidateCNPJ(t *testing.T) {
	t.Parallel()
	// 11.222.333/0001-81 is the example of most descriptions of the
	// algorithm; 12.ABC.345/01DE-35 is the Receita Federal's example of the
	// alphanumeric CNPJ (Nota Técnica conjunta COCAD/SUARA/RFB nº 49/2024).
	for _, ok := range []string{"11.222.333/0001-81", "11222333000181", "12.ABC.345/01DE-35", "12ABC34501DE35",
		"12.abc.345/01de-35", testCNPJ("112223330001"), testCNPJ("ZZZZZZZZZZZZ"), testCNPJ("A1B2C3D4E5F6"),
		testCNPJ("000000000001")} {
		require.NoError(t, datacake.ValidateCNPJ(ok), ok)
		require.NoError(t, datacake.ValidateDocument(ok), ok)
		assert.Equal(t, datacake.DocumentCNPJ, datacake.KindOf(ok))
	}
	assert.Equal(t, "11222333000181", testCNPJ("112223330001"))
	assert.Equal(t, "12ABC34501DE35", testCNPJ("12ABC34501DE"))
	for _, bad := range []string{"", "11.222.333/0001-82", "11.222.333/0001-18", "12.ABC.345/01DE-36",
		"12.ABD.345/01DE-35", "00.000.000/0000-00", "11.111.111/1111-11", "11222333000181A", "1122233300018",
		"12.ABC.345/01DE-3A", "12.AB$.345/01DE-35", "12.ÁBC.345/01DE-35", "1122233300 0181x"} {
		err := datacake.ValidateCNPJ(bad)
		require.Error(t, err, bad)
		require.ErrorIs(t, err, leadkit.ErrInvalidInput, bad)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i := 0; i < 200; i++ {
		b := make([]byte, 12)
		for k := range b {
			b[k] = alnum[rng.IntN(len(alnum))]
		}
		cnpj := testCNPJ(string(b))
		require.NoError(t, datacake.ValidateCNPJ(cnpj), cnpj)
		for pos := 12; pos < 14; pos++ {
			for d := byte('0'); d <= '9'; d++ {
				if d != cnpj[pos] {
					x := []byte(cnpj)
					x[pos] = d
					require.Error(t, datacake.ValidateCNPJ(string(x)), string(x))
				}
			}
		}
	}
}

func TestValidateDocument(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, datacake.ValidateDocument(""), leadkit.ErrInvalidInput)
	require.ErrorIs(t, datacake.ValidateDocument("123"), leadkit.ErrInvalidInput)
	require.ErrorIs(t, datacake.ValidateDocument("529.982.247-26"), leadkit.ErrInvalidInput)
	assert.Equal(t, datacake.DocumentUnknown, datacake.KindOf("123"))
	assert.Equal(t, "CPF", datacake.DocumentCPF.String())
	assert.Equal(t, "CNPJ", datacake.DocumentCNPJ.String())
	assert.Equal(t, "unknown", datacake.DocumentUnknown.String())
	assert.Equal(t, "12ABC34501DE35", datacake.NormalizeDocument(" 12.abc.345/01de-35"))
}

func FuzzValidateDocument(f *testing.F) {
	for _, s := range []string{"529.982.247-25", "11.222.333/0001-81", "12.ABC.345/01DE-35", "", "ÿ", "00000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := datacake.ValidateDocument(s)
		if err != nil {
			require.ErrorIs(t, err, leadkit.ErrInvalidInput)
			return
		}
		n := datacake.NormalizeDocument(s)
		switch datacake.KindOf(s) {
		case datacake.DocumentCPF:
			require.NoError(t, datacake.ValidateCPF(n))
			require.Equal(t, n, testCPF(n[:9]))
		case datacake.DocumentCNPJ:
			require.NoError(t, datacake.ValidateCNPJ(n))
			require.Equal(t, n, testCNPJ(n[:12]))
		default:
			t.Fatalf("valid document of unknown kind: %q", s)
		}
	})
}
