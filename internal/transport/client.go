// Package transport is leadkit's one HTTP core: request building, auth,
// retries through go-retryablehttp, response reading with a size cap, typed
// errors, redaction and logging. Every vendor package uses it and nothing
// else to talk HTTP.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/leadkit/leadkit"
)

// Config describes a vendor client to New.
type Config struct {
	// Vendor names the vendor in the User-Agent ("zen", "salesman", ...).
	Vendor string
	// Settings are the common options after the caller's options ran.
	Settings Settings
	// Auth puts the credentials on every request (nil: none).
	Auth Auth
	// Secrets are further values to mask (a password used only to fetch a
	// token, say). Auth's own secrets are registered automatically.
	Secrets []string
	// DecodeError turns a non-2xx response into the vendor's error. base is
	// the generic error; the vendor error should wrap it. Nil returns base.
	DecodeError func(resp *Response, base *leadkit.ResponseError) error
}

// Client sends requests for one vendor client. It is safe for concurrent use.
type Client struct {
	vendor      string
	base        *url.URL
	rc          *retryablehttp.Client
	auth        Auth
	redactor    *Redactor
	logger      *slog.Logger
	userAgent   string
	maxBody     int64
	decodeError func(*Response, *leadkit.ResponseError) error
}

// New builds a Client from cfg. A BaseURL is optional when every request
// carries an absolute URL.
func New(cfg Config) (*Client, error) {
	s := cfg.Settings
	c := &Client{
		vendor:      cfg.Vendor,
		auth:        cfg.Auth,
		redactor:    NewRedactor(cfg.Secrets...),
		logger:      s.Logger,
		userAgent:   userAgent(s.UserAgent, cfg.Vendor),
		maxBody:     s.MaxBodyBytes,
		decodeError: cfg.DecodeError,
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	if s.BaseURL != "" {
		u, err := ParseBaseURL(s.BaseURL)
		if err != nil {
			return nil, err
		}
		c.base = u
		c.redactor.Add(baseQuerySecrets(u)...)
	}
	if c.auth == nil {
		c.auth = NoAuth{}
	}
	c.redactor.Add(c.auth.Secrets()...)
	if ts, ok := c.auth.(*TokenSource); ok {
		c.watchTokens(ts)
	}
	for _, a := range asMulti(c.auth) {
		if ts, ok := a.(*TokenSource); ok {
			c.watchTokens(ts)
		}
	}

	hc := s.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: NewDefaultTransport(), Timeout: DefaultTimeout}
	}
	wrapped := *hc // keep the caller's timeout and jar
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	wrapped.Transport = &attemptTransport{base: base, c: c}
	// Ours first, then the caller's: see redirect.go.
	wrapped.CheckRedirect = c.redirectPolicy(hc.CheckRedirect)

	waitMin, waitMax := s.RetryWaitMin, s.RetryWaitMax
	if waitMax <= 0 {
		waitMin, waitMax = DefaultRetryWaitMin, DefaultRetryWaitMax
	}
	c.rc = &retryablehttp.Client{
		HTTPClient:   &wrapped,
		Logger:       nil, // its log lines print URLs, and ours carry keys
		RetryWaitMin: waitMin,
		RetryWaitMax: waitMax,
		RetryMax:     s.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff:      c.backoffLogged,
		ErrorHandler: passLastResponse,
	}
	return c, nil
}

// backoffLogged is backoff, telling the client's logger (Info) of a wait
// of a second or more before a retry: the vendor's Retry-After, or a long
// backoff. A program stays quiet that long otherwise (cli.WaitLogger says
// it on a terminal). The line names the vendor, the status and the wait,
// never the request's URL.
func (c *Client) backoffLogged(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	d := backoff(minWait, maxWait, attempt, resp)
	if c.logger == nil || d < time.Second {
		return d
	}
	ctx := context.Background()
	attrs := []slog.Attr{slog.String("vendor", c.vendor), slog.Duration("wait", d), slog.Int("attempt", attempt+1)}
	if resp != nil {
		if resp.Request != nil {
			ctx = resp.Request.Context()
		}
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "leadkit retry wait", attrs...)
	return d
}

