package transport

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
)

// Defaults of the common settings.
const (
	DefaultMaxRetries   = 3
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	DefaultMaxBodyBytes = 10 << 20
	DefaultTimeout      = 60 * time.Second
)

// Settings are the options every vendor client shares. Vendor packages embed
// them in their own option handling through Option.
type Settings struct {
	HTTPClient   *http.Client
	BaseURL      string
	UserAgent    string
	Logger       *slog.Logger
	MaxRetries   int
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	MaxBodyBytes int64
}

// DefaultSettings returns the settings a client starts from.
func DefaultSettings(baseURL string) Settings {
	return Settings{
		BaseURL:      baseURL,
		MaxRetries:   DefaultMaxRetries,
		RetryWaitMin: DefaultRetryWaitMin,
		RetryWaitMax: DefaultRetryWaitMax,
		MaxBodyBytes: DefaultMaxBodyBytes,
	}
}

// Option configures a client of a vendor package. T is the vendor's own
// option struct, so vendor-specific options share one type with the common
// ones and an option of one vendor cannot be passed to another at compile time.
type Option[T any] func(s *Settings, vendor *T) error

// Apply runs opts in order and returns the first error.
func Apply[T any](s *Settings, vendor *T, opts []Option[T]) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s, vendor); err != nil {
			return err
		}
	}
	return nil
}

// VendorOption adapts a function over the vendor's own options.
func VendorOption[T any](f func(*T) error) Option[T] {
	return func(_ *Settings, v *T) error { return f(v) }
}

// WithHTTPClient makes the client send its requests through hc: its
// transport, proxy, TLS settings, timeout and redirect policy are kept (the
// transport is wrapped for logging and retry bookkeeping, not replaced).
func WithHTTPClient[T any](hc *http.Client) Option[T] {
	return func(s *Settings, _ *T) error {
		if hc == nil {
			return leadkit.Invalid("HTTPClient", "must not be nil")
		}
		s.HTTPClient = hc
		return nil
	}
}

// WithBaseURL replaces the vendor's default base URL (for a sandbox, a
// proxy or a regional server).
func WithBaseURL[T any](raw string) Option[T] {
	return func(s *Settings, _ *T) error {
		if _, err := ParseBaseURL(raw); err != nil {
			return err
		}
		s.BaseURL = raw
		return nil
	}
}

// WithUserAgent puts ua in front of leadkit's own User-Agent.
func WithUserAgent[T any](ua string) Option[T] {
	return func(s *Settings, _ *T) error {
		if strings.ContainsAny(ua, "\r\n") {
			return leadkit.Invalid("UserAgent", "must not contain line breaks")
		}
		s.UserAgent = ua
		return nil
	}
}

// WithLogger logs one debug line per HTTP attempt (method, redacted URL,
// status, attempt, duration) and each wait. A nil logger keeps the client
// silent, which is the default.
func WithLogger[T any](l *slog.Logger) Option[T] {
	return func(s *Settings, _ *T) error {
		s.Logger = l
		return nil
	}
}

// WithMaxRetries sets how many times a failed request may be retried (0
// disables retries). Requests that create something are retried only when
// they provably did not reach the server.
func WithMaxRetries[T any](n int) Option[T] {
	return func(s *Settings, _ *T) error {
		if n < 0 {
			return leadkit.Invalid("MaxRetries", "must not be negative, got %d", n)
		}
		s.MaxRetries = n
		return nil
	}
}

// WithRetryWait sets the bounds of the exponential backoff between retries;
// min must be positive (use WithMaxRetries(0) for no retries).
// A server's Retry-After (429, 503) up to max is waited out and the request
// retried; a longer one is not waited at all: the answer is returned at once
// (429 as a *leadkit.RateLimitError carrying the server's RetryAfter), since
// asking again before the server's time only earns another refusal.
func WithRetryWait[T any](minWait, maxWait time.Duration) Option[T] {
	return func(s *Settings, _ *T) error {
		if minWait <= 0 || maxWait < minWait {
			// A zero minimum would turn backoff off: every retry at once.
			return leadkit.Invalid("RetryWait", "need 0 < min <= max, got min %s max %s", minWait, maxWait)
		}
		s.RetryWaitMin, s.RetryWaitMax = minWait, maxWait
		return nil
	}
}

// WithMaxBodyBytes caps the size of a response body (default 10 MiB).
func WithMaxBodyBytes[T any](n int64) Option[T] {
	return func(s *Settings, _ *T) error {
		if n <= 0 {
			return leadkit.Invalid("MaxBodyBytes", "must be positive, got %d", n)
		}
		s.MaxBodyBytes = n
		return nil
	}
}

