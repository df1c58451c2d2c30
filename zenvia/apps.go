package zenvia

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// AppEventType is what an app event is about ("CustomEventType").
type AppEventType string

// The documented app event types.
const (
	AppEventProspect AppEventType = "prospect"
	AppEventUser     AppEventType = "user"
	AppEventQuote    AppEventType = "quote"
)

// String returns the type as Zenvia spells it.
func (t AppEventType) String() string { return string(t) }

// AppEvent is an event a custom app sends to Zenvia ("CustomEvent"): Event
// (its name) and Type are required; ProspectID and UserID say whom it is
// about. The client's API key goes in its data (data.apiKey), as the spec
// asks, with Details beside it (data.details).
type AppEvent struct {
	Event      string
	Type       AppEventType
	ProspectID string
	UserID     string
	Details    map[string]any
}

// AppEventResult is Zenvia's answer to an event ("CustomEventResponseOk");
// empty when Zenvia answers without a body, as the spec says it may.
type AppEventResult struct {
	MessageID string
	Status    string
	Raw       json.RawMessage // the answer as sent
}

// TargetRole is a role an app notification goes to ("NotificationTarget").
type TargetRole string

// The documented roles.
const (
	RoleOwner TargetRole = "owner"
	RoleAgent TargetRole = "agent"
	RoleAdmin TargetRole = "admin"
)

// AppNotification is a notification a custom app posts to Zenvia's
// notification panel ("NotificationData"): Type, a Target (users or roles)
// and the Platforms to show it on are required.
type AppNotification struct {
	Type      string                `json:"type"`
	Target    NotificationTarget    `json:"target"`
	Platforms NotificationPlatforms `json:"platforms"`
}

// NotificationTarget names who gets an app notification: users (ids) and
// roles.
type NotificationTarget struct {
	User []string     `json:"user,omitempty"`
	Role []TargetRole `json:"role,omitempty"`
}

// NotificationPlatforms holds the notification for each platform, as the
// platform takes it (the spec leaves their shape open).
type NotificationPlatforms struct {
	Android map[string]any `json:"android,omitempty"`
	IOS     map[string]any `json:"ios,omitempty"`
	Desktop map[string]any `json:"desktop,omitempty"`
}

// AppNotificationResult is Zenvia's answer to a notification
// ("NotificationResponseOk"): the users it reached. Empty when Zenvia
// answers without a body.
type AppNotificationResult struct {
	FinalTargets []string
	Status       string
	Raw          json.RawMessage // the answer as sent
}

// AppsService posts what a custom app tells Zenvia ("Custom apps"). Reach
// it through Client.Apps.
type AppsService struct{ c *Client }

// CreateEvent sends an event of a custom app: Zenvia's "Post event"
// (POST /apps/event). Like every create, it is never resent once it may
// have reached Zenvia (leadkit.ErrOutcomeUnknown).
func (s *AppsService) CreateEvent(ctx context.Context, ev *AppEvent) (*AppEventResult, error) {
	if err := ev.check(); err != nil {
		return nil, err
	}
	type data struct {
		APIKey  string         `json:"apiKey"`
		Details map[string]any `json:"details,omitempty"`
	}
	body := struct {
		Event      string       `json:"event"`
		Type       AppEventType `json:"type"`
		ProspectID string       `json:"prospectId,omitempty"`
		UserID     string       `json:"userId,omitempty"`
		Data       data         `json:"data"`
	}{ev.Event, ev.Type, ev.ProspectID, ev.UserID, data{s.c.key.Value(), ev.Details}}
	raw, err := s.c.create(ctx, []string{"apps", "event"}, body)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return &AppEventResult{}, nil
	}
	var w struct {
		MessageID jsonx.String `json:"messageId"`
		Status    jsonx.String `json:"status"`
	}
	_ = json.Unmarshal(raw, &w) // the spec answers nothing: an unexpected shape is kept in Raw
	return &AppEventResult{MessageID: string(w.MessageID), Status: string(w.Status), Raw: raw}, nil
}

// CreateNotification posts a notification to Zenvia's notification panel:
// "Send notification" (POST /apps/notifications). Like every create, it is
// never resent once it may have reached Zenvia.
func (s *AppsService) CreateNotification(ctx context.Context, n *AppNotification) (*AppNotificationResult, error) {
	if err := n.check(); err != nil {
		return nil, err
	}
	raw, err := s.c.create(ctx, []string{"apps", "notifications"}, n)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return &AppNotificationResult{FinalTargets: []string{}}, nil
	}
	var w struct {
		FinalTargets []jsonx.String `json:"finalTargets"`
		Status       jsonx.String   `json:"status"`
	}
	_ = json.Unmarshal(raw, &w) // the spec answers nothing: an unexpected shape is kept in Raw
	out := &AppNotificationResult{Status: string(w.Status), Raw: raw, FinalTargets: make([]string, len(w.FinalTargets))}
	for i, t := range w.FinalTargets {
		out.FinalTargets[i] = string(t)
	}
	return out, nil
}

// create POSTs body as a create and returns the answer's JSON as sent (nil
// when empty), whose shape the caller reads tolerantly. An answer that is
// not JSON (cut short, an HTML page) is an error: for a create answered
// 2xx, one that matches leadkit.ErrOutcomeUnknown.
func (c *Client) create(ctx context.Context, path []string, body any) (json.RawMessage, error) {
	resp, err := c.t.Do(ctx, &transport.Request{Method: http.MethodPost, Path: path, JSON: body, Create: true})
	if err != nil || len(trimSpace(resp.Body)) == 0 {
		return nil, err
	}
	var raw json.RawMessage
	if err := resp.DecodeJSON(&raw); err != nil {
		return nil, err
	}
	return nullToNil(raw), nil
}

// check validates an app event.
func (ev *AppEvent) check() error {
	if ev == nil {
		return leadkit.Invalid("event", "must not be nil")
	}
	if strings.TrimSpace(ev.Event) == "" {
		return leadkit.Invalid("event", "is required")
	}
	switch ev.Type {
	case AppEventProspect, AppEventUser, AppEventQuote:
	default:
		return leadkit.Invalid("type", "%q is not prospect, user or quote", string(ev.Type))
	}
	for _, id := range []struct{ f, v string }{{"prospectId", ev.ProspectID}, {"userId", ev.UserID}} {
		if id.v != "" {
			if err := checkID(id.f, id.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// check validates an app notification.
func (n *AppNotification) check() error {
	if n == nil {
		return leadkit.Invalid("notification", "must not be nil")
	}
	if strings.TrimSpace(n.Type) == "" {
		return leadkit.Invalid("type", "is required")
	}
	if len(n.Target.User) == 0 && len(n.Target.Role) == 0 {
		return leadkit.Invalid("target", "needs a user or a role")
	}
	for i, u := range n.Target.User {
		if err := checkID(indexed("target.user", i), u); err != nil {
			return err
		}
	}
	for i, r := range n.Target.Role {
		if r != RoleOwner && r != RoleAgent && r != RoleAdmin {
			return leadkit.Invalid(indexed("target.role", i), "%q is not owner, agent or admin", string(r))
		}
	}
	p := n.Platforms
	if p.Android == nil && p.IOS == nil && p.Desktop == nil {
		return leadkit.Invalid("platforms", "needs at least one of android, ios and desktop")
	}
	return nil
}
