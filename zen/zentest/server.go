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
package zentest

import (
	"fmt"
	"math"
	"net/http"
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
	s.Server = leadkittest.New(http.HandlerFunc(s.serve), leadkittest.Config{
		Seed: o.Seed, Tidy: o.Tidy, NoRateLimits: o.NoRateLimits, Latency: o.Latency, FailRate: o.FailRate,
	}, func() []string { return []string{o.Token} }, s.reset)
	return s
}

// Credentials returns the environment that points the examples at s.
func (s *Server) Credentials() map[string]string {
	return map[string]string{"ZEN_URL": s.URL, "ZEN_TOKEN": s.opts.Token}
}

func (s *Server) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entered, s.edits, s.deleted, s.last = nil, map[string]lead{}, map[string]bool{}, map[string]time.Time{}
	s.nextID = 1
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

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimRight(r.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/api/totais_lead"):
		s.read(w, r, "totais_lead", s.opts.TotalsWindow, s.totals)
	case strings.HasSuffix(p, "/api/leads_usuario"):
		s.read(w, r, "leads_usuario", s.opts.LeadsByUserWindow, s.leadsByUser)
	case strings.HasSuffix(p, "/api/arquivo-lead"):
		s.read(w, r, "arquivo-lead", s.opts.ArchiveWindow, s.archive)
	case strings.HasSuffix(p, "/api/lead"):
		s.entry(w, r)
	default:
		s.fail(w, http.StatusNotFound, "Recurso não encontrado")
	}
}

// read checks method, token and window, then serves h.
func (s *Server) read(w http.ResponseWriter, r *http.Request, name string, window time.Duration, h http.HandlerFunc) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.fail(w, http.StatusMethodNotAllowed, "Método não permitido")
		return
	}
	if r.Header.Get("token") != s.opts.Token {
		s.fail(w, http.StatusUnauthorized, "Token inválido")
		return
	}
	if !s.opts.NoRateLimits && window > 0 {
		now := s.opts.Now()
		s.mu.Lock()
		last, seen := s.last[name]
		if seen && now.Sub(last) < window {
			s.mu.Unlock()
			wait := window - now.Sub(last)
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			s.fail(w, http.StatusTooManyRequests, fmt.Sprintf("Limite de requisições excedido. Aguarde %s.", wait.Round(time.Second)))
			return
		}
		s.last[name] = now
		s.mu.Unlock()
	}
	h(w, r)
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
	for _, l := range seeded {
		if !s.deleted[l.code] {
			if e, ok := s.edits[l.code]; ok {
				l = e
			}
			out = append(out, l)
		}
	}
	y, m, d := day.Date()
	for _, l := range s.entered {
		ly, lm, ld := l.entered.Date()
		if ly == y && lm == m && ld == d && !s.deleted[l.code] {
			if e, ok := s.edits[l.code]; ok {
				l = e
			}
			out = append(out, l)
		}
	}
	return out
}

// num writes a count as the real server does: a number or a numeric string.
func (s *Server) num(n, salt int) any {
	if s.opts.Tidy || salt%2 == 0 {
		return strconv.Itoa(n)
	}
	return n
}

