// Package zentest is an in-memory sandbox of CRM Zen's lead APIs, like
// net/http/httptest: NewServer starts it on a loopback port.
//
// It checks the token as Zen does (header "token" on the read APIs, query
// parameter "token" on lead entry), serves seeded, deterministic data for any
// day (nothing happens on Sundays, so the archive answers its HTTP 400 for
// those days), keeps the leads sent in (they show up in the totals, in leads
// per user and in the archive of the day they were sent), enforces Zen's
// windows (one totals or archive call per 5 minutes, one leads-per-user call
// a minute, per token; shorten them with Options) with HTTP 429, and answers
// with the real server's quirks (counts as numbers or strings, empty
// breakdowns as {} or missing, "erros" as [] when empty, text/html content
// type) unless Options.Tidy asks for the documented shapes.
//
// For the tests of a reader of new leads, Options.Arrivals makes leads arrive
// while a client walks the leads per user (between its pages; backdated ones
// shift the pages the walk has not read yet); AddLeads and AddLeadAt add some
// on demand, and Arrived reports every one, so a test can count that each
// reached its destination exactly once.
package zentest

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadkit/leadkit/leadkittest"
)

// DefaultToken is the token the sandbox accepts when Options.Token is empty.
const DefaultToken = "zen-sandbox-token"

// Options configure the sandbox. The zero value (or nil) is a sandbox with
// Zen's real windows, quirks on, accepting DefaultToken.
type Options struct {
	Token string // the accepted token (DefaultToken when empty)

	Seed         int64         // makes the seeded data deterministic
	Tidy         bool          // documented shapes instead of the real server's quirks
	NoRateLimits bool          // no 429s at all
	Latency      time.Duration // delay every answer
	FailRate     float64       // share of requests answered 503 with Retry-After: 1

	TotalsWindow      time.Duration // interval between totals calls (default 5 minutes)
	LeadsByUserWindow time.Duration // interval between leads-per-user calls (default 1 minute)
	ArchiveWindow     time.Duration // interval between archive calls (default 5 minutes)

	// Location is Zen's time zone (default America/Sao_Paulo).
	Location *time.Location
	// Now returns the current time (default time.Now), for tests.
	Now func() time.Time
	// NoSeed starts the account empty: the reports hold only the leads
	// sent to the sandbox (by default each day has 12 to 41 seeded deals
	// between 08:00 and 19:00, coming in as the day goes).
	NoSeed bool
	// Arrivals makes new leads arrive while a client walks the leads per
	// user (see Arrivals, AddLeads, AddLeadAt and Arrived). The zero value
	// adds none.
	Arrivals Arrivals
}

// Fault makes the sandbox misbehave; see Server.Fail.
type Fault = leadkittest.Fault

// Request is a request the sandbox received, with secrets masked.
type Request = leadkittest.Request

// Server is a running (or mountable) Zen sandbox.
type Server struct {
	*leadkittest.Server
	opts Options

	mu      sync.Mutex
	entered []lead
	edits   map[string]lead // by integration code
	deleted map[string]bool
	last    map[string]time.Time // rate-limit windows by endpoint
	nextID  int
	arrived []string // record ids of the leads that arrived (arrivals.go)
	pages   int      // pages of leads per user answered, for Options.Arrivals
}

