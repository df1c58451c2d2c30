package salesmantest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const pageSize = 200

// call is one API request as the server reads it.
type call struct {
	version int
	params  url.Values
}

// op is one operation of the lead API (add, stat, info, list).
type op func(s *Server, w http.ResponseWriter, c call)

// ops are the operations by their action name.
var ops = map[string]op{"add": (*Server).add, "stat": (*Server).stat, "info": (*Server).info, "list": (*Server).list}

// routes is the API by route: v1 and v2 name the operation in the "action"
// parameter (query, form or JSON body) of one path each; v3 names it in the
// path. Every method is accepted, as PHP's $_REQUEST does.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/developer/v1/leads", s.handle(1, nil))
	mux.HandleFunc("/developer/v2/lead", s.handle(2, nil))
	mux.HandleFunc("/developer/v3/lead/add", s.handle(3, (*Server).add))
	mux.HandleFunc("/developer/v3/lead/stat", s.handle(3, (*Server).stat))
	mux.HandleFunc("/developer/v3/lead/info", s.handle(3, (*Server).info))
	mux.HandleFunc("/developer/v3/lead/list", s.handle(3, (*Server).list))
	mux.HandleFunc("/developer/v3/lead/{action}", s.handle(3, (*Server).unknownAction))
	return mux
}

// handle serves one route of version: it reads the parameters, checks the
// credentials and runs do, or with do nil the operation the "action"
// parameter names (v1, v2).
func (s *Server) handle(version int, do op) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := call{version: version, params: s.readParams(r, version)}
		if e := s.checkAuth(c); e != nil {
			s.writeError(w, c.version, e.code, e.text)
			return
		}
		run := do
		if run == nil {
			if run = ops[c.params.Get("action")]; run == nil {
				run = (*Server).unknownAction
			}
		}
		run(s, w, c)
	}
}

// unknownAction answers an action the API does not have: code 402 on v1
// and v2, 404 on v3, with HTTP 200 as every SalesMan error.
func (s *Server) unknownAction(w http.ResponseWriter, c call) {
	code := 402
	if c.version == 3 {
		code = 404
	}
	s.writeError(w, c.version, code, "Неизвестный метод")
}

// readParams merges the query and the body the way each version reads
// them: PHP's $_REQUEST (query and form) everywhere, and on v2/v3 a JSON body
// that replaces them all, with the credentials in the Login and Apikey
// headers, but only when the Content-Type is exactly application/json.
func (s *Server) readParams(r *http.Request, version int) url.Values {
	ct := r.Header.Get("Content-Type")
	if version >= 2 && strings.HasPrefix(ct, "application/json") {
		if ct != "application/json" {
			return r.URL.Query() // the real server ignores the body and the headers
		}
		// A JSON body replaces every parameter, the query's included: on
		// v2 the action must be in the body (v3 takes it from the path).
		params := url.Values{}
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				switch x := v.(type) {
				case string:
					params.Set(k, x)
				case float64:
					params.Set(k, strconv.FormatFloat(x, 'f', -1, 64))
				case map[string]any: // "uids":{...}, as PHP's uids[name]
					for name, val := range x {
						if sv, ok := val.(string); ok {
							params.Set(k+"["+name+"]", sv)
						}
					}
				}
			}
		}
		if v := r.Header.Get("Login"); v != "" {
			params.Set("login", v)
		}
		if v := r.Header.Get("Apikey"); v != "" {
			params.Set("apikey", v)
		}
		return params
	}
	if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-www-form-urlencoded" || r.Method == http.MethodGet {
		_ = r.ParseForm()
		return r.Form
	}
	return r.URL.Query()
}

type apiError struct {
	code int
	text string
}

func (s *Server) checkAuth(c call) *apiError {
	if c.params.Get("apikey") != s.opts.APIKey {
		if c.version == 1 {
			return &apiError{400, "Не верный API key"}
		}
		return &apiError{401, "Неизвестный пользователь или не верный API key"}
	}
	if s.userByLogin(c.params.Get("login")) == nil {
		return &apiError{401, "Неизвестный пользователь"}
	}
	return nil
}

func (s *Server) userByLogin(login string) *user {
	for i := range s.users {
		if login != "" && strings.EqualFold(s.users[i].login, login) {
			return &s.users[i]
		}
	}
	return nil
}

func (s *Server) userByID(id int) *user {
	if id >= 1 && id <= len(s.users) {
		return &s.users[id-1]
	}
	return nil
}

