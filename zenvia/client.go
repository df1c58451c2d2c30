// Package zenvia is a client for the Sales API of Zenvia Customer Cloud
// ("API de Ventas", the former Sirena API, spec "Sirena API 1.10.0", all 59
// of its operations): lead intake ("Leads"), prospects ("Prospects"),
// quotes ("Quotes"), messages, templates and files to prospects
// ("Messaging"), agents ("Agents"), groups ("Groups"), contact selections
// ("Contacts"), the key's integration ("Integrations"), custom apps
// ("Apps") and webhook subscriptions ("Notifications"), plus an
// http.Handler that receives Zenvia's webhooks.
//
// The API key goes in the api-key query parameter of every request by
// default, or in a header (WithAuthHeader) for the asynchronous leads
// service. The key is a secret: it never appears in an error string or a log
// line.
//
// Operations, with the source of each (S: the clients generated from
// "Sirena API 1.10.0"; N: the Sirena team's Node module; L: answers observed
// against the live API in 2026; H: Zenvia's help-centre articles):
//
//	operation                        method                               path                                              source
//	create a lead                    Leads.Create                         POST /lead/{industry} (/v2/leads/{industry})      S, H
//	lead categories                  Leads.Categories                     GET /leads/categories                             S
//	lead defaults                    Leads.Defaults                       GET /leads/defaults                               S
//	one prospect                     Prospects.Get                        GET /prospect/{id}                                S, L
//	list prospects                   Prospects.List, Prospects.All        GET /prospects (newest first, before/after)       S, L
//	update a prospect                Prospects.Update                     PATCH /prospect/{id}                              S
//	update additional data           Prospects.UpdateAdditionalData       PATCH /prospect/{id}/additionalData               S
//	delete a prospect                Prospects.Delete                     DELETE /prospect/{id}                             S
//	transfer a prospect              Prospects.Transfer                   POST /prospect/{id}/transfer                      S
//	a prospect's interactions        Prospects.Interactions               GET /prospect/{id}/interactions                   S
//	add a note, call, message, question Prospects.CreateInteraction, CreateNote POST /prospect/{id}/interactions (a list) S, L
//	additional fields                Prospects.Fields                     GET /prospect/{id}/prospectAdditionalFields       S
//	catalogue orders                 Prospects.Orders                     GET /prospect/{id}/orders                         S
//	satisfaction rating              Prospects.CreateCSAT                 POST /prospect/{id}/csat                          S
//	a prospect's quotes              Prospects.Quotes                     GET /prospect/{id}/quotes                         S
//	the account's quotes             Quotes.List, Quotes.All              GET /prospects/quotes (newest first, before/after) S
//	one quote                        Quotes.Get, Quotes.Update            GET, PUT /prospect/{id}/quote/{quoteId}           S
//	make a quote                     Quotes.Create                        POST /prospect/{id}/quotes                        S
//	channels and templates           Messaging.Channels, ProspectChannels GET /messaging/channels, /prospect/{id}/messaging/channels S
//	send a message, template, file   Messaging.Send                       POST /prospect/{id}/messaging/{channel}[/notification|/send-file] S
//	a contact selection              Contacts.List, Contacts.All          GET /contacts/selection/{selectionId} (offset)    S
//	the key's integration            Integrations.Get, Integrations.List  GET /integration, GET /integrations               S
//	check the key                    Integrations.CheckCredentials        GET /checkCredentials                             S, N
//	the group's industries           Leads.Industries                     GET /industries                                   S
//	custom app event, notification   Apps.CreateEvent, CreateNotification POST /apps/event, POST /apps/notifications        S
//	the account's interactions       Interactions.List, Interactions.All  GET /prospects/interactions                       S
//	one interaction                  Interactions.Get, Interactions.Update GET, PUT /prospect/{id}/interaction/{iid}        S
//	transfer as the user             AsUser.Transfer                      POST /prospect/{id}/as-user/transfer              S
//	archive as the user              AsUser.Archive                       POST /prospect/{id}/as-user/archive               S
//	label as the user                AsUser.Label                         POST /prospect/{id}/as-user/label                 S
//	labels, archiving reasons        AsUser.Labels, AsUser.ArchivingReasons GET /as-user/labels, /as-user/archiving-reasons S
//	transfer targets                 AsUser.TransferTargets               GET /as-user/transfer                             S
//	agents                           Agents.List                          GET /agents                                       S, L
//	agent working now                Agents.IsWorking                     GET /agents/{id}/is-working                       S
//	agent response time              Agents.ResponseTime                  POST /agents/{id}/response-time                   S
//	groups                           Groups.List, Groups.Get              GET /groups, GET /group/{id}                      S
//	group working now, response time Groups.IsWorking, Groups.ResponseTime GET /groups/{id}/is-working, POST …/response-time S
//	online agents of a group         Groups.OnlineAgents                  GET /group/{id}/agents/online                     S
//	topics                           Notifications.Topics                 GET /notifications/topics                         S, L
//	subscribe                        Notifications.Create                 POST /notifications/subscriptions (one per group) S, H
//	subscriptions                    Notifications.List, Notifications.Get GET /notifications/subscriptions, …/subscription/{id} S
//	unsubscribe                      Notifications.Delete, DeleteAll      DELETE /notifications/subscription/{id}, …/subscriptions S
//	receive webhooks                 NewWebhookHandler, ParseEvents       (your callback URL; bare, array or envelope)      N, L, H
//
// The spec's GET /archiving-reasons has no method: it is deprecated for
// GET /as-user/archiving-reasons (AsUser.ArchivingReasons). docs/zenvia.md
// maps each of the 59 operations to its method.
//
// The shapes of the answers of is-working, response-time and a CSAT, and of
// interaction updates, are not published: they are read tolerantly and
// handed over as sent where no shape can be assumed. Money (quote totals
// and prices) is an Amount: exact hundredths, never a float.
//
// Creates are never resent once they may have reached Zenvia: a lead, a
// note or other interaction, a quote, a message, template or file, a CSAT,
// an app event or notification. Such a failure matches
// leadkit.ErrOutcomeUnknown: look before sending again.
//
// Leads that share a phone or an e-mail are merged by Zenvia into one
// prospect, but phones written differently ("(51) 98765-4321" and
// "+55 51 98765 4321") are not recognised as the same. WithPhoneNormalization
// rewrites every phone to E.164 before a lead is sent, so they merge.
//
// Creating a lead is never retried once the request may have reached Zenvia:
// such a failure matches leadkit.ErrOutcomeUnknown, and the caller should
// look the prospect up (Prospects.List with PhoneNumber) before resending.
package zenvia

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// DefaultBaseURL is the base URL of Zenvia's Sales API: the live-confirmed
// Zenvia Conversion host (the spec's older hosts no longer resolve).
const DefaultBaseURL = "https://conversion.zenvia.com/v1"