// baseQuerySecrets returns the values of the base URL's query that are
// masked like credentials: every one of MinFreeSecret bytes or more. A
// vendor that hands out a URL with parameters puts the tenant's key there,
// under a name of its own (api_token, key, access_key...) that the
// redactor's list of secret parameters cannot know; the URL is sent with
// every request and named by every error and log line.
func baseQuerySecrets(u *url.URL) []string {
	var out []string
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= MinFreeSecret {
				out = append(out, v)
			}
		}
	}
	return out
}

func asMulti(a Auth) []Auth {
	if m, ok := a.(MultiAuth); ok {
		return m
	}
	return nil
}

// watchTokens has the client's redactor learn every token of ts. A source
// may be shared by clients built concurrently: Watch is safe for that.
func (c *Client) watchTokens(ts *TokenSource) { ts.Watch(c.redactor.AddRotating) }

// Redactor returns the client's redactor, for vendor code that builds its
// own error strings.
func (c *Client) Redactor() *Redactor { return c.redactor }

// Logger returns the client's logger (nil when silent).
func (c *Client) Logger() *slog.Logger { return c.logger }

// BaseURL returns the parsed base URL (nil when none was set).
func (c *Client) BaseURL() *url.URL {
	if c.base == nil {
		return nil
	}
	u := *c.base
	return &u
}

// Request describes one API call.
type Request struct {
	Method string
	// URL, when set, is the absolute URL of the call and replaces BaseURL and
	// Path (for vendors that hand out one URL per endpoint).
	URL string
	// Path holds raw path segments appended to the base URL, each escaped on
	// its own; "..", "." and control characters are refused.
	Path []string
	// Query is url.Values or a struct with `url` tags (go-querystring).
	Query any
	// JSON, Form or Body set the request body (at most one). JSON is
	// checked with CheckEncodable before it is encoded (a vendor whose body
	// has a name of its own, such as additionalData, checks it first with
	// that root); Form and Query structs for non-finite numbers.
	JSON any
	Form any // url.Values or a struct with `url` tags
	Body []byte
	// ContentType goes with Body.
	ContentType string
	// Header holds extra request headers.
	Header http.Header
	// Auth replaces the client's auth for this request (NoAuth{} for none).
	Auth Auth
	// Create marks a request that creates or changes something and must not
	// be sent twice. Requests whose method is not GET, HEAD, PUT, DELETE or
	// OPTIONS are treated as creates anyway.
	Create bool
}

func (r *Request) idempotent() bool {
	if r.Create {
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// Response is a read, size-capped response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	Method     string // the request's method
	URL        string // the request's URL, redacted
	Attempts   int    // how many times the request was sent
	c          *Client
	token      Secret // the token the request carried, for a refresh on 401
	release    func() // ends the redactor's hold on token
	tooLarge   bool
	idempotent bool
	redirect   string // why a redirect was not followed
	reached    bool   // an earlier attempt may have been processed
	// Gone is set when a retried DELETE found nothing: an earlier attempt,
	// whose answer was lost, had deleted it. Do returns no error then.
	Gone bool
}

// ResponseError returns a *leadkit.ResponseError of the given kind for r,
// with a redacted excerpt of the body, the headers masked (names and
// values) and err masked at every level of its chain.
func (r *Response) ResponseError(kind, err error) *leadkit.ResponseError {
	return &leadkit.ResponseError{
		Kind:       kind,
		StatusCode: r.StatusCode,
		Method:     r.Method,
		URL:        r.URL,
		Header:     r.c.redactHeader(r.Header),
		Body:       r.c.excerpt(r.Body),
		Err:        r.c.redactErr(err),
	}
}

// redactHeader returns a copy of h with the client's secrets masked in every
// name and value (a server or proxy that echoes a credential into a
// response header must not put it into an error printed with %+v or %#v).
func (c *Client) redactHeader(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		name := c.redactor.RedactFold(k)
		red := make([]string, len(vs))
		for i, v := range vs {
			red[i] = c.redactor.Redact(k + ": " + v)
			if p := k + ": "; strings.HasPrefix(red[i], p) {
				red[i] = red[i][len(p):]
			} else {
				red[i] = Mask
			}
		}
		out[name] = append(out[name], red...)
	}
	return out
}