func (s *Server) pathName(id int) string {
	if id >= 1 && id <= len(s.paths) {
		return s.paths[id-1].name
	}
	return ""
}

// tags matches HTML tags, which the real server strips from input.
var tags = regexp.MustCompile(`<[^<>]*>`)

// strip does to input what the real server does (its Cleaner on v2/v3,
// then untag): " becomes ” and ' becomes &acute; on v2/v3 (v1 removes
// them), tags are stripped, the text trimmed, \ ` « » < > and the entities
// &laquo; &raquo; removed, and a literal \r\n becomes a line break.
func strip(v string, version int) string {
	if version >= 2 {
		v = strings.NewReplacer(`"`, "”", "'", "&acute;").Replace(v)
	}
	v = strings.TrimSpace(tags.ReplaceAllString(v, ""))
	return strings.NewReplacer(`\r\n`, "\r\n", "«", "", "»", "", "&laquo;", "", "&raquo;", "", `"`, "", "'", "", "`", "", `\`, "",
		"<", "", ">", "").Replace(v)
}

// uidsOf returns the uids[name]=value parameters of an add, and whether
// one is longer than the server's columns (100 characters).
func uidsOf(params url.Values) (map[string]string, bool) {
	out := map[string]string{}
	tooLong := false
	for k, vs := range params {
		if !strings.HasPrefix(k, "uids[") || !strings.HasSuffix(k, "]") || len(vs) == 0 {
			continue
		}
		name := k[len("uids[") : len(k)-1]
		out[name] = vs[0]
		if utf8.RuneCountInString(name) > 100 || utf8.RuneCountInString(vs[0]) > 100 {
			tooLong = true
		}
	}
	return out, tooLong
}

// phpFatal is what the real server answers, with HTTP 200, when a uid does
// not fit its column: the lead is stored, the uids are not.
const phpFatal = "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: Data too long for column 'value' at row 1 in /var/www/salesman/inc/class/UIDs.php:312\n"

func (s *Server) add(w http.ResponseWriter, c call) {
	p := func(k string) string { return strip(c.params.Get(k), c.version) }
	l := lead{
		title: p("title"), email: p("email"), phone: p("phone"), company: p("company"),
		description: p("description"), country: p("country"), city: p("city"), partner: p("partner"),
		utm: [5]string{p("utm_source"), p("utm_medium"), p("utm_campaign"), p("utm_term"), p("utm_content")},
	}
	if l.email == "" && l.phone == "" && l.title == "" {
		s.writeError(w, c.version, 1, "Не переданы данные заявки (title, email или phone)")
		return
	}
	source := p("path")
	if c.version >= 2 {
		source = p("clientpath") // v2/v3 ignore path
	} else {
		l.ip = p("ip") // v2/v3 never store ip
	}
	if source != "" {
		for _, cp := range s.paths {
			if strings.EqualFold(cp.name, source) || strconv.Itoa(cp.id) == source {
				l.clientpath = cp.id
			}
		}
	}
	if u := s.userByLogin(p("user")); u != nil {
		l.user = u.id
	} else {
		l.user = 1 // the coordinator
	}
	var uids map[string]string
	tooLong := false
	if c.version >= 2 { // v1 reads no uids
		uids, tooLong = uidsOf(c.params)
	}
	s.mu.Lock()
	l.id = s.seeded + len(s.added) + 1
	l.datum = s.stamp()
	if !tooLong {
		for name, value := range uids {
			l.uids = append(l.uids, uid{datum: l.datum, name: name, value: value})
		}
		sort.Slice(l.uids, func(i, j int) bool { return l.uids[i].name < l.uids[j].name })
	}
	s.added = append(s.added, l)
	s.mu.Unlock()
	if tooLong {
		// The lead is in; writing the uids after the webhooks failed.
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		_, _ = io.WriteString(w, phpFatal)
		return
	}
	if c.version == 1 {
		res := map[string]any{"text": "Success", "id": l.id}
		if !s.opts.Tidy {
			res["mailresult"] = "Уведомление отправлено"
		}
		s.writeJSON(w, c.version, map[string]any{"result": res})
		return
	}
	s.writeJSON(w, c.version, map[string]any{"result": "Success", "id": l.id})
}

func (s *Server) stat(w http.ResponseWriter, c call) {
	now := s.now().In(s.loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, s.loc)
	open := make([]int, len(s.users)+1)
	done := make([]int, len(s.users)+1)
	added := s.snapshot()
	total := s.seeded + len(added)
	// Leads are kept in date order: walk back from the newest.
	for i := total - 1; i >= 0; i-- {
		l := s.leadAt(i, added)
		if l.datum.Before(month) {
			if i < s.seeded {
				break
			}
			continue
		}
		if l.user <= 0 || l.user > len(s.users) {
			continue
		}
		if l.status >= 2 {
			done[l.user]++
		} else {
			open[l.user]++
		}
	}
	rows := make([]any, 0, len(s.users))
	for _, u := range s.users {
		if c.version == 1 {
			rows = append(rows, map[string]string{"title": u.login, "open": strconv.Itoa(open[u.id]), "processed": strconv.Itoa(done[u.id])})
		} else {
			rows = append(rows, map[string]any{"login": u.login, "open": open[u.id], "processed": done[u.id]})
		}
	}
	s.writeJSON(w, c.version, map[string]any{"data": rows})
}

func (s *Server) info(w http.ResponseWriter, c call) {
	id, err := strconv.Atoi(strings.TrimSpace(c.params.Get("id")))
	if c.params.Get("id") == "" || err != nil {
		s.writeError(w, c.version, 405, "Отсутствуют параметры - id")
		return
	}
	added := s.snapshot()
	if id < 1 || id > s.seeded+len(added) {
		if c.version == 1 {
			s.writeError(w, c.version, 404, "Заявка не найдена")
			return
		}
		// v2/v3: no error, a record without an id.
		s.writeJSON(w, c.version, map[string]any{"data": map[string]any{
			"datum": nil, "datum_do": nil, "status": nil, "statusName": "Открыт", "rezult": nil, "rezultName": nil,
			"user": 0, "userName": "Не определен", "clientpath": nil, "clientpathName": nil,
		}})
		return
	}
	l := s.leadAt(id-1, added)
	if c.version == 1 && !s.opts.Tidy {
		// Hosted v1 installs answer the lead under "result".
		s.writeJSON(w, c.version, map[string]any{"result": map[string]any{"data": s.render(l, c.version, true), "id": strconv.Itoa(id)}})
		return
	}
	s.writeJSON(w, c.version, map[string]any{"data": s.render(l, c.version, true)})
}

// listQuery is what a list request asks for.
type listQuery struct {
	offset   int    // page, 0-based
	oldest   bool   // oldest first (first=old)
	from, to string // YYYY-MM-DD bounds, inclusive ("" = open)
	status   int    // -1: any
	user     int    // 0: any; -1: an unknown login (matches nothing)
	word     string // v3's search, as the server cleans it ("" = none)
}

func (q *listQuery) filtered() bool {
	return q.from != "" || q.to != "" || q.status >= 0 || q.user != 0 || q.word != ""
}

func (q *listQuery) matches(l *lead, loc *time.Location) bool {
	day := l.datum.In(loc).Format("2006-01-02")
	return !((q.from != "" && day < q.from) || (q.to != "" && day > q.to) ||
		(q.status >= 0 && l.status != q.status) || (q.user != 0 && l.user != q.user) ||
		(q.word != "" && !wordMatches(q.word, *l)))
}

// listQueryOf reads a list request; ok is false when the version's server
// answers "not found" whatever the leads.
func (s *Server) listQueryOf(c call) (q listQuery, ok bool) {
	p := c.params
	q.offset, _ = strconv.Atoi(p.Get("offset"))
	q.oldest = p.Get("first") == "old"
	q.status = -1
	if c.version == 1 && !s.opts.Tidy {
		// The real v1 server ignores paging and filters: always the newest 200.
		return listQuery{status: -1}, true
	}
	q.from, q.to = p.Get("dateStart"), p.Get("dateEnd")
	if (q.from == "") != (q.to == "") && !s.opts.Tidy {
		// v2/v3 compare one bound against a two-digit year: nothing matches.
		return q, false
	}
	if v := p.Get("status"); v != "" {
		q.status, _ = strconv.Atoi(v)
	}
	if v := p.Get("user"); v != "" {
		q.user = -1
		if u := s.userByLogin(v); u != nil {
			q.user = u.id
		}
	}
	if c.version == 3 && p.Get("word") != "" {
		q.word = untag3(p.Get("word"))
	}
	q.offset = max(q.offset, 0)
	return q, true
}

func (s *Server) list(w http.ResponseWriter, c call) {
	q, ok := s.listQueryOf(c)
	if !ok {
		s.writeError(w, c.version, 404, "Записи не найдены")
		return
	}
	added := s.snapshot()
	total := s.seeded + len(added)
	rows := make([]any, 0, pageSize)
	skip := q.offset * pageSize
	if !q.filtered() {
		for k := skip; k < total && len(rows) < pageSize; k++ {
			i := total - 1 - k
			if q.oldest {
				i = k
			}
			rows = append(rows, s.render(s.leadAt(i, added), c.version, false))
		}
	} else {
		for k := 0; k < total && len(rows) < pageSize; k++ {
			i := total - 1 - k
			if q.oldest {
				i = k
			}
			l := s.leadAt(i, added)
			if !q.matches(&l, s.loc) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			rows = append(rows, s.render(l, c.version, false))
		}
	}
	if len(rows) == 0 {
		s.writeError(w, c.version, 404, "Записи не найдены")
		return
	}
	s.pageServed() // the page is read: Options.Arrivals' leads come in before the next
	s.writeJSON(w, c.version, map[string]any{"data": rows})
}

// writeError answers an API error the way the vendor does: HTTP 200 and an
// "error" key, the code a string on v1 and v2 and a number on v3.
func (s *Server) writeError(w http.ResponseWriter, version, code int, text string) {
	var c any = strconv.Itoa(code)
	if version == 3 || (version == 2 && !s.opts.Tidy) {
		c = code
	}
	s.writeJSON(w, version, map[string]any{"result": "Error", "error": map[string]any{"code": c, "text": text}})
}

// writeJSON answers v with HTTP 200 in the version's Content-Type, escaped
// as PHP's json_encode does unless Tidy.
func (s *Server) writeJSON(w http.ResponseWriter, version int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	ct := "application/json; charset=utf-8"
	if !s.opts.Tidy {
		b = phpEscape(b)
		if version == 1 {
			ct = "text/html; charset=utf-8"
		}
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// phpEscape writes "/" as "\/" and the Cyrillic letters outside Russian
// (і ї є ґ) as \u escapes, as the vendor's server does; Russian stays raw.
func phpEscape(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/16)
	for i := 0; i < len(b); {
		c := b[i]
		if c == '/' {
			out = append(out, '\\', '/')
			i++
			continue
		}
		if c == 0xD0 || c == 0xD1 || c == 0xD2 {
			if i+1 < len(b) {
				r := rune(c&0x1F)<<6 | rune(b[i+1]&0x3F)
				if r == 'і' || r == 'ї' || r == 'є' || r == 'ґ' || r == 'І' || r == 'Ї' || r == 'Є' || r == 'Ґ' {
					out = append(out, `\u0`...)
					out = strconv.AppendInt(out, int64(r), 16)
					i += 2
					continue
				}
			}
		}
		out = append(out, c)
		i++
	}
	return out
}

// untag3 is what the real server does to v3's word before it searches:
// tags stripped, < > removed, " « » turned into ”, / into -.
func untag3(v string) string {
	v = tags.ReplaceAllString(strings.TrimSpace(v), "")
	return strings.NewReplacer("<", "", ">", "", `"`, "”", "/", "-", "«", "”", "»", "”").Replace(v)
}

// wordMatches is v3's word filter: title, e-mail, phone or description
// LIKE %word%, ignoring case.
func wordMatches(word string, l lead) bool {
	for _, f := range []string{l.title, l.email, l.phone, l.description} {
		if like("%"+word+"%", f) {
			return true
		}
	}
	return false
}

// like is MySQL's LIKE under a case-insensitive collation: % matches any
// text, _ any one character, \ makes the next character literal.
func like(pattern, s string) bool {
	type elem struct {
		kind byte // '%', '_' or 0 for a literal
		r    rune
	}
	var p []elem
	pr := []rune(strings.ToLower(pattern))
	for i := 0; i < len(pr); i++ {
		switch {
		case pr[i] == '\\' && i+1 < len(pr):
			i++
			p = append(p, elem{r: pr[i]})
		case pr[i] == '%' || pr[i] == '_':
			p = append(p, elem{kind: byte(pr[i])})
		default:
			p = append(p, elem{r: pr[i]})
		}
	}
	t := []rune(strings.ToLower(s))
	// next[j]: p[i+1:] matches t[j:]; built from the pattern's end.
	next := make([]bool, len(t)+1)
	next[len(t)] = true
	for i := len(p) - 1; i >= 0; i-- {
		cur := make([]bool, len(t)+1)
		for j := len(t); j >= 0; j-- {
			switch {
			case p[i].kind == '%':
				cur[j] = next[j] || (j < len(t) && cur[j+1])
			case j < len(t) && (p[i].kind == '_' || p[i].r == t[j]):
				cur[j] = next[j+1]
			}
		}
		next = cur
	}
	return next[0]
}
