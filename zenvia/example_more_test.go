package zenvia_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// A quote as the deal moves: made, read back, accepted. Amounts are exact.
func ExampleQuotesService_Create() {
	srv := zenviatest.NewServer(&zenviatest.Options{Seed: 1})
	defer srv.Close()
	c, _ := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL))
	ctx := context.Background()
	prospect := srv.ProspectIDs()[0]

	unit := zenvia.Amount(7990) // 79.90
	q, err := c.Quotes.Create(ctx, prospect, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{
		{Quantity: 3, Price: &unit, Concept: "Troca de óleo"},
	}})
	if errors.Is(err, leadkit.ErrOutcomeUnknown) {
		return // it may exist: list the prospect's quotes before making it again
	}
	if err != nil {
		panic(err)
	}
	fmt.Println(q.Status, q.Total)
	q, err = c.Quotes.Update(ctx, prospect, q.ID, &zenvia.QuoteUpdate{Status: zenvia.QuoteAccepted})
	if err != nil {
		panic(err)
	}
	fmt.Println(q.Status, !q.AcceptedAt.IsZero())
	// Output:
	// pending 239.70
	// accepted true
}

// A new lead gets a WhatsApp template at once (a template may start a
// conversation); a free-form message or a file goes only within 24 hours
// of the prospect's last message.
func ExampleMessagingService_Send() {
	srv := zenviatest.NewServer(&zenviatest.Options{Seed: 1})
	defer srv.Close()
	c, _ := zenvia.NewClient(srv.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(srv.URL))
	ctx := context.Background()
	res, err := c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", FirstName: "Joana", Phones: []string{"+5551987654321"}})
	if err != nil {
		panic(err)
	}
	chans, err := c.Messaging.ProspectChannels(ctx, res.Prospect.ID)
	if err != nil {
		panic(err)
	}
	tpl := chans[0].Templates[0]
	sent, err := c.Messaging.Send(ctx, res.Prospect.ID, chans[0].Channel, &zenvia.TemplateMessage{
		Key: tpl.Key, Parameters: map[string]string{"1": "Joana"},
	})
	if err != nil {
		panic(err) // leadkit.ErrOutcomeUnknown: read the interactions before sending again
	}
	fmt.Println(tpl.Key, sent[0].Via)
	sent, err = c.Messaging.Send(ctx, res.Prospect.ID, chans[0].Channel, &zenvia.File{
		Name: "catalogo.txt", Reader: strings.NewReader("Argo, Cronos, Pulse"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(sent[0].Status)
	// Output:
	// boas_vindas whatsApp
	// sent
}
