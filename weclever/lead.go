package weclever

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// Lead is everything WeClever knows about one lead ("Busca por informações
// do lead").
type Lead struct {
	Email    string   `json:"email"`
	Name     string   `json:"name"`
	Phone    string   `json:"phone"`
	State    string   `json:"state"`
	Regional string   `json:"regional"`
	Status   string   `json:"status"`
	Chats    Chats    `json:"chats"`
	Feelings Feelings `json:"feelings"`
	CSAT     CSAT     `json:"csat"`
}

// Chats holds the conversation of a lead.
type Chats struct {
	Metrics  Metrics   `json:"metrics"`
	Messages []Message `json:"messages"` // never nil after Lead
}

// Metrics summarises a conversation.
type Metrics struct {
	// DateDifference is the conversation's duration as WeClever writes it.
	DateDifference string `json:"date_difference"`
	TotalMessages  int    `json:"total_messages"`
}

// Message is one chat message.
type Message struct {
	ID          int64  `json:"id_chat"`
	Body        string `json:"body"`
	MediaURL    string `json:"media_url"`
	ContentType string `json:"content_type"`
	SID         string `json:"sid"`
	Type        string `json:"message_type"`
	Direction   string `json:"direction"`
	Status      string `json:"status"`
	// Created is date_created read as a time (dates without an offset are
	// read in the client's location, see WithTimeZone). It is zero when
	// the date is empty or in a form the client cannot read; CreatedRaw
	// always keeps the text as WeClever sent it.
	Created    time.Time `json:"date_created"`
	CreatedRaw string    `json:"-"`
}

// Feelings counts the lead's messages per sentiment.
type Feelings struct {
	TotalMessages int `json:"total_messages"`
	Positive      int `json:"positive_feeling"`
	Neutral       int `json:"neutral_feeling"`
	Negative      int `json:"negative_feeling"`
}

// CSAT is the customer-satisfaction answer of the lead.
type CSAT struct {
	Message string `json:"message"`
	Rating  string `json:"rating"`
}

// The wire types exist twice over: with plain Go types, which encoding/json
// decodes at its own speed, and with leadkit's tolerant scalars, used only
// when the plain decode meets a number sent as a string or the like. Almost
// every body takes the first path, in one decoding pass.
type wireLeadBody[S ~string, I ~int64] struct {
	Lead *wireLead[S, I] `json:"lead"`
}

type wireLead[S ~string, I ~int64] struct {
	Email    S `json:"email"`
	Name     S `json:"name"`
	Phone    S `json:"phone"`
	State    S `json:"state"`
	Regional S `json:"regional"`
	Status   S `json:"status"`
	Chats    struct {
		Metrics struct {
			DateDifference S `json:"date_difference"`
			TotalMessages  I `json:"total_messages"`
		} `json:"metrics"`
		Messages []wireMessage[S, I] `json:"messages"`
	} `json:"chats"`
	Feelings struct {
		TotalMessages I `json:"total_messages"`
		Positive      I `json:"positive_feeling"`
		Neutral       I `json:"neutral_feeling"`
		Negative      I `json:"negative_feeling"`
	} `json:"feelings"`
	CSAT struct {
		Message S `json:"message"`
		Rating  S `json:"rating"`
	} `json:"csat"`
}

type wireMessage[S ~string, I ~int64] struct {
	ID          I `json:"id_chat"`
	Body        S `json:"body"`
	MediaURL    S `json:"media_url"`
	ContentType S `json:"content_type"`
	Created     S `json:"date_created"`
	SID         S `json:"sid"`
	Type        S `json:"message_type"`
	Direction   S `json:"direction"`
	Status      S `json:"status"`
}

// Get calls "Busca por informações do lead" (GET
// /lead/find/weclever_id/{id}) for the lead with WeClever id id (a
// FinalizedLead's ID). A lead WeClever does not know matches ErrNotFound.
func (s *LeadsService) Get(ctx context.Context, id int64) (*Lead, error) {
	c := s.c
	if id <= 0 {
		return nil, leadkit.Invalid("id", "must be a positive integer, got %d", id)
	}
	resp, err := c.hc.Do(ctx, &transport.Request{
		Method: http.MethodGet,
		Path:   []string{"lead", "find", "weclever_id", strconv.FormatInt(id, 10)},
	})
	if err != nil {
		return nil, err
	}
	if kind, _ := transport.CheckJSON(resp.Body); kind != nil {
		return nil, resp.DecodeJSON(nil)
	}
	lead, err := DecodeLead(resp.Body, c.loc)
	if err != nil {
		var te *decodeError
		if errors.As(err, &te) {
			return nil, resp.ResponseError(te.kind, c.redact(te.err))
		}
		return nil, err
	}
	if lead == nil {
		if e := c.bodyError(resp); e != nil {
			return nil, e
		}
		base := resp.ResponseError(leadkit.ErrDecode, errors.New(`no "lead" in the answer`))
		return nil, &Error{StatusCode: resp.StatusCode, Message: "no lead in the answer", Body: base.Body, Response: base, notFound: true}
	}
	return lead, nil
}

