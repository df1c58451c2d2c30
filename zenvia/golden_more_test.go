package zenvia_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
)

// goldenClient is a client whose mock answers the new operations' GETs
// with the golden bodies.
func goldenClient(t *testing.T) *zenvia.Client {
	c, mock := mockClient(t)
	for path, file := range map[string]string{
		"/prospect/" + pid + "/quote/" + unusedID:        "quote.json",
		"/prospects/quotes":                              "quotes.json",
		"/messaging/channels":                            "channels.json",
		"/integration":                                   "integration.json",
		"/contacts/selection/" + unusedID:                "contacts_page.json",
		"/prospect/" + pid + "/orders":                   "orders.json",
		"/as-user/transfer":                              "transferable.json",
		"/prospect/" + pid + "/prospectAdditionalFields": "",
	} {
		body := `[{"key":"renda","name":"Renda","type":"number"}]`
		if file != "" {
			body = golden(t, file)
		}
		mock.RegisterResponder(http.MethodGet, base+path, authed(t, jsonResponder(200, body)))
	}
	return c
}

// TestNewGoldenBodies (httpmock): the documented bodies of the new
// operations, with the real-world variants (numbers as strings, epoch
// milliseconds, nulls for lists, unknown fields), decode.
func TestNewGoldenBodies(t *testing.T) {
	t.Parallel()
	c := goldenClient(t)
	ctx := context.Background()
	q, err := c.Quotes.Get(ctx, pid, unusedID)
	require.NoError(t, err)
	assert.Equal(t, zenvia.Amount(9029030), q.Total)
	assert.Equal(t, zenvia.Amount(8999050), *q.Items[0].Price)
	assert.Equal(t, 2.0, q.Items[1].Quantity)
	assert.Equal(t, zenvia.Amount(14990), *q.Items[1].Price)
	assert.True(t, q.RejectedAt.IsZero())
	assert.Equal(t, 9, q.AcceptedAt.Hour())
	assert.JSONEq(t, `{"financiamento":true}`, string(q.AdditionalData))

	qs, err := c.Quotes.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, qs, 2)
	assert.Equal(t, int64(1772366400000), qs[0].CreatedAt.UnixMilli())
	assert.Nil(t, qs[0].Items[0].Price)
	assert.Empty(t, qs[1].Items)
	assert.Equal(t, zenvia.Amount(7990), qs[1].Total)

}

// TestNewGoldenBodiesMore: channels, integration, contact page, orders,
// transfer targets, additional fields and a quote webhook.
func TestNewGoldenBodiesMore(t *testing.T) {
	t.Parallel()
	c := goldenClient(t)
	ctx := context.Background()
	chans, err := c.Messaging.Channels(ctx)
	require.NoError(t, err)
	assert.Equal(t, "boas_vindas", chans[0].Templates[0].Key)
	assert.NotNil(t, chans[1].Templates, "null decodes as empty")

	in, err := c.Integrations.Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "es", in.Language)
	assert.Contains(t, string(in.Raw), `"createdAt"`, "a field the spec does not name is kept")

	page, err := c.Contacts.List(ctx, unusedID, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, page.Total, "a total sent as a string")
	assert.Len(t, page.Contacts, 2)

	orders, err := c.Prospects.Orders(ctx, pid, 0)
	require.NoError(t, err)
	it := orders[0].Items[0]
	assert.Equal(t, "249.9", it.SalePrice, "a price sent as a number stays text")
	assert.Equal(t, 12.0, it.Inventory)
	assert.Equal(t, "SKU-0042", it.RetailerID)
	assert.JSONEq(t, `{"id":"cat-1"}`, string(it.ProductCatalog))

	tt, err := c.AsUser.TransferTargets(ctx)
	require.NoError(t, err)
	assert.Equal(t, "5511987654321", tt.Agents[0].Phone)
	assert.Equal(t, "Vendas São Paulo", tt.Groups[0].Name)

	fields, err := c.Prospects.Fields(ctx, pid)
	require.NoError(t, err)
	assert.Contains(t, string(fields[0].Raw), `"type":"number"`)

	evs, err := zenvia.ParseEvents([]byte(golden(t, "webhook_quote.json")), "")
	require.NoError(t, err)
	require.NotNil(t, evs[0].Quote)
	assert.Equal(t, zenvia.Amount(199990), evs[0].Quote.Total)
}

// FuzzNewDecoders: no answer makes a decoder of the new operations panic.
func FuzzNewDecoders(f *testing.F) {
	seedCorpus(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		c, ctx := fuzzClient(t, body), context.Background()
		_, _ = c.Quotes.Get(ctx, pid, pid)
		_, _ = c.Quotes.List(ctx, nil)
		_, _ = c.Quotes.Create(ctx, pid, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{{Quantity: 1}}})
		_, _ = c.Messaging.Channels(ctx)
		_, _ = c.Messaging.Send(ctx, pid, zenvia.ChannelWhatsApp, &zenvia.ChatMessage{Content: "x"})
		_, _ = c.Messaging.Send(ctx, pid, zenvia.ChannelWhatsApp, &zenvia.File{Name: "f", Reader: bytes.NewReader(body)})
		_, _ = c.Contacts.List(ctx, pid, nil)
		_, _ = c.Prospects.Orders(ctx, pid, 0)
		_, _ = c.Prospects.Fields(ctx, pid)
		_, _ = c.Prospects.CreateCSAT(ctx, pid, &zenvia.CSAT{Result: 3})
		_, _ = c.Integrations.List(ctx)
		_, _ = c.Apps.CreateEvent(ctx, &zenvia.AppEvent{Event: "e", Type: zenvia.AppEventUser})
		_, _ = c.Apps.CreateNotification(ctx, &zenvia.AppNotification{Type: "t", Target: zenvia.NotificationTarget{Role: []zenvia.TargetRole{"agent"}},
			Platforms: zenvia.NotificationPlatforms{IOS: map[string]any{}}})
		_, _ = c.AsUser.TransferTargets(ctx)
		_, _ = c.Leads.Industries(ctx)
	})
}
