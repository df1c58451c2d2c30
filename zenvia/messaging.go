package zenvia

import (
	"context"
	"net/http"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// CommunicationChannel is a messaging channel ("CommunicationChannel").
// Unknown values are kept as sent.
type CommunicationChannel string

// The documented channels.
const (
	ChannelWhatsApp  CommunicationChannel = "whatsapp"
	ChannelFacebook  CommunicationChannel = "facebook"
	ChannelInstagram CommunicationChannel = "instagram"
)

// String returns the channel as Zenvia spells it.
func (c CommunicationChannel) String() string { return string(c) }

// Channel is a channel the key (or a prospect) can be reached on, with
// the templates it offers ("Channel").
type Channel struct {
	Channel   CommunicationChannel
	ChannelID string
	Templates []ChannelTemplate
}

// ChannelTemplate is a template of a channel ("TransactionalTemplate"):
// send it with Messaging.Send and a *TemplateMessage of its Key.
type ChannelTemplate struct {
	Key      string `json:"key"`
	Name     string `json:"name"`     // display name
	Body     string `json:"body"`     // the channel's body message
	Template string `json:"template"` // the template's text
}

// MessagingService sends messages to prospects and reads the channels
// they go through ("Conversational messaging", "Transactional
// messaging"). Reach it through Client.Messaging.
type MessagingService struct{ c *Client }

// Channels lists the channels of the key's scope with their templates:
// Zenvia's "Get channels" (GET /messaging/channels).
func (s *MessagingService) Channels(ctx context.Context) ([]Channel, error) {
	return s.c.channels(ctx, []string{"messaging", "channels"})
}

// ProspectChannels lists the channels a prospect can be reached on, with
// their templates: Zenvia's "Get channels by prospect id"
// (GET /prospect/{id}/messaging/channels).
func (s *MessagingService) ProspectChannels(ctx context.Context, prospectID string) ([]Channel, error) {
	if err := checkID("id", prospectID); err != nil {
		return nil, err
	}
	return s.c.channels(ctx, []string{"prospect", prospectID, "messaging", "channels"})
}

// Outgoing is what Messaging.Send sends: a *ChatMessage, a
// *TemplateMessage or a *File. Each names its own operation.
type Outgoing interface {
	// request returns the request that sends it on channel (under base,
	// /prospect/{id}/messaging/{channel}), validated.
	request(c *Client, base []string) (*transport.Request, error)
}

// Send sends m to a prospect on channel (a CommunicationChannel or a
// ChannelID of ProspectChannels) and returns the interactions Zenvia
// recorded ("Interactions"):
//
//   - a *ChatMessage: "Send message" (POST
//     /prospect/{id}/messaging/{channel}), a conversational message, which
//     Zenvia delivers only inside the channel's window (WhatsApp: 24 hours
//     since the prospect last wrote);
//   - a *TemplateMessage: "Send template message" (POST
//     /prospect/{id}/messaging/{channel}/notification), an approved
//     template, which may start a conversation;
//   - a *File: "Send file" (POST /prospect/{id}/messaging/{channel}/send-file,
//     multipart/form-data), capped by WithMaxFileBytes.
//
// A send is never resent once it may have reached Zenvia: such a failure
// matches leadkit.ErrOutcomeUnknown (read the prospect's interactions
// before sending it again, or the prospect may get it twice).
func (s *MessagingService) Send(ctx context.Context, prospectID string, channel CommunicationChannel, m Outgoing) ([]Interaction, error) {
	if err := checkID("id", prospectID); err != nil {
		return nil, err
	}
	if err := checkChannel(channel); err != nil {
		return nil, err
	}
	if m == nil || isNilOutgoing(m) {
		return nil, leadkit.Invalid("message", "must not be nil")
	}
	req, err := m.request(s.c, []string{"prospect", prospectID, "messaging", string(channel)})
	if err != nil {
		return nil, err
	}
	req.Method, req.Create = http.MethodPost, true
	resp, err := s.c.t.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	var ws interactionList
	if err := resp.DecodeJSON(&ws); err != nil {
		return nil, err
	}
	return interactionsOf(ws), nil
}

// isNilOutgoing reports whether m is a typed nil pointer.
func isNilOutgoing(m Outgoing) bool {
	switch v := m.(type) {
	case *ChatMessage:
		return v == nil
	case *TemplateMessage:
		return v == nil
	case *File:
		return v == nil
	}
	return false
}

// checkChannel validates the channel of a send's path.
func checkChannel(ch CommunicationChannel) error {
	s := string(ch)
	if strings.TrimSpace(s) == "" {
		return leadkit.Invalid("channel", "is required (whatsapp, facebook, instagram or a channel id)")
	}
	if len(s) > 64 || strings.ContainsAny(s, "/?#% \t\r\n") {
		return leadkit.Invalid("channel", "%.40q is not a channel name or id", s)
	}
	return nil
}

// ChatMessage is a conversational message ("NewMessage"): exactly one of
// Content (text), List, Buttons and ProductList.
type ChatMessage struct {
	Content     string              `json:"content,omitempty"`
	List        *ListMessage        `json:"list,omitempty"`
	Buttons     *ButtonsMessage     `json:"buttons,omitempty"`
	ProductList *ProductListMessage `json:"productList,omitempty"`
}

func (m *ChatMessage) request(_ *Client, base []string) (*transport.Request, error) {
	n := 0
	for _, set := range []bool{strings.TrimSpace(m.Content) != "", m.List != nil, m.Buttons != nil, m.ProductList != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, leadkit.Invalid("content", "a message is exactly one of content, list, buttons and productList (%d set)", n)
	}
	var err error
	switch {
	case m.List != nil:
		err = m.List.check("list")
	case m.Buttons != nil:
		err = m.Buttons.check("buttons")
	case m.ProductList != nil:
		err = m.ProductList.check("productList")
	}
	if err != nil {
		return nil, err
	}
	return &transport.Request{Path: base, JSON: m}, nil
}

// TemplateMessage is an approved template sent by its key
// ("NewTemplateMessage"); Parameters override the template's variables.
// A parameter must not hold four consecutive spaces, a tab or a line break
// (WhatsApp refuses them).
type TemplateMessage struct {
	Key        string            `json:"key"`
	Parameters map[string]string `json:"parameters,omitempty"`
}

func (m *TemplateMessage) request(_ *Client, base []string) (*transport.Request, error) {
	if err := need("key", m.Key); err != nil {
		return nil, err
	}
	for k, v := range m.Parameters {
		if strings.Contains(v, "    ") || strings.ContainsAny(v, "\t\r\n") {
			return nil, leadkit.Invalid("parameters."+k, "must not hold four consecutive spaces, a tab or a line break")
		}
	}
	return &transport.Request{Path: append(base, "notification"), JSON: m}, nil
}

func (c *Client) channels(ctx context.Context, path []string) ([]Channel, error) {
	var ws []struct {
		Channel   jsonx.String      `json:"channel"`
		ChannelID jsonx.String      `json:"channelId"`
		Templates []ChannelTemplate `json:"templates"`
	}
	if err := c.get(ctx, path, nil, &ws); err != nil {
		return nil, err
	}
	out := make([]Channel, len(ws))
	for i, w := range ws {
		out[i] = Channel{Channel: CommunicationChannel(w.Channel), ChannelID: string(w.ChannelID), Templates: w.Templates}
		if out[i].Templates == nil {
			out[i].Templates = []ChannelTemplate{}
		}
	}
	return out, nil
}

// interactionsOf converts the interactions of an answer.
func interactionsOf(ws []interactionWire) []Interaction {
	out := make([]Interaction, len(ws))
	for i := range ws {
		out[i] = ws[i].interaction()
	}
	return out
}
