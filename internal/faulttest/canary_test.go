package faulttest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
)

// Canary credentials. Each holds characters that change under URL and
// base64 encoding, so a leak in any of those forms is caught too.
const (
	canaryZen          = "zenCANARY+tok/7Qx2=k9"
	canarySalesmanKey  = "smCANARY+key/Lw83=Pq"
	canaryWecleverPass = "wcCANARY+pw/Yh41=Zt"
	canaryZenviaKey    = "zvCANARY+key/Rr92=Mn"
	canaryDatacake     = "dcCANARY+tok/Ks55=Jb"
	canaryWebhook      = "whCANARY+secret/Vb07=Xe"
)

// Short canary credentials (1–3 characters, with "/ + = & %" and non-ASCII):
// the SDK masks them where they stand alone, and leaks looks for them there.
const (
	shortZen          = "Ж"
	shortSalesmanKey  = "k&"
	shortWecleverPass = "p/%"
	shortZenviaKey    = "+q"
	shortDatacake     = "é=J"
)

// variants returns the forms in which a secret could leak:
// testutil.LeakForms (raw; percent-encoded in upper and lower case and with
// every byte escaped; JSON-escaped, with every character \uXXXX in either
// case; HTML references; base64 in four variants), and as PHP's json_encode
// writes it ("\/", "\u0026", non-ASCII as \uXXXX).
func variants(secret string) []string {
	return append(testutil.LeakForms(secret), strings.Trim(phpString(secret), `"`),
		strings.ReplaceAll(strings.ReplaceAll(secret, "/", `\/`), "&", `\u0026`))
}

// leaks returns, for each text that holds a secret in any form, a short
// description of the hit. A secret shorter than 8 bytes (1–3 character keys
// exist) is a hit only where it stands alone: where each edge that is a
// letter or digit meets a non-word byte or the end of the text. Inside a
// longer word ("t" in "http") it is ordinary text, not a leak, and the SDK
// does not mask it there either.
func leaks(texts map[string]string, secrets []string) []string {
	var hits []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, v := range variants(s) {
			for where, text := range texts {
				if i := indexLeak(text, v, len(s) < 8); i >= 0 {
					hits = append(hits, fmt.Sprintf("%s holds a secret (as %q) at %d: …%s…", where, v, i, excerpt(text, i, len(v))))
				}
			}
		}
	}
	return hits
}

// indexLeak returns where v occurs in text (only where it stands alone when
// bounded), or -1.
func indexLeak(text, v string, bounded bool) int {
	for from := 0; from <= len(text); {
		i := strings.Index(text[from:], v)
		if i < 0 {
			return -1
		}
		i += from
		j := i + len(v)
		glued := bounded && (wordByte(v[0]) && i > 0 && wordByte(text[i-1]) ||
			wordByte(v[len(v)-1]) && j < len(text) && wordByte(text[j]))
		if !glued {
			return i
		}
		from = i + 1
	}
	return -1
}

// wordByte: ASCII letters and digits, and every byte of a non-ASCII rune.
func wordByte(c byte) bool {
	return c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func excerpt(s string, i, n int) string {
	lo, hi := max(0, i-60), min(len(s), i+n+60)
	return s[lo:hi]
}

// errorTexts returns every way err prints: each formatting verb (%v, %+v,
// %#v, %s, %q, and %x decoded back from hex) of err and of each error in its
// unwrap chain (through Unwrap() error and Unwrap() []error), slog's text
// and JSON handlers, and encoding/json of each. Texts quoted by %q or %#v
// are read unquoted too (a \u escape's backslash is doubled there).
func errorTexts(err error) map[string]string {
	out := map[string]string{}
	seen := map[error]bool{}
	depth := 0
	var visit func(e error)
	visit = func(e error) {
		if e == nil || depth > 64 {
			return
		}
		if isComparable(e) {
			if seen[e] {
				return
			}
			seen[e] = true
		}
		depth++
		key := fmt.Sprintf("error[%d] %T", depth, e)
		out[key+" Error()"] = e.Error()
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out[key+" "+verb] = fmt.Sprintf(verb, e)
		}
		if b, err := hex.DecodeString(fmt.Sprintf("%x", e)); err == nil {
			out[key+" %x"] = string(b)
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Error("failed", "err", e)
		slog.New(slog.NewJSONHandler(&js, nil)).Error("failed", "err", e)
		out[key+" slog text"], out[key+" slog JSON"] = text.String(), js.String()
		if b, err := json.Marshal(e); err == nil {
			out[key+" json"] = string(b)
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			visit(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				visit(x)
			}
		}
	}
	visit(err)
	for k, v := range out {
		if strings.Contains(v, `\\`) {
			out[k+" unquoted"] = strings.ReplaceAll(v, `\\`, `\`)
		}
	}
	return out
}

func isComparable(e error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = map[error]bool{e: true}
	return true
}

// scanCell asserts that no canary, and no credential the server saw, is in
// the cell's errors or log lines.
func scanCell(t *testing.T, c *cell) {
	t.Helper()
	texts := errorTexts(c.err)
	texts["debug log"] = c.logs
	secrets := append(append([]string(nil), c.v.secrets...), c.creds...)
	if hits := leaks(texts, secrets); len(hits) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(hits, "\n"))
	}
}

// TestLeakScannerFindsLeaks keeps the scanner honest: it must find a secret
// in each encoded form, in an error's chain and in a log.
func TestLeakScannerFindsLeaks(t *testing.T) {
	t.Parallel()
	for _, v := range variants(canaryZen) {
		err := fmt.Errorf("outer: %w", errors.Join(errors.New("a"), fmt.Errorf("b %s", v)))
		if len(leaks(errorTexts(err), []string{canaryZen})) == 0 {
			t.Errorf("form %q not found", v)
		}
	}
	if len(leaks(map[string]string{"log": "level=DEBUG url=http://x/?token=" + url.QueryEscape(canaryZen)}, []string{canaryZen})) == 0 {
		t.Error("query-escaped form not found in a log")
	}
	if len(leaks(errorTexts(errors.New("clean")), []string{canaryZen})) != 0 {
		t.Error("false positive")
	}
	// A value whose message is clean but whose fields hold the key: %#v,
	// slog's JSON and encoding/json show them.
	if len(leaks(errorTexts(fmt.Errorf("w: %w", keyErr{Key: canaryZen})), []string{canaryZen})) == 0 {
		t.Error("a key in an error's field not found")
	}
}

type keyErr struct{ Key string }

func (keyErr) Error() string { return "clean" }

// TestUserinfoBaseURLRefusedByEveryClient: a base URL holding user
// credentials is refused by every vendor's NewClient (issue 23, item 7), with
// an error that quotes neither the user nor the password.
func TestUserinfoBaseURLRefusedByEveryClient(t *testing.T) {
	t.Parallel()
	const pw = "uiCANARY+pw/Qz5=Lk"
	for _, v := range vendors(t) {
		_, err := v.newClient("http://ana:"+url.PathEscape(pw)+"@127.0.0.1:1/api", common{hc: &http.Client{}})
		if !errors.Is(err, leadkit.ErrInvalidInput) {
			t.Errorf("%s: want an input error, got %v", v.name, err)
			continue
		}
		if hits := leaks(errorTexts(err), []string{pw, "ana:" + pw}); len(hits) > 0 {
			t.Errorf("%s: %s", v.name, strings.Join(hits, "\n"))
		}
	}
}
