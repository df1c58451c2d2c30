package relay

import (
	"context"
	"strconv"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
)

// SalesmanNewLeadsOptions configures SalesmanNewLeads.
type SalesmanNewLeadsOptions struct {
	// Name is the source's name (default "salesman-leads"): give each
	// SalesMan account its own.
	Name string
	// FromPage is the page (200 leads, oldest first) the first poll reads
	// (default 0: every lead the account holds).
	FromPage int
}

// SalesmanNewLeads is the source of the leads arriving at a SalesMan
// account (Leads.List, oldest first, 200 a page, from the cursor): each
// poll reads the page of the cursor again (leads arrive at its end) and
// the pages after it; the route hands each lead id once. Its cursor is the
// index of the first page not yet read in full.
//
// What it cannot see: a change to a lead after it was handled; a lead
// deleted before it was read; while leads are deleted, a lead that the
// deletion shifts across the cursor's page (to a page already read). It
// needs a server that pages (V2, V3): a V1 server answers the newest 200
// whatever the page.
func SalesmanNewLeads(c *salesman.Client, o SalesmanNewLeadsOptions) (Source[salesman.Lead], error) {
	if c == nil {
		return nil, leadkit.Invalid("c", "must not be nil")
	}
	if o.Name == "" {
		o.Name = "salesman-leads"
	}
	if err := checkName("Name", o.Name); err != nil {
		return nil, err
	}
	if o.FromPage < 0 {
		return nil, leadkit.Invalid("FromPage", "must not be negative, got %d", o.FromPage)
	}
	return &salesmanNewLeads{c: c, o: o}, nil
}

type salesmanNewLeads struct {
	c *salesman.Client
	o SalesmanNewLeadsOptions
}

func (s *salesmanNewLeads) Name() string { return s.o.Name }

// redact masks the client's credentials (see Route).
func (s *salesmanNewLeads) redact(t string) string { return s.c.Redact(t) }

func (s *salesmanNewLeads) Poll(ctx context.Context, cursor string) (Page[salesman.Lead], error) {
	page := s.o.FromPage
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return Page[salesman.Lead]{}, leadkit.Invalid("cursor", "is not a page index: %q", cursor)
		}
		page = n
	}
	leads, err := s.c.Leads.List(ctx, &salesman.ListOptions{Page: page, Oldest: true})
	if err != nil {
		return Page[salesman.Lead]{}, err
	}
	p := Page[salesman.Lead]{Next: strconv.Itoa(page), Items: make([]Item[salesman.Lead], len(leads))}
	for i, l := range leads {
		p.Items[i] = Item[salesman.Lead]{ID: strconv.Itoa(l.ID), Value: l}
	}
	if len(leads) >= salesman.PageSize {
		p.Next, p.More = strconv.Itoa(page+1), true
	}
	return p, nil
}
