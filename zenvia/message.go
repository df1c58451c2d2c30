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

// check validates the list message named field.
func (m *ListMessage) check(field string) error {
	for _, f := range []struct{ name, v string }{{".body", m.Body}, {".button", m.Button}} {
		if err := need(field+f.name, f.v); err != nil {
			return err
		}
	}
	if len(m.Sections) == 0 {
		return leadkit.Invalid(field+".sections", "needs at least one section")
	}
	for i, s := range m.Sections {
		sf := indexed(field+".sections", i)
		if err := need(sf+".title", s.Title); err != nil {
			return err
		}
		if len(s.Rows) == 0 {
			return leadkit.Invalid(sf+".rows", "needs at least one row")
		}
		for j, r := range s.Rows {
			if err := need(indexed(sf+".rows", j)+".id", r.ID); err != nil {
				return err
			}
			if err := need(indexed(sf+".rows", j)+".title", r.Title); err != nil {
				return err
			}
		}
	}
	return nil
}

// check validates the buttons message named field.
func (m *ButtonsMessage) check(field string) error {
	if err := need(field+".body", m.Body); err != nil {
		return err
	}
	if len(m.Buttons) == 0 {
		return leadkit.Invalid(field+".buttons", "needs at least one button")
	}
	for i, b := range m.Buttons {
		if err := need(indexed(field+".buttons", i)+".id", b.ID); err != nil {
			return err
		}
		if err := need(indexed(field+".buttons", i)+".title", b.Title); err != nil {
			return err
		}
	}
	return nil
}

// check validates the button named field.
func (b *ListButton) check(field string) error {
	if err := need(field+".title", b.Title); err != nil {
		return err
	}
	return need(field+".action", b.Action)
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
	if len(m.Sections) == 0 {
		return leadkit.Invalid(field+".sections", "needs at least one section")
	}
	for i, s := range m.Sections {
		sf := indexed(field+".sections", i)
		if err := need(sf+".title", s.Title); err != nil {
			return err
		}
		if len(s.ProductItems) == 0 {
			return leadkit.Invalid(sf+".productItems", "needs at least one product")
		}
		for j, p := range s.ProductItems {
			if err := need(indexed(sf+".productItems", j)+".productId", p.ProductID); err != nil {
				return err
			}
		}
	}
	return nil
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
