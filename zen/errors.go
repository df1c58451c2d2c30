package zen

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
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
	Error    jsonx.Text `json:"error"`
	Erro     jsonx.Text `json:"Erro"`
	Mensagem jsonx.Text `json:"Mensagem"` // an object in some PHP answers: kept as its JSON
	Message  jsonx.Text `json:"message"`
}

// parseErrorBody returns the code and message of a Zen error body, and
// whether the body had one.
func parseErrorBody(body []byte) (code, msg string, ok bool) {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return "", "", false
	}
	code = string(eb.Erro)
	msg = string(eb.Mensagem)
	if msg == "" {
		msg = string(eb.Error)
	}
	if msg == "" {
		msg = string(eb.Message)
	}
	return code, msg, code != "" || msg != ""
}

func decodeError(resp *transport.Response, base *leadkit.ResponseError) error {
	code, msg, _ := parseErrorBody(resp.Body)
	red := resp.Redact
	return &Error{StatusCode: resp.StatusCode, Code: red(code), Message: red(msg), Response: base}
}
