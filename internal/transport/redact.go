package transport

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every secret in redacted text.
const Mask = "REDACTED"

var (
	// key=value in queries, forms and free text.
	reQuery = regexp.MustCompile(`(?i)\b(token|apikey|api-key|api_key|x-api-key|password|passwd|access_token|refresh_token|id_token|auth_token|accesstoken|refreshtoken|authtoken|client_secret|secret)(=|%3D)([^&\s"'<>;,]*)`)
	// "key": "value" in JSON; a value whose closing quote never came (a body
	// cut off mid-secret) is masked to the end of the text.
	reJSON = regexp.MustCompile(`(?i)("(?:token|apikey|api-key|api_key|x-api-key|password|access_token|refresh_token|id_token|auth_token|accesstoken|refreshtoken|authtoken|client_secret|secret)"\s*:\s*")((?:[^"\\]|\\.)*\\?)("|$)`)
	// Header lines: "Authorization: Bearer x", "token: x", "x-api-key: x",
	// also as a JSON-encoded http.Header: "Authorization":["Basic x"].
	reHeader = regexp.MustCompile(`(?i)\b(authorization|proxy-authorization|x-api-key|api-key|apikey|token|password)((?:\\?")?\s*:\s*(?:\[\s*\\?")?)((?:basic|bearer|token)\s+)?([^\s"',;\\\]]+)`)
	// Userinfo in URLs: scheme://user:pass@host.
	reUserinfo = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)[^/@\s]+@`)
)

// Redactor masks secrets in text: the values it was given, in raw, URL-encoded
// and base64 forms, and any value of a known secret parameter (token, apikey,
// api-key, password, Authorization, URL userinfo) wherever it appears.
// Every error string and log line of the core passes through it.
// The zero value masks the known parameters only.
type Redactor struct {
	mu       sync.RWMutex
	literals []string
}

// NewRedactor returns a Redactor that also masks the given secret values.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// Add registers more secret values (a token fetched at run time, say). It
// is safe for concurrent use.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		r.literals = append(r.literals, s, url.QueryEscape(s), url.PathEscape(s),
			base64.StdEncoding.EncodeToString([]byte(s)))
	}
	// Longest first, so that a secret containing another is masked whole.
	sort.Slice(r.literals, func(i, j int) bool { return len(r.literals[i]) > len(r.literals[j]) })
}

// Redact returns s with every secret masked.
func (r *Redactor) Redact(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		defer r.mu.RUnlock()
		for _, lit := range r.literals {
			if lit != "" && strings.Contains(s, lit) {
				s = strings.ReplaceAll(s, lit, Mask)
			}
		}
	}
	return RedactPatterns(s)
}

// RedactPatterns masks the known secret parameters in s, without knowing any
// secret value.
func RedactPatterns(s string) string {
	if !mayHoldPattern(s) {
		return s
	}
	s = reUserinfo.ReplaceAllString(s, "${1}"+Mask+"@")
	s = reJSON.ReplaceAllString(s, "${1}"+Mask+"${3}")
	s = replaceMatches(reQuery, s, func(g func(int) string) string {
		if v := g(3); v == "" || v == Mask {
			return g(0)
		}
		return g(1) + g(2) + Mask
	})
	s = replaceMatches(reHeader, s, func(g func(int) string) string {
		if g(4) == Mask {
			return g(0)
		}
		return g(1) + g(2) + g(3) + Mask
	})
	return s
}

// replaceMatches replaces every match of re in s with repl's result; repl
// reads the groups of the match (0 is the whole match, "" for a group that
// did not take part). Unlike ReplaceAllStringFunc followed by a second match
// on the isolated text, the groups are those of the match in context (\b
// near a non-ASCII letter can match in context and not alone).
func replaceMatches(re *regexp.Regexp, s string, repl func(group func(int) string) string) string {
	all := re.FindAllStringSubmatchIndex(s, -1)
	if all == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, m := range all {
		b.WriteString(s[last:m[0]])
		b.WriteString(repl(func(i int) string {
			if 2*i+1 >= len(m) || m[2*i] < 0 {
				return ""
			}
			return s[m[2*i]:m[2*i+1]]
		}))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// RedactURL returns u as a string with secrets masked.
func (r *Redactor) RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return r.Redact(u.String())
}

// mayHoldPattern is a cheap test run before the regular expressions: every
// pattern needs "@" (userinfo) or one of the words below, in any case. Text
// with non-ASCII bytes always goes to the regular expressions, whose (?i)
// also folds letters such as the long s and the Kelvin sign.
func mayHoldPattern(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || c == '@' {
			return true
		}
		var kw string
		switch c | 0x20 {
		case 't':
			kw = "token"
		case 'k':
			kw = "key"
		case 'p':
			kw = "pass"
		case 's':
			kw = "secret"
		case 'a':
			kw = "authorization"
		default:
			continue
		}
		if len(s)-i >= len(kw) && asciiEqualFold(s[i:i+len(kw)], kw) {
			return true
		}
	}
	return false
}

// asciiEqualFold compares s with the lower-case ASCII word kw.
func asciiEqualFold(s, kw string) bool {
	for j := 0; j < len(kw); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != kw[j] {
			return false
		}
	}
	return true
}