// LeadsServiceURL is the asynchronous leads service, which takes leads at
// /v2/leads/{industry} with the key in an x-api-key header: use it with
// WithBaseURL(LeadsServiceURL) and WithAuthHeader("x-api-key", ""). A base
// URL whose path ends in /v2 makes Leads.Create post to leads/{industry}.
const LeadsServiceURL = "https://leads-service.zenvia.io/v2"

// APIKeyParam is the query parameter that carries the API key by default.
const APIKeyParam = "api-key"

// RateLimitError is returned for HTTP 429. Zenvia documents no rate limit,
// but a gateway in front of it may still answer 429.
type RateLimitError = leadkit.RateLimitError

// config holds zenvia's own options.
type config struct {
	apiKeyHeader string // "" sends the key in the query
	apiKeyScheme string
	phoneRegion  string    // "" leaves phones as given
	maxFile      int64     // the cap of a file Messaging.Send sends
	since        time.Time // the account's first day (WithAccountSince); zero: AccountSinceDefault
}

// accountSince is the first day FindLead looks back to.
func (c *config) accountSince() time.Time {
	if c.since.IsZero() {
		return AccountSinceDefault
	}
	return c.since
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

// WithBaseURL replaces DefaultBaseURL (for Zenvia Conversion, a proxy or the
// zenviatest sandbox).
func WithBaseURL(raw string) Option { return Option{transport.WithBaseURL[config](raw)} }

// WithUserAgent puts ua in front of leadkit's User-Agent.
func WithUserAgent(ua string) Option { return Option{transport.WithUserAgent[config](ua)} }

// WithLogger logs one debug line per HTTP attempt, secrets masked. Silent by default.
func WithLogger(l *slog.Logger) Option { return Option{transport.WithLogger[config](l)} }

// WithMaxRetries sets how many times a failed request may be retried (default 3).
// Lead creation is retried only when it provably did not reach Zenvia.
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

// WithAuthHeader sends the API key in the named header, after scheme and a
// space when scheme is not empty (for example ("x-api-key", ""), as the
// asynchronous leads service https://leads-service.zenvia.io/v2 expects),
// instead of the api-key query parameter.
func WithAuthHeader(name, scheme string) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if err := transport.CheckHeaderName("authHeader", name); err != nil {
			return err
		}
		if err := transport.CheckAuthScheme("authScheme", scheme); err != nil {
			return err
		}
		c.apiKeyHeader, c.apiKeyScheme = name, scheme
		return nil
	})}
}

// WithPhoneNormalization rewrites every phone of a lead to E.164 with
// NormalizePhone(phone, region) before Leads.Create sends it, so that leads
// from forms that write the same phone differently merge into one prospect.
// region is the ISO 3166-1 alpha-2 code used for numbers written without a
// country code ("BR", "AR", "MX"). A phone that cannot be normalised makes
// Create fail with an input error naming it; nothing is sent.
func WithPhoneNormalization(region string) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if err := checkRegion(region); err != nil {
			return err
		}
		c.phoneRegion = region
		return nil
	})}
}