// Redact masks the client's secrets in s (for messages taken from a body).
func (r *Response) Redact(s string) string { return r.c.redactor.Redact(s) }

// DecodeJSON decodes the body into out, turning an empty, HTML, truncated or
// mis-shaped body into a *leadkit.ResponseError of the matching kind. Every
// json.RawMessage out holds afterwards (an answer or an object kept as
// sent) has the client's secrets masked (MaskJSON): a server that echoes
// the request puts the key there.
func (r *Response) DecodeJSON(out any) error {
	kind, err := CheckJSON(r.Body)
	if kind == nil {
		err = json.Unmarshal(r.Body, out)
		kind = ClassifyJSONError(r.Body, err)
	}
	if kind != nil {
		return r.BodyError(kind, r.c.redactErr(err))
	}
	maskRawMessages(r.c.redactor, reflect.ValueOf(out))
	return nil
}

// MaskRaw masks, as DecodeJSON does, every json.RawMessage that v (a
// pointer or a slice) reaches: for a value a vendor decoded from Body by a
// path of its own (a single-pass reader), which must hand back JSON kept
// as sent masked as the encoding/json path does.
func (r *Response) MaskRaw(v any) { maskRawMessages(r.c.redactor, reflect.ValueOf(v)) }

// BodyError is the error for a response whose body cannot be used: a
// *leadkit.ResponseError of the given kind, wrapped in an
// *OutcomeUnknownError when the request was a create that the server
// answered with a 2xx (it was most likely processed, but its answer is
// lost: the caller must look before sending it again).
func (r *Response) BodyError(kind, err error) error {
	re := r.ResponseError(kind, err)
	if !r.idempotent && r.StatusCode >= 200 && r.StatusCode < 300 {
		return &OutcomeUnknownError{Method: r.Method, URL: r.URL, Err: re}
	}
	return re
}

// CheckJSON reports whether body can be JSON at all: it returns
// leadkit.ErrEmptyBody for an empty body and leadkit.ErrNotJSON for a body
// that does not start like JSON (an HTML page, plain text).
func CheckJSON(body []byte) (kind, err error) {
	t := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(t) == 0 {
		return leadkit.ErrEmptyBody, nil
	}
	switch t[0] {
	case '{', '[', '"', 't', 'f', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return nil, nil
	}
	return leadkit.ErrNotJSON, nil
}

// ClassifyJSONError names the kind of a json.Unmarshal error on body:
// leadkit.ErrTruncatedBody when the input ran out (the body is a cut-off
// prefix of a document), leadkit.ErrNotJSON for any other syntax error,
// leadkit.ErrDecode when the JSON is well formed but does not fit, nil for
// nil.
func ClassifyJSONError(body []byte, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return leadkit.ErrTruncatedBody
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// The offset alone cannot tell: an invalid last byte ("{"a":1]")
		// also fails at the end. Running out of input is either "unexpected
		// end", or, inside a literal or a number cut short ("fa", "1."),
		// the space encoding/json feeds its scanner at the end of input.
		if se.Offset >= int64(len(bytes.TrimRight(body, " \t\r\n"))) {
			msg := se.Error()
			if strings.Contains(msg, "unexpected end of JSON input") || strings.HasPrefix(msg, "invalid character ' '") {
				return leadkit.ErrTruncatedBody
			}
		}
		return leadkit.ErrNotJSON
	}
	return leadkit.ErrDecode
}

// excerptLen bounds the excerpt of a body kept in an error.
const excerptLen = 512

func (c *Client) excerpt(body []byte) string { return excerpt(c.redactor, body, excerptLen) }

// redactErr returns err masked at every level of its chain (nil stays nil).
func (c *Client) redactErr(err error) error { return MaskError(c.redactor, err) }

