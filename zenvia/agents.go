package zenvia

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/leadkit/leadkit/internal/jsonx"
)

// AgentsService lists agents. Reach it through Client.Agents.
type AgentsService struct{ c *Client }

// List returns the agents of a group: Zenvia's "List agents"
// (GET /agents?group=...&active=...). groupID is required; active nil lists
// active and inactive agents alike.
func (s *AgentsService) List(ctx context.Context, groupID string, active *bool) ([]Agent, error) {
	if err := checkID("group", groupID); err != nil {
		return nil, err
	}
	q := url.Values{"group": {groupID}}
	if active != nil {
		q.Set("active", strconv.FormatBool(*active))
	}
	var ws []agentWire
	if err := s.c.get(ctx, []string{"agents"}, q, &ws); err != nil {
		return nil, err
	}
	return agents(ws), nil
}

// Bool returns a pointer to b, for the active filter of Agents.List.
func Bool(b bool) *bool { return &b }

func agents(ws []agentWire) []Agent {
	out := make([]Agent, len(ws))
	for i := range ws {
		out[i] = ws[i].agent()
	}
	return out
}

// Group is a node of the group tree ("Group"): agents belong to groups, and
// groups may hold subgroups.
type Group struct {
	ID     string
	Name   string
	Groups []Group // subgroups
	// The GroupNode fields of GET /group/{id} (empty in the tree of
	// GET /groups when Zenvia leaves them out).
	DisplayName string
	Parent      string   // the parent group's id
	Ancestors   []string // ids, root first
	Descendants []string // ids
	Type        []string
	Timezone    string
	CountryCode string
}

type groupWire struct {
	ID          string            `json:"id"`
	Name        jsonx.String      `json:"name"`
	Children    []groupWire       `json:"children"`
	Groups      []groupWire       `json:"groups"`
	DisplayName jsonx.String      `json:"displayName"`
	Parent      json.RawMessage   `json:"parent"`
	Ancestors   []json.RawMessage `json:"ancestors"`
	Descendants []json.RawMessage `json:"descendants"`
	Type        []jsonx.String    `json:"type"`
	Timezone    jsonx.String      `json:"timezone"`
	CountryCode jsonx.String      `json:"countryCode"`
}

// refID reads a group reference: an id string, or an object with "id".
func refID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}

func refIDs(raws []json.RawMessage) []string {
	out := make([]string, 0, len(raws))
	for _, r := range raws {
		if id := refID(r); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func (w *groupWire) group() Group {
	g := Group{ID: w.ID, Name: string(w.Name), DisplayName: string(w.DisplayName), Parent: refID(w.Parent),
		Ancestors: refIDs(w.Ancestors), Descendants: refIDs(w.Descendants), Timezone: string(w.Timezone),
		CountryCode: string(w.CountryCode)}
	for _, t := range w.Type {
		g.Type = append(g.Type, string(t))
	}
	kids := w.Children
	if len(kids) == 0 {
		kids = w.Groups
	}
	g.Groups = make([]Group, len(kids))
	for i := range kids {
		g.Groups[i] = kids[i].group()
	}
	return g
}

// Walk calls fn for g and every subgroup, depth first, with its depth (0 for
// g), until fn returns false. It reports whether the walk ran to the end;
// a nil group or a nil fn walks nothing.
func (g *Group) Walk(fn func(g *Group, depth int) bool) bool {
	if g == nil || fn == nil {
		return true
	}
	return g.walk(fn, 0)
}

func (g *Group) walk(fn func(*Group, int) bool, depth int) bool {
	if !fn(g, depth) {
		return false
	}
	for i := range g.Groups {
		if !g.Groups[i].walk(fn, depth+1) {
			return false
		}
	}
	return true
}

// GroupsService reads groups. Reach it through Client.Groups.
type GroupsService struct{ c *Client }

// List returns the group tree: Zenvia's "List groups" (GET /groups).
func (s *GroupsService) List(ctx context.Context) ([]Group, error) {
	var ws []groupWire
	if err := s.c.get(ctx, []string{"groups"}, nil, &ws); err != nil {
		return nil, err
	}
	out := make([]Group, len(ws))
	for i := range ws {
		out[i] = ws[i].group()
	}
	return out, nil
}

// Get returns one group: Zenvia's "Get group" (GET /group/{id}).
func (s *GroupsService) Get(ctx context.Context, id string) (*Group, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var w groupWire
	if err := s.c.get(ctx, []string{"group", id}, nil, &w); err != nil {
		return nil, err
	}
	g := w.group()
	return &g, nil
}

// OnlineAgents is the answer of "Get online agents": whether the group is
// inside its office hours, and its agents online now.
type OnlineAgents struct {
	OfficeHours bool
	Agents      []Agent
}

// OnlineAgents returns a group's online agents: Zenvia's "Get online agents"
// (GET /group/{id}/agents/online).
func (s *GroupsService) OnlineAgents(ctx context.Context, id string) (*OnlineAgents, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var w struct {
		OfficeHours wireBool    `json:"officeHours"`
		Agents      []agentWire `json:"agents"`
	}
	if err := s.c.get(ctx, []string{"group", id, "agents", "online"}, nil, &w); err != nil {
		return nil, err
	}
	return &OnlineAgents{OfficeHours: bool(w.OfficeHours), Agents: agents(w.Agents)}, nil
}
