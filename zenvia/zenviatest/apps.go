package zenviatest

import (
	"encoding/json"
	"net/http"
	"slices"
)

// appEvent is POST /apps/event: CustomEvent, served without authorization
// (the key is data.apiKey). event, type (prospect, user or quote) and
// data.apiKey are required; prospectId and userId are ObjectIds.
func (s *Server) appEvent(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Event      string `json:"event"`
		Type       string `json:"type"`
		ProspectID string `json:"prospectId"`
		UserID     string `json:"userId"`
		Data       *struct {
			APIKey  string         `json:"apiKey"`
			Details map[string]any `json:"details"`
		} `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Data == nil || in.Data.APIKey == "" {
		s.invalid(w, "event, type and data.apiKey are required")
		return
	}
	if in.Data.APIKey != s.opts.APIKey {
		s.unauthorized(w)
		return
	}
	switch {
	case in.Event == "":
		s.invalid(w, "event is required")
		return
	case !slices.Contains([]string{"prospect", "user", "quote"}, in.Type):
		s.invalid(w, "type must be prospect, user or quote")
		return
	case (in.ProspectID != "" && !objectID.MatchString(in.ProspectID)) || (in.UserID != "" && !objectID.MatchString(in.UserID)):
		s.invalid(w, "prospectId and userId are ObjectIds")
		return
	}
	s.mu.Lock()
	s.st.more.events = append(s.st.more.events, AppEvent{Event: in.Event, Type: in.Type, ProspectID: in.ProspectID,
		UserID: in.UserID, Details: in.Data.Details})
	id := s.st.newID(s.opts.Now())
	s.mu.Unlock()
	s.ok(w, http.StatusOK, map[string]string{"messageId": id, "status": "received"})
}

// appNotification is POST /apps/notifications: NotificationData, type,
// target (users and roles owner, agent, admin) and platforms required. It
// answers the users reached (NotificationResponseOk).
func (s *Server) appNotification(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Type   string `json:"type"`
		Target *struct {
			User []string `json:"user"`
			Role []string `json:"role"`
		} `json:"target"`
		Platforms map[string]any `json:"platforms"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Type == "" || in.Target == nil || in.Platforms == nil {
		s.invalid(w, "type, target and platforms are required")
		return
	}
	for _, role := range in.Target.Role {
		if !slices.Contains([]string{"owner", "agent", "admin"}, role) {
			s.invalid(w, "target.role must be owner, agent or admin")
			return
		}
	}
	for _, u := range in.Target.User {
		if !objectID.MatchString(u) {
			s.invalid(w, "target.user holds ObjectIds")
			return
		}
	}
	s.mu.Lock()
	final := s.st.finalTargets(in.Target.User, in.Target.Role)
	s.st.more.notices = append(s.st.more.notices, AppNotification{Type: in.Type, Platforms: in.Platforms, FinalTargets: final,
		Target: map[string]any{"user": in.Target.User, "role": in.Target.Role}})
	s.mu.Unlock()
	s.ok(w, http.StatusOK, map[string]any{"finalTargets": final, "status": "sent"})
}

// finalTargets are the users a notification reaches: the users named that
// exist, and every active agent for the role agent (the sandbox's owner
// and admin are its first agent).
func (st *state) finalTargets(users, roles []string) []string {
	out := []string{}
	add := func(id string) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, u := range users {
		if st.agentByID[u] != nil {
			add(u)
		}
	}
	for _, role := range roles {
		for i, a := range st.agents {
			if (role == "agent" && a.Active) || ((role == "owner" || role == "admin") && i == 0) {
				add(a.ID)
			}
		}
	}
	return out
}

// AppEvents returns the events custom apps posted, oldest first.
func (s *Server) AppEvents() []AppEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.more.events)
}

// AppNotifications returns the notifications custom apps posted, oldest
// first.
func (s *Server) AppNotifications() []AppNotification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.more.notices)
}
