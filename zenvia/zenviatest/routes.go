package zenviatest

import (
	"net/http"
	"slices"
	"strings"
)

// salesPrefixes are the path prefixes the Sales API is served under: none
// (the sandbox's URL is the base URL), Zenvia Sales' /api/v1 and Zenvia
// Conversion's /v1. The asynchronous leads service (/v2) takes leads only.
var salesPrefixes = []string{"", "/api/v1", "/v1"}

// router mounts the sandbox's handlers on a ServeMux, one per operation,
// each under every prefix of salesPrefixes.
type router struct {
	s   *Server
	mux *http.ServeMux
}

// handle mounts h at pattern ("GET /prospect/{id}") under every prefix,
// behind the API key check.
func (rt *router) handle(pattern string, h http.HandlerFunc) {
	rt.mount(pattern, rt.s.authed(h))
}

// public mounts h at pattern under every prefix without the API key check,
// for the operations the spec serves without authorization.
func (rt *router) public(pattern string, h http.HandlerFunc) { rt.mount(pattern, h) }

func (rt *router) mount(pattern string, h http.Handler) {
	method, path, _ := strings.Cut(pattern, " ")
	for _, pre := range salesPrefixes {
		rt.mux.Handle(method+" "+pre+path, h)
	}
}

// routes returns the sandbox's handler: the ServeMux of every operation,
// and the answers for a path it does not know (404) or a method the path
// does not take (405), after the API key check as Zenvia answers them.
func (s *Server) routes() http.Handler {
	rt := &router{s: s, mux: http.NewServeMux()}
	rt.leads()
	rt.prospects()
	rt.interactions()
	rt.asUser()
	rt.agentsAndGroups()
	rt.notifications()
	rt.quotes()
	rt.messaging()
	rt.more()
	// The asynchronous leads service: POST /v2/leads/{industry} only.
	rt.mux.Handle("POST /v2/leads/{industry}", s.authed(s.createLead))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := rt.mux.Handler(r); pattern != "" {
			rt.mux.ServeHTTP(w, r)
			return
		}
		if !s.authorized(r) {
			s.unauthorized(w)
			return
		}
		if allow := rt.allowed(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.methodNotAllowed(w)
			return
		}
		s.notFound(w, "Route")
	})
}

// allowed returns the methods r's path takes (none: the path is unknown).
func (rt *router) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := rt.mux.Handler(probe); pattern != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// authed answers 401 to a request without the sandbox's API key.
func (s *Server) authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			s.unauthorized(w)
			return
		}
		h(w, r)
	})
}

func (s *Server) unauthorized(w http.ResponseWriter) {
	s.fail(w, http.StatusUnauthorized, "UNAUTHORIZED", "Invalid API key", "AuthenticationError")
}

// asUser answers 409, as Zenvia does, when the integration has no user.
func (s *Server) asUser(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.NoIntegrationUser {
			s.fail(w, http.StatusConflict, "CONFLICT", "The integration has no user configured", "ConflictError")
			return
		}
		h(w, r)
	}
}

func (rt *router) leads() {
	s := rt.s
	rt.handle("POST /lead/{industry}", s.createLead)
	rt.handle("GET /leads/categories", s.categories)
	rt.handle("GET /leads/defaults", s.defaults)
}

func (rt *router) prospects() {
	s := rt.s
	rt.handle("GET /prospects", s.listProspects)
	rt.handle("GET /prospect/{id}", s.getProspect)
	rt.handle("PATCH /prospect/{id}", s.updateProspect)
	rt.handle("DELETE /prospect/{id}", s.deleteProspect)
	rt.handle("PATCH /prospect/{id}/additionalData", s.updateAdditionalData)
	rt.handle("POST /prospect/{id}/transfer", s.transfer)
}

func (rt *router) interactions() {
	s := rt.s
	rt.handle("GET /prospect/{id}/interactions", s.listInteractions)
	rt.handle("POST /prospect/{id}/interactions", s.addInteraction)
	rt.handle("GET /prospects/interactions", s.accountInteractions)
	rt.handle("GET /prospect/{id}/interaction/{iid}", s.getInteraction)
	rt.handle("PUT /prospect/{id}/interaction/{iid}", s.updateInteraction)
}

func (rt *router) asUser() {
	s := rt.s
	rt.handle("POST /prospect/{id}/as-user/transfer", s.asUser(s.transfer))
	rt.handle("POST /prospect/{id}/as-user/archive", s.asUser(s.asUserArchive))
	rt.handle("POST /prospect/{id}/as-user/label", s.asUser(s.asUserLabel))
	rt.handle("GET /as-user/labels", s.asUser(s.labels))
	rt.handle("GET /as-user/archiving-reasons", s.asUser(s.archivingReasons))
}

func (rt *router) agentsAndGroups() {
	s := rt.s
	rt.handle("GET /agents", s.listAgents)
	rt.handle("GET /agents/{id}/is-working", s.agentIsWorking)
	rt.handle("POST /agents/{id}/response-time", s.agentResponseTime)
	rt.handle("GET /groups", s.listGroups)
	rt.handle("GET /group/{id}", s.getGroup)
	rt.handle("GET /group/{id}/agents/online", s.onlineAgents)
	rt.handle("GET /groups/{id}/is-working", s.groupIsWorking)
	rt.handle("POST /groups/{id}/response-time", s.groupResponseTime)
}

func (rt *router) notifications() {
	s := rt.s
	rt.handle("GET /notifications/topics", s.topics)
	rt.handle("GET /notifications/subscriptions", s.listSubscriptions)
	rt.handle("POST /notifications/subscriptions", s.subscribe)
	rt.handle("DELETE /notifications/subscriptions", s.unsubscribeAll)
	rt.handle("GET /notifications/subscription/{id}", s.getSubscription)
	rt.handle("DELETE /notifications/subscription/{id}", s.unsubscribe)
}
