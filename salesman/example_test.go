package salesman_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// Add a lead from a site's form, then read it back.
func ExampleLeadsService_Create() {
	s := salesmantest.NewServer(nil) // a real CRM: its root URL, your login and apikey
	defer s.Close()
	c, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, salesmantest.DefaultAPIKey,
		salesman.WithAPIVersion(salesman.V3))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	id, err := c.Leads.Create(ctx, &salesman.NewLead{
		Title: "Андреев Владислав", Email: "vladislav@example.ru", Phone: "+79001234567",
		City: "Пермь", Path: "Сайт", UTMSource: "yandex",
	})
	if errors.Is(err, leadkit.ErrOutcomeUnknown) {
		log.Fatal("the lead may exist: look it up before adding it again")
	}
	if err != nil {
		log.Fatal(err)
	}
	l, err := c.Leads.Get(ctx, id.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.ID, l.Title, l.City, l.ClientPathName, l.Status, "/", l.Status.Russian())
	// Output: 301 Андреев Владислав Пермь Сайт open / Открыт
}

// Walk every lead; All pages lazily and stops at the end.
func ExampleLeadsService_All() {
	s := salesmantest.NewServer(&salesmantest.Options{Leads: 450})
	defer s.Close()
	c, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, salesmantest.DefaultAPIKey,
		salesman.WithAPIVersion(salesman.V2)) // V1 servers answer only the newest 200
	if err != nil {
		log.Fatal(err)
	}
	closed := 0
	total := 0
	for l, err := range c.Leads.All(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		total++
		if l.Status == salesman.StatusClosed {
			closed++
		}
	}
	fmt.Println("leads:", total, "closed:", closed > 0)
	// Output: leads: 450 closed: true
}

// Errors come with HTTP 200 in the body; match them with errors.Is.
func ExampleError() {
	s := salesmantest.NewServer(nil)
	defer s.Close()
	c, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, "not-the-key")
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Leads.Stat(context.Background())
	var e *salesman.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Code, e.Message, errors.Is(err, salesman.ErrInvalidAPIKey))
	}
	// Output: 200 400 Не верный API key true
}

// The month's open and processed leads per user.
func ExampleLeadsService_Stat() {
	s := salesmantest.NewServer(nil)
	defer s.Close()
	c, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, salesmantest.DefaultAPIKey)
	if err != nil {
		log.Fatal(err)
	}
	stats, err := c.Leads.Stat(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(stats), stats[0].Login)
	// Output: 5 ivan.adminov@salesman.test
}