// NewServer starts a sandbox on 127.0.0.1. Close it when done.
func NewServer(opts *Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a sandbox that is not listening: call Start, or
// mount it as an http.Handler (it works under a path prefix).
func NewUnstartedServer(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.TotalsWindow == 0 {
		o.TotalsWindow = 5 * time.Minute
	}
	if o.LeadsByUserWindow == 0 {
		o.LeadsByUserWindow = time.Minute
	}
	if o.ArchiveWindow == 0 {
		o.ArchiveWindow = 5 * time.Minute
	}
	if o.Location == nil {
		o.Location = saoPaulo()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{opts: o}
	s.reset()
	s.Server = leadkittest.New(s.routes(), leadkittest.Config{
		Seed: o.Seed, Tidy: o.Tidy, NoRateLimits: o.NoRateLimits, Latency: o.Latency, FailRate: o.FailRate,
	}, func() []string { return []string{o.Token} }, s.reset)
	return s
}

// Credentials returns the environment that points the examples at s:
// ZEN_URL and ZEN_TOKEN, and ZEN_WINDOW when the sandbox enforces another
// interval between two pages of leads per user than Zen's minute ("0s"
// with NoRateLimits), so that a client (examples/zen-leads reads it) waits
// what this server asks rather than Zen's minute.
func (s *Server) Credentials() map[string]string {
	env := map[string]string{"ZEN_URL": s.URL, "ZEN_TOKEN": s.opts.Token}
	switch {
	case s.opts.NoRateLimits:
		env["ZEN_WINDOW"] = "0s"
	case s.opts.LeadsByUserWindow != time.Minute:
		env["ZEN_WINDOW"] = s.opts.LeadsByUserWindow.String()
	}
	return env
}

func (s *Server) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entered, s.edits, s.deleted, s.last = nil, map[string]lead{}, map[string]bool{}, map[string]time.Time{}
	s.nextID, s.arrived, s.pages = 1, nil, 0
}

func saoPaulo() *time.Location {
	if loc, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return loc
	}
	return time.FixedZone("-03", -3*60*60)
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	ct := "text/html; charset=UTF-8" // what Zen's PHP answers
	if s.opts.Tidy {
		ct = "application/json; charset=utf-8"
	}
	leadkittest.WriteJSON(w, status, ct, v)
}

func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	s.writeJSON(w, status, map[string]string{"error": msg})
}

// routes is the API by route, one handler per operation. A known path
// asked with another method is Zen's 405, and an unknown path its 404, both
// with Zen's JSON error bodies.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/totais_lead", s.limited("totais_lead", s.opts.TotalsWindow, s.totals))
	mux.HandleFunc("GET /api/leads_usuario", s.limited("leads_usuario", s.opts.LeadsByUserWindow, s.leadsByUser))
	mux.HandleFunc("GET /api/arquivo-lead", s.limited("arquivo-lead", s.opts.ArchiveWindow, s.archive))
	mux.HandleFunc("POST /api/lead", s.entry)
	for _, p := range []string{"/api/totais_lead", "/api/leads_usuario", "/api/arquivo-lead"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Allow", http.MethodGet)
			s.fail(w, http.StatusMethodNotAllowed, "Método não permitido")
		})
	}
	mux.HandleFunc("/api/lead", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		s.writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"Erro": "405", "Mensagem": "Método não permitido"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		s.fail(w, http.StatusNotFound, "Recurso não encontrado")
	})
	return mux
}

// limited checks the token (header "token") and the endpoint's window per
// token, then serves h.
func (s *Server) limited(name string, window time.Duration, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("token") != s.opts.Token {
			s.fail(w, http.StatusUnauthorized, "Token inválido")
			return
		}
		if wait := s.take(name, window); wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			s.fail(w, http.StatusTooManyRequests, fmt.Sprintf("Limite de requisições excedido. Aguarde %s.", wait.Round(time.Second)))
			return
		}
		h(w, r)
	}
}

