// Package bad breaks each convention once, the way the five packages did
// before v0.2.0. It is parsed by the convention test, never built.
package bad

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
)

type config struct{}

// Option aliases the core's option type (hidden from go doc).
type Option = transport.Option[config]

// Client is flat.
type Client struct {
	// Leads holds the lead operations: Add, Info and Stat.
	Leads *LeadsService
}

// LeadsService uses other verbs.
type LeadsService struct{ c *Client }

// NewLead is an input.
type NewLead struct{ Title string }

// LeadEntry is an input.
type LeadEntry struct{ Name string }

// Lead is a result.
type Lead struct{ ID int }

// Error has the old field names.
type Error struct {
	StatusCode int
	Code       int
	Text       string
}

func (e *Error) Error() string { return e.Text }

// ErrValidation is the old name of ErrBadRequest.
var (
	ErrValidation  = errors.New("bad: validation")
	ErrNotFound    = errors.New("bad: not found")
	ErrRateLimited = errors.New("bad: rate limited")
)

// NewClient returns a value.
func NewClient(token string, opts ...Option) (Client, error) { return Client{}, nil }

func WithHTTPClient(hc *http.Client) Option                       { return nil }
func WithUserAgent(ua string) Option                              { return nil }
func WithLogger(l *slog.Logger) Option                            { return nil }
func WithMaxRetries(n int) Option                                 { return nil }
func WithRetryWait(minWait, maxWait time.Duration) Option         { return nil }
func WithLocation(loc *time.Location) Option                      { return nil }
func WithTokenHeader(name, scheme string) Option                  { return nil }
func WithWebhookMaxBody(n int64) Option                           { return nil }
func (c *Client) SendLead(ctx context.Context, e LeadEntry) error { return nil }
func (s *LeadsService) Add(ctx context.Context, l NewLead) (int, error) {
	return 0, nil
}
func (s *LeadsService) Info(ctx context.Context, id int) (*Lead, error) { return nil, nil }
func (s *LeadsService) Every(ctx context.Context) iter.Seq2[Lead, error] {
	return nil
}

// Invoice holds money as floats, as datacake did before 0.3.
type Invoice struct {
	Amount float64
	Fees   map[string]*float64
	// Weight is not exported: not checked.
	weight float64
}

// Price is a float amount.
type Price float64
