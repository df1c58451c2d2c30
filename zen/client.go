// Package zen is a client for the lead APIs of CRM Zen (Brazil): the daily
// totals of lead distribution per user ("Totais de Distribuição de Leads por
// usuários"), leads per user ("Consulta de Leads por Usuário"), the daily lead
// archive ("Arquivo de Lead") and lead entry ("Distribuição de Lead (Entrada)").
//
// Zen has no fixed public host: each account generates its URL and token in
// Zen's integration screen (gear icon > Integração). Pass that URL's scheme and
// host as the base URL, or override each endpoint's full URL with
// WithEndpointURL.
//
// The token is a secret: it never appears in an error string or a log line.
package zen

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
)

// config holds zen's own options.
type config struct {
	// to be filled by the zen implementation
}

// Option configures a Client. Pass options to NewClient.
type Option = transport.Option[config]

// WithHTTPClient sends requests through hc (its transport, proxy, TLS and
// timeout are kept).
func WithHTTPClient(hc *http.Client) Option { return transport.WithHTTPClient[config](hc) }

// WithUserAgent puts ua in front of leadkit's User-Agent.
func WithUserAgent(ua string) Option { return transport.WithUserAgent[config](ua) }

// WithLogger logs one debug line per HTTP attempt, secrets masked. Silent by default.
func WithLogger(l *slog.Logger) Option { return transport.WithLogger[config](l) }

// WithMaxRetries sets how many times a failed request may be retried (default 3).
func WithMaxRetries(n int) Option { return transport.WithMaxRetries[config](n) }

// WithRetryWait sets the backoff bounds between retries; max also caps Retry-After.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return transport.WithRetryWait[config](minWait, maxWait)
}