// take opens the window of endpoint name, or returns how long its current
// window has to run.
func (s *Server) take(name string, window time.Duration) time.Duration {
	if s.opts.NoRateLimits || window <= 0 {
		return 0
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, seen := s.last[name]; seen && now.Sub(last) < window {
		return window - now.Sub(last)
	}
	s.last[name] = now
	return 0
}

func (s *Server) parseDay(v string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", v, s.opts.Location)
	return t, err == nil
}

// leadsOn returns the leads of a day, seeded and entered, edits applied.
func (s *Server) leadsOn(day time.Time) []lead {
	var seeded []lead
	if !s.opts.NoSeed {
		seeded = dayLeads(s.opts.Seed, day, s.opts.Location)
	}
	now := s.opts.Now()
	for i, l := range seeded {
		if l.entered.After(now) { // today's leads that have not come in yet
			seeded = seeded[:i]
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]lead, 0, len(seeded)+len(s.entered))
	listed := map[string]bool{}
	for _, l := range seeded {
		if !s.deleted[l.code] {
			if e, ok := s.edits[l.code]; ok {
				l = e
			}
			out = append(out, l)
			listed[l.code] = true
		}
	}
	for _, l := range s.entered {
		if s.deleted[l.code] {
			continue
		}
		if e, ok := s.edits[l.code]; ok {
			l = e
		}
		if sameDay(l.entered, day) {
			out = append(out, l)
			listed[l.code] = true
		}
	}
	// A deal is also listed on the day it was changed ("criado ou alterado
	// naquela data"): an older deal edited today is in today's archive.
	for _, e := range s.edits {
		if !listed[e.code] && !s.deleted[e.code] && !e.changed.IsZero() && sameDay(e.changed, day) {
			out = append(out, e)
			listed[e.code] = true
		}
	}
	// In the order they entered: a lead that arrived backdated (Arrivals)
	// lands among the others.
	sort.SliceStable(out, func(i, j int) bool { return out[i].entered.Before(out[j].entered) })
	return out
}

// sameDay reports t on day's calendar date, in day's location.
func sameDay(t, day time.Time) bool {
	y, m, d := day.Date()
	ty, tm, td := t.In(day.Location()).Date()
	return ty == y && tm == m && td == d
}

// num writes a count as the real server does: a number or a numeric string.
func (s *Server) num(n, salt int) any {
	if s.opts.Tidy || salt%2 == 0 {
		return strconv.Itoa(n)
	}
	return n
}

// userTotals are one user's counts of a day.
type userTotals struct {
	total                       int
	origin, segment, auto, prod map[int]int
}

// aggregate counts leads per user (by user index) and per tag.
func aggregate(leads []lead) map[int]*userTotals {
	per := map[int]*userTotals{}
	for _, l := range leads {
		a := per[l.user]
		if a == nil {
			a = &userTotals{origin: map[int]int{}, segment: map[int]int{}, auto: map[int]int{}, prod: map[int]int{}}
			per[l.user] = a
		}
		a.total++
		for _, x := range []struct {
			m map[int]int
			k int
		}{{a.origin, l.origin}, {a.segment, l.segment}, {a.auto, l.automation}, {a.prod, l.prod}} {
			if x.k >= 0 {
				x.m[x.k]++
			}
		}
	}
	return per
}

// breakdown writes one user's counts of a catalogue as Zen does: a list of
// {codigo, nome, quantidade}, and when empty {} or nothing (quirks) or [].
func (s *Server) breakdown(m map[int]int, cat [][2]string, salt int) any {
	if len(m) == 0 && !s.opts.Tidy {
		if salt%2 == 0 {
			return map[string]any{} // PHP's empty array, as an object
		}
		return nil
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]map[string]any, 0, len(m))
	for _, k := range keys {
		out = append(out, map[string]any{"codigo": cat[k][0], "nome": cat[k][1], "quantidade": s.num(m[k], k+salt)})
	}
	return out
}

// dayErrorsJSON is the "erros" object of a day's totals.
func (s *Server) dayErrorsJSON(day time.Time) any {
	e := dayErrors(s.opts.Seed, day)
	if e == [4]int{} && !s.opts.Tidy {
		return []any{} // PHP encodes an empty array as []
	}
	return map[string]any{
		"com_erro": s.num(e[0], 0), "sem_agrupamento": s.num(e[1], 1),
		"limite_de_contatos": s.num(e[2], 0), "duplicados": s.num(e[3], 1),
	}
}

// totals serves "Totais de Distribuição de Leads por usuários".
func (s *Server) totals(w http.ResponseWriter, r *http.Request) {
	day, ok := s.parseDay(r.URL.Query().Get("data"))
	if !ok {
		s.fail(w, http.StatusBadRequest, "Parâmetro data inválido. Formato esperado: YYYY-MM-DD")
		return
	}
	per := aggregate(s.leadsOn(day))
	idx := make([]int, 0, len(per))
	for u := range per {
		idx = append(idx, u)
	}
	sort.Ints(idx)
	usuarios := make([]map[string]any, 0, len(idx))
	for i, u := range idx {
		a := per[u]
		usuarios = append(usuarios, map[string]any{
			"nome":                users[u].name,
			"total_lead":          s.num(a.total, i),
			"origem":              s.breakdown(a.origin, origins, i),
			"segmento":            s.breakdown(a.segment, segments, i),
			"automacao":           s.breakdown(a.auto, automations, i),
			"produtos_e_servicos": s.breakdown(a.prod, products, i),
		})
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"data": day.Format("2006-01-02"), "usuarios": usuarios, "erros": s.dayErrorsJSON(day)})
}

const perPage = 50