// ParseBaseURL checks that raw is an absolute http or https URL without a
// fragment, and returns it with any trailing slash removed. A query is kept
// and sent with every request (vendors that hand out URLs with parameters).
// A URL holding user credentials (https://user:password@host) is refused:
// net/http would send them as Basic auth, outside the client's credentials
// and their masking; give them to the client as its credentials instead.
func ParseBaseURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, leadkit.Invalid("baseURL", "must not be empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors quote the input, which may hold credentials.
		return nil, leadkit.Invalid("baseURL", "does not parse as a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		switch u.Scheme {
		case "", "ftp", "ws", "wss", "file", "mailto", "tcp", "unix":
			return nil, leadkit.Invalid("baseURL", "scheme must be http or https, got %q", u.Scheme)
		}
		// Any other "scheme" may be the start of a credential passed
		// where the URL goes ("key:rest" parses as scheme "key"): not quoted.
		return nil, leadkit.Invalid("baseURL", "scheme must be http or https")
	}
	if u.Host == "" {
		return nil, leadkit.Invalid("baseURL", "has no host")
	}
	if u.User != nil {
		// Neither the user nor the password is quoted back.
		return nil, leadkit.Invalid("baseURL", "must not hold user credentials (user:password@host): pass them as the client's credentials")
	}
	if u.Fragment != "" {
		return nil, leadkit.Invalid("baseURL", "must not have a fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// RequireNonEmpty returns an *leadkit.InputError naming field when value is
// blank or holds a control character (a credential with one cannot be sent
// in a header: net/http refuses it on every call, and a create would come
// back "outcome unknown" although nothing was sent). The value is not
// quoted: it may be a key.
func RequireNonEmpty(field, value string) error {
	if strings.TrimSpace(value) == "" {
		return leadkit.Invalid(field, "must not be empty")
	}
	if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return leadkit.Invalid(field, "must not contain control characters")
	}
	return nil
}

func userAgent(prefix, vendor string) string {
	ua := fmt.Sprintf("leadkit/%s (+%s)", leadkit.Version, vendor)
	if prefix != "" {
		ua = prefix + " " + ua
	}
	return ua
}

// IsToken reports whether s is a non-empty RFC 9110 token: what a header
// name (and an auth scheme) must be. Vendor options that take a header name
// check it here, so that a bad name fails when the client is built rather
// than on every request.
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0:
		default:
			return false
		}
	}
	return s != ""
}

// CheckHeaderName returns an *leadkit.InputError naming field when name
// is not a header name (an RFC 9110 token). The name is not quoted: a
// whole header line is what a caller passes there by mistake
// ("x-api-key: <key>").
func CheckHeaderName(field, name string) error {
	if name == "" {
		return leadkit.Invalid(field, "header name must not be empty")
	}
	if !IsToken(name) {
		return leadkit.Invalid(field, "is not a valid header name (an RFC 9110 token: no spaces, colons or '='; the credential goes to the client, not here)")
	}
	return nil
}

// CheckAuthScheme returns an *leadkit.InputError naming field when scheme
// is neither empty nor an RFC 9110 token. The scheme is not quoted: the
// whole header value ("Bearer <token>") or the key itself is what a caller
// passes there by mistake.
func CheckAuthScheme(field, scheme string) error {
	if scheme != "" && !IsToken(scheme) {
		return leadkit.Invalid(field, "is not a valid scheme (one word such as Bearer; the credential goes to the client, not here)")
	}
	return nil
}

// CheckNotHolding returns an *leadkit.InputError naming field when value
// (an auth header's name or scheme) holds secret, in any form the
// redactor knows: the credential passed where the header's name or scheme
// goes (WithAuthHeader("x-api-key", key)). Every call would fail with 401,
// and the name and scheme are kept as plain strings that print. Neither
// is quoted.
func CheckNotHolding(field, value, secret string) error {
	if value == "" || secret == "" {
		return nil
	}
	// A short secret counts only as the whole value: the token "x" must
	// not refuse the header "x-api-key".
	if value == secret || len(secret) >= MinFreeSecret && NewRedactor(secret).Redact(value) != value {
		return leadkit.Invalid(field, "holds the credential (the credential goes to the client, not here)")
	}
	return nil
}

// CallbackSecretMin is the length from which a value of a webhook
// callback URL's query is taken for the webhook's secret (a handler asks
// for a long random one; a topic name, "interactions", is shorter).
const CallbackSecretMin = 16

// CallbackSecrets returns the values of a webhook callback URL's query
// that may be the webhook's secret, to be masked like a credential: every
// one of CallbackSecretMin bytes or more but the topic's (a handler reads
// the topic from the URL too). The secret's parameter has whatever name
// the handler was given, which the list of secret names cannot know.
func CallbackSecrets(u *url.URL) []string {
	var out []string
	for k, vs := range u.Query() {
		if k == "topic" {
			continue
		}
		for _, v := range vs {
			if len(v) >= CallbackSecretMin {
				out = append(out, v)
			}
		}
	}
	return out
}

// CheckEmail returns an *leadkit.InputError naming field when value is not
// one bare e-mail address (net/mail's grammar; no display name, no list).
// Every vendor package checks e-mail addresses here, the same way.
func CheckEmail(field, value string) error {
	v := strings.TrimSpace(value)
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v {
		return leadkit.Invalid(field, "%q is not an e-mail address", value)
	}
	return nil
}
