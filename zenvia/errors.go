package zenvia

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// Sentinel errors for the documented failures. Match them with errors.Is.
var (
	// ErrNotFound matches a 404: an unknown prospect, group or subscription.
	// Zenvia often answers it with an empty body.
	ErrNotFound = errors.New("zenvia: not found")
	// ErrUnauthorized matches a 401 or 403: a wrong, revoked or
	// under-privileged API key.
	ErrUnauthorized = errors.New("zenvia: unauthorized")
	// ErrConflict matches a 409, which Zenvia answers to an act-as-user
	// operation when the integration has no user configured.
	ErrConflict = errors.New("zenvia: conflict")
	// ErrBadRequest matches a 400 or 422: Zenvia refused the request's
	// content (summary "ValidationError").
	ErrBadRequest = errors.New("zenvia: bad request")
	// ErrRateLimited is matched by a *RateLimitError (HTTP 429).
	ErrRateLimited = leadkit.ErrRateLimited
)

// Error is Zenvia's error body, {"code":"...","message":"...","summary":"..."},
// with the HTTP status. It wraps a *leadkit.ResponseError (request method,
// redacted URL, body excerpt), so errors.Is(err, leadkit.ErrHTTPStatus) holds.
type Error struct {
	StatusCode int    // HTTP status
	Code       string // Zenvia's code, e.g. "UNEXPECTED_ERROR" ("" for an empty body)
	Message    string // Zenvia's message
	Summary    string // Zenvia's summary, e.g. "ValidationError"
	// Response is the generic error (status, masked URL, body excerpt).
	Response *leadkit.ResponseError
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("zenvia: ")
	if e.Response != nil {
		fmt.Fprintf(&b, "%s %s: ", e.Response.Method, e.Response.URL)
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Summary != "" {
		b.WriteString(" (" + e.Summary + ")")
	}
	if e.Code == "" && e.Message == "" && e.Response != nil && e.Response.Body != "" {
		fmt.Fprintf(&b, ": body %q", e.Response.Body)
	}
	return b.String()
}

// Is matches the sentinel of the status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity ||
			strings.EqualFold(e.Summary, "ValidationError")
	}
	return false
}

// Unwrap returns the generic *leadkit.ResponseError.
func (e *Error) Unwrap() error {
	if e.Response == nil {
		return nil
	}
	return e.Response
}

// errorWire reads each key as text of any JSON type: one of an unexpected
// type does not lose the others.
type errorWire struct {
	Code    jsonx.Text `json:"code"`
	Message jsonx.Text `json:"message"`
	Summary jsonx.Text `json:"summary"`
	Error   jsonx.Text `json:"error"`
}

// decodeError builds an *Error from a non-2xx response. Bodies that are
// empty, HTML or not Zenvia's shape keep only the status (and the excerpt in
// the wrapped error).
func decodeError(resp *transport.Response, base *leadkit.ResponseError, red *transport.Redactor) error {
	e := &Error{StatusCode: resp.StatusCode, Response: base}
	parseErrorBody(resp.Body, e)
	e.Code, e.Message, e.Summary = red.Redact(e.Code), red.Redact(e.Message), red.Redact(e.Summary)
	return e
}

// parseErrorBody fills e from a Zenvia error body; anything else is ignored.
func parseErrorBody(body []byte, e *Error) {
	if kind, _ := transport.CheckJSON(body); kind != nil {
		return
	}
	var w errorWire
	if err := json.Unmarshal(body, &w); err != nil {
		return
	}
	e.Code, e.Message, e.Summary = string(w.Code), string(w.Message), string(w.Summary)
	if e.Message == "" {
		e.Message = string(w.Error)
	}
}
