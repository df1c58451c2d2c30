package zenvia_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestCreateInteractionEvents: a prospect's interactions take calls,
// messages and questions as well as notes, each read back; bad events name
// their field.
func TestCreateInteractionEvents(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 8})
	ctx := context.Background()
	id := s.ProspectIDs()[7]
	call := zenvia.Call(time.Date(2026, 2, 3, 14, 0, 0, 0, time.UTC), 95500*time.Millisecond, "https://rec.example.com/9.mp3")
	call.ProviderID = "tel-77"
	msg := zenvia.Message("Tem o modelo azul?")
	msg.Sender, msg.Delivered = "+5511987650003", zenvia.Bool(true)
	msg.ChannelInteraction = &zenvia.ChannelInteraction{Type: "story", Action: "reply", ChannelName: "loja"}
	question := zenvia.Question("Aceita troca?")
	question.ThreadTitle, question.Answer = "Anúncio 1234", "Sim, com avaliação"
	for _, tc := range []struct {
		ev     zenvia.HistoryEvent
		via    string
		output string
	}{
		{call, "phoneCall", `{"providerId":"tel-77","startedAt":"2026-02-03T14:00:00Z","duration":95500,"recordingUrl":"https://rec.example.com/9.mp3"}`},
		{msg, "other", `{"content":"Tem o modelo azul?","delivered":true,"sender":"+5511987650003","channelInteraction":{"channelName":"loja","type":"story","action":"reply"}}`},
		{question, "other", `{"threadTitle":"Anúncio 1234","question":"Aceita troca?","answer":"Sim, com avaliação"}`},
		{zenvia.Note("retornar amanhã"), "other", `{"comment":"retornar amanhã"}`},
	} {
		ins, err := c.Prospects.CreateInteraction(ctx, id, &tc.ev)
		require.NoError(t, err, tc.ev.Type)
		require.Len(t, ins, 1)
		assert.Equal(t, tc.via, ins[0].Via, tc.ev.Type)
		assert.JSONEq(t, tc.output, string(ins[0].Output), tc.ev.Type)
		got, err := c.Interactions.Get(ctx, id, ins[0].ID)
		require.NoError(t, err)
		assert.JSONEq(t, tc.output, string(got.Output), "read back")
	}
	list := zenvia.HistoryEvent{Type: zenvia.HistoryMessage, List: &zenvia.ListMessage{Body: "Escolha", Button: "Ver",
		Sections: []zenvia.ListSection{{Title: "Cores", Rows: []zenvia.ListRow{{ID: "az", Title: "Azul"}}}}}}
	_, err := c.Prospects.CreateInteraction(ctx, id, &list)
	require.NoError(t, err, "a message event with a list")

	for field, ev := range map[string]zenvia.HistoryEvent{
		"event.type":                    {Type: "visit"},
		"event.content":                 {Type: zenvia.HistoryMessage},
		"event.question":                {Type: zenvia.HistoryQuestion},
		"event.duration":                {Type: zenvia.HistoryCall, Duration: -time.Second},
		"event.list.sections":           {Type: zenvia.HistoryMessage, List: &zenvia.ListMessage{Body: "b", Button: "v"}},
		"event.order.button.action":     {Type: zenvia.HistoryMessage, Order: &zenvia.OrderMessage{Button: &zenvia.ListButton{Title: "t"}}},
		"event.channelInteraction.type": {Type: zenvia.HistoryMessage, Content: "c", ChannelInteraction: &zenvia.ChannelInteraction{Type: "reel"}},
	} {
		_, err := c.Prospects.CreateInteraction(ctx, id, &ev)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, field)
		assert.Equal(t, field, ie.Field)
	}
	_, err = c.Prospects.CreateInteraction(ctx, "ffffffffffffffffffffffff", &call)
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
}

// TestSandboxInteractionRules: the sandbox checks a new interaction as the
// spec states, for any client.
func TestSandboxInteractionRules(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 8, Prospects: 1})
	defer s.Close()
	id := s.ProspectIDs()[0]
	key := s.Credentials()["ZENVIA_API_KEY"]
	for _, body := range []string{`{"type":"visit"}`, `{"type":"call","duration":"90s"}`, `{"type":"message"}`,
		`{"type":"message","buttons":{"body":"b","buttons":[{"id":"1"}]}}`, `{"type":"call","startedAt":"ontem"}`,
		`{"type":"message","content":"c","channelInteraction":{"action":"like"}}`} {
		resp, err := http.Post(s.URL+"/prospect/"+id+"/interactions?api-key="+key, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	}
}

