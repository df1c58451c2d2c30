package relay

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
)

// ZenviaProspectsOptions configures ZenviaProspects.
type ZenviaProspectsOptions struct {
	// Name is the source's name (default "zenvia-prospects"): give each
	// Zenvia account its own.
	Name string
	// Since is how far back the first poll reads (default: from the first
	// poll on; at most Zenvia's 31 days).
	Since time.Time
	// PageSize is the page size of the walk (default 200, at most
	// zenvia.MaxPageSize).
	PageSize int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// ZenviaProspects is the source of the prospects created at a Zenvia
// account (Prospects.List, newest first, walked back with "before"): each
// poll walks back from the newest to the cursor, the newest prospect
// handled, and hands the new ones on oldest first, each moving the cursor
// to itself. A poll interrupted half way (a crash) walks again from the
// newest; the route skips the prospects it handled.
//
// What it cannot see: a prospect created more than 31 days before the poll
// (Zenvia lists no further back: a poller down longer loses the oldest
// ones); a prospect created before the cursor's time (an import that dates
// it back); a change to a prospect after it was handled (use the webhook
// inbox for those).
func ZenviaProspects(c *zenvia.Client, o ZenviaProspectsOptions) (Source[zenvia.Prospect], error) {
	if c == nil {
		return nil, leadkit.Invalid("c", "must not be nil")
	}
	if o.Name == "" {
		o.Name = "zenvia-prospects"
	}
	if err := checkName("Name", o.Name); err != nil {
		return nil, err
	}
	if o.PageSize == 0 {
		o.PageSize = 200
	}
	if o.PageSize < 1 || o.PageSize > zenvia.MaxPageSize {
		return nil, leadkit.Invalid("PageSize", "must be 1 to %d, got %d", zenvia.MaxPageSize, o.PageSize)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &zenviaProspects{c: c, o: o}, nil
}

type zenviaProspects struct {
	c *zenvia.Client
	o ZenviaProspectsOptions
}

func (s *zenviaProspects) Name() string { return s.o.Name }

// redact masks the client's credentials (see Route).
func (s *zenviaProspects) redact(t string) string { return s.c.Redact(t) }

// prospectCursor is a prospect's place: its creation time and id.
func prospectCursor(p *zenvia.Prospect) string {
	return p.Created.UTC().Format(time.RFC3339Nano) + "|" + p.ID
}

func (s *zenviaProspects) Poll(ctx context.Context, cursor string) (Page[zenvia.Prospect], error) {
	now := s.o.Now()
	horizon := now.Add(-zenvia.MaxWindow).Add(time.Minute)
	since, lastID := s.o.Since, ""
	if cursor != "" {
		at, id, ok := strings.Cut(cursor, "|")
		t, err := time.Parse(time.RFC3339Nano, at)
		if !ok || err != nil {
			return Page[zenvia.Prospect]{}, leadkit.Invalid("cursor", "is not a prospect's time|id: %q", cursor)
		}
		since, lastID = t, id
	} else if since.IsZero() {
		// The first poll: from now on. Its cursor is the newest prospect,
		// which is not handed on.
		page, err := s.c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 1})
		if err != nil || len(page) == 0 {
			return Page[zenvia.Prospect]{}, err
		}
		return Page[zenvia.Prospect]{Next: prospectCursor(&page[0])}, nil
	}
	if since.Before(horizon) {
		since = horizon
	}
	var found []zenvia.Prospect
	before := ""
walk:
	for {
		page, err := s.c.Prospects.List(ctx, &zenvia.ProspectListOptions{Before: before, Limit: s.o.PageSize})
		if err != nil {
			return Page[zenvia.Prospect]{}, err
		}
		for i := range page {
			p := &page[i]
			if p.ID == lastID || p.Created.Before(since) {
				break walk
			}
			found = append(found, *p)
		}
		if len(page) < s.o.PageSize || page[len(page)-1].ID == before {
			break
		}
		before = page[len(page)-1].ID
	}
	slices.Reverse(found)
	out := Page[zenvia.Prospect]{Items: make([]Item[zenvia.Prospect], len(found))}
	for i := range found {
		out.Items[i] = Item[zenvia.Prospect]{ID: found[i].ID, Value: found[i], Cursor: prospectCursor(&found[i])}
	}
	return out, nil
}
