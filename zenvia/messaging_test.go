package zenvia_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// newLead sends a lead and returns its prospect: a prospect that has just
// written, so its WhatsApp window is open.
func newLead(t *testing.T, c *zenvia.Client, phone string) *zenvia.Prospect {
	t.Helper()
	res, err := c.Leads.Create(context.Background(), zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", FirstName: "Lia", Phones: []string{phone}})
	require.NoError(t, err)
	require.NotNil(t, res.Prospect)
	return res.Prospect
}

// TestMessagingChannelsAndSends: the channels with their templates; a
// message inside the 24-hour window, a template outside it, a file; each
// answered as the interactions Zenvia recorded, which read back.
func TestMessagingChannelsAndSends(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 6})
	ctx := context.Background()
	all, err := c.Messaging.Channels(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, zenvia.ChannelWhatsApp, all[0].Channel)
	assert.Len(t, all[0].ChannelID, 24)
	require.NotEmpty(t, all[0].Templates)
	tpl := all[0].Templates[0]
	assert.NotEmpty(t, tpl.Name)
	assert.NotEmpty(t, tpl.Template)

	p := newLead(t, c, "+5511987650001")
	chans, err := c.Messaging.ProspectChannels(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, chans, 1, "WhatsApp: the prospect has a phone")

	ins, err := c.Messaging.Send(ctx, p.ID, zenvia.ChannelWhatsApp, &zenvia.ChatMessage{Content: "Olá Lia!"})
	require.NoError(t, err)
	require.Len(t, ins, 1)
	assert.Equal(t, "whatsApp", ins[0].Via)
	assert.True(t, ins[0].Proactive)
	assert.JSONEq(t, `{"content":"Olá Lia!"}`, string(ins[0].Output))
	got, err := c.Interactions.Get(ctx, p.ID, ins[0].ID)
	require.NoError(t, err)
	assert.Equal(t, ins[0].ID, got.ID, "the message is an interaction of the prospect")

	ins, err = c.Messaging.Send(ctx, p.ID, zenvia.CommunicationChannel(chans[0].ChannelID), &zenvia.ChatMessage{Buttons: &zenvia.ButtonsMessage{
		Body: "Podemos ligar?", Buttons: []zenvia.Button{{ID: "sim", Title: "Sim"}, {ID: "nao", Title: "Não"}}}})
	require.NoError(t, err, "the channel by its id")
	require.Len(t, ins, 1)

	// Outside the window: a seeded prospect last wrote in 2024.
	old := s.ProspectIDs()[0]
	_, err = c.Messaging.Send(ctx, old, zenvia.ChannelWhatsApp, &zenvia.ChatMessage{Content: "oi"})
	assert.ErrorIs(t, err, zenvia.ErrBadRequest, "no conversational message after 24 hours")
	ins, err = c.Messaging.Send(ctx, old, zenvia.ChannelWhatsApp, &zenvia.TemplateMessage{Key: tpl.Key, Parameters: map[string]string{"1": "Lia"}})
	require.NoError(t, err, "a template goes any time")
	assert.JSONEq(t, `{"template":"`+tpl.Key+`","parameters":{"1":"Lia"}}`, string(ins[0].Output))
	_, err = c.Messaging.Send(ctx, old, zenvia.ChannelWhatsApp, &zenvia.TemplateMessage{Key: "nao_existe"})
	assert.ErrorIs(t, err, zenvia.ErrBadRequest, "an unknown template")
	_, err = c.Messaging.Send(ctx, old, zenvia.ChannelInstagram, &zenvia.TemplateMessage{Key: tpl.Key})
	assert.ErrorIs(t, err, zenvia.ErrBadRequest, "a channel the prospect is not on")

	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 4000)...)
	ins, err = c.Messaging.Send(ctx, p.ID, zenvia.ChannelWhatsApp, &zenvia.File{Name: "orçamento.pdf", Data: pdf})
	require.NoError(t, err)
	require.Len(t, ins, 1)
	assert.JSONEq(t, `{"file":{"name":"orçamento.pdf","contentType":"application/pdf","size":4009}}`, string(ins[0].Output))
	ins, err = c.Messaging.Send(ctx, p.ID, zenvia.ChannelWhatsApp, &zenvia.File{Name: "nota.txt", ContentType: "text/plain", Reader: strings.NewReader("obrigado")})
	require.NoError(t, err)
	assert.JSONEq(t, `{"file":{"name":"nota.txt","contentType":"text/plain","size":8}}`, string(ins[0].Output))
	_, err = c.Messaging.Send(ctx, old, zenvia.ChannelWhatsApp, &zenvia.File{Name: "a.pdf", Data: pdf})
	assert.ErrorIs(t, err, zenvia.ErrBadRequest, "a file is conversational too")
	_, err = c.Messaging.Send(ctx, "ffffffffffffffffffffffff", zenvia.ChannelWhatsApp, &zenvia.ChatMessage{Content: "oi"})
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
}

