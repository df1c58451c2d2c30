package zenvia

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
)

// HistoryEventType is the kind of a lead history event or of a new
// interaction.
type HistoryEventType string

// The event types of a lead's history and of "Create prospect interaction"
// ("NewEvent").
const (
	HistoryNote     HistoryEventType = "note"
	HistoryCall     HistoryEventType = "call"
	HistoryMessage  HistoryEventType = "message"
	HistoryQuestion HistoryEventType = "question"
)

// String returns the type as Zenvia spells it.
func (t HistoryEventType) String() string { return string(t) }

// HistoryEvent is one event of a lead's "history" (Lead.History) or a new
// interaction of a prospect (Prospects.CreateInteraction): Zenvia's
// "NewEvent", one of
//
//   - a note ("NewNoteEvent"): Content;
//   - a call ("NewCallEvent"): ProviderID, UTMSource, StartedAt, Duration
//     (sent in milliseconds), RecordingURL;
//   - a message ("NewMessageEvent"): Content or an interactive content
//     (List, Buttons, ProductList, Order) or an Attachment, with RepliesTo,
//     ProviderID, Delivered, Sender, Recipient, ChannelInteraction;
//   - a question ("NewQuestionEvent"): Question (or Content), Answer,
//     ProviderID, ThreadTitle, ThreadURL, Delivered, CancelReason.
//
// Only the fields of the event's type are sent. (It is named HistoryEvent
// because Event is the webhook event.) Build the usual ones with Note,
// Message, Question and Call.
type HistoryEvent struct {
	Type         HistoryEventType
	Content      string        // the text of a note or a message
	ProviderID   string        // call, message, question: the provider's id of it
	UTMSource    string        // call: where the call came from
	StartedAt    time.Time     // call start
	Duration     time.Duration // call length, sent in milliseconds
	RecordingURL string        // call recording (MP3, WAV or AAC)

	RepliesTo          string              // message: the id of the message it answers
	Delivered          *bool               // message, question: mark it delivered
	Sender             string              // message: sender reference
	Recipient          string              // message: recipient reference
	Attachment         map[string]any      // message: an attachment, as Zenvia takes it
	ChannelInteraction *ChannelInteraction // message: the story or comment it answers
	List               *ListMessage        // message
	Buttons            *ButtonsMessage     // message
	ProductList        *ProductListMessage // message
	Order              *OrderMessage       // message

	Question     string // question: its text (Content is taken when empty)
	Answer       string // question: the answer (ignored by Zenvia while the question is open)
	ThreadTitle  string // question: the provider's thread
	ThreadURL    string // question
	CancelReason string // question: why no answer can be delivered
}

// Message returns a message history event with text content.
func Message(content string) HistoryEvent {
	return HistoryEvent{Type: HistoryMessage, Content: content}
}

// Question returns a question history event: Zenvia's "question".
func Question(text string) HistoryEvent {
	return HistoryEvent{Type: HistoryQuestion, Question: text}
}

// Note returns a note history event.
func Note(content string) HistoryEvent { return HistoryEvent{Type: HistoryNote, Content: content} }

// Call returns a call history event.
func Call(startedAt time.Time, d time.Duration, recordingURL string) HistoryEvent {
	return HistoryEvent{Type: HistoryCall, StartedAt: startedAt, Duration: d, RecordingURL: recordingURL}
}

// questionText is the question's text: Question, or Content when empty.
func (e *HistoryEvent) questionText() string {
	if e.Question != "" {
		return e.Question
	}
	return e.Content
}

// check validates the event named field before anything is sent.
func (e *HistoryEvent) check(field string) error {
	switch e.Type {
	case HistoryNote:
		if strings.TrimSpace(e.Content) == "" {
			return leadkit.Invalid(field+".content", "a note needs content")
		}
	case HistoryCall:
		if e.Duration < 0 {
			return leadkit.Invalid(field+".duration", "must not be negative")
		}
	case HistoryMessage:
		return e.checkMessage(field)
	case HistoryQuestion:
		if strings.TrimSpace(e.questionText()) == "" {
			return leadkit.Invalid(field+".question", "a question needs its text")
		}
	default:
		return leadkit.Invalid(field+".type", "%q is not note, call, message or question", string(e.Type))
	}
	return nil
}