// BuildURL returns the URL req will be sent to, before auth.
func (c *Client) BuildURL(req *Request) (*url.URL, error) {
	var u *url.URL
	if req.URL != "" {
		var err error
		if u, err = ParseBaseURL(req.URL); err != nil {
			return nil, err
		}
	} else {
		if c.base == nil {
			return nil, leadkit.Invalid("baseURL", "not set")
		}
		b := *c.base
		u = &b
	}
	if len(req.Path) > 0 {
		p, raw, err := joinPath(u.Path, req.Path)
		if err != nil {
			return nil, err
		}
		u.Path, u.RawPath = p, raw
	}
	if req.Query != nil {
		q, err := encodeValues(req.Query)
		if err != nil {
			return nil, err
		}
		if u.RawQuery == "" {
			u.RawQuery = q.Encode()
		} else {
			merged := u.Query()
			for k, vs := range q {
				merged[k] = vs
			}
			u.RawQuery = merged.Encode()
		}
	}
	return u, nil
}

// joinPath appends escaped segments to prefix and returns the decoded path
// and its escaped form.
func joinPath(prefix string, segs []string) (string, string, error) {
	dec := strings.TrimRight(prefix, "/")
	enc := (&url.URL{Path: dec}).EscapedPath()
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "", "", leadkit.Invalid("path", "segment %q is not allowed", s)
		}
		for _, r := range s {
			if r < 0x20 || r == 0x7f {
				return "", "", leadkit.Invalid("path", "segment contains a control character")
			}
		}
		dec += "/" + s
		enc += "/" + url.PathEscape(s)
	}
	return dec, enc, nil
}

func encodeValues(v any) (url.Values, error) {
	switch q := v.(type) {
	case url.Values:
		return q, nil
	case nil:
		return url.Values{}, nil
	}
	if err := checkFiniteParams(v); err != nil {
		return nil, err
	}
	vals, err := query.Values(v)
	if err != nil {
		return nil, fmt.Errorf("leadkit: encoding parameters: %w", err)
	}
	return vals, nil
}

func (c *Client) body(req *Request) ([]byte, string, error) {
	n := 0
	for _, set := range []bool{req.JSON != nil, req.Form != nil, req.Body != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, "", errors.New("leadkit: request has more than one body")
	}
	switch {
	case req.JSON != nil:
		b, err := MarshalJSON("", req.JSON)
		if err != nil {
			return nil, "", err
		}
		return b, "application/json", nil
	case req.Form != nil:
		v, err := encodeValues(req.Form)
		if err != nil {
			return nil, "", err
		}
		return []byte(v.Encode()), "application/x-www-form-urlencoded", nil
	case req.Body != nil:
		return req.Body, req.ContentType, nil
	}
	return nil, "", nil
}

// Do sends req with retries and returns the read response. A non-2xx status
// returns the response and the vendor's error (a *leadkit.RateLimitError
// around it for 429). Transport failures return an error only, wrapping
// leadkit.ErrOutcomeUnknown when a create may have reached the server.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if ctx == nil {
		return nil, leadkit.Invalid("ctx", "must not be nil")
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	u, err := c.BuildURL(req)
	if err != nil {
		return nil, err
	}
	body, ctype, err := c.body(req)
	if err != nil {
		return nil, err
	}
	auth := req.Auth
	if auth == nil {
		auth = c.auth
	}
	resp, err := c.send(ctx, req, u, body, ctype, auth)
	if err != nil {
		return nil, err
	}
	defer resp.release()
	if resp.StatusCode == http.StatusUnauthorized {
		if ts := tokenSourceOf(auth); ts != nil {
			// One refresh: a token refused twice is a credentials problem.
			resp2, err2, retried := c.retryWithFreshToken(ctx, req, u, body, ctype, auth, ts, resp)
			if retried {
				if err2 != nil {
					return nil, err2
				}
				defer resp2.release()
				resp = resp2
			}
		}
	}
	if resp.StatusCode == http.StatusNotFound && req.Method == http.MethodDelete && resp.reached {
		// A retried DELETE that finds nothing has done its job.
		resp.Gone = true
		return resp, nil
	}
	return resp, c.statusError(req, resp)
}

