package transport

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"unicode/utf16"
)

// utf16Text writes s in UTF-16, little- or big-endian, as a .NET or Java
// server answering in "charset=utf-16" does.
func utf16Text(s string, order binary.AppendByteOrder) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return string(b)
}

// TestEchoInUTF16Masked: a key echoed in an error body written in UTF-16
// (every byte of an ASCII key beside a zero byte), as .NET and Java servers
// answering in charset=utf-16 write it, reached ResponseError.Body and
// every error's text whole.
func TestEchoInUTF16Masked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, ctype string
		echo        func(key string) string
	}{
		{"LE", "text/plain; charset=utf-16le", func(k string) string { return utf16Text("bad key "+k, binary.LittleEndian) }},
		{"BE", "text/plain; charset=utf-16be", func(k string) string { return utf16Text("bad key "+k, binary.BigEndian) }},
		{"LE JSON with BOM", "application/json; charset=utf-16", func(k string) string {
			return "\xff\xfe" + utf16Text(`{"error":"bad key `+strings.ReplaceAll(k, `\`, `\\`)+`"}`, binary.LittleEndian)
		}},
		{"BE, escaped", "application/json; charset=utf-16be", func(k string) string {
			return utf16Text(`{"error":"bad key `+strings.ReplaceAll(strings.ReplaceAll(k, `\`, `\\`), "/", `\/`)+`"}`, binary.BigEndian)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assertEchoMasked(t, tc.ctype, tc.echo)
		})
	}
}

// TestRedactUTF16EveryCanary: every canary (long, short, non-ASCII) is
// masked in UTF-16 text of either byte order, at either byte alignment,
// also JSON-escaped inside it; text without a long secret is left alone.
func TestRedactUTF16EveryCanary(t *testing.T) {
	t.Parallel()
	for _, secret := range append([]string{phpCanary}, maskCanaries...) {
		r := NewRedactor(secret)
		esc, _ := json.Marshal(secret)
		for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
			for _, lead := range []string{"", "x", "\xff\xfe"} {
				for _, body := range []string{"key=" + secret + " ok", `{"k":` + string(esc) + `}`} {
					in := lead + utf16Text(body, order)
					out := r.Redact(in)
					assert.NotContains(t, out, utf16Text(secret, order), "%q %q", secret, in)
					assert.Contains(t, out, Mask, "%q %q", secret, in)
				}
				if len(secret) >= MinFreeSecret {
					// (A short one is judged in the raw bytes too, where
					// the zero bytes beside it make it stand alone.)
					plain := lead + utf16Text("nothing here", order)
					assert.Equal(t, plain, r.Redact(plain))
				}
			}
		}
	}
}
