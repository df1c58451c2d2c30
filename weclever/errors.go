package weclever

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// Sentinel errors for the statuses WeClever answers. Match them with errors.Is.
var (
	// ErrUnauthorized matches a 401 or 403: wrong user, password or
	// platform_id, or a token refused even after one refresh.
	ErrUnauthorized = errors.New("weclever: unauthorized")
	// ErrNotFound matches a 404: no lead with that id, or an unknown path.
	ErrNotFound = errors.New("weclever: not found")
	// ErrBadRequest matches a 400 or 422: WeClever refused the request.
	ErrBadRequest = errors.New("weclever: bad request")
	// ErrRateLimited is matched by a *RateLimitError (HTTP 429).
	ErrRateLimited = leadkit.ErrRateLimited
)

var errNoToken = errors.New("weclever: no token in the answer of the token endpoint")

// Error is an error answered by WeClever. WeClever does not document its
// error bodies; Message comes from {"error": "..."}, {"message": "..."} or a
// plain-text body, whichever the server sent.
type Error struct {
	// StatusCode is the HTTP status (a 2xx when an error body came with one).
	StatusCode int
	// Code is the server's error code, when its body has one ("code").
	Code string
	// Message is the server's message ("" when the body had none).
	Message string
	// Body is a bounded excerpt of the raw body, secrets masked.
	Body string

	// Response is the generic error (status, masked URL, body excerpt).
	Response *leadkit.ResponseError

	notFound bool
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "weclever: HTTP %d", e.StatusCode)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Response != nil {
		fmt.Fprintf(&b, " (%s %s)", e.Response.Method, e.Response.URL)
	}
	return b.String()
}

// Is matches ErrUnauthorized for 401 and 403, ErrNotFound for 404 and
// ErrBadRequest for 400 and 422.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || e.notFound
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	}
	return false
}

// Unwrap returns the generic *leadkit.ResponseError (which matches
// leadkit.ErrHTTPStatus for a non-2xx status).
func (e *Error) Unwrap() error {
	if e.Response == nil {
		return nil
	}
	return e.Response
}

// decodeError is the core's hook for non-2xx answers.
func (c *Client) decodeError(resp *transport.Response, base *leadkit.ResponseError) error {
	return &Error{
		StatusCode: resp.StatusCode,
		Code:       c.message(errorCode(resp.Body)),
		Message:    c.message(errorMessage(resp.Body)),
		Body:       base.Body,
		Response:   base,
	}
}

// bodyError returns an *Error for a 2xx answer whose body is an error
// ({"error"} or {"message"}), or nil.
func (c *Client) bodyError(resp *transport.Response) error {
	msg, ok := jsonMessage(resp.Body)
	if !ok || msg == "" {
		return nil
	}
	base := resp.ResponseError(leadkit.ErrDecode, errors.New("error body in a successful answer"))
	return &Error{StatusCode: resp.StatusCode, Message: c.message(msg), Body: base.Body, Response: base}
}

const maxMessage = 300

// errorMessage extracts the message of an error body of any shape.
func errorMessage(body []byte) string {
	if msg, ok := jsonMessage(body); ok {
		return msg
	}
	t := bytes.TrimSpace(body)
	if len(t) == 0 {
		return ""
	}
	if t[0] == '<' { // an HTML page from a proxy: the excerpt is on Body
		return ""
	}
	return string(t)
}

// errorCode reads {"code": ...} of an error body ("" when none).
func errorCode(body []byte) string {
	var v struct {
		Code jsonx.Text `json:"code"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return string(v.Code)
}

// jsonMessage reads {"error": ...} or {"message": ...}; error wins. A
// nested {"error": {"message": ...}} is read too.
func jsonMessage(body []byte) (string, bool) {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] != '{' {
		return "", false
	}
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(t, &v) != nil {
		return "", false
	}
	for _, raw := range []json.RawMessage{v.Error, v.Message, v.Detail} {
		if s := rawText(raw); s != "" {
			return s, true
		}
	}
	return "", true
}

func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return strings.TrimSpace(s)
		}
	case '{':
		if s, ok := jsonMessage(raw); ok {
			return s
		}
	case 't', 'f':
		return "" // {"error": true} says nothing
	default:
		return string(raw)
	}
	return ""
}

// message masks the client's secrets in msg and then clips it.
func (c *Client) message(msg string) string { return c.hc.Redactor().Excerpt(msg, maxMessage) }
