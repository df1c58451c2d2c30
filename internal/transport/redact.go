package transport

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
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

// Redactor masks secrets in text: the values it was given, in every form
// they take on the wire and in echoes, and any value of a known secret
// parameter (token, apikey, api-key, password, Authorization, URL userinfo)
// wherever it appears. Every error string and log line of the core passes
// through it.
//
// A secret is found whatever subset of its characters is escaped, in
// whichever case the hex digits are written: percent-encoding (%2B, %2b;
// and as JavaScript's escape() writes it, %u043A, %E9 for "é"),
// JSON and JavaScript escapes (\u002B, \u002b, \/, \x2b), HTML character
// references (&#43;, &#x2b;, &amp;, and every HTML5 name: &lowbar;,
// &period;), and these nested (a JSON-escaped URL); the text is decoded
// into views (see view) and the secret matched in each, not a list of the
// escapes some library writes. Text holding a zero byte is also read as
// UTF-16 (either byte order and alignment). A secret in base64 is
// found in the standard and URL alphabets, with and without padding, also
// inside longer base64 text (Basic credentials, a token wrapping it), with
// the characters beside it that still carry some of its bytes.
//
// A short secret (under MinFreeSecret bytes) is masked where it stands as a
// value of its own, not inside other text: the token "t" does not turn
// "http" into "hREDACTEDREDACTEDp", nor the password "2024" the lead id
// 20240301 into "REDACTED0301". Values of the known parameters are masked
// whatever their length.
//
// The zero value masks the known parameters only.
type Redactor struct {
	mu sync.RWMutex
	// st holds the secrets where fmt cannot reach them: given a verb it
	// finds wrong for a pointer (%s, %q, %x of a struct holding a
	// *Redactor, even in an unexported field), fmt prints the fields the
	// pointer points to, and so on down every pointer, but an
	// unsafe.Pointer (inside atomic.Pointer) only as an address. It is
	// read and written under mu.
	st atomic.Pointer[redactorState]
}

// redactorState is what a Redactor knows. Its fields are read under the
// Redactor's lock.
type redactorState struct {
	fixed    []string  // secrets given once (Add)
	rotating []rotated // rotating secrets (AddRotating), oldest first
	lits     []literal
	folded   []literal // lits lowered (see foldLiterals): what Redact matches
	longest  int       // the length of the longest literal
	now      func() time.Time
	included []func(string) string // other maskers (Include)
}

// rotated is a rotating secret and the requests that carry it.
type rotated struct {
	s        string
	holds    int       // requests in flight that carry it (Hold)
	released time.Time // when the last of them ended
}

// literal is one form of one secret, as it reads once every escape is
// decoded.
type literal struct {
	s string
	// bounded: mask only where the text around it cannot continue it (the
	// secret is short enough to occur inside ordinary words and numbers).
	bounded bool
	// b64: a base64 form; the base64 characters beside it that may carry
	// the secret's first and last bytes are masked with it.
	b64 bool
}

// MinFreeSecret is the length from which a secret is masked wherever it
// occurs; shorter ones only where they stand alone.
const MinFreeSecret = 8

// MaxRotating is how many of the latest rotating secrets (refreshed tokens)
// a Redactor keeps in any case. An older one is kept while a request that
// carries it is in flight (Hold), and for RotatedGrace after the last of
// them ended, so that whatever such a request prints is masked; then it is
// forgotten, so that a service refreshing a token for months does not slow
// every log line down.
const MaxRotating = 8

// RotatedGrace is how long a rotating secret older than the latest
// MaxRotating is kept after the last request carrying it ended: the time
// for the vendor code that called to read the answer and build its error.
const RotatedGrace = time.Minute

// NewRedactor returns a Redactor that also masks the given secret values.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.st.Store(&redactorState{})
	r.Add(secrets...)
	return r
}

// Add registers more secret values that stay secret for the Redactor's
// life. It is safe for concurrent use.
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	n := len(r.state().fixed)
	for _, s := range secrets {
		if s != "" && !slices.Contains(r.state().fixed, s) {
			r.state().fixed = append(r.state().fixed, s)
		}
	}
	if len(r.state().fixed) != n {
		r.rebuild()
	}
}

