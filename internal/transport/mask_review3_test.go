package transport

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

// review3Forms returns the escape families of the third review of issue
// 23, written by the test's own code (testutil), each with a name: C,
// JavaScript and Python escapes, CSS escapes, continuations, invisible
// characters inside the key, full-width forms, and these nested once in
// the encodings masked before.
func review3Forms(secret string) map[string]string {
	half := len([]rune(secret)) / 2
	left, right := string([]rune(secret)[:half]), string([]rune(secret)[half:])
	hex := testutil.EachByte(secret, `\x%02x`)
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return strings.Trim(string(b), `"`) }
	forms := map[string]string{
		`\xNN lower`:               hex,
		`\xNN upper`:               testutil.EachByte(secret, `\x%02X`),
		`\xNN some`:                someEscaped(secret, func(c byte) string { return fmt.Sprintf(`\x%02X`, c) }),
		`octal \NNN`:               testutil.EachByte(secret, `\%03o`),
		`octal some`:               someEscaped(secret, func(c byte) string { return fmt.Sprintf(`\%03o`, c) }),
		`ES6 \u{x}`:                testutil.EachRune(secret, `\u{%x}`),
		`ES6 \u{00X}`:              testutil.EachRune(secret, `\u{%04X}`),
		`Python \U0000XXXX`:        testutil.EachRune(secret, `\U%08x`),
		`CSS \X space`:             testutil.EachRune(secret, `\%X `),
		`CSS \00000X`:              testutil.EachRune(secret, `\%06X`),
		`CSS some`:                 someEscaped(secret, func(c byte) string { return fmt.Sprintf(`\%x `, c) }),
		`identity escapes \+ \/`:   strings.NewReplacer("+", `\+`, "/", `\/`, "=", `\=`, "_", `\_`, ".", `\.`).Replace(secret),
		`backslash-newline`:        left + "\\\n" + right,
		`backslash-CRLF`:           left + "\\\r\n" + right,
		`backslash-newline all`:    testutil.Interleave(secret, "\\\n"),
		`full-width`:               testutil.FullWidth(secret),
		`full-width upper`:         testutil.FullWidth(strings.ToUpper(secret)),
		`full-width half`:          left + testutil.FullWidth(right),
		`\xNN in JSON`:             jsonOf(hex),
		`CSS in JSON`:              jsonOf(testutil.EachRune(secret, `\%X `)),
		`full-width in percent`:    url.QueryEscape(testutil.FullWidth(secret)),
		`full-width in \u`:         testutil.EachRune(testutil.FullWidth(secret), `\u%04x`),
		`percent in full-width`:    testutil.FullWidth(testutil.LowerHex(url.QueryEscape(secret))),
		`octal in HTML`:            strings.ReplaceAll(testutil.EachByte(secret, `\%03o`), `\`, "&#92;"),
		`\xNN in base64`:           base64.StdEncoding.EncodeToString([]byte(hex)),
		`full-width in base64`:     base64.RawURLEncoding.EncodeToString([]byte(testutil.FullWidth(secret))),
		`soft hyphen in JSON`:      jsonOf(left) + `\u00ad` + jsonOf(right),
		`&shy;`:                    left + "&shy;" + right,
		`&ZeroWidthSpace;`:         testutil.Interleave(secret, "&ZeroWidthSpace;"),
		`<wbr/>`:                   left + "<wbr/>" + right,
		`<WBR />`:                  left + "<WBR />" + right,
		`zero-width in percent`:    url.QueryEscape(left + "\u200b" + right),
		`\xNN of full-width`:       testutil.EachByte(testutil.FullWidth(secret), `\x%02x`),
		`soft hyphen + full-width`: testutil.Interleave(testutil.FullWidth(secret), "\u00ad"),
	}
	for _, sep := range testutil.Invisibles {
		forms[fmt.Sprintf("split by %+q", sep)] = left + sep + right
		forms[fmt.Sprintf("every char split by %+q", sep)] = testutil.Interleave(secret, sep)
	}
	return forms
}

// someEscaped escapes every other byte of s with esc, and "+", "/", "="
// always.
func someEscaped(s string, esc func(byte) string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; i%2 == 1 || strings.IndexByte("+/=", c) >= 0 {
			b.WriteString(esc(c))
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// TestMaskedReview3Encodings: a key echoed with C/JavaScript/Python hex or
// octal escapes, ES6 \u{...}, CSS escapes, a backslash-newline
// continuation, an invisible character or <wbr> inside it, in full-width
// letters, or any of these nested once in the encodings masked before, was
// printed in clear.
func TestMaskedReview3Encodings(t *testing.T) {
	t.Parallel()
	for _, secret := range review2Secrets {
		r := NewRedactor(secret)
		for name, form := range review3Forms(secret) {
			out := r.Redact(`{"error":"bad key ` + form + `","n":1}`)
			if !assert.Contains(t, out, Mask, "%s of %q: nothing masked in %q", name, secret, out) {
				continue
			}
			assert.NotContains(t, out, form, name)
			// Not even the middle of the form shows.
			rs := []rune(form)
			mid := string(rs[len(rs)/4 : 3*len(rs)/4])
			assert.NotContains(t, out, mid, "%s of %q: %q", name, secret, out)
			assert.Contains(t, out, `{"error":"bad key `, name)
			assert.True(t, strings.HasSuffix(out, `","n":1}`), "%s: the text around the key is kept: %q", name, out)
		}
	}
}

