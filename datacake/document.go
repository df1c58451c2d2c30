package datacake

import (
	"strings"

	"github.com/leadkit/leadkit"
)

// The field name the contract gives a customer's document.
const documentField = "cnpj_cpf"

// NormalizeDocument returns doc without the punctuation people type in a
// CPF or CNPJ ('.', '-', '/' and spaces), with letters in upper case:
// "123.456.789-09" gives "12345678909" and "12.abc.345/01de-35" gives
// "12ABC34501DE35". It does not validate; see ValidateDocument.
func NormalizeDocument(doc string) string {
	var b strings.Builder
	b.Grow(len(doc))
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case c == '.' || c == '-' || c == '/' || c == ' ' || c == '\t':
			continue
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// ValidateCPF checks a CPF (Cadastro de Pessoas Físicas): 11 digits, with or
// without the usual punctuation ("529.982.247-25"), whose two check digits
// match (modulo 11). Sequences of one repeated digit ("111.111.111-11") pass
// the arithmetic but are not issued, and are refused. The error is a
// *leadkit.InputError for field "cnpj_cpf".
func ValidateCPF(cpf string) error {
	d := NormalizeDocument(cpf)
	if len(d) != 11 {
		return leadkit.Invalid(documentField, "a CPF has 11 digits, got %d characters", len(d))
	}
	for i := 0; i < 11; i++ {
		if d[i] < '0' || d[i] > '9' {
			return leadkit.Invalid(documentField, "a CPF has only digits")
		}
	}
	if allSame(d) {
		return leadkit.Invalid(documentField, "a CPF of one repeated digit is not valid")
	}
	if d[9] != cpfDigit(d[:9]) || d[10] != cpfDigit(d[:10]) {
		return leadkit.Invalid(documentField, "CPF check digits do not match")
	}
	return nil
}

// cpfDigit computes the check digit that follows the digits in d (9 or 10
// of them): weights from len(d)+1 down to 2, remainder of the sum times 10
// modulo 11, where 10 counts as 0.
func cpfDigit(d string) byte {
	sum := 0
	w := len(d) + 1
	for i := 0; i < len(d); i++ {
		sum += int(d[i]-'0') * w
		w--
	}
	r := sum * 10 % 11
	if r == 10 {
		r = 0
	}
	return byte('0' + r)
}

// ValidateCNPJ checks a CNPJ (Cadastro Nacional da Pessoa Jurídica): 14
// characters, with or without punctuation ("11.222.333/0001-81"), whose two
// check digits match. It accepts the alphanumeric CNPJ issued from July
// 2026: the first 12 positions may hold digits or letters A-Z (lower case is
// accepted and read as upper case), the last two are digits, and each
// character counts as its ASCII code minus 48 (so '0'..'9' are 0..9 and 'A'
// is 17), which leaves the check of every numeric CNPJ unchanged
// ("12.ABC.345/01DE-35" is valid). All-zero and one-repeated-digit numbers
// are refused. The error is a *leadkit.InputError for field "cnpj_cpf".
func ValidateCNPJ(cnpj string) error {
	d := NormalizeDocument(cnpj)
	if len(d) != 14 {
		return leadkit.Invalid(documentField, "a CNPJ has 14 characters, got %d", len(d))
	}
	for i := 0; i < 12; i++ {
		c := d[i]
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return leadkit.Invalid(documentField, "the first 12 characters of a CNPJ are digits or letters A-Z")
		}
	}
	if d[12] < '0' || d[12] > '9' || d[13] < '0' || d[13] > '9' {
		return leadkit.Invalid(documentField, "the last 2 characters of a CNPJ are digits")
	}
	if allSame(d) {
		return leadkit.Invalid(documentField, "a CNPJ of one repeated digit is not valid")
	}
	if d[12] != cnpjDigit(d[:12]) || d[13] != cnpjDigit(d[:13]) {
		return leadkit.Invalid(documentField, "CNPJ check digits do not match")
	}
	return nil
}

// cnpjDigit computes the check digit that follows d (12 or 13 characters):
// weights 2..9 cycling from the right, character values ASCII minus 48,
// remainder of the sum modulo 11; a remainder below 2 gives 0, otherwise
// the digit is 11 minus the remainder.
func cnpjDigit(d string) byte {
	sum := 0
	w := 2
	for i := len(d) - 1; i >= 0; i-- {
		sum += int(d[i]-'0') * w
		w++
		if w > 9 {
			w = 2
		}
	}
	r := sum % 11
	if r < 2 {
		return '0'
	}
	return byte('0' + 11 - r)
}

func allSame(d string) bool {
	for i := 1; i < len(d); i++ {
		if d[i] != d[0] {
			return false
		}
	}
	return true
}

// DocumentKind says which document a string holds.
type DocumentKind int

// Document kinds.
const (
	DocumentUnknown DocumentKind = iota // neither length of a CPF nor of a CNPJ
	DocumentCPF                         // 11 digits: a person
	DocumentCNPJ                        // 14 characters: a company
)

// String returns "CPF", "CNPJ" or "unknown".
func (k DocumentKind) String() string {
	switch k {
	case DocumentCPF:
		return "CPF"
	case DocumentCNPJ:
		return "CNPJ"
	}
	return "unknown"
}

// KindOf tells a CPF from a CNPJ by the length of the normalized document,
// without validating it.
func KindOf(doc string) DocumentKind {
	switch len(NormalizeDocument(doc)) {
	case 11:
		return DocumentCPF
	case 14:
		return DocumentCNPJ
	}
	return DocumentUnknown
}

// ValidateDocument checks the value of the contract's "cnpj_cpf" field: a
// CPF (11 digits) or a CNPJ (14 characters, numeric or alphanumeric), with
// or without punctuation. The client runs it before a customer lookup and
// the handler before it asks the ERP.
func ValidateDocument(doc string) error {
	switch KindOf(doc) {
	case DocumentCPF:
		return ValidateCPF(doc)
	case DocumentCNPJ:
		return ValidateCNPJ(doc)
	}
	if strings.TrimSpace(doc) == "" {
		return leadkit.Invalid(documentField, "must not be empty")
	}
	return leadkit.Invalid(documentField, "a CPF has 11 digits and a CNPJ 14 characters, got %d", len(NormalizeDocument(doc)))
}
