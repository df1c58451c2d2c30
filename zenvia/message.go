package zenvia

import (
	"strings"

	"github.com/leadkit/leadkit"
)

// The interactive contents of a message ("ListMessage", "ButtonsMessage",
// "ProductListMessage", "OrderListMessage", "ChannelInteraction"), sent by
// Messaging.Send in a Message and recorded by Prospects.CreateInteraction
// in a message event. Their required fields are checked before anything is
// sent, each error naming the field as Zenvia spells it.

// ListMessage is a message with a button that opens a list of sections
// ("ListMessage"). Body, Button and Sections are required.
type ListMessage struct {
	Header   string        `json:"header,omitempty"`
	Body     string        `json:"body"`
	Footer   string        `json:"footer,omitempty"`
	Button   string        `json:"button"` // the title of the button that opens the list
	Sections []ListSection `json:"sections"`
}

// ListSection is a titled section of a ListMessage; Title and Rows are
// required.
type ListSection struct {
	Title string    `json:"title"`
	Rows  []ListRow `json:"rows"`
}

// ListRow is one choice of a ListSection; ID and Title are required.
type ListRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// ButtonsMessage is a message with reply buttons ("ButtonsMessage"). Body
// and Buttons are required.
type ButtonsMessage struct {
	Header  string   `json:"header,omitempty"`
	Body    string   `json:"body"`
	Footer  string   `json:"footer,omitempty"`
	Buttons []Button `json:"buttons"`
}

// Button is a reply button of a ButtonsMessage; ID and Title are required.
type Button struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ProductListMessage offers products of a catalogue ("ProductListMessage").
// Body, Button, CatalogID and Sections are required.
type ProductListMessage struct {
	Header    string           `json:"header,omitempty"`
	Body      string           `json:"body"`
	Footer    string           `json:"footer,omitempty"`
	Button    ListButton       `json:"button"`
	CatalogID string           `json:"catalogId"`
	Sections  []ProductSection `json:"sections"`
}

// ListButton is the button of a ProductListMessage or an OrderMessage
// ("ListMessageButton"): Title and Action are required; AppID names the
// app (integration) configured with that action.
type ListButton struct {
	Title  string `json:"title"`
	AppID  string `json:"appId,omitempty"`
	Action string `json:"action"`
}

// ProductSection is a titled section of a ProductListMessage; Title and
// ProductItems are required.
type ProductSection struct {
	Title        string        `json:"title"`
	ProductItems []ProductItem `json:"productItems"`
}

// ProductItem names one product of the catalogue; ProductID is required.
type ProductItem struct {
	ProductID string `json:"productId"`
}

// OrderMessage is an order a prospect placed from a catalogue
// ("OrderListMessage"); every field is optional.
type OrderMessage struct {
	CatalogID    string      `json:"catalogId,omitempty"`
	Body         string      `json:"body,omitempty"`
	Button       *ListButton `json:"button,omitempty"`
	ProductItems []OrderItem `json:"productItems,omitempty"`
}

// OrderItem is one line of an OrderMessage ("ProductItemOrderListMessage").
type OrderItem struct {
	ProductID string  `json:"productId,omitempty"`
	Quantity  float64 `json:"quantity,omitempty"`
	ItemPrice *Amount `json:"itemPrice,omitempty"`
	Currency  string  `json:"currency,omitempty"`
}

// ChannelInteraction says what a social message answers
// ("ChannelInteraction"): a story or a comment (Type), mentioned, replied
// to or reacted to (Action).
type ChannelInteraction struct {
	ChannelName     string `json:"channelName,omitempty"` // the receiver of the interaction
	ContactUsername string `json:"contactUsername,omitempty"`
	Type            string `json:"type,omitempty"`   // "story" or "comment"
	Action          string `json:"action,omitempty"` // "mention", "reply" or "reaction"
	Link            string `json:"link,omitempty"`   // URL of the referred interaction
	Provider        string `json:"provider,omitempty"`
}

// need returns an input error for field when v is blank.
func need(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return leadkit.Invalid(field, "is required")
	}
	return nil
}

// each checks that items (named field) has at least one element, and each
// element with check (given its name, field[i]).
func each[T any](field, what string, items []T, check func(string, *T) error) error {
	if len(items) == 0 {
		return leadkit.Invalid(field, "needs at least one %s", what)
	}
	for i := range items {
		if err := check(indexed(field, i), &items[i]); err != nil {
			return err
		}
	}
	return nil
}

// needAll returns the error of the first blank of the name/value pairs.
func needAll(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := need(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// check validates the list message named field.
func (m *ListMessage) check(field string) error {
	if err := needAll(field+".body", m.Body, field+".button", m.Button); err != nil {
		return err
	}
	return each(field+".sections", "section", m.Sections, func(f string, s *ListSection) error {
		if err := need(f+".title", s.Title); err != nil {
			return err
		}
		return each(f+".rows", "row", s.Rows, func(f string, r *ListRow) error {
			return needAll(f+".id", r.ID, f+".title", r.Title)
		})
	})
}

// check validates the buttons message named field.
func (m *ButtonsMessage) check(field string) error {
	if err := need(field+".body", m.Body); err != nil {
		return err
	}
	return each(field+".buttons", "button", m.Buttons, func(f string, b *Button) error {
		return needAll(f+".id", b.ID, f+".title", b.Title)
	})
}

// check validates the button named field.
func (b *ListButton) check(field string) error {
	return needAll(field+".title", b.Title, field+".action", b.Action)
}

// check validates the product list message named field.
func (m *ProductListMessage) check(field string) error {
	if err := need(field+".body", m.Body); err != nil {
		return err
	}
	if err := m.Button.check(field + ".button"); err != nil {
		return err
	}
	if err := need(field+".catalogId", m.CatalogID); err != nil {
		return err
	}
	return each(field+".sections", "section", m.Sections, func(f string, s *ProductSection) error {
		if err := need(f+".title", s.Title); err != nil {
			return err
		}
		return each(f+".productItems", "product", s.ProductItems, func(f string, p *ProductItem) error {
			return need(f+".productId", p.ProductID)
		})
	})
}

// check validates the order named field.
func (m *OrderMessage) check(field string) error {
	if m.Button != nil {
		if err := m.Button.check(field + ".button"); err != nil {
			return err
		}
	}
	for i, it := range m.ProductItems {
		if it.Quantity < 0 {
			return leadkit.Invalid(indexed(field+".productItems", i)+".quantity", "must not be negative")
		}
	}
	return nil
}

// check validates the channel interaction named field: its enumerations.
func (c *ChannelInteraction) check(field string) error {
	switch c.Type {
	case "", "story", "comment":
	default:
		return leadkit.Invalid(field+".type", "%q is not story or comment", c.Type)
	}
	switch c.Action {
	case "", "mention", "reply", "reaction":
	default:
		return leadkit.Invalid(field+".action", "%q is not mention, reply or reaction", c.Action)
	}
	return nil
}
