package zenvia

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// Integration is an integration of the account ("Integration"): the API
// key belongs to one.
type Integration struct {
	ID          string
	Name        string
	ProviderKey string // the type of integration
	GroupID     string
	Group       string
	User        string // the user the integration acts as (AsUser), "" for none
	Language    string // the language of the integration's group
	Account     string
	AccountID   string
	// Raw is the integration as Zenvia sent it, for fields this type does
	// not name.
	Raw json.RawMessage
}

type integrationWire struct {
	ID          jsonx.String `json:"id"`
	Name        jsonx.String `json:"name"`
	ProviderKey jsonx.String `json:"providerKey"`
	GroupID     jsonx.String `json:"groupId"`
	Group       jsonx.String `json:"group"`
	User        jsonx.String `json:"user"`
	Language    jsonx.String `json:"language"`
	Account     jsonx.String `json:"account"`
	AccountID   jsonx.String `json:"accountId"`
}

// UnmarshalJSON decodes an integration and keeps the raw object.
func (in *Integration) UnmarshalJSON(b []byte) error {
	var w integrationWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*in = Integration{ID: string(w.ID), Name: string(w.Name), ProviderKey: string(w.ProviderKey),
		GroupID: string(w.GroupID), Group: string(w.Group), User: string(w.User), Language: string(w.Language),
		Account: string(w.Account), AccountID: string(w.AccountID), Raw: append(json.RawMessage(nil), b...)}
	return nil
}

// IntegrationsService reads the key's integration and checks the key.
// Reach it through Client.Integrations.
type IntegrationsService struct{ c *Client }

// Get returns the integration of the API key: Zenvia's "Get integration"
// (GET /integration).
func (s *IntegrationsService) Get(ctx context.Context) (*Integration, error) {
	var in Integration
	if err := s.c.get(ctx, []string{"integration"}, nil, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// List returns the active integrations of the key's account: Zenvia's
// "Get integrations" (GET /integrations).
func (s *IntegrationsService) List(ctx context.Context) ([]Integration, error) {
	var out []Integration
	if err := s.c.get(ctx, []string{"integrations"}, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Integration{}
	}
	return out, nil
}

// CheckCredentials asks Zenvia whether the client's API key exists and is
// enabled: "Check credentials" (GET /checkCredentials?api-key=…, which
// takes the key to check in the query whatever WithAuthHeader says). It
// returns nil for a usable key, and an error matching ErrUnauthorized
// (HTTP 401 or 403) for one Zenvia refuses: a check to run at start-up.
func (s *IntegrationsService) CheckCredentials(ctx context.Context) error {
	_, err := s.c.t.Do(ctx, &transport.Request{Method: http.MethodGet, Path: []string{"checkCredentials"}, Auth: s.c.credential})
	return err
}

// Industries lists the industries of the key's group: Zenvia's "Get
// industries" (GET /industries), each a name ("retail", "vehicle", ...),
// sent as a string or as {"name": …}.
func (s *LeadsService) Industries(ctx context.Context) ([]string, error) {
	return s.c.names(ctx, []string{"industries"})
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
