package transport

import (
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// review2Secrets are the canaries of the second review of issue 23: a key
// ending in base64 padding (QP writes "=" as "=3D"), one with "+" and "/",
// and one long enough for a quoted-printable line to break inside it.
var review2Secrets = []string{
	"Zk9vYmFyMTIzNDU2Nzg5MA==",
	"sk_live_Abc123+xyz/987",
	"rv2CANARY_" + strings.Repeat("Kq7+Zx=9", 12),
}

// assertMasked fails when r leaves secret in the text holding form.
func assertMasked(t *testing.T, r *Redactor, secret, name, form string) {
	t.Helper()
	out := r.Redact(`{"error":"bad key ` + form + `","n":1}`)
	assert.Contains(t, out, Mask, "%s: nothing masked in %q", name, out)
	assert.NotContains(t, out, secret, name)
	// Nothing of the form may stay in clear: every 8-byte run of it that
	// is not in the template is gone.
	for i := 0; i+8 <= len(form); i++ {
		if chunk := form[i : i+8]; strings.Contains(secret, chunk) {
			assert.NotContains(t, out, chunk, "%s: a part of the key shows in %q", name, out)
		}
	}
}

// TestMaskedQuotedPrintable: a key echoed in quoted-printable (a mail
// gateway's bounce, a multipart/mixed answer; "=" written "=3D", in either
// case, and soft line breaks "=\r\n" every 76 characters, also inside the
// key) was printed in clear.
func TestMaskedQuotedPrintable(t *testing.T) {
	t.Parallel()
	for _, secret := range review2Secrets {
		r := NewRedactor(secret)
		var b strings.Builder
		w := quotedprintable.NewWriter(&b)
		_, _ = w.Write([]byte("Your request with the key " + secret + " was refused."))
		require.NoError(t, w.Close())
		qp := b.String()
		assertMasked(t, r, secret, "quotedprintable.Writer", qp)
		assertMasked(t, r, secret, "=3d lower", strings.ReplaceAll(strings.ReplaceAll(secret, "=", "=3d"), "+", "=2b"))
		// A soft line break at every place inside the key, CRLF and LF.
		for cut := 1; cut < len(secret); cut++ {
			for _, nl := range []string{"=\r\n", "=\n"} {
				form := strings.ReplaceAll(secret[:cut], "=", "=3D") + nl + strings.ReplaceAll(secret[cut:], "=", "=3D")
				out := r.Redact("key " + form + " end")
				assert.Contains(t, out, Mask, "break at %d: %q", cut, out)
				assert.NotContains(t, out, strings.ReplaceAll(secret[:cut], "=", "=3D")+nl, "break at %d: %q", cut, out)
			}
		}
	}
}
