package transport

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/leadkit/leadkit/internal/testutil"
)

// encodedForms returns the forms in which a test looks for a leaked secret:
// testutil.LeakForms, and as PHP's json_encode writes it.
func encodedForms(s string) []string {
	forms := append(testutil.LeakForms(s), strings.Trim(phpJSON(s), `"`))
	slices.Sort(forms)
	return slices.Compact(forms)
}

// phpJSON encodes s as PHP's json_encode does by default: "\/" for "/",
// \uXXXX (lower-case hex) for non-ASCII.
func phpJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.Trim(goJSON(s), `"`) {
		switch {
		case r == '/':
			b.WriteString(`\/`)
		case r >= 0x80:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func goJSON(s string) string {
	b, _ := json.Marshal(s) // "\u0026" for "&", "\u003c" for "<"
	return string(b)
}

// hexDecoded returns the text that %x printed, decoded, so that the scan
// reads it too ("" when it is not hex).
func hexDecoded(s string) string {
	b, err := hex.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}
