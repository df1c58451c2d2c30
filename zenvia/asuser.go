package zenvia

import (
	"context"
	"net/http"
	"strings"

	"github.com/leadkit/leadkit"
)

// AsUserService acts on prospects as the integration's user (Zenvia's
// "as-user" routes). Zenvia answers 409 (ErrConflict) when the integration
// has no user configured. Reach it through Client.AsUser.
type AsUserService struct{ c *Client }

// Transfer moves a prospect to a user or a group as the integration's
// user: POST /prospect/{id}/as-user/transfer.
func (s *AsUserService) Transfer(ctx context.Context, id string, to *Transfer) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := to.check(); err != nil {
		return nil, err
	}
	return s.c.Prospects.patchLike(ctx, http.MethodPost, []string{"prospect", id, "as-user", "transfer"}, to.body())
}

// Archive archives a prospect with a reason (one of ArchivingReasons) as
// the integration's user: POST /prospect/{id}/as-user/archive.
func (s *AsUserService) Archive(ctx context.Context, id, reason string) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, leadkit.Invalid("archivingReason", "is required")
	}
	return s.c.Prospects.patchLike(ctx, http.MethodPost, []string{"prospect", id, "as-user", "archive"},
		map[string]string{"archivingReason": reason})
}

// Label sets a prospect's label (one of Labels) as the integration's user:
// POST /prospect/{id}/as-user/label.
func (s *AsUserService) Label(ctx context.Context, id, label string) (*Prospect, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if strings.TrimSpace(label) == "" {
		return nil, leadkit.Invalid("label", "is required")
	}
	return s.c.Prospects.patchLike(ctx, http.MethodPost, []string{"prospect", id, "as-user", "label"},
		map[string]string{"label": label})
}

// Labels lists the labels the integration's user may set: GET
// /as-user/labels. Names come as strings or {"name": …} objects; both
// decode.
func (s *AsUserService) Labels(ctx context.Context) ([]string, error) {
	return s.names(ctx, "labels")
}

// ArchivingReasons lists the reasons a prospect may be archived with: GET
// /as-user/archiving-reasons.
func (s *AsUserService) ArchivingReasons(ctx context.Context) ([]string, error) {
	return s.names(ctx, "archiving-reasons")
}

func (s *AsUserService) names(ctx context.Context, what string) ([]string, error) {
	return s.c.names(ctx, []string{"as-user", what})
}

// names reads a list of names, each a string or {"name": …}.
func (c *Client) names(ctx context.Context, path []string) ([]string, error) {
	var raw []CategoryName
	if err := c.get(ctx, path, nil, &raw); err != nil {
		return nil, err
	}
	out := make([]string, len(raw))
	for i, n := range raw {
		out[i] = string(n)
	}
	return out, nil
}

// TransferTargets are the agents and groups the integration's user may
// transfer a prospect to ("GroupUserTransferable").
type TransferTargets struct {
	Agents []Agent
	Groups []Group // id and name
}

// TransferTargets lists the agents and groups AsUser.Transfer accepts:
// Zenvia's "Get transferable" (GET /as-user/transfer).
func (s *AsUserService) TransferTargets(ctx context.Context) (*TransferTargets, error) {
	var w struct {
		Agents []agentWire `json:"agents"`
		Groups []groupWire `json:"groups"`
	}
	if err := s.c.get(ctx, []string{"as-user", "transfer"}, nil, &w); err != nil {
		return nil, err
	}
	out := &TransferTargets{Agents: agents(w.Agents), Groups: make([]Group, len(w.Groups))}
	for i := range w.Groups {
		out.Groups[i] = w.Groups[i].group()
	}
	return out, nil
}
