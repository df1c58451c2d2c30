package zenvia

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
)

// CreateInteraction records an event on a prospect: Zenvia's "Create
// prospect interaction" (POST /prospect/{id}/interactions with a
// "NewEvent"): a note, a call (with its duration in milliseconds), a
// message or a question (see HistoryEvent). It answers the interactions
// Zenvia created (a list; older servers send one object). The event is
// validated first; like every create it is never resent once it may have
// reached Zenvia (leadkit.ErrOutcomeUnknown: read the prospect's
// interactions before sending it again).
func (s *ProspectsService) CreateInteraction(ctx context.Context, id string, ev *HistoryEvent) ([]Interaction, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if ev == nil {
		return nil, leadkit.Invalid("event", "must not be nil")
	}
	if err := ev.check("event"); err != nil {
		return nil, err
	}
	var ws interactionList
	if err := s.c.send(ctx, http.MethodPost, []string{"prospect", id, "interactions"}, ev, &ws); err != nil {
		return nil, err
	}
	return interactionsOf(ws), nil
}

// AdditionalField is an additional field of a prospect
// ("ProspectAdditionalField"): its key (as in Prospect.AdditionalData) and
// its name. Raw keeps the field as sent, for anything else it carries.
type AdditionalField struct {
	Key  string
	Name string
	Raw  json.RawMessage
}

// UnmarshalJSON decodes a field and keeps the raw object.
func (f *AdditionalField) UnmarshalJSON(b []byte) error {
	var w struct {
		Key  jsonx.String `json:"key"`
		Name jsonx.String `json:"name"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = AdditionalField{Key: string(w.Key), Name: string(w.Name), Raw: append(json.RawMessage(nil), b...)}
	return nil
}

// Fields lists a prospect's additional fields: Zenvia's "Get
// prospect additional fields" (GET /prospect/{id}/prospectAdditionalFields).
func (s *ProspectsService) Fields(ctx context.Context, id string) ([]AdditionalField, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var out []AdditionalField
	if err := s.c.get(ctx, []string{"prospect", id, "prospectAdditionalFields"}, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []AdditionalField{}
	}
	return out, nil
}

// Order is an order a prospect placed from a catalogue ("OrderByProspect").
type Order struct {
	OrderID   string
	CreatedAt string // as Zenvia sends it (the spec types it as text)
	Items     []OrderProduct
}

// OrderProduct is a product of an order ("ProductOrder"), with the
// catalogue's fields as the catalogue writes them (Price and SalePrice are
// text, such as "79.90 BRL"). ProductCatalog is the catalogue, as sent.
type OrderProduct struct {
	ID             string
	RetailerID     string
	Name           string
	Description    string
	Brand          string
	Category       string
	Color          string
	Size           string
	Gender         string
	AgeGroup       string
	Price          string
	SalePrice      string
	Inventory      float64
	Availability   string
	URL            string
	ImageURL       string
	ProductCatalog json.RawMessage
}

// UnmarshalJSON reads a product of an order, each scalar tolerantly (a
// price sent as a number, an inventory as a string).
func (p *OrderProduct) UnmarshalJSON(b []byte) error {
	var w struct {
		ID             jsonx.String    `json:"id"`
		RetailerID     jsonx.String    `json:"retailer_id"`
		Name           jsonx.String    `json:"name"`
		Description    jsonx.String    `json:"description"`
		Brand          jsonx.String    `json:"brand"`
		Category       jsonx.String    `json:"category"`
		Color          jsonx.String    `json:"color"`
		Size           jsonx.String    `json:"size"`
		Gender         jsonx.String    `json:"gender"`
		AgeGroup       jsonx.String    `json:"age_group"`
		Price          jsonx.String    `json:"price"`
		SalePrice      jsonx.String    `json:"sale_price"`
		Inventory      jsonx.Float     `json:"inventory"`
		Availability   jsonx.String    `json:"availability"`
		URL            jsonx.String    `json:"url"`
		ImageURL       jsonx.String    `json:"image_url"`
		ProductCatalog json.RawMessage `json:"product_catalog"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = OrderProduct{ID: string(w.ID), RetailerID: string(w.RetailerID), Name: string(w.Name),
		Description: string(w.Description), Brand: string(w.Brand), Category: string(w.Category), Color: string(w.Color),
		Size: string(w.Size), Gender: string(w.Gender), AgeGroup: string(w.AgeGroup), Price: string(w.Price),
		SalePrice: string(w.SalePrice), Inventory: float64(w.Inventory), Availability: string(w.Availability),
		URL: string(w.URL), ImageURL: string(w.ImageURL), ProductCatalog: nullToNil(w.ProductCatalog)}
	return nil
}

// Orders lists a prospect's orders: Zenvia's "Get orders by prospect"
// (GET /prospect/{id}/orders), at most limit of them (0: Zenvia's default;
// at most MaxPageSize).
func (s *ProspectsService) Orders(ctx context.Context, id string, limit int) ([]Order, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if limit < 0 || limit > MaxPageSize {
		return nil, leadkit.Invalid("limit", "must be between 1 and %d, got %d", MaxPageSize, limit)
	}
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var ws []struct {
		OrderID   jsonx.String   `json:"orderId"`
		CreatedAt jsonx.String   `json:"createdAt"`
		Items     []OrderProduct `json:"items"`
	}
	if err := s.c.get(ctx, []string{"prospect", id, "orders"}, q, &ws); err != nil {
		return nil, err
	}
	out := make([]Order, len(ws))
	for i, w := range ws {
		out[i] = Order{OrderID: string(w.OrderID), CreatedAt: string(w.CreatedAt), Items: w.Items}
		if out[i].Items == nil {
			out[i].Items = []OrderProduct{}
		}
	}
	return out, nil
}

// CSAT is a customer satisfaction rating ("CSAT"): Result from 1 to 5
// (higher is better), with an optional comment on the service.
type CSAT struct {
	Result  float64 `json:"result"`
	Comment string  `json:"comment,omitempty"`
}

// CreateCSAT records a prospect's satisfaction rating: Zenvia's "Create
// CSAT" (POST /prospect/{id}/csat). Its answer's shape is not published:
// it is returned as sent (nil for an empty one). Like every create, it is
// never resent once it may have reached Zenvia.
func (s *ProspectsService) CreateCSAT(ctx context.Context, id string, r *CSAT) (json.RawMessage, error) {
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, leadkit.Invalid("csat", "must not be nil")
	}
	if !(r.Result >= 1 && r.Result <= 5) {
		return nil, leadkit.Invalid("result", "must be a score from 1 to 5, got %v", r.Result)
	}
	return s.c.create(ctx, []string{"prospect", id, "csat"}, r)
}
