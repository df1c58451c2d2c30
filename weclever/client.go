// Package weclever is a client for the WeClever data export API
// ("Exportação de dados para CRM / API"): the basic-auth token
// ("Autenticação", GET /solution/token/basic/{platform_id}), the leads whose
// attendance was finalized between two dates ("Busca dos leads por data") and
// everything WeClever knows about one lead ("Busca por informações do lead").
//
// The client fetches the token lazily on the first call, caches it, fetches
// it once however many goroutines start together, and refreshes it once when
// a call answers 401. The password and the token never appear in an error
// string or a log line.
//
//	c, err := weclever.NewClient(platformID, user, password)
//	leads, err := c.Leads.Finalized(ctx, from, to)
//	lead, err := c.Leads.Get(ctx, leads[0].ID)
//
// Package weclevertest serves an in-memory WeClever for tests and examples.
package weclever

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Servers of the WeClever API.
const (
	// ProductionURL is WeClever's production server, the default.
	ProductionURL = "https://api.weclever.co"
	// DevelopmentURL is WeClever's development server ("Development server"),
	// for trying an integration before going to production.
	DevelopmentURL = "https://dev-api.weclever.co"
)

// Default placement of the token on API calls. WeClever's documents do not
// say how the token is sent; change it with WithAuthHeader.
const (
	DefaultTokenHeader = "Authorization"
	DefaultTokenScheme = "Bearer"
)

// RateLimitError is returned for HTTP 429; see leadkit.RateLimitError.
type RateLimitError = leadkit.RateLimitError

// config holds weclever's own options.
type config struct {
	tokenHeader    string
	tokenScheme    string
	tokenHeaderSet bool
	timeParam      string
	location       *time.Location
}

// Option configures a Client. Pass options to NewClient.
type Option struct{ apply transport.Option[config] }

// options returns the core's form of opts.
func options(opts []Option) []transport.Option[config] {
	out := make([]transport.Option[config], len(opts))
	for i, o := range opts {
		out[i] = o.apply
	}
	return out
}

// WithHTTPClient sends requests through hc (its transport, proxy, TLS and
// timeout are kept).
func WithHTTPClient(hc *http.Client) Option { return Option{transport.WithHTTPClient[config](hc)} }

// WithBaseURL replaces ProductionURL (use DevelopmentURL, a sandbox or a proxy).
func WithBaseURL(rawURL string) Option { return Option{transport.WithBaseURL[config](rawURL)} }

// WithUserAgent puts ua in front of leadkit's User-Agent.
func WithUserAgent(ua string) Option { return Option{transport.WithUserAgent[config](ua)} }

// WithLogger logs one debug line per HTTP attempt, secrets masked. Silent by default.
func WithLogger(l *slog.Logger) Option { return Option{transport.WithLogger[config](l)} }

// WithMaxRetries sets how many times a failed request may be retried (default 3).
func WithMaxRetries(n int) Option { return Option{transport.WithMaxRetries[config](n)} }

// WithRetryWait sets the backoff bounds between retries (default 500ms to 30s). A server's
// Retry-After up to max is waited out and retried; a longer one is returned at once as the
// error's RetryAfter, for the caller to schedule.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return Option{transport.WithRetryWait[config](minWait, maxWait)}
}

// WithMaxBodyBytes caps the size of a response body (default 10 MiB); a
// larger answer is an error matching leadkit.ErrBodyTooLarge.
func WithMaxBodyBytes(n int64) Option { return Option{transport.WithMaxBodyBytes[config](n)} }

// WithAuthHeader sets the header that carries the token on API calls and
// the scheme written before it: ("Authorization", "Bearer") by default, which
// sends "Authorization: Bearer <token>"; ("token", "") sends "token: <token>".
func WithAuthHeader(name, scheme string) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if err := transport.CheckHeaderName("tokenHeader", name); err != nil {
			return err
		}
		if err := transport.CheckAuthScheme("tokenScheme", scheme); err != nil {
			return err
		}
		c.tokenHeader, c.tokenScheme, c.tokenHeaderSet = name, scheme, true
		return nil
	})}
}

// WithTime sets the "time" query parameter of the token request
// ("Time parameter"). WeClever does not document its meaning; it is sent as
// given, and left out when empty (the default).
func WithTime(t string) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if strings.ContainsAny(t, "\r\n\x00") {
			return leadkit.Invalid("time", "must not contain control characters")
		}
		c.timeParam = t
		return nil
	})}
}