// WithAccountSince tells the client the day its Zenvia account was opened
// (any day before it will do). Prospects.FindLead looks back to it for a
// lead the last year does not show (a lead merges into the person's
// prospect however old): a later day makes that walk shorter; a day after
// the account's first prospect would let FindLead miss a returning
// customer's prospect and answer ErrNotFound for a lead Zenvia holds. The
// default is AccountSinceDefault. A zero or future day is an input error.
func WithAccountSince(day time.Time) Option {
	return Option{transport.VendorOption(func(c *config) error {
		if day.IsZero() {
			return leadkit.Invalid("accountSince", "must be the day the account was opened, not zero")
		}
		if day.After(time.Now()) {
			return leadkit.Invalid("accountSince", "%s is in the future", day.UTC().Format(time.DateOnly))
		}
		c.since = day
		return nil
	})}
}

// Client is a Zenvia Sales API client. It is safe for concurrent use.
type Client struct {
	// Leads creates leads ("Leads").
	Leads *LeadsService
	// Prospects reads and changes prospects ("Prospects").
	Prospects *ProspectsService
	// Agents lists agents ("Agents").
	Agents *AgentsService
	// Groups reads the group tree ("Groups").
	Groups *GroupsService
	// Notifications manages webhook subscriptions ("Notifications").
	Notifications *NotificationsService
	// Interactions reads and changes interactions across the account.
	Interactions *InteractionsService
	// AsUser acts on prospects as the integration's user ("as-user").
	AsUser *AsUserService
	// Quotes reads, creates and changes quotes ("Quotes").
	Quotes *QuotesService
	// Messaging sends messages, templates and files to prospects and lists
	// the channels ("Conversational messaging", "Transactional messaging").
	Messaging *MessagingService
	// Contacts reads contact selections ("Get contacts selection").
	Contacts *ContactsService
	// Integrations reads the key's integration and checks the key
	// ("Integration").
	Integrations *IntegrationsService
	// Apps posts events and notifications of a custom app ("Custom apps").
	Apps *AppsService

	t   *transport.Client
	cfg config
	// key is the API key, which "Post event" carries in its body; and
	// credential the key as the query parameter "api-key", for "Check
	// credentials", which reads the key to check there whatever the client's
	// auth.
	key        transport.Secret
	credential transport.Auth
}

// Redact returns s with the client's credentials masked ("REDACTED") in
// every form the SDK masks them in its own errors and log lines (raw,
// percent-, JSON- and HTML-escaped, base64, in any letter case, ...), and
// the value of any known secret parameter (token=, apikey=, password=,
// Authorization: ...) whoever's it is: for text built outside the client
// that may quote them, such as an error of your own code. The relay passes
// every text it stores or displays through it.
func (c *Client) Redact(s string) string { return c.t.Redactor().Redact(s) }

// NewClient returns a client that authenticates with apiKey, the key of an
// "API Access" integration (Ventas > Integraciones).
func NewClient(apiKey string, opts ...Option) (*Client, error) {
	if err := transport.RequireNonEmpty("apiKey", apiKey); err != nil {
		return nil, err
	}
	s := transport.DefaultSettings(DefaultBaseURL)
	cfg := config{maxFile: DefaultMaxFileBytes}
	if err := transport.Apply(&s, &cfg, options(opts)); err != nil {
		return nil, err
	}
	if err := transport.CheckNotHolding("authHeader", cfg.apiKeyHeader, apiKey); err != nil {
		return nil, err
	}
	if err := transport.CheckNotHolding("authScheme", cfg.apiKeyScheme, apiKey); err != nil {
		return nil, err
	}
	var auth transport.Auth = transport.QueryKey(APIKeyParam, apiKey)
	if cfg.apiKeyHeader != "" {
		auth = transport.HeaderAuth{Name: cfg.apiKeyHeader, Scheme: cfg.apiKeyScheme, Value: transport.NewSecret(apiKey)}
	}
	var t *transport.Client
	t, err := transport.New(transport.Config{
		Vendor:   "zenvia",
		Settings: s,
		Auth:     auth,
		DecodeError: func(resp *transport.Response, base *leadkit.ResponseError) error {
			return decodeError(resp, base, t.Redactor())
		},
	})
	if err != nil {
		return nil, err
	}
	c := &Client{t: t, cfg: cfg, key: transport.NewSecret(apiKey), credential: transport.QueryKey(APIKeyParam, apiKey)}
	c.Leads = &LeadsService{c: c}
	c.Prospects = &ProspectsService{c: c}
	c.Agents = &AgentsService{c: c}
	c.Groups = &GroupsService{c: c}
	c.Notifications = &NotificationsService{c: c}
	c.Interactions = &InteractionsService{c: c}
	c.AsUser = &AsUserService{c: c}
	c.Quotes = &QuotesService{c: c}
	c.Messaging = &MessagingService{c: c}
	c.Contacts = &ContactsService{c: c}
	c.Integrations = &IntegrationsService{c: c}
	c.Apps = &AppsService{c: c}
	return c, nil
}
