package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Auth puts credentials on an outgoing request. Vendor packages compose the
// values below; each registers its secrets with the client's Redactor.
type Auth interface {
	// Apply adds the credentials to req. It may be called once per attempt.
	Apply(ctx context.Context, req *http.Request) error
	// Secrets returns the values that must never be printed.
	Secrets() []string
}

// HeaderAuth sends Value in header Name, after Scheme and a space when Scheme
// is set: {"token", "", x} gives "token: x"; {"Authorization", "Bearer", x}
// gives "Authorization: Bearer x".
type HeaderAuth struct {
	Name, Scheme string
	Value        Secret
}

// Apply implements Auth.
func (a HeaderAuth) Apply(_ context.Context, req *http.Request) error {
	v := a.Value.Value()
	if a.Scheme != "" {
		v = a.Scheme + " " + v
	}
	req.Header.Set(a.Name, v)
	return nil
}

// Secrets implements Auth.
func (a HeaderAuth) Secrets() []string { return []string{a.Value.Value()} }

// Format implements fmt.Formatter: the value is masked in every verb.
func (a HeaderAuth) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "HeaderAuth{Name:%q Scheme:%q Value:%s}", a.Name, a.Scheme, Mask)
}

// LogValue implements slog.LogValuer: the value is masked.
func (a HeaderAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", a.Name), slog.String("scheme", a.Scheme), slog.String("value", Mask))
}

// MarshalJSON implements json.Marshaler: the value is masked.
func (a HeaderAuth) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"Name": a.Name, "Scheme": a.Scheme, "Value": Mask})
}

// QueryAuth adds its keys to the query string of every request.
type QueryAuth struct {
	Params map[string]Secret
}

// QueryKey returns a QueryAuth of one parameter.
func QueryKey(name, value string) QueryAuth {
	return QueryAuth{Params: map[string]Secret{name: NewSecret(value)}}
}

// Apply implements Auth.
func (a QueryAuth) Apply(_ context.Context, req *http.Request) error {
	q := req.URL.Query()
	for k, v := range a.Params {
		q.Set(k, v.Value())
	}
	req.URL.RawQuery = q.Encode()
	return nil
}

// Secrets implements Auth.
func (a QueryAuth) Secrets() []string {
	var out []string
	for _, v := range a.Params {
		out = append(out, v.Value())
	}
	return out
}

// Format implements fmt.Formatter: the parameter names show, their values
// are masked.
func (a QueryAuth) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "QueryAuth{Params:%s}", strings.Join(a.names(), ","))
}

// LogValue implements slog.LogValuer: the parameter names only.
func (a QueryAuth) LogValue() slog.Value { return slog.StringValue(strings.Join(a.names(), ",")) }

// MarshalJSON implements json.Marshaler: the values are masked.
func (a QueryAuth) MarshalJSON() ([]byte, error) { return json.Marshal(a.names()) }

func (a QueryAuth) names() []string {
	out := make([]string, 0, len(a.Params))
	for k := range a.Params {
		out = append(out, k+"="+Mask)
	}
	sort.Strings(out)
	return out
}

// BasicAuth sends HTTP basic credentials.
type BasicAuth struct {
	User     string
	Password Secret
}

// Apply implements Auth.
func (a BasicAuth) Apply(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(a.User, a.Password.Value())
	return nil
}

// Secrets implements Auth.
func (a BasicAuth) Secrets() []string {
	if a.Password.IsZero() {
		return nil
	}
	return []string{a.Password.Value(), a.User + ":" + a.Password.Value()}
}

// Format implements fmt.Formatter: the password is masked.
func (a BasicAuth) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "BasicAuth{User:%q Password:%s}", a.User, Mask)
}

// LogValue implements slog.LogValuer: the password is masked.
func (a BasicAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", a.User), slog.String("password", Mask))
}

// MarshalJSON implements json.Marshaler: the password is masked.
func (a BasicAuth) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"User": a.User, "Password": Mask})
}

// NoAuth sends no credentials (for token endpoints that carry their own).
type NoAuth struct{}

// Apply implements Auth.
func (NoAuth) Apply(context.Context, *http.Request) error { return nil }

// Secrets implements Auth.
func (NoAuth) Secrets() []string { return nil }

// TokenSource fetches a token with Fetch, caches it, and puts it in header
// Name (after Scheme). It fetches lazily on first use, makes exactly one
// fetch however many goroutines wait at once, and is refreshed by the client
// once when a request answers 401.
type TokenSource struct {
	Name, Scheme string
	Fetch        func(ctx context.Context) (string, error)
	// OnToken, when set, is called with each new token (the client uses it to
	// register the token with its Redactor).
	OnToken func(token string)

	mu       sync.Mutex
	token    Secret
	flight   *tokenFlight
	watchers []func(token string) // Watch's, called after OnToken
}