func tokenSourceOf(a Auth) *TokenSource {
	if ts, ok := a.(*TokenSource); ok {
		return ts
	}
	for _, x := range asMulti(a) {
		if ts, ok := x.(*TokenSource); ok {
			return ts
		}
	}
	return nil
}

func (c *Client) retryWithFreshToken(ctx context.Context, req *Request, u *url.URL, body []byte, ctype string, auth Auth, ts *TokenSource, first *Response) (*Response, error, bool) {
	if first.token.IsZero() {
		return nil, nil, false
	}
	ts.Invalidate(first.token.Value())
	resp, err := c.send(ctx, req, u, body, ctype, auth)
	return resp, err, true
}

// send performs one logical call (with retries) and reads the body.
func (c *Client) send(ctx context.Context, req *Request, u *url.URL, body []byte, ctype string, auth Auth) (*Response, error) {
	if err := ctx.Err(); err != nil {
		// Nothing was sent: a create's outcome is known.
		return nil, c.callError(req.Method, u, err, false)
	}
	st := &callState{idempotent: req.idempotent(), maxBody: c.maxBody, maxWait: c.rc.RetryWaitMax, auth: auth, origin: u}
	ctx = context.WithValue(ctx, stateKey{}, st)
	rreq, err := c.newRequest(ctx, req, u, body, ctype)
	if err != nil {
		return nil, err
	}
	if err := auth.Apply(ctx, rreq.Request); err != nil {
		if ctx.Err() != nil {
			return nil, c.callError(req.Method, u, ctx.Err(), false)
		}
		// The fetch's own error names its request; one prefix is enough.
		return nil, fmt.Errorf("credentials: %w", c.redactErr(err))
	}
	token, release := c.holdToken(auth, rreq.Request)
	held := false
	defer func() {
		if !held {
			release()
		}
	}()
	redURL := c.redactor.RedactURL(rreq.URL)
	rreq.SetResponseHandler(st.readBody)

	hresp, err := c.rc.Do(rreq)
	if hresp != nil && hresp.Body != nil {
		hresp.Body.Close()
	}
	if err != nil {
		// A create failed: unknown unless an attempt was made and proved
		// not to have left.
		unknown := !st.idempotent && !(st.provedNotSent() || st.attempts == 0)
		if ctx.Err() != nil {
			return nil, c.callError(req.Method, rreq.URL, ctx.Err(), unknown)
		}
		return nil, c.callError(req.Method, rreq.URL, err, unknown)
	}
	held = true
	return &Response{
		release:    release,
		StatusCode: hresp.StatusCode,
		Header:     hresp.Header,
		Body:       st.body,
		Method:     req.Method,
		URL:        redURL,
		Attempts:   st.attempts,
		c:          c,
		token:      NewSecret(token),
		tooLarge:   st.tooLarge,
		idempotent: st.idempotent,
		redirect:   st.redirectStop,
		reached:    st.reachedBefore,
	}, nil
}

// holdToken returns the token auth put on r ("" when auth has no token
// source), kept masked until release: while this call may print (its
// attempts' log lines, its error), however often the source refreshes.
func (c *Client) holdToken(auth Auth, r *http.Request) (token string, release func()) {
	if ts := tokenSourceOf(auth); ts != nil {
		token = strings.TrimSpace(strings.TrimPrefix(r.Header.Get(ts.Name), ts.Scheme))
	}
	return token, c.redactor.Hold(token)
}

