// Package zen is a client for the lead APIs of CRM Zen (Brazil): the daily
// totals of lead distribution per user ("Totais de Distribuição de Leads por
// usuários"), leads per user ("Consulta de Leads por Usuário"), the daily lead
// archive ("Arquivo de Lead") and lead entry ("Distribuição de Lead (Entrada)").
//
// Zen has no fixed public host: each account generates its URL and token in
// Zen's integration screen (gear icon > Integração). Pass the scheme and host
// of that URL as the base URL (the default paths are /api/totais_lead,
// /api/leads_usuario, /api/arquivo-lead and /api/lead), or give each
// endpoint's full URL with WithEndpointURL.
//
// Zen allows one totals or archive call every 5 minutes and one leads-per-user
// call a minute, per token. The client enforces those windows itself: by
// default a call inside the window fails at once with a *RateLimitError
// (without touching the network); WithWaitOnRateLimit makes it wait instead.
// Services that run several replicas share one budget through a Limiter.
//
// The token is a secret: it never appears in an error string or a log line.
//
// The sandbox in package zentest serves all four APIs on a loopback port.
package zen

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// Endpoint names one of Zen's APIs, for WithEndpointURL and rate limits.
type Endpoint string

// Zen's endpoints, with their default paths below the base URL.
const (
	EndpointTotals      Endpoint = "totais_lead"   // Totais de Distribuição de Leads por usuários: /api/totais_lead
	EndpointLeadsByUser Endpoint = "leads_usuario" // Consulta de Leads por Usuário: /api/leads_usuario
	EndpointArchive     Endpoint = "arquivo-lead"  // Arquivo de Lead: /api/arquivo-lead
	EndpointLeadEntry   Endpoint = "lead"          // Distribuição de Lead (Entrada): /api/lead
)

func (e Endpoint) valid() bool {
	switch e {
	case EndpointTotals, EndpointLeadsByUser, EndpointArchive, EndpointLeadEntry:
		return true
	}
	return false
}

// RateLimitError is returned when a call is refused by the client-side
// limit (ClientSide true) or by the server's HTTP 429.
type RateLimitError = leadkit.RateLimitError

// config holds zen's own options.
type config struct {
	urls    map[Endpoint]string
	limits  *Limits
	limiter Limiter
	wait    bool
	loc     *time.Location
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

// WithLogger logs one debug line per HTTP attempt and per rate-limit wait,
// secrets masked. Silent by default.
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

// WithEndpointURL sets the full URL of one endpoint, as Zen's integration
// screen hands it out (for example "https://app.crmzen.com.br/api/totais_lead").
func WithEndpointURL(e Endpoint, rawURL string) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if !e.valid() {
			return leadkit.Invalid("endpoint", "unknown endpoint %q", string(e))
		}
		u, err := transport.ParseBaseURL(rawURL)
		if err != nil {
			var ie *leadkit.InputError
			if errors.As(err, &ie) {
				return leadkit.Invalid("endpoint URL", "%s: %s", e, ie.Reason)
			}
			return err
		}
		if u.RawQuery != "" {
			return leadkit.Invalid("endpoint URL", "%s: must not carry a query (the token is added by the client)", e)
		}
		if c.urls == nil {
			c.urls = map[Endpoint]string{}
		}
		c.urls[e] = u.String()
		return nil
	})}
}

// WithTimeZone sets the zone in which Zen's date-times (without offset) are
// read (default America/Sao_Paulo). A day you pass (Leads.Totals, ByUser,
// Archive, Find) is sent as the date it carries in its own location:
// time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC) asks for 2026-11-20. For
// "today" as Zen counts days, pass time.Now().In(loc) with Zen's zone: a
// process in UTC at 01:00 is still on the previous day in São Paulo.
func WithTimeZone(loc *time.Location) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if loc == nil {
			return leadkit.Invalid("timeZone", "must not be nil")
		}
		c.loc = loc
		return nil
	})}
}

// Client talks to one Zen account. It is safe for concurrent use; create it
// once and share it.
type Client struct {
	// Leads holds the lead APIs: Totals, ByUser, AllByUser, Archive, Send, Find.
	Leads *LeadsService

	tc      *transport.Client
	token   transport.Secret
	urls    map[Endpoint]string
	limits  Limits
	limiter Limiter
	wait    bool
	loc     *time.Location
	logger  *slog.Logger
}

// Redact returns s with the client's credentials masked ("REDACTED") in
// every form the SDK masks them in its own errors and log lines (raw,
// percent-, JSON- and HTML-escaped, base64, in any letter case, ...), and
// the value of any known secret parameter (token=, apikey=, password=,
// Authorization: ...) whoever's it is: for text built outside the client
// that may quote them, such as an error of your own code. The relay passes
// every text it stores or displays through it.
func (c *Client) Redact(s string) string { return c.tc.Redactor().Redact(s) }

// NewClient returns a client for the Zen account at baseURL (scheme and host,
// e.g. "https://app.crmzen.com.br") with the token from Zen's integration
// screen.
func NewClient(baseURL, token string, opts ...Option) (*Client, error) {
	if err := transport.RequireNonEmpty("token", token); err != nil {
		return nil, err
	}
	s := transport.DefaultSettings(baseURL)
	var cfg config
	if err := transport.Apply(&s, &cfg, options(opts)); err != nil {
		return nil, err
	}
	c := &Client{token: transport.NewSecret(token), urls: map[Endpoint]string{}, limits: DefaultLimits(), wait: cfg.wait, loc: cfg.loc}
	if c.loc == nil {
		c.loc = saoPaulo()
	}
	if cfg.limits != nil {
		c.limits = *cfg.limits
	}
	c.limiter = cfg.limiter
	if c.limiter == nil {
		c.limiter = NewMemoryLimiter()
	}
	base, err := transport.ParseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	for _, e := range []Endpoint{EndpointTotals, EndpointLeadsByUser, EndpointArchive, EndpointLeadEntry} {
		if u, ok := cfg.urls[e]; ok {
			c.urls[e] = u
			continue
		}
		c.urls[e] = base.String() + "/api/" + string(e)
	}
	tc, err := transport.New(transport.Config{
		Vendor:      "zen",
		Settings:    s,
		Auth:        transport.HeaderAuth{Name: "token", Value: transport.NewSecret(token)},
		DecodeError: decodeError,
	})
	if err != nil {
		return nil, err
	}
	c.tc = tc
	c.logger = tc.Logger()
	c.Leads = &LeadsService{c: c}
	return c, nil
}

// LeadsService holds Zen's lead APIs. Reach it as Client.Leads.
type LeadsService struct{ c *Client }

// get sends a GET to endpoint e and decodes the JSON answer into out.
func (c *Client) get(ctx context.Context, e Endpoint, query any, out any) error {
	resp, err := c.tc.Do(ctx, &transport.Request{Method: http.MethodGet, URL: c.urls[e], Query: query})
	if err != nil {
		return err
	}
	return resp.DecodeJSON(out)
}

func saoPaulo() *time.Location {
	if loc, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return loc
	}
	// Brazil has kept UTC-3 all year since 2019.
	return time.FixedZone("-03", -3*60*60)
}