// WithTimeZone sets the time zone in which message dates without an offset
// are read (default: Brasília time, UTC-03:00, which has had no daylight
// saving since 2019).
func WithTimeZone(loc *time.Location) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if loc == nil {
			return leadkit.Invalid("location", "must not be nil")
		}
		c.location = loc
		return nil
	})}
}

// Brasilia is the default location of dates without an offset: UTC-03:00.
var brasilia = time.FixedZone("-03", -3*60*60)

// Client calls the WeClever API. It is safe for concurrent use.
type Client struct {
	// Leads holds the lead APIs: Finalized and Get.
	Leads *LeadsService

	hc         *transport.Client
	ts         *transport.TokenSource
	platformID string
	user       string
	password   transport.Secret
	timeParam  string
	loc        *time.Location
}

// Redact returns s with the client's credentials masked ("REDACTED") in
// every form the SDK masks them in its own errors and log lines (raw,
// percent-, JSON- and HTML-escaped, base64, in any letter case, ...), and
// the value of any known secret parameter (token=, apikey=, password=,
// Authorization: ...) whoever's it is: for text built outside the client
// that may quote them, such as an error of your own code. The relay passes
// every text it stores or displays through it.
func (c *Client) Redact(s string) string { return c.hc.Redactor().Redact(s) }

// NewClient returns a client for the platform platformID that authenticates
// with username and password (HTTP basic) to obtain its token. Nothing is
// sent until the first call.
func NewClient(platformID, username, password string, opts ...Option) (*Client, error) {
	if err := transport.RequireNonEmpty("platform_id", platformID); err != nil {
		return nil, err
	}
	if err := transport.RequireNonEmpty("username", username); err != nil {
		return nil, err
	}
	if strings.Contains(username, ":") {
		return nil, leadkit.Invalid("username", "must not contain ':' (HTTP basic authentication)")
	}
	if err := transport.RequireNonEmpty("password", password); err != nil {
		return nil, err
	}
	s := transport.DefaultSettings(ProductionURL)
	cfg := config{tokenHeader: DefaultTokenHeader, tokenScheme: DefaultTokenScheme, location: brasilia}
	if err := transport.Apply(&s, &cfg, options(opts)); err != nil {
		return nil, err
	}
	c := &Client{
		platformID: platformID,
		user:       username,
		password:   transport.NewSecret(password),
		timeParam:  cfg.timeParam,
		loc:        cfg.location,
	}
	c.ts = &transport.TokenSource{Name: cfg.tokenHeader, Scheme: cfg.tokenScheme, Fetch: c.fetchToken}
	hc, err := transport.New(transport.Config{
		Vendor:      "weclever",
		Settings:    s,
		Auth:        c.ts,
		Secrets:     []string{password, username + ":" + password},
		DecodeError: c.decodeError,
	})
	if err != nil {
		return nil, err
	}
	c.hc = hc
	c.Leads = &LeadsService{c: c}
	return c, nil
}

// LeadsService holds WeClever's lead APIs. Reach it as Client.Leads.
type LeadsService struct{ c *Client }

// tokenBody is the answer of the token endpoint.
type tokenBody struct {
	Token string `json:"token"`
}

// fetchToken calls "Autenticação": GET /solution/token/basic/{platform_id}
// with HTTP basic authentication.
func (c *Client) fetchToken(ctx context.Context) (string, error) {
	req := &transport.Request{
		Method: http.MethodGet,
		Path:   []string{"solution", "token", "basic", c.platformID},
		Auth:   transport.BasicAuth{User: c.user, Password: transport.NewSecret(c.password.Value())},
	}
	if c.timeParam != "" {
		req.Query = url.Values{"time": {c.timeParam}}
	}
	resp, err := c.hc.Do(ctx, req)
	if err != nil {
		return "", err
	}
	var out tokenBody
	if err := resp.DecodeJSON(&out); err != nil {
		return "", err
	}
	if strings.TrimSpace(out.Token) == "" {
		if e := c.bodyError(resp); e != nil {
			return "", e
		}
		return "", resp.ResponseError(leadkit.ErrDecode, errNoToken)
	}
	return out.Token, nil
}

// Token returns the token of "Autenticação" (GET
// /solution/token/basic/{platform_id}, HTTP basic authentication). It is
// cached: the first call fetches it, later calls return it until a call is
// refused with 401, which refreshes it once. Concurrent callers share one
// fetch. Other calls fetch it by themselves; Token is for callers that need
// the value (treat it as a secret).
func (c *Client) Token(ctx context.Context) (string, error) {
	if ctx == nil {
		return "", leadkit.Invalid("ctx", "must not be nil")
	}
	return c.ts.Token(ctx)
}