// checkMessage validates a message event: it needs content, an interactive
// content or an attachment, and each part its required fields.
func (e *HistoryEvent) checkMessage(field string) error {
	if strings.TrimSpace(e.Content) == "" && e.List == nil && e.Buttons == nil && e.ProductList == nil &&
		e.Order == nil && len(e.Attachment) == 0 {
		return leadkit.Invalid(field+".content", "a message needs content, a list, buttons, a product list, an order or an attachment")
	}
	checks := []struct {
		set   bool
		check func() error
	}{
		{e.List != nil, func() error { return e.List.check(field + ".list") }},
		{e.Buttons != nil, func() error { return e.Buttons.check(field + ".buttons") }},
		{e.ProductList != nil, func() error { return e.ProductList.check(field + ".productList") }},
		{e.Order != nil, func() error { return e.Order.check(field + ".order") }},
		{e.ChannelInteraction != nil, func() error { return e.ChannelInteraction.check(field + ".channelInteraction") }},
	}
	for _, c := range checks {
		if c.set {
			if err := c.check(); err != nil {
				return err
			}
		}
	}
	return nil
}

// callWire is a call as Zenvia reads it.
type callWire struct {
	Type         HistoryEventType `json:"type"`
	ProviderID   string           `json:"providerId,omitempty"`
	UTMSource    string           `json:"utmSource,omitempty"`
	StartedAt    string           `json:"startedAt,omitempty"`
	Duration     float64          `json:"duration"` // milliseconds
	RecordingURL string           `json:"recordingUrl,omitempty"`
}

// messageWire is a message as Zenvia reads it.
type messageWire struct {
	Type               HistoryEventType    `json:"type"`
	Content            string              `json:"content,omitempty"`
	RepliesTo          string              `json:"repliesTo,omitempty"`
	ProviderID         string              `json:"providerId,omitempty"`
	Delivered          *bool               `json:"delivered,omitempty"`
	Sender             string              `json:"sender,omitempty"`
	Recipient          string              `json:"recipient,omitempty"`
	Attachment         map[string]any      `json:"attachment,omitempty"`
	ChannelInteraction *ChannelInteraction `json:"channelInteraction,omitempty"`
	List               *ListMessage        `json:"list,omitempty"`
	Buttons            *ButtonsMessage     `json:"buttons,omitempty"`
	ProductList        *ProductListMessage `json:"productList,omitempty"`
	Order              *OrderMessage       `json:"order,omitempty"`
}

// questionWire is a question as Zenvia reads it.
type questionWire struct {
	Type         HistoryEventType `json:"type"`
	ProviderID   string           `json:"providerId,omitempty"`
	ThreadTitle  string           `json:"threadTitle,omitempty"`
	ThreadURL    string           `json:"threadUrl,omitempty"`
	Question     string           `json:"question"`
	Answer       string           `json:"answer,omitempty"`
	Delivered    *bool            `json:"delivered,omitempty"`
	CancelReason string           `json:"cancelReason,omitempty"`
}

// MarshalJSON writes only the fields of the event's type.
func (e HistoryEvent) MarshalJSON() ([]byte, error) {
	switch e.Type {
	case HistoryCall:
		w := callWire{Type: e.Type, ProviderID: e.ProviderID, UTMSource: e.UTMSource,
			Duration: float64(e.Duration) / float64(time.Millisecond), RecordingURL: e.RecordingURL}
		if !e.StartedAt.IsZero() {
			w.StartedAt = e.StartedAt.UTC().Format(time.RFC3339)
		}
		return json.Marshal(w)
	case HistoryMessage:
		return json.Marshal(messageWire{Type: e.Type, Content: e.Content, RepliesTo: e.RepliesTo, ProviderID: e.ProviderID,
			Delivered: e.Delivered, Sender: e.Sender, Recipient: e.Recipient, Attachment: e.Attachment,
			ChannelInteraction: e.ChannelInteraction, List: e.List, Buttons: e.Buttons, ProductList: e.ProductList, Order: e.Order})
	case HistoryQuestion:
		return json.Marshal(questionWire{Type: e.Type, ProviderID: e.ProviderID, ThreadTitle: e.ThreadTitle, ThreadURL: e.ThreadURL,
			Question: e.questionText(), Answer: e.Answer, Delivered: e.Delivered, CancelReason: e.CancelReason})
	default:
		return json.Marshal(struct {
			Type    HistoryEventType `json:"type"`
			Content string           `json:"content"`
		}{e.Type, e.Content})
	}
}