// decodeError carries the leadkit error kind of a failed decode.
type decodeError struct {
	kind error
	err  error
}

func (e *decodeError) Error() string { return "weclever: " + e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }
func (e *decodeError) Is(target error) bool {
	return target != nil && target == e.kind
}

// DecodeLead decodes the body of "Busca por informações do lead". Dates
// without an offset are read in loc (UTC when nil). It returns nil, nil when
// the body has no "lead" (an error body). Numbers sent as strings and the
// like are accepted; a body that does not fit matches leadkit.ErrDecode,
// leadkit.ErrNotJSON or leadkit.ErrTruncatedBody.
func DecodeLead(body []byte, loc *time.Location) (*Lead, error) {
	if loc == nil {
		loc = time.UTC
	}
	if w, found, ok := decodeLeadFast(body); ok {
		if !found {
			return nil, nil
		}
		return convertLead(w, loc)
	}
	return decodeLeadJSON(body, loc)
}

// decodeLeadJSON is DecodeLead through encoding/json: plain types first,
// the tolerant scalars when a value has another type.
func decodeLeadJSON(body []byte, loc *time.Location) (*Lead, error) {
	var fast wireLeadBody[string, int64]
	err := json.Unmarshal(body, &fast)
	if err == nil {
		if fast.Lead == nil {
			return nil, nil
		}
		return convertLead(fast.Lead, loc)
	}
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return nil, classify(body, err)
	}
	var slow wireLeadBody[jsonx.String, jsonx.Int]
	if err := json.Unmarshal(body, &slow); err != nil {
		return nil, classify(body, err)
	}
	if slow.Lead == nil {
		return nil, nil
	}
	return convertLead(slow.Lead, loc)
}

func classify(body []byte, err error) error {
	if kind, _ := transport.CheckJSON(body); kind != nil {
		return &decodeError{kind: kind, err: errors.New("not a JSON body")}
	}
	return &decodeError{kind: transport.ClassifyJSONError(body, err), err: err}
}

func convertLead[S ~string, I ~int64](w *wireLead[S, I], loc *time.Location) (*Lead, error) {
	l := &Lead{
		Email:    string(w.Email),
		Name:     string(w.Name),
		Phone:    string(w.Phone),
		State:    string(w.State),
		Regional: string(w.Regional),
		Status:   string(w.Status),
		Chats: Chats{
			Metrics: Metrics{
				DateDifference: string(w.Chats.Metrics.DateDifference),
				TotalMessages:  int(w.Chats.Metrics.TotalMessages),
			},
			Messages: make([]Message, len(w.Chats.Messages)),
		},
		Feelings: Feelings{
			TotalMessages: int(w.Feelings.TotalMessages),
			Positive:      int(w.Feelings.Positive),
			Neutral:       int(w.Feelings.Neutral),
			Negative:      int(w.Feelings.Negative),
		},
		CSAT: CSAT{Message: string(w.CSAT.Message), Rating: string(w.CSAT.Rating)},
	}
	for i := range w.Chats.Messages {
		m := &w.Chats.Messages[i]
		created, _ := parseCreated(string(m.Created), loc) // kept raw on failure
		l.Chats.Messages[i] = Message{
			ID:          int64(m.ID),
			Body:        string(m.Body),
			MediaURL:    string(m.MediaURL),
			ContentType: string(m.ContentType),
			SID:         string(m.SID),
			Type:        string(m.Type),
			Direction:   string(m.Direction),
			Status:      string(m.Status),
			Created:     created,
			CreatedRaw:  string(m.Created),
		}
	}
	return l, nil
}

// parseCreated reads a message date: the common forms directly (including
// Brazil's DD/MM/YYYY HH:MM:SS), any other through jsonx.ParseTime.
func parseCreated(s string, loc *time.Location) (time.Time, error) {
	if len(s) == 19 && s[4] == '-' && s[10] == ' ' {
		if t, err := time.ParseInLocation(time.DateTime, s, loc); err == nil {
			return t, nil
		}
	}
	if len(s) >= 10 && s[2] == '/' && s[5] == '/' {
		for _, layout := range []string{"02/01/2006 15:04:05", "02/01/2006 15:04", "02/01/2006"} {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, nil
			}
		}
	}
	if len(s) >= 20 && s[10] == 'T' {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
	}
	return jsonx.ParseTime(s, loc)
}

func (c *Client) redact(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(c.hc.Redactor().Redact(err.Error()))
}
