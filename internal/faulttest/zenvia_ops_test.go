package faulttest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// zenviaMoreOps are the matrix's cells of the operations of issue 28
// (quotes, messaging, interactions, CSAT, apps, contacts, integration),
// set up with setup (a client of sb): a prospect that has just written (its
// messaging window open), a quote, a selection.
func zenviaMoreOps(t *testing.T, setup *zenvia.Client, sb *zenviatest.Server) []op {
	ctx := context.Background()
	res, err := setup.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "faulttest", FirstName: "Rosa",
		Phones: []string{"+5511987650909"}})
	require.NoError(t, err)
	fresh := res.Prospect.ID
	q, err := setup.Quotes.Create(ctx, fresh, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{{Quantity: 1}}})
	require.NoError(t, err)
	chans, err := setup.Messaging.Channels(ctx)
	require.NoError(t, err)
	template := chans[0].Templates[0].Key
	selection := sb.SelectionIDs()[0]
	var c = func(x any) *zenvia.Client { return x.(*zenvia.Client) }
	return append(zenviaMoreReads(c, fresh, q.ID, selection), zenviaMoreWrites(c, fresh, q.ID, template)...)
}

// zenviaMoreReads are the cells of the new reads.
func zenviaMoreReads(c func(any) *zenvia.Client, fresh, quote, selection string) []op {
	read := func(name string, match []string, call func(context.Context, *zenvia.Client) error) op {
		return op{name: name, class: classRead, match: route("GET", match...),
			call: func(ctx context.Context, x any) error { return call(ctx, c(x)) }}
	}
	ops := []op{
		read("Quotes.List", []string{"prospects", "quotes"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Quotes.List(ctx, nil)
			return err
		}),
		read("Quotes.All", []string{"prospects", "quotes"}, func(ctx context.Context, c *zenvia.Client) error {
			return first(c.Quotes.All(ctx, nil))
		}),
		read("Quotes.Get", []string{"prospect", "*", "quote", "*"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Quotes.Get(ctx, fresh, quote)
			return err
		}),
		read("Prospects.Quotes", []string{"prospect", "*", "quotes"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Prospects.Quotes(ctx, fresh, nil)
			return err
		}),
		read("Messaging.Channels", []string{"messaging", "channels"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Messaging.Channels(ctx)
			return err
		}),
		read("Messaging.ProspectChannels", []string{"prospect", "*", "messaging", "channels"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Messaging.ProspectChannels(ctx, fresh)
			return err
		}),
		read("Prospects.Orders", []string{"prospect", "*", "orders"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Prospects.Orders(ctx, fresh, 10)
			return err
		}),
		read("Prospects.Fields", []string{"prospect", "*", "prospectAdditionalFields"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Prospects.Fields(ctx, fresh)
			return err
		}),
	}
	return append(ops, zenviaAccountReads(read, selection)...)
}

// zenviaAccountReads are the cells of the new reads of the key's account.
func zenviaAccountReads(read func(string, []string, func(context.Context, *zenvia.Client) error) op, selection string) []op {
	ops := []op{
		read("Contacts.List", []string{"contacts", "selection", "*"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Contacts.List(ctx, selection, nil)
			return err
		}),
		read("Contacts.All", []string{"contacts", "selection", "*"}, func(ctx context.Context, c *zenvia.Client) error {
			return first(c.Contacts.All(ctx, selection, nil))
		}),
		read("Integrations.Get", []string{"integration"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Integrations.Get(ctx)
			return err
		}),
		read("Integrations.List", []string{"integrations"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Integrations.List(ctx)
			return err
		}),
		read("Leads.Industries", []string{"industries"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Leads.Industries(ctx)
			return err
		}),
		read("AsUser.TransferTargets", []string{"as-user", "transfer"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.AsUser.TransferTargets(ctx)
			return err
		}),
	}
	checkCreds := read("Integrations.CheckCredentials", []string{"checkCredentials"}, func(ctx context.Context, c *zenvia.Client) error {
		return c.Integrations.CheckCredentials(ctx)
	})
	checkCreds.override = map[fault]expect{
		fEmpty:     ok(1).because("the answer is empty (204): an empty 200 is the same yes"),
		fTruncated: ok(1).because("the answer is empty (204): half of nothing is the same yes"),
		fResetMid:  ok(1).because("the answer has no body to cut: it arrives whole before the reset"),
	}
	return append(ops, checkCreds)
}

