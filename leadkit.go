// Package leadkit holds what every leadkit vendor package shares with its
// users: the library version and the error values that any client may return.
//
// The vendor clients live in their own packages:
//
//	github.com/leadkit/leadkit/zen       CRM Zen (Brazil)
//	github.com/leadkit/leadkit/salesman  SalesMan CRM (Russia)
//	github.com/leadkit/leadkit/weclever  WeClever (Brazil)
//	github.com/leadkit/leadkit/zenvia    Zenvia Customer Cloud Sales API
//	github.com/leadkit/leadkit/datacake  Datacake ERP contract (Brazil)
//
// Every client returns the errors of this package for transport-level
// failures, so one errors.Is or errors.As works the same whatever the vendor:
//
//	if errors.Is(err, leadkit.ErrOutcomeUnknown) {
//		// the lead may have been created: look it up before sending it again
//	}
//	var rl *leadkit.RateLimitError
//	if errors.As(err, &rl) {
//		time.Sleep(rl.RetryAfter)
//	}
package leadkit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Version is the version of the leadkit module, sent in the User-Agent.
const Version = "0.2.0"

// Sentinel errors shared by every vendor package. Match them with errors.Is.
var (
	// ErrOutcomeUnknown is returned when a request that creates or changes
	// something (a lead, a prospect, a file) failed after it may have reached
	// the server: a timeout, a connection reset after the request was written,
	// or a gateway error. leadkit never resends such a request by itself;
	// check whether it took effect before sending it again.
	ErrOutcomeUnknown = errors.New("leadkit: outcome unknown: the request may have reached the server")

	// ErrHTTPStatus is matched by every error built from a non-2xx answer.
	ErrHTTPStatus = errors.New("leadkit: unexpected HTTP status")

	// ErrNotJSON is returned when JSON was expected and the body is something
	// else, typically an HTML page from a proxy or a load balancer.
	ErrNotJSON = errors.New("leadkit: response body is not JSON")

	// ErrEmptyBody is returned when JSON was expected and the body is empty.
	ErrEmptyBody = errors.New("leadkit: empty response body")

	// ErrTruncatedBody is returned when the JSON body ends before it is
	// complete (the connection closed mid-body).
	ErrTruncatedBody = errors.New("leadkit: truncated response body")

	// ErrBodyTooLarge is returned when a response body exceeds the size cap.
	ErrBodyTooLarge = errors.New("leadkit: response body too large")

	// ErrDecode is returned when a JSON body does not fit the expected shape
	// (an object where a list was expected, a word where a number was).
	ErrDecode = errors.New("leadkit: response body does not match the expected shape")

	// ErrRedirect is matched by the error of a 3xx answer the client did not
	// follow: a redirect of a request that creates something (never
	// followed; its outcome is unknown), a redirect from https to http, one
	// to another host that would have to carry a body or a credential, or
	// one past the maximum number of hops.
	ErrRedirect = errors.New("leadkit: redirect not followed")

	// ErrRateLimited is matched by every *RateLimitError (HTTP 429, or a
	// client-side limit); errors.As with a *RateLimitError gives RetryAfter.
	ErrRateLimited = errors.New("leadkit: rate limited")

	// ErrInvalidInput is matched by every *InputError.
	ErrInvalidInput = errors.New("leadkit: invalid input")
)

// ResponseError describes a response the client could not use: a non-2xx
// status, or a 2xx body that is empty, not JSON, truncated or too large.
// Vendor packages wrap it in their own Error type; reach it with errors.As.
// URL is redacted and Body is a bounded, redacted excerpt, so the error can be
// logged as it is.
type ResponseError struct {
	Kind       error       // ErrHTTPStatus, ErrNotJSON, ErrEmptyBody, ErrTruncatedBody, ErrBodyTooLarge or ErrDecode
	StatusCode int         // HTTP status of the response
	Method     string      // HTTP method of the request
	URL        string      // request URL with every secret masked
	Header     http.Header // response headers
	Body       string      // excerpt of the body (at most 512 bytes), secrets masked
	Err        error       // underlying decoding error, if any
}

// Error implements error.
func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	switch e.Kind {
	case ErrHTTPStatus, nil:
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	default:
		fmt.Fprintf(&b, "%s (HTTP %d)", strings.TrimPrefix(e.Kind.Error(), "leadkit: "), e.StatusCode)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": body %q", e.Body)
	}
	return b.String()
}

// Is reports whether target is the error's Kind.
func (e *ResponseError) Is(target error) bool { return target != nil && target == e.Kind }

// Unwrap returns the underlying decoding error.
func (e *ResponseError) Unwrap() error { return e.Err }

// RateLimitError is returned for HTTP 429 and for calls refused by a
// client-side rate limit before they reached the network. RetryAfter says how
// long to wait before the next call may succeed (zero when unknown).
type RateLimitError struct {
	RetryAfter time.Duration // how long to wait; zero when the server did not say
	ClientSide bool          // true when the call never left the process
	Err        error         // the vendor's error, for a server 429
}

// Error implements error.
func (e *RateLimitError) Error() string {
	where := "server"
	if e.ClientSide {
		where = "client-side"
	}
	msg := fmt.Sprintf("leadkit: rate limited (%s), retry after %s", where, e.RetryAfter.Round(time.Millisecond))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the vendor's error for a server 429.
func (e *RateLimitError) Unwrap() error { return e.Err }

// Is makes every RateLimitError match ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// InputError is returned, before anything is sent, when an argument is not
// valid. Field names the offending field as the vendor spells it.
type InputError struct {
	Field  string // the field or argument, as the vendor names it
	Reason string // what is wrong with it
}

// Error implements error.
func (e *InputError) Error() string {
	return fmt.Sprintf("leadkit: invalid %s: %s", e.Field, e.Reason)
}

// Is makes every InputError match ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// Invalid returns an *InputError for field.
func Invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}