// TestMessagingInputErrors: each mistake names its field and sends
// nothing.
func TestMessagingInputErrors(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 6})
	ctx := context.Background()
	id := s.ProspectIDs()[0]
	cases := map[string]zenvia.Outgoing{
		"content":                     &zenvia.ChatMessage{},
		"content ":                    &zenvia.ChatMessage{Content: "oi", Buttons: &zenvia.ButtonsMessage{}},
		"buttons.buttons":             &zenvia.ChatMessage{Buttons: &zenvia.ButtonsMessage{Body: "b"}},
		"buttons.buttons[0].title":    &zenvia.ChatMessage{Buttons: &zenvia.ButtonsMessage{Body: "b", Buttons: []zenvia.Button{{ID: "1"}}}},
		"list.button":                 &zenvia.ChatMessage{List: &zenvia.ListMessage{Body: "b"}},
		"list.sections[0].rows[0].id": &zenvia.ChatMessage{List: &zenvia.ListMessage{Body: "b", Button: "Ver", Sections: []zenvia.ListSection{{Title: "t", Rows: []zenvia.ListRow{{Title: "r"}}}}}},
		"productList.button.action":   &zenvia.ChatMessage{ProductList: &zenvia.ProductListMessage{Body: "b", Button: zenvia.ListButton{Title: "Ver"}}},
		"productList.sections[0].productItems[0].productId": &zenvia.ChatMessage{ProductList: &zenvia.ProductListMessage{Body: "b",
			Button: zenvia.ListButton{Title: "Ver", Action: "a"}, CatalogID: "c", Sections: []zenvia.ProductSection{{Title: "t", ProductItems: []zenvia.ProductItem{{}}}}}},
		"key":              &zenvia.TemplateMessage{},
		"parameters.1":     &zenvia.TemplateMessage{Key: "k", Parameters: map[string]string{"1": "a\nb"}},
		"parameters.2":     &zenvia.TemplateMessage{Key: "k", Parameters: map[string]string{"2": "a    b"}},
		"file.name":        &zenvia.File{Data: []byte("x")},
		"file":             &zenvia.File{Name: "vazio.txt"},
		"file ":            &zenvia.File{Name: "vazio.txt", Data: []byte{}},
		"message":          (*zenvia.ChatMessage)(nil),
		"file.contentType": &zenvia.File{Name: "a", ContentType: "no type", Data: []byte("x")},
	}
	for want, m := range cases {
		_, err := c.Messaging.Send(ctx, id, zenvia.ChannelWhatsApp, m)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, want)
		assert.Equal(t, strings.TrimSpace(want), ie.Field)
	}
	_, err := c.Messaging.Send(ctx, id, "", &zenvia.ChatMessage{Content: "oi"})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	_, err = c.Messaging.Send(ctx, id, "what/sapp", &zenvia.ChatMessage{Content: "oi"})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.Equal(t, 0, s.Count("", "/messaging/"), "nothing was sent")
}

