package salesman

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// RateLimitError is returned for HTTP 429 answers; RetryAfter says how long
// to wait. Match it with errors.As.
type RateLimitError = leadkit.RateLimitError

// Sentinel errors for the documented error codes. Match them with errors.Is
// against any error the client returns.
var (
	// ErrInvalidAPIKey is code 400 "Не верный API key" (V1). V2 and V3 servers
	// answer a wrong key with code 401, which matches both this error and
	// ErrUnknownUser.
	ErrInvalidAPIKey = errors.New("salesman: invalid API key")
	// ErrUnknownUser is code 401 "Неизвестный пользователь".
	ErrUnknownUser = errors.New("salesman: unknown user")
	// ErrUnknownMethod is code 402 "Неизвестный метод" (V3 answers an unknown
	// action with 404, which matches ErrNotFound).
	ErrUnknownMethod = errors.New("salesman: unknown method")
	// ErrNotFound is code 404: no such lead, or no leads on a list page. On V2
	// and V3, Leads.Get returns it when the server answers a record without
	// an id, which is how those versions say that a lead does not exist.
	ErrNotFound = errors.New("salesman: not found")
	// ErrUnauthorized is matched by every credentials error: a wrong API key
	// (400 on V1, 401 on V2/V3) and an unknown user (401).
	ErrUnauthorized = errors.New("salesman: unauthorized")
	// ErrBadRequest is matched by an error about the request's data: 405
	// missing parameters, 406 duplicate client, and Create's code 1.
	ErrBadRequest = errors.New("salesman: bad request")
	// ErrRateLimited is matched by a *RateLimitError (HTTP 429).
	ErrRateLimited = leadkit.ErrRateLimited
)

// Error is an error reported by a SalesMan server in the body of its answer,
// {"result":"Error","error":{"code":"400","text":"Не верный API key"}}. Real
// servers send these with HTTP 200; the client returns every body with an
// "error" key as an *Error, whatever the status.
type Error struct {
	// StatusCode is the HTTP status of the answer (usually 200).
	StatusCode int
	// Code is the vendor's error code: "400" wrong API key, "401" unknown
	// user, "402" unknown method, "403" not in this account, "404" not found,
	// "405" missing parameters, "406" duplicate client, "500" an exception;
	// Create may answer "1". CodeNumber is the same as a number.
	Code       string
	CodeNumber int
	// Message is the vendor's message, usually in Russian, secrets masked.
	Message string
	// Version is the API version that answered.
	Version APIVersion
	// Response is the generic error of a non-2xx answer (status, masked URL,
	// body excerpt), nil for the usual HTTP-200 error.
	Response *leadkit.ResponseError
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("salesman: error %s: %s", e.Code, e.Message)
	if e.StatusCode != 0 && e.StatusCode != 200 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Response != nil {
		s += fmt.Sprintf(" (%s %s)", e.Response.Method, e.Response.URL)
	}
	return s
}

// Is matches the sentinel errors by code (see ErrInvalidAPIKey for the one
// code that differs between versions).
func (e *Error) Is(target error) bool {
	switch n := e.CodeNumber; target {
	case ErrInvalidAPIKey:
		return n == 400 || (n == 401 && e.Version >= V2)
	case ErrUnknownUser:
		return n == 401
	case ErrUnauthorized:
		return n == 400 || n == 401
	case ErrUnknownMethod:
		return n == 402
	case ErrNotFound:
		return n == 404
	case ErrBadRequest:
		return n == 405 || n == 406 || n == 1
	}
	return false
}

// Unwrap returns the *leadkit.ResponseError of a non-2xx answer (so that
// errors.Is(err, leadkit.ErrHTTPStatus) holds), or nil.
func (e *Error) Unwrap() error {
	if e.Response == nil {
		return nil
	}
	return e.Response
}

// errField is the value of an "error" key: normally {"code":..,"text":..},
// with the code as a string (V1, V2) or a number (V3); a bare string or
// number is accepted too.
type errField struct {
	Code int64
	Text string
}

func (f *errField) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '{':
		var w struct {
			Code    lint `json:"code"`
			Text    lstr `json:"text"`
			Message lstr `json:"message"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		f.Code, f.Text = int64(w.Code), string(w.Text)
		if f.Text == "" {
			f.Text = string(w.Message)
		}
	case '"':
		s, _ := jsonx.ParseString(b)
		if n, err := jsonx.ParseInt(b); err == nil {
			f.Code = n
		} else {
			f.Text = s
		}
	default:
		n, _ := jsonx.ParseInt(b)
		f.Code = n
	}
	return nil
}

// errEnvelope is any answer reduced to its error.
type errEnvelope struct {
	Error *errField `json:"error"`
}

// bodyError returns the vendor error in resp's body, or nil: a body with an
// "error" key, also inside a one-element array.
func (c *Client) bodyError(resp *transport.Response) *Error {
	b := bytes.TrimSpace(resp.Body)
	if len(b) == 0 {
		return nil
	}
	var f *errField
	switch b[0] {
	case '{':
		var env errEnvelope
		if json.Unmarshal(b, &env) != nil {
			return nil
		}
		f = env.Error
	case '[':
		var arr []errEnvelope
		if json.Unmarshal(b, &arr) != nil || len(arr) != 1 {
			return nil
		}
		f = arr[0].Error
	}
	if f == nil {
		return nil
	}
	return c.newError(resp, f)
}

func (c *Client) newError(resp *transport.Response, f *errField) *Error {
	return &Error{
		StatusCode: resp.StatusCode,
		Code:       strconv.FormatInt(f.Code, 10),
		CodeNumber: int(f.Code),
		Message:    c.tc.Redactor().Redact(f.Text),
		Version:    c.version,
	}
}
