package zenvia

import (
	"context"
	"encoding/json"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/transport"
)

// InteractionListOptions filter a prospect's interactions
// (Prospects.Interactions) and the account's (Interactions.List, All).
// Before, After, Limit and Agent apply to the account-wide list only.
type InteractionListOptions struct {
	Before, After string // interaction ids: created before or after it (exclusive), newest first
	Limit         int    // page size (0: Zenvia's default; at most MaxPageSize)
	Agent         string // agent id
	Status        string
	Via           []string // InteractionMedium values: whatsApp, sms, email, other, facebook, ...
	// CreatedAfter and CreatedBefore bound the creation time (zero: unset).
	CreatedAfter, CreatedBefore time.Time
}

func (o *InteractionListOptions) values(accountWide bool) (url.Values, error) {
	v := url.Values{}
	if o == nil {
		return v, nil
	}
	if !accountWide && (o.Before != "" || o.After != "" || o.Limit != 0 || o.Agent != "") {
		return nil, leadkit.Invalid("before", "before, after, limit and agent filter the account-wide list only")
	}
	if err := setCursor(v, o.Before, o.After, o.Limit); err != nil {
		return nil, err
	}
	if o.Agent != "" {
		if err := checkID("agent", o.Agent); err != nil {
			return nil, err
		}
		v.Set("agent", o.Agent)
	}
	if o.Status != "" {
		v.Set("status", o.Status)
	}
	for i, via := range o.Via {
		if strings.TrimSpace(via) == "" {
			return nil, leadkit.Invalid(indexed("via", i), "must not be empty")
		}
		v.Add("via[]", via)
	}
	return v, setRanges(v, []timeRange{{"created", o.CreatedAfter, o.CreatedBefore}})
}

// InteractionsService reads and changes interactions across the account.
// Reach it through Client.Interactions.
type InteractionsService struct{ c *Client }

// List returns one page of the account's interactions, newest first:
// GET /prospects/interactions.
func (s *InteractionsService) List(ctx context.Context, opts *InteractionListOptions) ([]Interaction, error) {
	q, err := opts.values(true)
	if err != nil {
		return nil, err
	}
	return s.c.interactions(ctx, []string{"prospects", "interactions"}, q)
}

// All iterates over the account's interactions matching opts, newest
// first, walking back with the "before" cursor; it stops when the caller
// stops, and yields ErrPagingIgnored instead of looping on a server that
// ignores the cursor. opts.After is an input error.
func (s *InteractionsService) All(ctx context.Context, opts *InteractionListOptions) iter.Seq2[Interaction, error] {
	var o InteractionListOptions
	if opts != nil {
		o = *opts
	}
	return allBefore(o.After, o.Before, o.Limit, func(before string, limit int) ([]Interaction, error) {
		page := o
		page.Before, page.Limit = before, limit
		return s.List(ctx, &page)
	}, func(in *Interaction) string { return in.ID })
}

// Get returns one interaction of a prospect:
// GET /prospect/{id}/interaction/{interactionId}.
func (s *InteractionsService) Get(ctx context.Context, prospectID, interactionID string) (*Interaction, error) {
	if err := checkID("id", prospectID); err != nil {
		return nil, err
	}
	if err := checkID("interactionId", interactionID); err != nil {
		return nil, err
	}
	var w interactionWire
	if err := s.c.get(ctx, []string{"prospect", prospectID, "interaction", interactionID}, nil, &w); err != nil {
		return nil, err
	}
	in := w.interaction()
	return &in, nil
}

// Update changes an interaction of a prospect:
// PUT /prospect/{id}/interaction/{interactionId}, with an UpdateEvent as
// the spec defines it: "type" (required) "message", with "delivered" (a
// boolean), "status" (pending, sent, received, read, failed or deleted)
// and "error" (an object), or "question", with "answer", "delivered" and
// "cancelReason". Any other field, type or value is an input error naming
// the field, nothing sent (the API refuses it, or would ignore it). It
// returns the interaction as Zenvia answers it (nil without a body).
func (s *InteractionsService) Update(ctx context.Context, prospectID, interactionID string, fields map[string]any) (*Interaction, error) {
	if err := checkID("id", prospectID); err != nil {
		return nil, err
	}
	if err := checkID("interactionId", interactionID); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, leadkit.Invalid("interaction", "sets no field")
	}
	if err := checkUpdateEvent(fields); err != nil {
		return nil, err
	}
	var w *interactionWire
	if err := s.c.send(ctx, http.MethodPut, []string{"prospect", prospectID, "interaction", interactionID}, fields, &w); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, nil
	}
	in := w.interaction()
	return &in, nil
}

