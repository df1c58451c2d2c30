package zenvia

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// The documented notification topics.
const (
	TopicProspects    = "prospects"
	TopicInteractions = "interactions"
	TopicQuotes       = "quotes"
	TopicAgents       = "agents"
)

// Subscription is a webhook subscription ("NewSubscription" plus its id).
type Subscription struct {
	ID          string   `json:"id"`
	Topics      []string `json:"topics"`
	CallbackURL string   `json:"callbackUrl"`
}

// NotificationsService manages webhook subscriptions. Reach it through
// Client.Notifications.
type NotificationsService struct{ c *Client }

// Topics lists the topics one can subscribe to: Zenvia's "List topics"
// (GET /notifications/topics). Zenvia answers a list of names or of
// {"name": ...} objects; both decode.
func (s *NotificationsService) Topics(ctx context.Context) ([]string, error) {
	var raw []CategoryName
	if err := s.c.get(ctx, []string{"notifications", "topics"}, nil, &raw); err != nil {
		return nil, err
	}
	out := make([]string, len(raw))
	for i, t := range raw {
		out[i] = string(t)
	}
	return out, nil
}

// Create asks Zenvia to POST the events of topics to callbackURL:
// Zenvia's "Create subscription" (POST /notifications/subscriptions).
// Zenvia does not sign its calls: put a secret of your own in callbackURL's
// query and check it with NewWebhookHandler.
func (s *NotificationsService) Create(ctx context.Context, topics []string, callbackURL string) (*Subscription, error) {
	if len(topics) == 0 {
		return nil, leadkit.Invalid("topics", "at least one topic is required")
	}
	for i, t := range topics {
		if strings.TrimSpace(t) == "" {
			return nil, leadkit.Invalid(indexed("topics", i), "must not be empty")
		}
	}
	u, err := url.Parse(callbackURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, leadkit.Invalid("callbackUrl", "must be an absolute http or https URL")
	}
	body := struct {
		Topics      []string `json:"topics"`
		CallbackURL string   `json:"callbackUrl"`
	}{topics, callbackURL}
	var sub Subscription
	if err := s.c.send(ctx, http.MethodPost, []string{"notifications", "subscriptions"}, body, &sub); err != nil {
		return nil, err
	}
	if sub.CallbackURL == "" {
		sub.Topics, sub.CallbackURL = topics, callbackURL
	}
	return &sub, nil
}

// List lists the webhook subscriptions: Zenvia's "List
// subscriptions" (GET /notifications/subscriptions).
func (s *NotificationsService) List(ctx context.Context) ([]Subscription, error) {
	var out []Subscription
	if err := s.c.get(ctx, []string{"notifications", "subscriptions"}, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Subscription{}
	}
	return out, nil
}

// Delete removes a subscription: Zenvia's "Delete subscription"
// (DELETE /notifications/subscription/{id}).
func (s *NotificationsService) Delete(ctx context.Context, id string) error {
	if err := checkID("id", id); err != nil {
		return err
	}
	_, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodDelete, Path: []string{"notifications", "subscription", id}})
	return err
}
