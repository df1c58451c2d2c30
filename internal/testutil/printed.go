package testutil

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// Printed returns every way v prints: %v %+v %#v %s %q %x, slog's text
// and JSON handlers, and encoding/json.
func Printed(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("v", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("v", "v", v)
	b, _ := json.Marshal(v)
	return append(out, text.String(), js.String(), string(b))
}

// DigestForms returns the SHA-256 of secret as fmt prints a [32]byte or a
// []byte (%v: "[26 118 ...]", %x), and in base64: a digest that prints is
// an offline test of guesses at the secret.
func DigestForms(secret string) []string {
	sum := sha256.Sum256([]byte(secret))
	dec := strings.Trim(fmt.Sprint(sum[:8]), "[]") // the first 8 bytes suffice
	return []string{dec, hex.EncodeToString(sum[:8]), strings.ToUpper(hex.EncodeToString(sum[:8])),
		base64.StdEncoding.EncodeToString(sum[:])[:10]}
}
