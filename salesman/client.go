// Package salesman is a client for the lead API of SalesMan CRM (Russia),
// method "leads" ("Заявки"): adding a lead from a web site (запрос "add"),
// the month's open and processed leads per user ("stat"), one lead by id
// ("info") and the lead list with filters ("list").
//
// SalesMan is self-hosted or a cloud subdomain, so the CRM's root URL is a
// required argument. The vendor serves three API versions side by side and
// the client speaks all three with one Go API (see WithAPIVersion):
//
//	V1  /developer/v1/leads?action=X  the documented one; its list ignores paging
//	V2  /developer/v2/lead?action=X   since 2018.9; paging and filters work
//	V3  /developer/v3/lead/X          since 2024.3; like V2 with integer codes
//
// Choose V2 or V3 when the server has them and you need more than the newest
// 200 leads: a V1 server answers every page with the same newest 200 rows.
//
// A SalesMan server reports errors with HTTP 200 and an "error" key in the
// body; the client turns every such body into an *Error, whatever the status.
// The apikey travels in the query of GET calls and in the form body of
// Leads.Create; it never appears in an error string or a log line.
package salesman

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// APIVersion selects which of the vendor's API versions the client speaks.
type APIVersion int

// The API versions a SalesMan server serves.
const (
	V1 APIVersion = 1 // /developer/v1/leads?action=X (documented; list paging ignored)
	V2 APIVersion = 2 // /developer/v2/lead?action=X (since 2018.9)
	V3 APIVersion = 3 // /developer/v3/lead/X (since 2024.3)
)

// String returns "v1", "v2" or "v3".
func (v APIVersion) String() string {
	switch v {
	case V1, V2, V3:
		return "v" + string(rune('0'+int(v)))
	}
	return "APIVersion(" + strconv.Itoa(int(v)) + ")"
}

// DefaultTimeZone is the name of the zone SalesMan accounts run in unless
// configured otherwise; dates without an offset are read in it.
const DefaultTimeZone = "Europe/Moscow"

// config holds salesman's own options.
type config struct {
	version  APIVersion
	loc      *time.Location
	jsonBody bool
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

// WithUserAgent puts ua in front of leadkit's User-Agent.
func WithUserAgent(ua string) Option { return Option{transport.WithUserAgent[config](ua)} }

// WithLogger logs one debug line per HTTP attempt, secrets masked. Silent by default.
func WithLogger(l *slog.Logger) Option { return Option{transport.WithLogger[config](l)} }

// WithMaxRetries sets how many times a failed request may be retried
// (default 3). Leads.Create is retried only when it provably did not reach the
// server.
func WithMaxRetries(n int) Option { return Option{transport.WithMaxRetries[config](n)} }

// WithRetryWait sets the backoff bounds between retries (default 500ms to 30s). A server's
// Retry-After up to max is waited out and retried; a longer one is returned at once as the
// error's RetryAfter, for the caller to schedule.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return Option{transport.WithRetryWait[config](minWait, maxWait)}
}

// WithMaxBodyBytes caps the size of a response body (default 10 MiB).
func WithMaxBodyBytes(n int64) Option { return Option{transport.WithMaxBodyBytes[config](n)} }

// WithAPIVersion selects the API version: V1 (the default, the documented
// one), V2 or V3. The Go API and the decoded types are the same for all three.
func WithAPIVersion(v APIVersion) Option {
	return Option{transport.VendorOption(func(c *config) error {
		switch v {
		case V1, V2, V3:
			c.version = v
			return nil
		}
		return leadkit.Invalid("APIVersion", "must be V1, V2 or V3, got %d", int(v))
	})}
}

// WithTimeZone sets the account's time zone, in which the server's dates
// (datum, datum_do: no offset) are read and the list's date filters are
// written. The default is Europe/Moscow.
func WithTimeZone(loc *time.Location) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if loc == nil {
			return leadkit.Invalid("TimeZone", "must not be nil")
		}
		c.loc = loc
		return nil
	})}
}

// WithJSONBody makes Leads.Create send a JSON body (Content-Type exactly
// application/json, the credentials in the Login and Apikey headers) instead
// of the default form. Only V2 and V3 servers read JSON bodies; NewClient
// refuses the option with V1.
func WithJSONBody() Option {
	return Option{transport.VendorOption(func(c *config) error {
		c.jsonBody = true
		return nil
	})}
}

