package zenvia

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
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

// Archive archives a prospect with a reason (the Reason of one of
// ArchivingReasons, not its Name) as the integration's user: POST /prospect/{id}/as-user/archive.
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

// Label sets a prospect's label (the Key of one of Labels) as the
// integration's user:
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
// /as-user/labels. Pass a Label's Key to Label.
func (s *AsUserService) Labels(ctx context.Context) ([]Label, error) {
	var out []Label
	if err := s.c.get(ctx, []string{"as-user", "labels"}, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ArchivingReasons lists the reasons a prospect may be archived with: GET
// /as-user/archiving-reasons. Pass an ArchivingReason's Reason to Archive.
func (s *AsUserService) ArchivingReasons(ctx context.Context) ([]ArchivingReason, error) {
	var out []ArchivingReason
	if err := s.c.get(ctx, []string{"as-user", "archiving-reasons"}, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Label is a prospect label ("ProspectLabel"): Key is what AsUser.Label
// and Prospects.Update take, Name what a person reads.
type Label struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// UnmarshalJSON accepts {"key", "name"} and, as some accounts answer, a
// bare string (taken as both).
func (l *Label) UnmarshalJSON(b []byte) error {
	k, n, err := keyName(b, "key")
	l.Key, l.Name = k, n
	return err
}

// ArchivingReason is a reason to archive a prospect ("ArchivingReason"):
// Reason is what AsUser.Archive and Prospects.Update take (e.g.
// "inactive"), Name what a person reads ("Inactivo").
type ArchivingReason struct {
	Reason string `json:"reason"`
	Name   string `json:"name"`
}

// UnmarshalJSON accepts {"reason", "name"} and a bare string (taken as
// both).
func (r *ArchivingReason) UnmarshalJSON(b []byte) error {
	k, n, err := keyName(b, "reason")
	r.Reason, r.Name = k, n
	return err
}

// keyName decodes {key: …, "name": …} or a bare string (both). An object
// without the key is refused: what it holds could not be sent back.
func keyName(b []byte, key string) (string, string, error) {
	t := trimSpace(b)
	if len(t) == 0 || t[0] != '{' {
		v, err := jsonx.ParseString(t)
		return v, v, err
	}
	var o map[string]json.RawMessage
	if err := json.Unmarshal(t, &o); err != nil {
		return "", "", err
	}
	var k, n string
	if raw, ok := o[key]; ok {
		v, err := jsonx.ParseString(raw)
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", key, err)
		}
		k = v
	}
	if raw, ok := o["name"]; ok {
		v, err := jsonx.ParseString(raw)
		if err != nil {
			return "", "", fmt.Errorf("name: %w", err)
		}
		n = v
	}
	if k == "" {
		return "", "", fmt.Errorf("an item without %q", key)
	}
	if n == "" {
		n = k
	}
	return k, n, nil
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
