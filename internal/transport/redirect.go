package transport

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/leadkit/leadkit"
)

// MaxRedirects is how many redirect hops an idempotent request follows.
const MaxRedirects = 10

// redirectPolicy is the one redirect policy of every client, run before the
// caller's own CheckRedirect (next, when set):
//
//   - A create (any request that is not idempotent) is never followed: the
//     3xx is its answer, and its outcome is unknown.
//   - A redirect that would change the method (net/http turns a PUT or
//     DELETE into a GET on 301, 302 and 303) is not followed.
//   - An idempotent request follows up to MaxRedirects hops. To the same
//     origin (scheme, host and port; an upgrade from http to https on the
//     same port included) the client's credentials are applied again, since
//     the target URL lacks query keys.
//   - To another origin (another host, or another port of the same host)
//     it carries no credential: only the User-Agent, Accept*
//     and Content-Type headers go along, query parameters that hold a
//     credential are taken off, and a target whose URL still holds one is
//     not followed. A request with a body is not followed there (a form may
//     hold keys), nor is any hop from https to http.
//   - No hop carries a Referer (it would hold the previous URL's query).
//
// A refused hop returns the 3xx itself, as an error that matches
// leadkit.ErrRedirect and says why.
func (c *Client) redirectPolicy(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		st := stateOf(req.Context())
		stop := func(why string) error {
			if st != nil {
				st.set(func(st *callState) { st.redirectStop = why })
			}
			return http.ErrUseLastResponse
		}
		req.Header.Del("Referer")
		if st == nil || !st.idempotent {
			return stop("a request that creates something is never redirected")
		}
		if req.Method != via[0].Method {
			// net/http turns a PUT, DELETE or POST into a GET on 301-303:
			// the GET would "succeed" without the write having been done.
			return stop(fmt.Sprintf("it would turn the %s into a %s", via[0].Method, req.Method))
		}
		if len(via) >= MaxRedirects {
			return stop(fmt.Sprintf("more than %d redirects", MaxRedirects))
		}
		prev := via[len(via)-1].URL
		if prev.Scheme == "https" && req.URL.Scheme != "https" {
			return stop("from https to http")
		}
		if sameOrigin(via[0].URL, req.URL) {
			if st.auth != nil {
				if err := st.auth.Apply(req.Context(), req); err != nil {
					return err
				}
			}
		} else {
			if req.Body != nil && req.Body != http.NoBody {
				return stop("to another origin with a body")
			}
			c.stripCredentials(req)
			if c.redactor.RedactURL(req.URL) != req.URL.String() {
				return stop("to another origin with a credential in its URL")
			}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// keptAcrossHosts are the only headers a hop to another origin carries.
var keptAcrossHosts = []string{"User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Content-Type"}

// crossOriginHeader returns the headers of h that a hop to another origin
// carries: keptAcrossHosts only.
func crossOriginHeader(h http.Header) http.Header {
	out := http.Header{}
	for _, k := range keptAcrossHosts {
		if v, ok := h[k]; ok {
			out[k] = v
		}
	}
	return out
}

// stripCredentials takes every credential off a request bound for another
// host: headers but the few above, query parameters that a QueryAuth of the
// client sets or whose value holds a secret, and userinfo.
func (c *Client) stripCredentials(req *http.Request) {
	req.Header = crossOriginHeader(req.Header)
	req.URL.User = nil
	if req.URL.RawQuery == "" {
		return
	}
	keys := queryKeys(c.auth)
	q := req.URL.Query()
	for k, vs := range q {
		if keys[k] {
			delete(q, k)
			continue
		}
		for _, v := range vs {
			if c.redactor.Redact(k+"="+v) != k+"="+v {
				delete(q, k)
				break
			}
		}
	}
	req.URL.RawQuery = q.Encode()
}

// queryKeys returns the names of the query parameters a's QueryAuth values set.
func queryKeys(a Auth) map[string]bool {
	out := map[string]bool{}
	var walk func(Auth)
	walk = func(a Auth) {
		switch x := a.(type) {
		case QueryAuth:
			for k := range x.Params {
				out[k] = true
			}
		case publicAuth:
			walk(x.Auth)
		case MultiAuth:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(a)
	return out
}

// sameOrigin reports whether b is a's origin (scheme, host and port), or
// its upgrade from http to https on the same host and the same port: the
// only hops that carry the client's credentials. Another port is another
// origin (another service, perhaps another tenant), whatever the scheme.
func sameOrigin(a, b *url.URL) bool {
	if !strings.EqualFold(a.Hostname(), b.Hostname()) || port(a) != port(b) {
		return false
	}
	return a.Scheme == b.Scheme || a.Scheme == "http" && b.Scheme == "https"
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// RedirectError is the cause of a 3xx the client did not follow. It
// matches leadkit.ErrRedirect.
type RedirectError struct {
	Reason   string // why the redirect was not followed ("" when the caller's policy stopped it)
	Location string // the target, secrets masked
}

// Error implements error.
func (e *RedirectError) Error() string {
	msg := "redirect not followed"
	if e.Reason != "" {
		msg += " (" + e.Reason + ")"
	}
	if e.Location != "" {
		msg += " to " + e.Location
	}
	return msg
}

// Is matches leadkit.ErrRedirect.
func (e *RedirectError) Is(target error) bool { return target == leadkit.ErrRedirect }