// leadsQuery reads the range and page of a leads-per-user request, or
// returns Zen's message for what is wrong with them.
func (s *Server) leadsQuery(q url.Values) (from, to time.Time, page int, problem string) {
	from, ok1 := s.parseDay(q.Get("data_inicial"))
	to, ok2 := s.parseDay(q.Get("data_final"))
	switch {
	case !ok1 || !ok2 || to.Before(from):
		return from, to, 0, "Parâmetros data_inicial e data_final inválidos. Formato esperado: YYYY-MM-DD"
	case to.Sub(from) > 92*24*time.Hour:
		return from, to, 0, "Período máximo de consulta: 3 meses"
	}
	page = 1
	if v := q.Get("pagina"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return from, to, 0, "Parâmetro pagina inválido"
		}
		page = n
	}
	return from, to, page, ""
}

// leadsByUser serves "Consulta de Leads por Usuário": the leads of a range,
// 50 a page, grouped by user in the order they come.
func (s *Server) leadsByUser(w http.ResponseWriter, r *http.Request) {
	from, to, page, problem := s.leadsQuery(r.URL.Query())
	if problem != "" {
		s.fail(w, http.StatusBadRequest, problem)
		return
	}
	var all []lead
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		all = append(all, s.leadsOn(d)...)
	}
	pages := (len(all) + perPage - 1) / perPage
	start := min((page-1)*perPage, len(all))
	s.pageServed(from, to) // the page is read: Options.Arrivals' leads come in before the next
	s.writeJSON(w, http.StatusOK, map[string]any{
		"paginacao": map[string]any{
			"pagina_atual": s.num(page, 0), "total_paginas": s.num(pages, 1),
			"quantidade_registros_consulta": s.num(len(all), 0), "limite_registros_por_pagina": s.num(perPage, 1),
		},
		"usuarios": s.byUser(all[start:min(start+perPage, len(all))]),
	})
}

// byUser groups a page of leads by user, in the order the users first come.
func (s *Server) byUser(chunk []lead) []map[string]any {
	var order []int
	byUser := map[int][]map[string]any{}
	for _, l := range chunk {
		if _, seen := byUser[l.user]; !seen {
			order = append(order, l.user)
		}
		byUser[l.user] = append(byUser[l.user], s.leadJSON(l))
	}
	usuarios := make([]map[string]any, 0, len(order))
	for _, u := range order {
		usuarios = append(usuarios, map[string]any{"nome": users[u].name, "email": users[u].email, "leads": byUser[u]})
	}
	return usuarios
}

