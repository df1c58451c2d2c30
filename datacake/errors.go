package datacake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// RateLimitError is returned for HTTP 429; RetryAfter says how long to wait.
type RateLimitError = leadkit.RateLimitError

// Sentinel errors for the statuses the contract's servers answer. The
// client's *Error matches them with errors.Is; an ERP given to NewHandler
// returns ErrNotFound for an unknown customer or prospect (404).
var (
	// ErrNotFound: no customer with that CPF/CNPJ, or no such prospect (404).
	ErrNotFound = errors.New("datacake: not found")
	// ErrUnauthorized: the token was missing or refused (401, 403).
	ErrUnauthorized = errors.New("datacake: unauthorized")
	// ErrBadRequest: the server refused the input (400, 422).
	ErrBadRequest = errors.New("datacake: bad request")
	// ErrTooLarge: the request body or a file was over the server's cap (413).
	ErrTooLarge = errors.New("datacake: request too large")
	// ErrNotImplemented: the ERP does not serve the operation (501), as
	// NewHandler answers for an ERP without fiscal notes or statements.
	ErrNotImplemented = errors.New("datacake: not implemented by this ERP")
	// ErrRateLimited is matched by a *RateLimitError (HTTP 429).
	ErrRateLimited = leadkit.ErrRateLimited
)

// Error is a non-2xx answer of an ERP. Message is the text of its body
// ({"error": "..."}, or "mensagem", "message" or "status" as ERPs write
// it), with secrets masked. It wraps a *leadkit.ResponseError, so
// errors.Is(err, leadkit.ErrHTTPStatus) holds.
type Error struct {
	StatusCode int                    // HTTP status
	Code       string                 // the ERP's error code, when its body has one ("codigo" or "code")
	Message    string                 // the ERP's message, secrets masked
	Response   *leadkit.ResponseError // the generic error (status, masked URL, body excerpt)
}

// Error implements error.
func (e *Error) Error() string {
	msg := fmt.Sprintf("datacake: HTTP %d", e.StatusCode)
	if e.Response != nil {
		msg = fmt.Sprintf("datacake: %s %s: HTTP %d", e.Response.Method, e.Response.URL, e.StatusCode)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Unwrap returns the *leadkit.ResponseError.
func (e *Error) Unwrap() error {
	if e.Response == nil {
		return nil
	}
	return e.Response
}

// Is matches the sentinel errors by status code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	case ErrTooLarge:
		return e.StatusCode == http.StatusRequestEntityTooLarge
	case ErrNotImplemented:
		return e.StatusCode == http.StatusNotImplemented
	}
	return false
}

// errorBody reads each message key as text of any JSON type, so that one
// of an unexpected type (an object where a string was expected) does not
// lose the others.
type errorBody struct {
	Error    jsonx.Text `json:"error"`
	Mensagem jsonx.Text `json:"mensagem"`
	Message  jsonx.Text `json:"message"`
	Status   jsonx.Text `json:"status"`
	Code     jsonx.Text `json:"code"`
	Codigo   jsonx.Text `json:"codigo"`
}

func decodeError(resp *transport.Response, base *leadkit.ResponseError) error {
	e := &Error{StatusCode: resp.StatusCode, Response: base}
	var b errorBody
	if kind, _ := transport.CheckJSON(resp.Body); kind == nil && json.Unmarshal(resp.Body, &b) == nil {
		e.Code = resp.Redact(string(b.Code))
		if e.Code == "" {
			e.Code = resp.Redact(string(b.Codigo))
		}
		for _, m := range []jsonx.Text{b.Error, b.Mensagem, b.Message, b.Status} {
			if m != "" {
				e.Message = resp.Redact(string(m))
				break
			}
		}
	}
	e.Message = transport.Clip(e.Message, 512)
	return e
}