func (c *Client) interactions(ctx context.Context, path []string, q url.Values) ([]Interaction, error) {
	var ws []interactionWire
	if err := c.get(ctx, path, q, &ws); err != nil {
		return nil, err
	}
	out := make([]Interaction, len(ws))
	for i := range ws {
		out[i] = ws[i].interaction()
	}
	return out, nil
}

// IsWorking reports whether an agent is working now:
// GET /agents/{id}/is-working. Zenvia answers a boolean, or an object with
// one; both decode.
func (s *AgentsService) IsWorking(ctx context.Context, id string) (bool, error) {
	return isWorking(ctx, s.c, "agents", id)
}

// IsWorking reports whether a group is working now (within its office
// hours): GET /groups/{id}/is-working.
func (s *GroupsService) IsWorking(ctx context.Context, id string) (bool, error) {
	return isWorking(ctx, s.c, "groups", id)
}

// ResponseTime asks Zenvia for an agent's response time with the query
// fields params (as Zenvia names them): POST /agents/{id}/response-time. The
// answer's shape is not published: it is returned as sent.
func (s *AgentsService) ResponseTime(ctx context.Context, id string, params map[string]any) (json.RawMessage, error) {
	return responseTime(ctx, s.c, "agents", id, params)
}

// ResponseTime is AgentsService.ResponseTime for a group:
// POST /groups/{id}/response-time.
func (s *GroupsService) ResponseTime(ctx context.Context, id string, params map[string]any) (json.RawMessage, error) {
	return responseTime(ctx, s.c, "groups", id, params)
}

func isWorking(ctx context.Context, c *Client, kind, id string) (bool, error) {
	if err := checkID("id", id); err != nil {
		return false, err
	}
	var raw json.RawMessage
	if err := c.get(ctx, []string{kind, id, "is-working"}, nil, &raw); err != nil {
		return false, err
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		for _, v := range m {
			if json.Unmarshal(v, &b) == nil {
				return b, nil
			}
		}
	}
	return false, leadkit.ErrDecode
}

func responseTime(ctx context.Context, c *Client, kind, id string, params map[string]any) (json.RawMessage, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if params == nil {
		params = map[string]any{}
	}
	var out json.RawMessage
	if err := c.send(ctx, http.MethodPost, []string{kind, id, "response-time"}, params, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// updateEventFields are the fields of the spec's UpdateEvent by type, and
// the JSON kind each takes.
var updateEventFields = map[string]map[string]string{
	"message":  {"type": "string", "delivered": "boolean", "status": "string", "error": "object"},
	"question": {"type": "string", "answer": "string", "delivered": "boolean", "cancelReason": "string"},
}

// messageStatuses are the statuses an UpdateMessageEvent sets.
var messageStatuses = []string{"pending", "sent", "received", "read", "failed", "deleted"}

// checkUpdateEvent checks fields, as they will be sent, against the
// spec's UpdateEvent.
func checkUpdateEvent(fields map[string]any) error {
	if err := transport.CheckEncodable("interaction", fields); err != nil {
		return err
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return leadkit.Invalid("interaction", "%v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return leadkit.Invalid("interaction", "%v", err)
	}
	typ, _ := m["type"].(string)
	kinds, ok := updateEventFields[typ]
	if !ok {
		return leadkit.Invalid("type", "%s is not message or question (an update needs its type)", shortJSON(m["type"]))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kind, known := kinds[k]
		if !known {
			return leadkit.Invalid(k, "is not a field of a %s update (%s)", typ, strings.Join(slices.Sorted(maps.Keys(kinds)), ", "))
		}
		var fits bool
		switch m[k].(type) {
		case string:
			fits = kind == "string"
		case bool:
			fits = kind == "boolean"
		case map[string]any:
			fits = kind == "object"
		case nil:
			fits = k != "type"
		}
		if !fits {
			return leadkit.Invalid(k, "must be a %s, got %s", kind, shortJSON(m[k]))
		}
	}
	if st, set := m["status"].(string); set && !slices.Contains(messageStatuses, st) {
		return leadkit.Invalid("status", "%q is not one of %s", st, strings.Join(messageStatuses, ", "))
	}
	return nil
}