// zenviaMoreWrites are the cells of the new creates and of Quotes.Update:
// every create is resent only on proof it never left (or on 429/503).
func zenviaMoreWrites(c func(any) *zenvia.Client, fresh, quote, template string) []op {
	create := func(name string, match []string, call func(context.Context, *zenvia.Client) error) op {
		return op{name: name, class: classCreate, match: route("POST", match...),
			call: func(ctx context.Context, x any) error { return call(ctx, c(x)) }}
	}
	void := map[fault]expect{fEmpty: ok(1).because("the spec answers nothing (void): an empty 2xx is the success")}
	ops := []op{
		create("Quotes.Create", []string{"prospect", "*", "quotes"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Quotes.Create(ctx, fresh, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{{Quantity: 2, Concept: "revisão"}}})
			return err
		}),
		create("Messaging.Send message", []string{"prospect", "*", "messaging", "whatsapp"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Messaging.Send(ctx, fresh, zenvia.ChannelWhatsApp, &zenvia.ChatMessage{Content: "Olá, Rosa!"})
			return err
		}),
		create("Messaging.Send template", []string{"prospect", "*", "messaging", "whatsapp", "notification"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Messaging.Send(ctx, fresh, zenvia.ChannelWhatsApp, &zenvia.TemplateMessage{Key: template, Parameters: map[string]string{"1": "Rosa"}})
			return err
		}),
		create("Messaging.Send file", []string{"prospect", "*", "messaging", "whatsapp", "send-file"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Messaging.Send(ctx, fresh, zenvia.ChannelWhatsApp, &zenvia.File{Name: "orcamento.pdf", Data: []byte("%PDF-1.4\n%falhas\n")})
			return err
		}),
		create("Prospects.CreateInteraction", []string{"prospect", "*", "interactions"}, func(ctx context.Context, c *zenvia.Client) error {
			ev := zenvia.Question("aceita troca?")
			_, err := c.Prospects.CreateInteraction(ctx, fresh, &ev)
			return err
		}),
		create("Prospects.CreateCSAT", []string{"prospect", "*", "csat"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Prospects.CreateCSAT(ctx, fresh, &zenvia.CSAT{Result: 4, Comment: "rápido"})
			return err
		}),
		create("Apps.CreateEvent", []string{"apps", "event"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Apps.CreateEvent(ctx, &zenvia.AppEvent{Event: "simulacao", Type: zenvia.AppEventProspect, ProspectID: fresh})
			return err
		}),
		create("Apps.CreateNotification", []string{"apps", "notifications"}, func(ctx context.Context, c *zenvia.Client) error {
			_, err := c.Apps.CreateNotification(ctx, &zenvia.AppNotification{Type: "lead", Target: zenvia.NotificationTarget{Role: []zenvia.TargetRole{zenvia.RoleAgent}},
				Platforms: zenvia.NotificationPlatforms{Desktop: map[string]any{"title": "Lead"}}})
			return err
		}),
	}
	ops[4].override = map[fault]expect{fEmpty: ok(1).because("an added interaction may come back without a body: the list in the answer is optional")}
	ops[5].override = map[fault]expect{fEmpty: ok(1).because("the answer's shape is not published: an empty one is returned as it is")}
	ops[6].override, ops[7].override = void, void
	return append(ops, op{name: "Quotes.Update", class: classIdem, body: true, match: route("PUT", "prospect", "*", "quote", "*"),
		call: func(ctx context.Context, x any) error {
			_, err := c(x).Quotes.Update(ctx, fresh, quote, &zenvia.QuoteUpdate{Status: zenvia.QuoteAccepted})
			return err
		}})
}