// capped is a reader that fails the test when it is read past limit: the
// file is streamed through the cap, not read whole first.
type capped struct {
	t     *testing.T
	left  int64
	limit int64
	read  int64
}

func (r *capped) Read(p []byte) (int, error) {
	if r.read > r.limit {
		r.t.Errorf("read %d bytes, past the cap of %d + 1", r.read, r.limit)
		return 0, errors.New("read past the cap")
	}
	if r.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	n = min(n, r.left)
	for i := range p[:n] {
		p[i] = 'z'
	}
	r.left -= n
	r.read += n
	return int(n), nil
}

// TestSendFileIsCappedAndStreamed: a file over WithMaxFileBytes is an input
// error and nothing is sent; a Reader is read once, through the cap (a
// reader of a gigabyte is read one byte past the cap, not whole), and the
// file arrives as the multipart field "file" with its name and type.
func TestSendFileIsCappedAndStreamed(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 6}, zenvia.WithMaxFileBytes(64<<10))
	ctx := context.Background()
	p := newLead(t, c, "+5511987650002")
	huge := &capped{t: t, left: 1 << 30, limit: 64 << 10}
	_, err := c.Messaging.Send(ctx, p.ID, zenvia.ChannelWhatsApp, &zenvia.File{Name: "video.mp4", Reader: huge})
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "file", ie.Field)
	assert.LessOrEqual(t, huge.read, int64(64<<10)+4096, "read through the cap (plus one buffer)")
	_, err = c.Messaging.Send(ctx, p.ID, zenvia.ChannelWhatsApp, &zenvia.File{Name: "big.bin", Data: make([]byte, 64<<10+1)})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	assert.Equal(t, 0, s.Count("", "/send-file"), "nothing was sent")

	ok := &capped{t: t, left: 64 << 10, limit: 64 << 10}
	_, err = c.Messaging.Send(ctx, p.ID, zenvia.ChannelWhatsApp, &zenvia.File{Name: "exato.bin", ContentType: "application/octet-stream", Reader: ok})
	require.NoError(t, err, "a file of exactly the cap")

	// What the server received: the multipart field "file".
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "POST", last.Method)
	assert.True(t, strings.HasSuffix(last.Path, "/messaging/whatsapp/send-file"), last.Path)
	mt, params, err := mime.ParseMediaType(last.Header["Content-Type"])
	require.NoError(t, err)
	assert.Equal(t, "multipart/form-data", mt)
	assert.NotEmpty(t, params["boundary"])
}

// TestSendFileMultipart (httpmock): the body is one multipart part named
// "file" with the file's name (RFC 2231 for non-ASCII), its type told from
// its bytes, and its content.
func TestSendFileMultipart(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("p", 100))
	mock.RegisterResponder(http.MethodPost, base+"/prospect/"+pid+"/messaging/whatsapp/send-file", authed(t, func(r *http.Request) (*http.Response, error) {
		mr, err := r.MultipartReader()
		require.NoError(t, err)
		part, err := mr.NextPart()
		require.NoError(t, err)
		assert.Equal(t, "file", part.FormName())
		assert.Equal(t, "fachada nº 2.png", part.FileName())
		assert.Equal(t, "image/png", part.Header.Get("Content-Type"))
		b, _ := io.ReadAll(part)
		assert.Equal(t, png, b)
		_, err = mr.NextPart()
		assert.ErrorIs(t, err, io.EOF, "one part")
		return jsonResponder(200, `[{"id":"66aa00000000000000000003","status":"sent","via":"whatsApp","createdAt":"2026-01-01T00:00:00Z"}]`)(r)
	}))
	ins, err := c.Messaging.Send(context.Background(), pid, zenvia.ChannelWhatsApp, &zenvia.File{Name: "fachada nº 2.png", Data: png})
	require.NoError(t, err)
	require.Len(t, ins, 1)
	assert.Equal(t, "sent", ins[0].Status)
}