func (s *Server) totals(w http.ResponseWriter, r *http.Request) {
	day, ok := s.parseDay(r.URL.Query().Get("data"))
	if !ok {
		s.fail(w, http.StatusBadRequest, "Parâmetro data inválido. Formato esperado: YYYY-MM-DD")
		return
	}
	type agg struct {
		total                       int
		origin, segment, auto, prod map[int]int
	}
	per := map[int]*agg{}
	for _, l := range s.leadsOn(day) {
		a := per[l.user]
		if a == nil {
			a = &agg{origin: map[int]int{}, segment: map[int]int{}, auto: map[int]int{}, prod: map[int]int{}}
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
	idx := make([]int, 0, len(per))
	for u := range per {
		idx = append(idx, u)
	}
	sort.Ints(idx)
	list := func(m map[int]int, cat [][2]string, salt int) any {
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
	usuarios := make([]map[string]any, 0, len(idx))
	for i, u := range idx {
		a := per[u]
		usuarios = append(usuarios, map[string]any{
			"nome":                users[u].name,
			"total_lead":          s.num(a.total, i),
			"origem":              list(a.origin, origins, i),
			"segmento":            list(a.segment, segments, i),
			"automacao":           list(a.auto, automations, i),
			"produtos_e_servicos": list(a.prod, products, i),
		})
	}
	e := dayErrors(s.opts.Seed, day)
	var erros any = map[string]any{
		"com_erro": s.num(e[0], 0), "sem_agrupamento": s.num(e[1], 1),
		"limite_de_contatos": s.num(e[2], 0), "duplicados": s.num(e[3], 1),
	}
	if e == [4]int{} && !s.opts.Tidy {
		erros = []any{} // PHP encodes an empty array as []
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"data": day.Format("2006-01-02"), "usuarios": usuarios, "erros": erros})
}

const perPage = 50

func (s *Server) leadsByUser(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, ok1 := s.parseDay(q.Get("data_inicial"))
	to, ok2 := s.parseDay(q.Get("data_final"))
	if !ok1 || !ok2 || to.Before(from) {
		s.fail(w, http.StatusBadRequest, "Parâmetros data_inicial e data_final inválidos. Formato esperado: YYYY-MM-DD")
		return
	}
	if to.Sub(from) > 92*24*time.Hour {
		s.fail(w, http.StatusBadRequest, "Período máximo de consulta: 3 meses")
		return
	}
	page := 1
	if v := q.Get("pagina"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.fail(w, http.StatusBadRequest, "Parâmetro pagina inválido")
			return
		}
		page = n
	}
	var all []lead
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		all = append(all, s.leadsOn(d)...)
	}
	pages := (len(all) + perPage - 1) / perPage
	start := min((page-1)*perPage, len(all))
	chunk := all[start:min(start+perPage, len(all))]
	type group struct {
		user  int
		leads []map[string]any
	}
	var groups []*group
	byUser := map[int]*group{}
	tag := func(k int, cat [][2]string) []map[string]string {
		if k < 0 {
			return []map[string]string{}
		}
		return []map[string]string{{"codigo": cat[k][0], "nome": cat[k][1]}}
	}
	for _, l := range chunk {
		g := byUser[l.user]
		if g == nil {
			g = &group{user: l.user}
			byUser[l.user] = g
			groups = append(groups, g)
		}
		var redis any = nil
		if !l.redistributed.IsZero() {
			redis = l.redistributed.Format("2006-01-02 15:04:05")
		} else if s.opts.Tidy {
			redis = ""
		}
		g.leads = append(g.leads, map[string]any{
			"id_registro": s.num(atoi(l.id), 1), "codigo": l.code,
			"data_entrada": l.entered.Format("2006-01-02 15:04:05"), "data_redistribuicao": redis,
			"origem": tag(l.origin, origins), "segmento": tag(l.segment, segments),
			"automacao": tag(l.automation, automations), "produtos_e_servicos": tag(l.prod, products),
		})
	}
	usuarios := make([]map[string]any, 0, len(groups))
	for _, g := range groups {
		usuarios = append(usuarios, map[string]any{"nome": users[g.user].name, "email": users[g.user].email, "leads": g.leads})
	}
	s.writeJSON(w, http.StatusOK, map[string]any{
		"paginacao": map[string]any{
			"pagina_atual": s.num(page, 0), "total_paginas": s.num(pages, 1),
			"quantidade_registros_consulta": s.num(len(all), 0), "limite_registros_por_pagina": s.num(perPage, 1),
		},
		"usuarios": usuarios,
	})
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

func (s *Server) entry(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"Erro": "405", "Mensagem": "Método não permitido"})
		return
	}
	if r.URL.Query().Get("token") != s.opts.Token {
		s.writeJSON(w, http.StatusUnauthorized, map[string]string{"Erro": "401", "Mensagem": "Token inválido"})
		return
	}
	if err := r.ParseForm(); err != nil || len(r.PostForm) == 0 {
		s.entryError(w, "JSON obrigatório")
		return
	}
	f := r.PostForm
	acao := f.Get("acao")
	now := s.opts.Now().In(s.opts.Location)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch acao {
	case "Inserir":
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
	case "Editar", "Excluir", "EditarId":
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
	default:
		s.entryError(w, "Requisição inválida (Ação inválida. Ações aceitas: Inserir/Editar/Excluir/EditarId.)")
	}
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