// TestLeadQuestionIsSentAsQuestion: a question's text goes in "question",
// as the spec's NewQuestionEvent has it (it went in "content" before).
func TestLeadQuestionIsSentAsQuestion(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(zenvia.Question("tem 2 quartos?"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"question","question":"tem 2 quartos?"}`, string(b))
	b, err = json.Marshal(zenvia.HistoryEvent{Type: zenvia.HistoryQuestion, Content: "via content"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"question","question":"via content"}`, string(b), "Content stands in for Question")
}

// TestProspectAdditionalFieldsOrdersCSAT: the additional fields of a
// prospect, its catalogue orders, and a satisfaction rating.
func TestProspectAdditionalFieldsOrdersCSAT(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 8})
	ctx := context.Background()
	ids := s.ProspectIDs()
	_, err := c.Prospects.UpdateAdditionalData(ctx, ids[1], map[string]any{"renda": 5000, "placa": "ABC1D23"})
	require.NoError(t, err)
	fields, err := c.Prospects.Fields(ctx, ids[1])
	require.NoError(t, err)
	require.NotEmpty(t, fields)
	assert.Equal(t, "renda", fields[0].Key)
	assert.Equal(t, "Renda mensal", fields[0].Name)
	assert.JSONEq(t, `{"key":"renda","name":"Renda mensal"}`, string(fields[0].Raw))
	assert.Equal(t, "placa", fields[len(fields)-1].Key, "a key of the prospect's data the account does not define")

	orders, err := c.Prospects.Orders(ctx, ids[0], 0)
	require.NoError(t, err)
	require.Len(t, orders, 1, "the sandbox seeds an order for every fifth prospect")
	o := orders[0]
	assert.NotEmpty(t, o.OrderID)
	assert.NotEmpty(t, o.CreatedAt)
	require.NotEmpty(t, o.Items)
	assert.Contains(t, o.Items[0].Price, " BRL", "the catalogue's price text")
	assert.NotEmpty(t, o.Items[0].RetailerID)
	assert.NotEmpty(t, o.Items[0].ImageURL)
	none, err := c.Prospects.Orders(ctx, ids[1], 10)
	require.NoError(t, err)
	assert.Empty(t, none)
	_, err = c.Prospects.Orders(ctx, ids[1], -1)
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)

	raw, err := c.Prospects.CreateCSAT(ctx, ids[2], &zenvia.CSAT{Result: 5, Comment: "atendimento ótimo"})
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"result":5`)
	r := s.Ratings()
	require.Len(t, r, 1)
	assert.Equal(t, ids[2], r[0].ProspectID)
	assert.Equal(t, "atendimento ótimo", r[0].Comment)
	for _, bad := range []float64{0, 5.5, -1} {
		_, err = c.Prospects.CreateCSAT(ctx, ids[2], &zenvia.CSAT{Result: bad})
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "result", ie.Field)
	}
	resp, err := http.Post(s.URL+"/prospect/"+ids[2]+"/csat?api-key="+s.Credentials()["ZENVIA_API_KEY"], "application/json", strings.NewReader(`{"result":6}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "the sandbox refuses a score out of 1..5")
	assert.Len(t, s.Ratings(), 1)
	_, err = c.Prospects.Fields(ctx, "ffffffffffffffffffffffff")
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
}

// TestNilInputsAreInputErrors: a nil input of a new operation is an input
// error, never a panic, and nothing is sent.
func TestNilInputsAreInputErrors(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 8, Prospects: 3})
	ctx := context.Background()
	id := s.ProspectIDs()[0]
	for name, call := range map[string]func() error{
		"Quotes.Create":               func() error { _, err := c.Quotes.Create(ctx, id, nil); return err },
		"Quotes.Update":               func() error { _, err := c.Quotes.Update(ctx, id, id, nil); return err },
		"Prospects.CreateCSAT":        func() error { _, err := c.Prospects.CreateCSAT(ctx, id, nil); return err },
		"Prospects.CreateInteraction": func() error { _, err := c.Prospects.CreateInteraction(ctx, id, nil); return err },
		"Apps.CreateEvent":            func() error { _, err := c.Apps.CreateEvent(ctx, nil); return err },
		"Apps.CreateNotification":     func() error { _, err := c.Apps.CreateNotification(ctx, nil); return err },
		"Messaging.Send":              func() error { _, err := c.Messaging.Send(ctx, id, zenvia.ChannelWhatsApp, nil); return err },
		"Messaging.Send file": func() error {
			_, err := c.Messaging.Send(ctx, id, zenvia.ChannelWhatsApp, (*zenvia.File)(nil))
			return err
		},
		"Messaging.Send template": func() error {
			_, err := c.Messaging.Send(ctx, id, zenvia.ChannelWhatsApp, (*zenvia.TemplateMessage)(nil))
			return err
		},
	} {
		assert.ErrorIs(t, call(), leadkit.ErrInvalidInput, name)
	}
	assert.Equal(t, 0, s.Count("", ""), "nothing was sent")
}