// Include has r also mask, after its own secrets, what each of fns masks
// (a vendor client's Redact): one Redactor, and MaskError with it, for
// text that may quote the secrets of several clients whose values r is
// never given. Excerpt's margin does not count their secrets' lengths.
// It is safe for concurrent use.
func (r *Redactor) Include(fns ...func(string) string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	for _, f := range fns {
		if f != nil {
			r.state().included = append(r.state().included, f)
		}
	}
}

// AddRotating registers a secret that replaces older ones of its kind (a
// token fetched at run time): see MaxRotating for how long it is kept.
func (r *Redactor) AddRotating(secret string) {
	if secret == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	if slices.Contains(r.state().fixed, secret) || slices.ContainsFunc(r.state().rotating, func(x rotated) bool { return x.s == secret }) {
		return
	}
	r.state().rotating = append(r.state().rotating, rotated{s: secret})
	r.prune()
	r.rebuild()
}

// Hold keeps a rotating secret masked while a request that carries it is in
// flight, whatever the refreshes meanwhile; release ends the hold (call it
// once, when the request can print nothing more). A fixed secret, or "",
// needs no hold.
func (r *Redactor) Hold(secret string) (release func()) {
	if secret == "" {
		return func() {}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.init()
	if slices.Contains(r.state().fixed, secret) {
		return func() {}
	}
	i := slices.IndexFunc(r.state().rotating, func(x rotated) bool { return x.s == secret })
	if i < 0 {
		// Refreshed out between its fetch and its use.
		r.state().rotating = append(r.state().rotating, rotated{s: secret})
		i = len(r.state().rotating) - 1
		r.rebuild()
	}
	r.state().rotating[i].holds++
	var once sync.Once
	return func() { once.Do(func() { r.release(secret) }) }
}

func (r *Redactor) release(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := slices.IndexFunc(r.state().rotating, func(x rotated) bool { return x.s == secret })
	if i < 0 {
		return
	}
	r.state().rotating[i].holds--
	r.state().rotating[i].released = r.clock()
	if r.prune() {
		r.rebuild()
	}
}

// prune forgets the rotating secrets older than the latest MaxRotating that
// no request holds and whose grace has passed. r.mu is held.
func (r *Redactor) prune() bool {
	old := len(r.state().rotating) - MaxRotating
	if old <= 0 {
		return false
	}
	now := r.clock()
	kept := r.state().rotating[:0]
	for i, x := range r.state().rotating {
		if i >= old || x.holds > 0 || !x.released.IsZero() && now.Sub(x.released) < RotatedGrace {
			kept = append(kept, x)
		}
	}
	pruned := len(kept) != len(r.state().rotating)
	clear(r.state().rotating[len(kept):])
	r.state().rotating = kept
	return pruned
}

// init gives a zero Redactor its state. r.mu is held.
func (r *Redactor) init() {
	if r.state() == nil {
		r.st.Store(&redactorState{})
	}
}

func (r *Redactor) state() *redactorState { return r.st.Load() }

func (r *Redactor) clock() time.Time {
	if r.state().now != nil {
		return r.state().now()
	}
	return time.Now()
}

// rebuild derives the literal forms of every secret, longest first, so that
// a secret containing another is masked whole. r.mu is held.
func (r *Redactor) rebuild() {
	seen := map[string]bool{}
	var lits []literal
	all := slices.Clone(r.state().fixed)
	for _, x := range r.state().rotating {
		all = append(all, x.s)
	}
	for _, s := range all {
		bounded := len(s) < MinFreeSecret
		plain, b64 := matchForms(s)
		for _, f := range plain {
			if f != "" && !seen[f] {
				seen[f] = true
				lits = append(lits, literal{s: f, bounded: bounded})
			}
		}
		for _, f := range b64 {
			if f != "" && !seen[f] {
				seen[f] = true
				lits = append(lits, literal{s: f, b64: true})
			}
		}
	}
	sort.SliceStable(lits, func(i, j int) bool { return len(lits[i].s) > len(lits[j].s) })
	r.state().lits = lits
	r.state().folded = foldLiterals(lits)
	r.state().longest = 0
	if len(lits) > 0 {
		r.state().longest = len(lits[0].s)
	}
}

// matchForms returns the forms of s to match in decoded text: s itself (and
// with its spaces as "+", the way query strings write them), and its base64
// in the standard and URL alphabets, padded and not; for a secret of at
// least MinFreeSecret bytes also the base64 of its longest middle part at
// each alignment, which shows inside longer base64 text whatever precedes
// the secret there.
func matchForms(s string) (plain, b64 []string) {
	plain = []string{s}
	if strings.Contains(s, " ") {
		plain = append(plain, strings.ReplaceAll(s, " ", "+"))
	}
	// A secret that itself holds full-width or invisible characters reads
	// in decodeCompat's views as its compatibility form.
	if v := decodeCompat(s, nil); v != nil {
		plain = append(plain, v.text)
	}
	encs := []*base64.Encoding{base64.StdEncoding, base64.URLEncoding}
	for _, e := range encs {
		full := e.EncodeToString([]byte(s))
		b64 = append(b64, full, strings.TrimRight(full, "="))
	}
	if len(s) >= MinFreeSecret {
		for skip := 1; skip <= 2; skip++ {
			mid := s[skip:]
			mid = mid[:len(mid)/3*3]
			for _, e := range encs {
				b64 = append(b64, e.EncodeToString([]byte(mid)))
			}
		}
		whole := s[:len(s)/3*3]
		for _, e := range encs {
			b64 = append(b64, e.EncodeToString([]byte(whole)))
		}
	}
	return plain, b64
}

// Excerpt returns s masked and then clipped to at most n bytes (see Clip).
// Every excerpt of outside text (error bodies, logged requests and payloads)
// goes through it: masking must come first, or a secret straddling the cut
// would leave its start behind. A long s is masked over a window of it, as
// large as needed for the excerpt to come only from text masked with
// margin to spare (masking shrinks text, so the excerpt may reach far into
// the window; a secret cut at the window's edge must not show).
func (r *Redactor) Excerpt(s string, n int) string { return excerpt(r, s, n) }

// excerpt is Excerpt over a string or the bytes of a body (only the window
// is copied).
func excerpt[T ~string | ~[]byte](r *Redactor, s T, n int) string {
	guard := r.guard()
	for win := n + max(2*guard, 1024); ; win *= 2 {
		if win >= len(s) {
			return Clip(r.Redact(string(s)), n)
		}
		// What the window's masking shows from its start, up to where a
		// shorter window's masking shows the same, comes from text at
		// least guard bytes before its edge: no secret there was cut.
		m := r.Redact(string(s[:win]))
		short := r.Redact(string(s[:win-guard]))
		if commonPrefix(m, short) > n {
			return Clip(m, n)
		}
	}
}

// guard is how far from its start a secret's written form may reach: the
// longest form, escaped three times over, and room for the patterns' values.
func (r *Redactor) guard() int {
	longest := 0
	if r != nil {
		r.mu.RLock()
		if st := r.state(); st != nil {
			longest = st.longest
		}
		r.mu.RUnlock()
	}
	return 32*longest + 256
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// Clip returns s as valid UTF-8, cut to at most n bytes on a rune boundary
// with "…" appended when it was longer. It does not mask: clip text that is
// already masked, or use Redactor.Excerpt.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Redact returns s with every secret masked, also in another letter case
// (a server that upper-cases what it echoes, "INVALID KEY SK_LIVE_…", or a
// lookup that normalised it).
func (r *Redactor) Redact(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		if folded := r.folded(); len(folded) > 0 {
			s = maskSpans(s, findSpans(s, folded, true, nil))
		}
		for _, f := range r.includedFns() {
			s = f(s)
		}
	}
	return RedactPatterns(s)
}

// includedFns returns the maskers of Include (nil for a zero Redactor).
func (r *Redactor) includedFns() []func(string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.state() == nil {
		return nil
	}
	return r.state().included
}

// RedactFold is Redact, kept for text whose letter case is known to have
// been changed on the way, such as an HTTP header name (net/http
// canonicalizes "x-echo-abc" into "X-Echo-Abc"): Redact matches the
// secrets in any ASCII case anyway.
func (r *Redactor) RedactFold(s string) string { return r.Redact(s) }

// folded returns the forms to mask in lower case (nil for a zero
// Redactor).
func (r *Redactor) folded() []literal {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.state() == nil {
		return nil
	}
	return r.state().folded
}

// foldLiterals returns lits with their ASCII letters lowered, for matching
// in lowered text (asciiLower keeps every byte in its place).
func foldLiterals(lits []literal) []literal {
	folded := make([]literal, 0, len(lits))
	seen := map[string]bool{}
	for _, l := range lits {
		l.s = asciiLower(l.s)
		if !seen[l.s] {
			seen[l.s] = true
			folded = append(folded, l)
		}
	}
	return folded
}

// asciiLower lowers the ASCII letters of s only, so that every byte keeps
// its place.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// findSpans appends the spans of s where lits occur, in s and in each
// decoded view of s (see view). fold: lits are lowered (foldLiterals) and
// are matched in s and its views lowered, that is in any ASCII case; the
// views are decoded from the text as written (lowering first would change
// what "&UnderBar;" or a UTF-16 unit decodes to, and "%43" still decodes to
// "C", lowered after).
func findSpans(s string, lits []literal, fold bool, spans [][2]int) [][2]int {
	search := func(v *view, t string) {
		if fold {
			t = asciiLower(t)
		}
		for _, lit := range lits {
			spans = findLiteral(t, v, lit, spans)
		}
	}
	search(nil, s)
	// Quoted-printable is read on its own (decodeQP), from the text and
	// from each view (QP inside JSON: "\u003d3D").
	// Base64 runs are decoded (decodeBase64) the same way: their text is
	// read through the escape rounds when they come from s, and as it is
	// when they come from a view.
	// CSS escapes (decodeCSS) and the text as it reads (decodeCompat:
	// invisible characters dropped, full-width letters as ASCII) too: each
	// is a root whose text goes through the escape rounds (percent-encoding
	// written in full-width letters), and each is read from every view
	// (full-width letters percent-encoded, a CSS escape inside JSON).
	roots := append([]*view{decode(s, nil), decodeLatin1(s), decodeQP(s, nil), decodeBase64(s, nil), decodeBase64Lines(s),
		decodeCSS(s, nil), decodeCompat(s, nil), decodeContinued(s)}, utf16Views(s)...)
	for _, v := range roots {
		for round := 1; v != nil && round <= maxDecodeRounds; round++ {
			search(v, v.text)
			for _, w := range []*view{decodeQP(v.text, v), decodeBase64(v.text, v), decodeCSS(v.text, v), decodeCompat(v.text, v)} {
				if w != nil {
					search(w, w.text)
				}
			}
			v = decode(v.text, v)
		}
	}
	return spans
}

// maskSpans replaces the spans of s (in any order, overlapping or not) with
// Mask.
func maskSpans(s string, spans [][2]int) string {
	if spans == nil {
		return s
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(spans); {
		lo, hi := spans[i][0], spans[i][1]
		for i++; i < len(spans) && spans[i][0] < hi; i++ {
			hi = max(hi, spans[i][1])
		}
		b.WriteString(s[last:max(lo, last)])
		b.WriteString(Mask)
		last = max(hi, last)
	}
	b.WriteString(s[last:])
	return b.String()
}

// findLiteral appends the spans of the original text where lit occurs in t,
// the text of view v (nil: t is the original): a bounded literal only where
// it stands alone, a base64 one with the characters beside it that may
// carry the secret's first and last bytes.
func findLiteral(t string, v *view, lit literal, spans [][2]int) [][2]int {
	for from := 0; ; {
		i := strings.Index(t[from:], lit.s)
		if i < 0 {
			return spans
		}
		i += from
		j := i + len(lit.s)
		if lit.bounded && !standsAlone(t, i, j) {
			from = i + 1
			continue
		}
		from = j
		if lit.b64 {
			// A group of 4 characters at most on each side.
			for k := 0; k < 4 && i > 0 && isBase64Byte(t[i-1]); k++ {
				i--
			}
			for k := 0; k < 4 && j < len(t) && isBase64Byte(t[j]); k++ {
				j++
			}
			for k := 0; k < 2 && j < len(t) && t[j] == '='; k++ {
				j++
			}
		}
		lo, hi := v.origin(i, j)
		spans = append(spans, [2]int{lo, hi})
	}
}

func isBase64Byte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// standsAlone reports whether s[i:j] is not glued to word characters: each
// edge that is itself a word character must meet a non-word one (or the end).
func standsAlone(s string, i, j int) bool {
	if isWordByte(s[i]) && i > 0 && isWordByte(s[i-1]) {
		return false
	}
	if isWordByte(s[j-1]) && j < len(s) && isWordByte(s[j]) {
		return false
	}
	return true
}

// isWordByte: ASCII letters and digits, and every byte of a non-ASCII rune
// (letters of other scripts continue words too).
func isWordByte(c byte) bool {
	return c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
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