// leadJSON is one lead of leads per user.
func (s *Server) leadJSON(l lead) map[string]any {
	tag := func(k int, cat [][2]string) []map[string]string {
		if k < 0 {
			return []map[string]string{}
		}
		return []map[string]string{{"codigo": cat[k][0], "nome": cat[k][1]}}
	}
	var redis any
	if !l.redistributed.IsZero() {
		redis = l.redistributed.Format("2006-01-02 15:04:05")
	} else if s.opts.Tidy {
		redis = ""
	}
	return map[string]any{
		"id_registro": s.num(atoi(l.id), 1), "codigo": l.code,
		"data_entrada": l.entered.Format("2006-01-02 15:04:05"), "data_redistribuicao": redis,
		"origem": tag(l.origin, origins), "segmento": tag(l.segment, segments),
		"automacao": tag(l.automation, automations), "produtos_e_servicos": tag(l.prod, products),
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func (s *Server) archive(w http.ResponseWriter, r *http.Request) {
	day := s.opts.Now().In(s.opts.Location).AddDate(0, 0, -1)
	if v := r.URL.Query().Get("data"); v != "" {
		d, ok := s.parseDay(v)
		if !ok {
			s.fail(w, http.StatusBadRequest, "Parâmetro data inválido. Formato esperado: YYYY-MM-DD")
			return
		}
		day = d
	}
	leads := s.leadsOn(day)
	if len(leads) == 0 {
		s.fail(w, http.StatusBadRequest, "Nenhum negócio foi criado ou alterado na data informada")
		return
	}
	out := make([]map[string]string, 0, len(leads))
	for _, l := range leads {
		ts := l.changed.Format("2006-01-02 15:04:05")
		out = append(out, map[string]string{
			"integracao_lead": l.code, "data_criacao_lead": l.entered.Format("2006-01-02 15:04:05"),
			"status_lead": l.status, "data_status_lead": ts, "etapa_lead": l.stage, "data_etapa_lead": ts,
			"classificacao_lead": l.class, "data_classificacao_lead": ts,
			"nome_usuario_responsavel": users[l.user].name, "email_usuario_responsavel": users[l.user].email,
		})
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"data": day.Format("2006-01-02"), "leads": out})
}

func (s *Server) entryError(w http.ResponseWriter, msg string) {
	s.writeJSON(w, http.StatusBadRequest, map[string]string{"Erro": "400", "Mensagem": msg})
}

// entry serves "Entrada de Leads" (POST, token in the query, a form whose
// "acao" says what to do).
func (s *Server) entry(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("token") != s.opts.Token {
		s.writeJSON(w, http.StatusUnauthorized, map[string]string{"Erro": "401", "Mensagem": "Token inválido"})
		return
	}
	if err := r.ParseForm(); err != nil || len(r.PostForm) == 0 {
		s.entryError(w, "JSON obrigatório")
		return
	}
	f := r.PostForm
	now := s.opts.Now().In(s.opts.Location)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch acao := f.Get("acao"); acao {
	case "Inserir":
		s.insert(w, f, now)
	case "Editar", "Excluir", "EditarId":
		s.edit(w, acao, f, now)
	default:
		s.entryError(w, "Requisição inválida (Ação inválida. Ações aceitas: Inserir/Editar/Excluir/EditarId.)")
	}
}

// insert adds a lead (s.mu held).
func (s *Server) insert(w http.ResponseWriter, f url.Values, now time.Time) {
	if f.Get("nome") == "" && f.Get("email") == "" && f.Get("telefone") == "" {
		s.entryError(w, "Dados Inválidos (Avisos): informe nome, e-mail ou telefone")
		return
	}
	code := f.Get("integracao")
	if code == "" {
		code = fmt.Sprintf("ENT-%06d", s.nextID)
	}
	l := lead{
		id: strconv.Itoa(900000 + s.nextID), code: code, user: s.nextID % len(users),
		origin: catIndex(origins, f.Get("origem")), segment: catIndex(segments, f.Get("segmento")),
		automation: -1, prod: catIndex(products, f.Get("produtos_e_servicos")),
		entered: now, changed: now, name: f.Get("nome"), email: f.Get("email"), phone: f.Get("telefone"),
		status: "Andamento", class: "Prospectando", stage: stages[0],
	}
	s.nextID++
	s.entered = append(s.entered, l)
	s.writeJSON(w, http.StatusOK, map[string]any{"Sucesso": "Lead inserido e distribuído", "id": l.id, "integracao": l.code})
}

// edit edits or deletes an entered lead, by integration code or by id
// (EditarId) (s.mu held).
func (s *Server) edit(w http.ResponseWriter, acao string, f url.Values, now time.Time) {
	key := f.Get("integracao")
	if acao == "EditarId" {
		key = f.Get("id")
	}
	l, ok := s.find(key, acao == "EditarId")
	if !ok {
		s.entryError(w, "Dados Inválidos (Avisos): lead não encontrado")
		return
	}
	if acao == "Excluir" {
		s.deleted[l.code] = true
	} else {
		for k, dst := range map[string]*string{"nome": &l.name, "email": &l.email, "telefone": &l.phone} {
			if v := f.Get(k); v != "" {
				*dst = v
			}
		}
		l.changed = now
		s.edits[l.code] = l
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"Sucesso": "Lead atualizado", "integracao": l.code})
}

// find looks an entered lead up by integration code or id (s.mu held).
func (s *Server) find(key string, byID bool) (lead, bool) {
	if key == "" {
		return lead{}, false
	}
	for _, l := range s.entered {
		if (byID && l.id == key) || (!byID && l.code == key) {
			if e, ok := s.edits[l.code]; ok {
				l = e
			}
			return l, !s.deleted[l.code]
		}
	}
	return lead{}, false
}

func catIndex(cat [][2]string, v string) int {
	for i, c := range cat {
		if v != "" && (c[0] == v || strings.EqualFold(c[1], v)) {
			return i
		}
	}
	return 0 // unknown or empty: the account's default, the first entry
}