// TestReview3EncodingsOverTheWire drives the new families through a vendor
// error on loopback: no level of the chain holds the key in any form of
// testutil.LeakForms (which now lists them).
func TestReview3EncodingsOverTheWire(t *testing.T) {
	t.Parallel()
	const secret = "sk_live_Abc123+xyz/987"
	srv := newServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		k := r.URL.Query().Get("apikey")
		fields := []string{}
		for _, f := range testutil.LeakForms(k) {
			b, _ := json.Marshal(f)
			fields = append(fields, string(b))
		}
		jsonStatus(w, 400, `{"message":"bad key","seen":[`+strings.Join(fields, ",")+`],`+
			`"css":"`+testutil.EachRune(k, `\\%X `)+`","fw":"`+testutil.FullWidth(k)+`"}`)
	})
	c := newClient(t, srv.URL, withAuth(QueryKey("apikey", secret)))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"leads"}})
	require.Error(t, err)
	texts := chainTexts(err)
	assert.Empty(t, leaked(secret, texts))
	// The JSON body decoded (a caller reading ResponseError.Body) holds
	// no form either.
	var doc struct {
		Seen []string `json:"seen"`
		CSS  string   `json:"css"`
		FW   string   `json:"fw"`
	}
	for _, txt := range texts {
		if i := strings.Index(txt, `{"message"`); i >= 0 {
			if json.Unmarshal([]byte(txt[i:strings.LastIndex(txt, "}")+1]), &doc) == nil {
				assert.Empty(t, leaked(secret, append(doc.Seen, doc.CSS, doc.FW)))
			}
		}
	}
}

// TestReview3NoFalseMask: text that only looks like the new escapes, and
// a key's neighbours, are left as they are.
func TestReview3NoFalseMask(t *testing.T) {
	t.Parallel()
	r := NewRedactor("sk_live_Abc123+xyz/987")
	for _, s := range []string{
		`C:\102\path\x41 and \u{1F600} ＡＢＣ１２３ soft` + "\u00ad" + `hyphen zero` + "\u200b" + `width <wbr> ok`,
		`.a\2B b { color: red }`,
		"sk_live_Abc123+xyz/98",
		"ｓｋ＿ｌｉｖｅ＿Ａｂｃ１２３＋ｘｙｚ／９８",
	} {
		assert.Equal(t, s, r.Redact(s))
	}
}
