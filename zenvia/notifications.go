package zenvia

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
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

// Topic is a notification topic, {name, description}.
type Topic struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// UnmarshalJSON reads {"name", "description"}, and a bare name as older
// servers send it.
func (t *Topic) UnmarshalJSON(b []byte) error {
	if b = trimSpace(b); len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.Name)
	}
	type plain Topic
	return json.Unmarshal(b, (*plain)(t))
}

// Topics lists the topics one can subscribe to: Zenvia's "List topics"
// (GET /notifications/topics), [{name, description}].
func (s *NotificationsService) Topics(ctx context.Context) ([]Topic, error) {
	var out []Topic
	if err := s.c.get(ctx, []string{"notifications", "topics"}, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Create asks Zenvia to POST the events of topics to callbackURL:
// Zenvia's "Create subscription" (POST /notifications/subscriptions).
// Zenvia keeps one subscription per group: creating one deactivates the
// previous one (put every topic in one subscription). Zenvia does not sign
// its calls: put a secret of your own in callbackURL's query and check it
// with NewWebhookHandler. From this call on the client masks, like its own
// key, every value of callbackURL's query of 16 bytes or more but the
// topic (the secret, under whatever name the handler reads it): a server
// that echoes the request puts it into the error.
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
	s.c.t.Redactor().Add(transport.CallbackSecrets(u)...)
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

// Get returns one subscription: Zenvia's "Get subscription"
// (GET /notifications/subscription/{id}).
func (s *NotificationsService) Get(ctx context.Context, id string) (*Subscription, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var sub Subscription
	if err := s.c.get(ctx, []string{"notifications", "subscription", id}, nil, &sub); err != nil {
		return nil, err
	}
	return &sub, nil
}

// Delete removes a subscription: Zenvia's "Delete subscription"
// (DELETE /notifications/subscription/{id}), which answers the deleted
// subscription (nil when Zenvia answers without a body).
func (s *NotificationsService) Delete(ctx context.Context, id string) (*Subscription, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	resp, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodDelete, Path: []string{"notifications", "subscription", id}})
	if err != nil || resp.Gone || len(trimSpace(resp.Body)) == 0 {
		return nil, err
	}
	var sub Subscription
	if json.Unmarshal(resp.Body, &sub) != nil || sub.ID == "" {
		return nil, nil // the deletion is done; an answer we cannot read is not an error
	}
	return &sub, nil
}

// DeleteAll deactivates every subscription: Zenvia's "Delete
// subscriptions" (DELETE /notifications/subscriptions), which answers how
// many it changed.
func (s *NotificationsService) DeleteAll(ctx context.Context) (int, error) {
	resp, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodDelete, Path: []string{"notifications", "subscriptions"}})
	if err != nil || resp.Gone {
		return 0, err
	}
	var out struct {
		Modified jsonx.Int `json:"modified"`
	}
	if len(trimSpace(resp.Body)) > 0 {
		if err := resp.DecodeJSON(&out); err != nil {
			return 0, err
		}
	}
	return int(out.Modified), nil
}
