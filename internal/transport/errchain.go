package transport

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"reflect"
)

// MaskError returns err with every secret masked, in its own message and in
// every error of its unwrap chain: each level is a view whose Error() is
// redacted, so error reporters that walk the chain (errors.Unwrap, Sentry
// and the like) record no secret. errors.Is and errors.As keep working: Is
// compares against the original errors, and As hands out the original
// value, except a *url.Error (whose URL carries the query string), which
// comes out as a copy with its URL and cause masked. Nil stays nil.
func MaskError(r *Redactor, err error) error {
	if err == nil {
		return nil
	}
	switch err.(type) {
	case *maskedError, *maskedJoin:
		return err
	}
	msg := r.Redact(err.Error())
	if x, ok := err.(interface{ Unwrap() []error }); ok {
		return &maskedJoin{maskedError{r: r, msg: msg, err: err}, x.Unwrap()}
	}
	return &maskedError{r: r, msg: msg, err: err}
}

// maskedError is one level of a masked chain.
type maskedError struct {
	r   *Redactor
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }

// Format implements fmt.Formatter: every verb prints the masked message
// (%v, %+v, %s as it is, %q quoted, %x hex), and %#v a Go form holding only
// it, never the original error's fields (a caller's value-type error would
// print inline, key and all).
func (e *maskedError) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprintf(f, "&transport.maskedError{msg:%q}", e.msg)
	case verb == 'q' || verb == 'x' || verb == 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), e.msg)
	default:
		_, _ = io.WriteString(f, e.msg)
	}
}

// LogValue implements slog.LogValuer: the masked message.
func (e *maskedError) LogValue() slog.Value { return slog.StringValue(e.msg) }

// Unwrap returns the masked view of the next level.
func (e *maskedError) Unwrap() error {
	if x, ok := e.err.(interface{ Unwrap() error }); ok {
		return MaskError(e.r, x.Unwrap())
	}
	return nil
}

// Is matches at this level only; errors.Is walks on through Unwrap.
func (e *maskedError) Is(target error) bool {
	if target == nil {
		return false
	}
	if reflect.TypeOf(target).Comparable() && reflect.TypeOf(e.err).Comparable() && e.err == target {
		return true
	}
	if x, ok := e.err.(interface{ Is(error) bool }); ok {
		return x.Is(target)
	}
	return false
}

// As matches at this level only; errors.As walks on through Unwrap.
func (e *maskedError) As(target any) bool {
	val := reflect.ValueOf(target)
	if val.Kind() != reflect.Pointer || val.IsNil() {
		return false
	}
	want := val.Type().Elem()
	if reflect.TypeOf(e.err).AssignableTo(want) {
		val.Elem().Set(reflect.ValueOf(e.safe()))
		return true
	}
	if x, ok := e.err.(interface{ As(any) bool }); ok {
		return x.As(target)
	}
	return false
}

// safe returns the value As hands out: the original error, or a masked copy
// of a *url.Error.
func (e *maskedError) safe() error {
	var ue *url.Error
	if errors.As(e.err, &ue) && error(ue) == e.err {
		return &url.Error{Op: ue.Op, URL: e.r.Redact(ue.URL), Err: MaskError(e.r, ue.Err)}
	}
	return e.err
}

// maskedJoin is a masked level whose original has several causes.
type maskedJoin struct {
	maskedError
	causes []error
}

// Unwrap returns the masked views of the causes.
func (e *maskedJoin) Unwrap() []error {
	out := make([]error, 0, len(e.causes))
	for _, c := range e.causes {
		if c != nil {
			out = append(out, MaskError(e.r, c))
		}
	}
	return out
}