// newRequest builds the retryable request with the core's headers and the
// request's own.
func (c *Client) newRequest(ctx context.Context, req *Request, u *url.URL, body []byte, ctype string) (*retryablehttp.Request, error) {
	var raw any      // a nil []byte would still give the request an (empty) body,
	if body != nil { // which net/http then probes in a goroutine with a timer
		raw = body
	}
	rreq, err := retryablehttp.NewRequestWithContext(ctx, req.Method, u.String(), raw)
	if err != nil {
		return nil, fmt.Errorf("leadkit: building request: %w", c.redactErr(err))
	}
	h := rreq.Header
	h.Set("User-Agent", c.userAgent)
	h.Set("Accept", "application/json")
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	for k, vs := range req.Header {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	return rreq, nil
}

// statusError turns a response into the right error (nil for a usable 2xx).
func (c *Client) statusError(req *Request, r *Response) error {
	if r.tooLarge {
		return r.BodyError(leadkit.ErrBodyTooLarge, fmt.Errorf("body exceeds %d bytes", c.maxBody))
	}
	if r.StatusCode >= 200 && r.StatusCode < 300 {
		return nil
	}
	var cause error
	if r.StatusCode >= 300 && r.StatusCode < 400 {
		cause = &RedirectError{Reason: r.redirect, Location: c.redactor.Redact(r.Header.Get("Location"))}
	}
	base := r.ResponseError(leadkit.ErrHTTPStatus, cause)
	var err error = base
	if c.decodeError != nil {
		if e := c.decodeError(r, base); e != nil {
			err = e
		}
	}
	switch {
	case r.StatusCode == http.StatusTooManyRequests:
		ra, _ := ParseRetryAfter(r.Header.Get("Retry-After"), time.Now())
		return &leadkit.RateLimitError{RetryAfter: ra, Err: err}
	case r.idempotent:
		return err
	case r.StatusCode >= 300 && r.StatusCode < 400:
		// A create is never followed through a redirect: the 3xx is its
		// answer, and no vendor documents what one means for a create.
		return &OutcomeUnknownError{Method: r.Method, URL: r.URL, Err: err}
	case r.StatusCode >= 500 && !(r.StatusCode == http.StatusServiceUnavailable && saysNotProcessed(r.Header)):
		// Only a 503 with Retry-After (and a 429) says "not processed"; any
		// other 5xx may come after the create was stored (a server that
		// failed while logging, a router that gave up on a slow app).
		return &OutcomeUnknownError{Method: r.Method, URL: r.URL, Err: err}
	}
	return err
}

// OutcomeUnknownError wraps the failure of a create that may have reached
// the server. It matches leadkit.ErrOutcomeUnknown.
type OutcomeUnknownError struct {
	Method, URL string
	Err         error
}

// Error implements error.
// The method and URL are read once, from the wrapped error, which names
// them.
func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("outcome unknown, the request may have reached the server (not resent): %v", e.Err)
}

// Is matches leadkit.ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == leadkit.ErrOutcomeUnknown }

// Unwrap returns the failure.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// callError builds the error of a call that got no usable response.
func (c *Client) callError(method string, u *url.URL, err error, unknown bool) error {
	red := c.redactor.RedactURL(u)
	inner := c.redactErr(err)
	if unknown {
		return &OutcomeUnknownError{Method: method, URL: red, Err: inner}
	}
	return &CallError{Method: method, URL: red, Err: inner}
}

// CallError is a call that got no response (connection refused, reset,
// timeout, cancelled context). Its message is redacted.
type CallError struct {
	Method, URL string
	Err         error
}

// Error implements error.
// It names the method and URL once: the cause of a *url.Error is printed
// without the URL that error repeats.
func (e *CallError) Error() string {
	cause := e.Err
	var ue *url.Error
	if errors.As(e.Err, &ue) && ue.Err != nil {
		cause = ue.Err
	}
	return fmt.Sprintf("leadkit: %s %s: %v", e.Method, e.URL, cause)
}

// Unwrap returns the cause (context.Canceled, a net error, ...).
func (e *CallError) Unwrap() error { return e.Err }

// passLastResponse hands the last response back so that the vendor's error
// body reaches the caller instead of retryablehttp's "giving up" error, which
// prints the URL.
func passLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err != nil && resp != nil && resp.Body != nil {
		resp.Body.Close()
		return nil, err
	}
	if err == nil && resp != nil && resp.Request != nil {
		// Retries ran out on a retryable status (503, 429, ...): the response
		// handler did not run, so read the body here or the vendor's error
		// message is lost.
		if st, ok := resp.Request.Context().Value(stateKey{}).(*callState); ok {
			if rerr := st.readBody(resp); rerr != nil {
				return nil, rerr
			}
		}
	}
	return resp, err
}
