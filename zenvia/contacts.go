package zenvia

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
)

// ContactListOptions page a contact selection by offset and choose the
// prospect fields it returns.
type ContactListOptions struct {
	// Fields are the prospect fields to return (empty: all). Zenvia always
	// returns id, status, leads, accountId, account, group, groupId and
	// created.
	Fields []string
	// Offset is where the page starts (0: the first contact).
	Offset int
	// Limit is the page size (0: Zenvia's default; at most MaxPageSize).
	Limit int
}

func (o *ContactListOptions) values() (url.Values, error) {
	v := url.Values{}
	if o == nil {
		return v, nil
	}
	if o.Offset < 0 {
		return nil, leadkit.Invalid("offset", "must not be negative, got %d", o.Offset)
	}
	if o.Limit < 0 || o.Limit > MaxPageSize {
		return nil, leadkit.Invalid("limit", "must be between 1 and %d, got %d", MaxPageSize, o.Limit)
	}
	for i, f := range o.Fields {
		if strings.TrimSpace(f) == "" {
			return nil, leadkit.Invalid(indexed("fields", i), "must not be empty")
		}
		v.Add("fields", f)
	}
	if o.Offset > 0 {
		v.Set("offset", strconv.Itoa(o.Offset))
	}
	if o.Limit > 0 {
		v.Set("limit", strconv.Itoa(o.Limit))
	}
	return v, nil
}

// ContactPage is one page of a contact selection ("ProspectsPaginated").
type ContactPage struct {
	Contacts []Prospect
	// Total is how many contacts the selection holds, whatever the page.
	Total int
}

// ContactsService reads contact selections (prospects chosen in Zenvia's
// interface). Reach it through Client.Contacts.
type ContactsService struct{ c *Client }

// List returns one page of a contact selection: Zenvia's "Get contacts
// selection" (GET /contacts/selection/{selectionId}), paged by offset and
// limit.
func (s *ContactsService) List(ctx context.Context, selectionID string, opts *ContactListOptions) (*ContactPage, error) {
	if err := checkID("selectionId", selectionID); err != nil {
		return nil, err
	}
	q, err := opts.values()
	if err != nil {
		return nil, err
	}
	var w struct {
		Contacts []prospectWire `json:"contacts"`
		Total    jsonx.Int      `json:"total"`
	}
	if err := s.c.get(ctx, []string{"contacts", "selection", selectionID}, q, &w); err != nil {
		return nil, err
	}
	page := &ContactPage{Contacts: make([]Prospect, len(w.Contacts)), Total: int(w.Total)}
	for i := range w.Contacts {
		page.Contacts[i] = w.Contacts[i].prospect()
	}
	return page, nil
}

// All iterates over the contacts of a selection from opts.Offset, fetching
// pages of opts.Limit (DefaultPageSize when 0) lazily. It stops after the
// last page (a short or empty one, or the selection's total reached), when
// the caller stops, after yielding an error once, and with
// ErrPagingIgnored when a page repeats a contact of the page before (a
// server that ignores the offset), so it never loops.
func (s *ContactsService) All(ctx context.Context, selectionID string, opts *ContactListOptions) iter.Seq2[Prospect, error] {
	return func(yield func(Prospect, error) bool) {
		var o ContactListOptions
		if opts != nil {
			o = *opts
		}
		if o.Limit == 0 {
			o.Limit = DefaultPageSize
		}
		var prev map[string]bool
		for {
			page, err := s.List(ctx, selectionID, &o)
			if err != nil {
				yield(Prospect{}, err)
				return
			}
			seen := make(map[string]bool, len(page.Contacts))
			for _, p := range page.Contacts {
				if p.ID != "" && (prev[p.ID] || seen[p.ID]) {
					yield(Prospect{}, ErrPagingIgnored)
					return
				}
				seen[p.ID] = true
			}
			for _, p := range page.Contacts {
				if !yield(p, nil) {
					return
				}
			}
			o.Offset += len(page.Contacts)
			if len(page.Contacts) < o.Limit || (page.Total > 0 && o.Offset >= page.Total) {
				return
			}
			prev = seen
		}
	}
}