// Watch registers fn to be called with each new token, and at once with
// the cached one if there is one. Each client built on the source watches
// it (to mask its tokens); it is safe to call while other clients use or
// watch the same source.
func (t *TokenSource) Watch(fn func(token string)) {
	t.mu.Lock()
	t.watchers = append(t.watchers, fn)
	cached := t.token.Value()
	t.mu.Unlock()
	if cached != "" {
		fn(cached)
	}
}

type tokenFlight struct {
	done    chan struct{}
	token   string
	err     error
	waiters int                // callers waiting for it (t.mu)
	cancel  context.CancelFunc // ends the fetch once nobody waits for it
}

// Format implements fmt.Formatter: the cached token never shows.
func (t *TokenSource) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "TokenSource{Name:%q Scheme:%q}", t.Name, t.Scheme)
}

// LogValue implements slog.LogValuer: the cached token never shows.
func (t *TokenSource) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", t.Name), slog.String("scheme", t.Scheme))
}

// Token returns the cached token, fetching it when there is none.
func (t *TokenSource) Token(ctx context.Context) (string, error) {
	return t.get(ctx, "")
}

// Invalidate drops the cached token if it is still stale, so the next Token
// fetches a new one. Callers that saw stale refused pass it, so that many
// goroutines refused at once cause one fetch, not one each.
func (t *TokenSource) Invalidate(stale string) {
	t.mu.Lock()
	if t.token.Value() == stale {
		t.token = Secret{}
	}
	t.mu.Unlock()
}

// get returns a token different from stale (when stale is not empty).
func (t *TokenSource) get(ctx context.Context, stale string) (string, error) {
	t.mu.Lock()
	if tok := t.token.Value(); tok != "" && tok != stale {
		t.mu.Unlock()
		return tok, nil
	}
	f := t.flight
	if f == nil {
		// The fetch outlives the first caller's cancellation: other callers
		// may be waiting for it. It ends when the last of them leaves, so a
		// token endpoint that never answers does not hold a connection (and
		// every later call) forever.
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &tokenFlight{done: make(chan struct{}), cancel: cancel}
		t.flight = f
		go t.run(fctx, f)
	}
	f.waiters++
	t.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		t.mu.Lock()
		f.waiters--
		if f.waiters == 0 && t.flight == f {
			t.flight = nil // the next caller starts a fresh fetch
			f.cancel()
		}
		t.mu.Unlock()
		return "", ctx.Err()
	}
}

func (t *TokenSource) run(ctx context.Context, f *tokenFlight) {
	defer f.cancel()
	tok, err := t.Fetch(ctx)
	// A token answered with white space around it ("tok\n") is cached and
	// sent trimmed, so that a refresh after 401 recognises it and no request
	// fails on an invalid header value.
	tok = strings.TrimSpace(tok)
	if err == nil && tok == "" {
		err = errEmptyToken
	}
	if err == nil && strings.ContainsFunc(tok, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		err = errBadToken
	}
	if err == nil {
		if t.OnToken != nil {
			t.OnToken(tok)
		}
		t.mu.Lock()
		ws := t.watchers
		t.mu.Unlock()
		for _, w := range ws {
			w(tok)
		}
	}
	t.mu.Lock()
	f.token, f.err = tok, err
	if err == nil {
		t.token = NewSecret(tok)
	}
	if t.flight == f {
		t.flight = nil
	}
	t.mu.Unlock()
	close(f.done)
}

// Apply implements Auth.
func (t *TokenSource) Apply(ctx context.Context, req *http.Request) error {
	tok, err := t.Token(ctx)
	if err != nil {
		return err
	}
	t.set(req, tok)
	return nil
}

func (t *TokenSource) set(req *http.Request, tok string) {
	v := tok
	if t.Scheme != "" {
		v = t.Scheme + " " + tok
	}
	req.Header.Set(t.Name, v)
}

// Secrets implements Auth; the tokens themselves are registered as they come.
func (t *TokenSource) Secrets() []string { return nil }

// MultiAuth applies several Auth values in order.
type MultiAuth []Auth

// Apply implements Auth.
func (m MultiAuth) Apply(ctx context.Context, req *http.Request) error {
	for _, a := range m {
		if err := a.Apply(ctx, req); err != nil {
			return err
		}
	}
	return nil
}

// Secrets implements Auth.
func (m MultiAuth) Secrets() []string {
	var out []string
	for _, a := range m {
		out = append(out, a.Secrets()...)
	}
	return out
}

var (
	errEmptyToken = errors.New("leadkit: the token endpoint returned an empty token")
	errBadToken   = errors.New("leadkit: the token endpoint returned a token with control characters (it cannot be sent in a header)")
)

// Public sends a's credentials without registering them as secrets: for
// identifiers that travel beside a key (a login e-mail, an account id) and
// would only mangle error texts if masked.
func Public(a Auth) Auth { return publicAuth{a} }

type publicAuth struct{ Auth }

// Secrets implements Auth: none.
func (publicAuth) Secrets() []string { return nil }
