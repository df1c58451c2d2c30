package zen

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Sentinel errors for Zen's documented statuses. Match them with errors.Is.
var (
	// ErrUnauthorized: HTTP 401, the token was refused.
	ErrUnauthorized = errors.New("zen: unauthorized (check the token)")
	// ErrBadRequest: HTTP 400, the request or its data was refused.
	ErrBadRequest = errors.New("zen: bad request")
	// ErrNotFound: HTTP 404.
	ErrNotFound = errors.New("zen: not found")
	// ErrRateLimited is matched by a *RateLimitError (HTTP 429 or Zen's
	// window, enforced client-side).
	ErrRateLimited = leadkit.ErrRateLimited
)

// Error is an error answer of Zen. The read APIs answer {"error": "..."};
// lead entry answers {"Erro": "code", "Mensagem": "..."}. It wraps the
// *leadkit.ResponseError with the status, the redacted URL and a body excerpt.
type Error struct {
	StatusCode int    // HTTP status
	Code       string // "Erro" of lead entry answers, empty otherwise
	Message    string // "error" or "Mensagem"
	Response   *leadkit.ResponseError
}

// Error implements error.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	where := ""
	if e.Response != nil {
		where = e.Response.Method + " " + e.Response.URL + ": "
	}
	if e.Code != "" {
		return fmt.Sprintf("zen: %sHTTP %d: %s (Erro %s)", where, e.StatusCode, msg, e.Code)
	}
	return fmt.Sprintf("zen: %sHTTP %d: %s", where, e.StatusCode, msg)
}

// Is matches the sentinel of the error's status.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	}
	return false
}

// Unwrap returns the generic response error.
func (e *Error) Unwrap() error {
	if e.Response == nil {
		return nil
	}
	return e.Response
}

// errorBody covers both error shapes.
type errorBody struct {
	Error    json.RawMessage `json:"error"`
	Erro     json.RawMessage `json:"Erro"`
	Mensagem json.RawMessage `json:"Mensagem"`
	Message  json.RawMessage `json:"message"`
}

// parseErrorBody returns the code and message of a Zen error body, and
// whether the body had one.
func parseErrorBody(body []byte) (code, msg string, ok bool) {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return "", "", false
	}
	code = rawText(eb.Erro)
	msg = rawText(eb.Mensagem)
	if msg == "" {
		msg = rawText(eb.Error)
	}
	if msg == "" {
		msg = rawText(eb.Message)
	}
	return code, msg, code != "" || msg != ""
}

func rawText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func decodeError(resp *transport.Response, base *leadkit.ResponseError) error {
	code, msg, _ := parseErrorBody(resp.Body)
	red := resp.Redact
	return &Error{StatusCode: resp.StatusCode, Code: red(code), Message: red(msg), Response: base}
}
