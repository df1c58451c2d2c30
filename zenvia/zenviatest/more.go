package zenviatest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
)

func (rt *router) more() {
	s := rt.s
	rt.public("GET /checkCredentials", s.checkCredentials)
	rt.handle("GET /integration", s.integration)
	rt.handle("GET /integrations", s.integrations)
	rt.handle("GET /industries", s.industries)
	rt.handle("GET /as-user/transfer", s.asUser(s.transferTargets))
	rt.handle("GET /archiving-reasons", s.deprecatedArchivingReasons)
	rt.handle("GET /prospect/{id}/prospectAdditionalFields", s.additionalFields)
	rt.handle("POST /prospect/{id}/csat", s.createCSAT)
	rt.handle("GET /contacts/selection/{sid}", s.selection)
	rt.public("POST /apps/event", s.appEvent)
	rt.handle("POST /apps/notifications", s.appNotification)
}

// objectID is the spec's ObjectId pattern.
var objectID = regexp.MustCompile(`^[a-z0-9]{24}$`)

// checkCredentials is GET /checkCredentials?api-key=…: served without
// authorization, it says whether the key in the query is the sandbox's
// (204) or not (401).
func (s *Server) checkCredentials(w http.ResponseWriter, r *http.Request) {
	if k := r.URL.Query().Get("api-key"); k == "" || k != s.opts.APIKey {
		s.unauthorized(w)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// integrationJSON is the key's integration ("API Access"), acting as the
// first agent unless Options.NoIntegrationUser.
func (s *Server) integrationJSON() map[string]any {
	root := s.st.groups[0]
	m := map[string]any{"id": s.st.more.integration, "name": "API Access", "providerKey": "api", "groupId": root.ID,
		"group": root.Name, "language": "pt", "account": "Sandbox", "accountId": "000000000000000000000001"}
	if !s.opts.NoIntegrationUser {
		m["user"] = s.st.agents[0].ID
	}
	return m
}

// integration is GET /integration.
func (s *Server) integration(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := s.integrationJSON()
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// integrations is GET /integrations: the key's, and a portal's.
func (s *Server) integrations(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	mine := s.integrationJSON()
	g := s.st.leafGroups[0]
	portal := map[string]any{"id": "5f0c0ffee0000000000000a1", "name": "Webmotors", "providerKey": "webmotors",
		"groupId": g.ID, "group": g.Name, "language": "pt", "account": "Sandbox", "accountId": "000000000000000000000001"}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, []any{mine, portal})
}

// industries is GET /industries: the group's industries ("Industry").
func (s *Server) industries(w http.ResponseWriter, _ *http.Request) {
	out := []map[string]string{}
	for _, n := range leadTypes {
		out = append(out, map[string]string{"name": n})
	}
	s.ok(w, http.StatusOK, out)
}

// transferTargets is GET /as-user/transfer: the active agents and the
// groups a prospect may be transferred to (GroupUserTransferable).
func (s *Server) transferTargets(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	agents, groups := []any{}, []any{}
	for _, a := range s.st.agents {
		if a.Active {
			agents = append(agents, s.agentJSON(a))
		}
	}
	for _, g := range s.st.groupByID {
		groups = append(groups, map[string]any{"id": g.ID, "name": g.Name})
	}
	s.mu.Unlock()
	sort.Slice(groups, func(i, j int) bool {
		return groups[i].(map[string]any)["id"].(string) < groups[j].(map[string]any)["id"].(string)
	})
	s.ok(w, http.StatusOK, map[string]any{"agents": agents, "groups": groups})
}

// deprecatedArchivingReasons is GET /archiving-reasons?agent=… (deprecated
// by the spec for GET /as-user/archiving-reasons): the reasons of an agent.
func (s *Server) deprecatedArchivingReasons(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("agent")
	if !objectID.MatchString(id) {
		s.invalid(w, "agent is required: an agent id")
		return
	}
	s.mu.Lock()
	a := s.st.agentByID[id]
	s.mu.Unlock()
	s.answer(w, "Agent", a != nil, keyNames("reason", archivingReasons))
}

// additionalFieldDefs are the additional fields the sandbox's account
// defines.
var additionalFieldDefs = []map[string]string{
	{"key": "renda", "name": "Renda mensal"}, {"key": "origem", "name": "Origem"}, {"key": "interesse", "name": "Interesse"},
}

// additionalFields is GET /prospect/{id}/prospectAdditionalFields: the
// account's fields, and any other key the prospect's additional data holds.
func (s *Server) additionalFields(w http.ResponseWriter, r *http.Request) {
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	out := slices.Clone(additionalFieldDefs)
	var extra []string
	for k := range p.AdditionalData {
		if !slices.ContainsFunc(additionalFieldDefs, func(d map[string]string) bool { return d["key"] == k }) {
			extra = append(extra, k)
		}
	}
	s.mu.Unlock()
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, map[string]string{"key": k, "name": k})
	}
	s.ok(w, http.StatusOK, out)
}

// createCSAT is POST /prospect/{id}/csat: CSAT, result a score from 1 to 5.
func (s *Server) createCSAT(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Result  *float64 `json:"result"`
		Comment string   `json:"comment"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Result == nil || *in.Result < 1 || *in.Result > 5 {
		s.invalid(w, "result is required: a score from 1 to 5")
		return
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	rt := Rating{ProspectID: p.ID, Result: *in.Result, Comment: in.Comment, Created: s.opts.Now().UTC()}
	s.st.more.ratings = append(s.st.more.ratings, rt)
	s.mu.Unlock()
	s.ok(w, http.StatusOK, rt)
}

// Ratings returns the satisfaction ratings received, oldest first.
func (s *Server) Ratings() []Rating {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.more.ratings)
}

// SelectionIDs returns the ids of the seeded contact selections: the new
// prospects, those following up, those with an e-mail.
func (s *Server) SelectionIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.more.selectionIDs)
}

// alwaysFields are the prospect fields a selection always returns.
var alwaysFields = []string{"id", "status", "leads", "accountId", "account", "group", "groupId", "created"}

// selection is GET /contacts/selection/{sid}: ProspectsPaginated, paged by
// offset and limit, with the fields asked (and alwaysFields).
func (s *Server) selection(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := s.limit(w, q)
	if !ok {
		return
	}
	offset, err := strconv.Atoi(q.Get("offset"))
	if q.Get("offset") == "" {
		offset, err = 0, nil
	}
	if err != nil || offset < 0 {
		s.invalid(w, "offset must be a number from 0")
		return
	}
	fields := slices.Concat(q["fields"], q["fields[]"])
	s.mu.Lock()
	ids, found := s.st.more.selections[r.PathValue("sid")]
	contacts := []any{}
	for i := offset; found && i < len(ids) && len(contacts) < limit; i++ {
		if p := s.st.byID[ids[i]]; p != nil {
			contacts = append(contacts, project(s.prospectJSON(p), fields))
		}
	}
	s.mu.Unlock()
	s.answer(w, "Selection", found, map[string]any{"contacts": contacts, "total": len(ids)})
}

// project keeps the fields of m asked (all when none) and alwaysFields.
func project(m map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return m
	}
	for k := range m {
		if !slices.Contains(fields, k) && !slices.Contains(alwaysFields, k) {
			delete(m, k)
		}
	}
	return m
}
