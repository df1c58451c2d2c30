package transport

import (
	"fmt"
	"io"
	"log/slog"
)

// Secret holds a credential (a token, an API key, a password). It formats,
// logs and marshals as REDACTED in every verb (%v, %+v, %#v, %s, %q, %x),
// through slog (LogValue) and encoding/json, so that a struct holding one
// can be printed as a whole. In an unexported field, where fmt cannot call
// methods, it prints as a pointer. Value returns the credential itself, for
// the code that sends it.
type Secret struct{ p *string }

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret { return Secret{p: &s} }

// Value returns the credential ("" for the zero Secret).
func (s Secret) Value() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether s holds nothing.
func (s Secret) IsZero() bool { return s.p == nil || *s.p == "" }

// String implements fmt.Stringer: always the mask.
func (s Secret) String() string { return Mask }

// GoString implements fmt.GoStringer: always the mask.
func (s Secret) GoString() string { return `"` + Mask + `"` }

// Format implements fmt.Formatter, so that no verb reaches the value.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Mask) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(Mask) }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Mask + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(Mask), nil }