// Client talks to one SalesMan CRM account. It is safe for concurrent use.
type Client struct {
	// Leads holds the operations of the vendor's "leads" method.
	Leads *LeadsService

	tc      *transport.Client
	version APIVersion
	loc     *time.Location
	login   string
	apiKey  transport.Secret
	json    bool
}

// Redact returns s with the client's credentials masked ("REDACTED") in
// every form the SDK masks them in its own errors and log lines (raw,
// percent-, JSON- and HTML-escaped, base64, in any letter case, ...), and
// the value of any known secret parameter (token=, apikey=, password=,
// Authorization: ...) whoever's it is: for text built outside the client
// that may quote them, such as an error of your own code. The relay passes
// every text it stores or displays through it.
func (c *Client) Redact(s string) string { return c.tc.Redactor().Redact(s) }

// NewClient returns a client for the CRM at baseURL (its root, such as
// https://crm.example.ru), authenticating as login (the user's e-mail login)
// with apiKey.
func NewClient(baseURL, login, apiKey string, opts ...Option) (*Client, error) {
	if err := transport.RequireNonEmpty("login", login); err != nil {
		return nil, err
	}
	if err := transport.RequireNonEmpty("apikey", apiKey); err != nil {
		return nil, err
	}
	if _, err := transport.ParseBaseURL(baseURL); err != nil {
		return nil, err
	}
	s := transport.DefaultSettings(baseURL)
	cfg := config{version: V1}
	if err := transport.Apply(&s, &cfg, options(opts)); err != nil {
		return nil, err
	}
	if cfg.jsonBody && cfg.version == V1 {
		return nil, leadkit.Invalid("APIVersion", "JSON bodies need V2 or V3")
	}
	if cfg.loc == nil {
		cfg.loc = moscow()
	}
	c := &Client{version: cfg.version, loc: cfg.loc, login: login, apiKey: transport.NewSecret(apiKey), json: cfg.jsonBody}
	tc, err := transport.New(transport.Config{
		Vendor:   "salesman",
		Settings: s,
		Auth:     queryAuth(login, apiKey),
		DecodeError: func(resp *transport.Response, base *leadkit.ResponseError) error {
			if e := c.bodyError(resp); e != nil {
				e.Response = base
				return e
			}
			return base
		},
	})
	if err != nil {
		return nil, err
	}
	c.tc = tc
	c.Leads = &LeadsService{c: c}
	return c, nil
}

// APIVersion returns the API version the client speaks.
func (c *Client) APIVersion() APIVersion { return c.version }

// Location returns the time zone the client reads and writes dates in.
func (c *Client) Location() *time.Location { return c.loc }

// moscow returns Europe/Moscow, or a fixed UTC+3 zone (Moscow's offset since
// 2014) where the system has no zone database.
func moscow() *time.Location {
	if loc, err := time.LoadLocation(DefaultTimeZone); err == nil {
		return loc
	}
	return time.FixedZone("MSK", 3*60*60)
}

// queryAuth puts login and apikey in the query; headerAuth sends them in the
// Login and Apikey headers, the way V2 and V3 read them with a JSON body.
// Only the apikey is a secret: masking the login (an e-mail) would mangle
// error texts for nothing.
func queryAuth(login, apiKey string) transport.Auth {
	return transport.MultiAuth{
		transport.Public(transport.QueryKey("login", login)),
		transport.QueryKey("apikey", apiKey),
	}
}

func headerAuth(login, apiKey string) transport.Auth {
	return transport.MultiAuth{
		transport.Public(transport.HeaderAuth{Name: "Login", Value: transport.NewSecret(login)}),
		transport.HeaderAuth{Name: "Apikey", Value: transport.NewSecret(apiKey)},
	}
}

// endpoint returns the path segments and query of action in the client's
// API version.
func (c *Client) endpoint(action string) ([]string, url.Values) {
	switch c.version {
	case V2:
		return []string{"developer", "v2", "lead"}, url.Values{"action": {action}}
	case V3:
		return []string{"developer", "v3", "lead", action}, url.Values{}
	}
	return []string{"developer", "v1", "leads"}, url.Values{"action": {action}}
}
