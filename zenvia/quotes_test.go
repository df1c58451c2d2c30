package zenvia_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

func price(a zenvia.Amount) *zenvia.Amount { return &a }

// TestQuotesLifecycle: a quote written can be read back, listed for its
// prospect and account-wide, paged with All, accepted; the sandbox checks
// the spec's rules; unknown quotes are ErrNotFound.
func TestQuotesLifecycle(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 4})
	ctx := context.Background()
	ids := s.ProspectIDs()
	id := ids[3]

	q, err := c.Quotes.Create(ctx, id, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{
		{Quantity: 2, Price: price(7990), Concept: "Revisão 10 mil km", Code: "REV10"},
		{Quantity: 1, Price: price(15), Product: "Filtro de óleo"},
	}})
	require.NoError(t, err)
	assert.Len(t, q.ID, 24)
	assert.Equal(t, id, q.ProspectID)
	assert.Equal(t, zenvia.QuotePending, q.Status, "pending by default")
	assert.Equal(t, zenvia.Amount(15995), q.Total, "2 × 79.90 + 0.15, exact")
	assert.Equal(t, "159.95", q.Total.String())
	require.Len(t, q.Items, 2)
	assert.Equal(t, zenvia.Amount(7990), *q.Items[0].Price)
	assert.Equal(t, "REV10", q.Items[0].Code)
	assert.False(t, q.CreatedAt.IsZero())
	assert.True(t, q.AcceptedAt.IsZero())

	got, err := c.Quotes.Get(ctx, id, q.ID)
	require.NoError(t, err)
	assert.Equal(t, q, got, "read back as written")

	mine, err := c.Prospects.Quotes(ctx, id, nil)
	require.NoError(t, err)
	assert.Equal(t, []zenvia.Quote{*q}, mine)

	acc, err := c.Quotes.Update(ctx, id, q.ID, &zenvia.QuoteUpdate{Status: zenvia.QuoteAccepted})
	require.NoError(t, err)
	assert.Equal(t, zenvia.QuoteAccepted, acc.Status)
	assert.False(t, acc.AcceptedAt.IsZero())
	assert.False(t, acc.FinishedAt.IsZero())
	got, err = c.Quotes.Get(ctx, id, q.ID)
	require.NoError(t, err)
	assert.Equal(t, zenvia.QuoteAccepted, got.Status, "the update is stored")

	pending, err := c.Prospects.Quotes(ctx, id, &zenvia.QuoteListOptions{Status: zenvia.QuotePending})
	require.NoError(t, err)
	assert.Empty(t, pending)
	accepted, err := c.Prospects.Quotes(ctx, id, &zenvia.QuoteListOptions{AcceptedAfter: time.Now().Add(-time.Hour)})
	require.NoError(t, err)
	assert.Len(t, accepted, 1)

	_, err = c.Quotes.Get(ctx, id, "ffffffffffffffffffffffff")
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
	_, err = c.Quotes.Create(ctx, "ffffffffffffffffffffffff", &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{{Quantity: 1}}})
	assert.ErrorIs(t, err, zenvia.ErrNotFound)
}

// TestQuotesAccountWide: the account's quotes, newest first, filtered,
// paged by All.
func TestQuotesAccountWide(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 4})
	ctx := context.Background()
	ids := s.ProspectIDs()
	_, err := c.Quotes.Create(ctx, ids[3], &zenvia.QuoteCreate{Status: zenvia.QuoteAccepted, Items: []zenvia.QuoteItem{{Quantity: 1, Price: price(100)}}})
	require.NoError(t, err)
	for _, pid := range ids[10:15] {
		_, err := c.Quotes.Create(ctx, pid, &zenvia.QuoteCreate{Status: zenvia.QuoteRejected, Items: []zenvia.QuoteItem{{Quantity: 1}}})
		require.NoError(t, err)
	}
	page, err := c.Quotes.List(ctx, &zenvia.QuoteListOptions{Limit: 4})
	require.NoError(t, err)
	require.Len(t, page, 4)
	for i := 1; i < len(page); i++ {
		assert.Greater(t, page[i-1].ID, page[i].ID, "newest first")
	}
	n := 0
	for qt, err := range c.Quotes.All(ctx, &zenvia.QuoteListOptions{Limit: 2}) {
		require.NoError(t, err)
		assert.Len(t, qt.ID, 24)
		n++
	}
	assert.Equal(t, 6, n)
	rejected, err := c.Quotes.List(ctx, &zenvia.QuoteListOptions{Status: zenvia.QuoteRejected})
	require.NoError(t, err)
	assert.Len(t, rejected, 5)
	assert.Equal(t, zenvia.Amount(0), rejected[0].Total, "no prices: 0")
}

// TestQuotesInputErrors: bad input names its field and sends nothing.
func TestQuotesInputErrors(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 4})
	ctx := context.Background()
	id := s.ProspectIDs()[0]
	for field, call := range map[string]func() error{
		"items": func() error { _, err := c.Quotes.Create(ctx, id, &zenvia.QuoteCreate{}); return err },
		"items[1].quantity": func() error {
			_, err := c.Quotes.Create(ctx, id, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{{Quantity: 1}, {Quantity: 0}}})
			return err
		},
		"items[0].price": func() error {
			_, err := c.Quotes.Create(ctx, id, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{{Quantity: 1, Price: price(-1)}}})
			return err
		},
		"status": func() error {
			_, err := c.Quotes.Update(ctx, id, id, &zenvia.QuoteUpdate{Status: zenvia.QuotePending})
			return err
		},
		"quoteId": func() error { _, err := c.Quotes.Get(ctx, id, "q-1"); return err },
		"limit": func() error {
			_, err := c.Prospects.Quotes(ctx, id, &zenvia.QuoteListOptions{Limit: 5})
			return err
		},
		"acceptedBefore": func() error {
			_, err := c.Quotes.List(ctx, &zenvia.QuoteListOptions{AcceptedAfter: time.Now(), AcceptedBefore: time.Now().Add(-time.Hour)})
			return err
		},
	} {
		err := call()
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie, field)
		if field == "limit" {
			assert.Equal(t, "before", ie.Field, "paging is for the account-wide list")
			continue
		}
		assert.Equal(t, field, ie.Field)
	}
	assert.Equal(t, 0, s.Count("", "quote"), "nothing was sent")

	// The sandbox refuses what the spec refuses, for clients other than ours.
	key := s.Credentials()["ZENVIA_API_KEY"]
	for _, body := range []string{`{}`, `{"items":[{"price":1}]}`, `{"items":[],"status":"lost"}`, `{"items":[],"total":3}`} {
		resp, err := http.Post(s.URL+"/prospect/"+id+"/quotes?api-key="+key, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodPut, s.URL+"/prospect/"+id+"/quote/"+id+"?api-key="+key, strings.NewReader(`{"status":"pending"}`))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a quote moves to accepted or rejected only")
}

// TestQuotesWebhookTopic: the sandbox delivers quotes on the "quotes"
// topic, and the handler decodes them into the same Quote the operations
// answer.
func TestQuotesWebhookTopic(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []zenvia.Event
	hook := httptest.NewServer(zenvia.NewWebhookHandler("s3cr3t", func(_ context.Context, ev zenvia.Event) error {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		return nil
	}))
	defer hook.Close()
	s, c := sandbox(t, &zenviatest.Options{Seed: 4})
	ctx := context.Background()
	_, err := c.Notifications.Create(ctx, []string{zenvia.TopicQuotes}, hook.URL+"/?secret=s3cr3t")
	require.NoError(t, err)
	id := s.ProspectIDs()[1]
	q, err := c.Quotes.Create(ctx, id, &zenvia.QuoteCreate{Items: []zenvia.QuoteItem{{Quantity: 3, Price: price(1999)}}})
	require.NoError(t, err)
	upd, err := c.Quotes.Update(ctx, id, q.ID, &zenvia.QuoteUpdate{Status: zenvia.QuoteRejected})
	require.NoError(t, err)
	s.WaitDeliveries()
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	byStatus := map[zenvia.QuoteStatus]*zenvia.Quote{} // deliveries run concurrently: any order
	for _, ev := range got {
		assert.Equal(t, zenvia.TopicQuotes, ev.Topic)
		require.NotNil(t, ev.Quote)
		assert.Nil(t, ev.Prospect)
		assert.Nil(t, ev.Interaction)
		byStatus[ev.Quote.Status] = ev.Quote
	}
	assert.Equal(t, q, byStatus[zenvia.QuotePending], "the webhook's quote is the operation's")
	assert.Equal(t, upd, byStatus[zenvia.QuoteRejected])
	assert.Equal(t, zenvia.Amount(5997), byStatus[zenvia.QuotePending].Total)
}

// TestParseQuoteEvents: a quote is told apart without a topic (it has a
// prospectId like an interaction, and items), and unwrapped from
// {"quote": …}.
func TestParseQuoteEvents(t *testing.T) {
	t.Parallel()
	bare := `{"id":"66aa00000000000000000001","prospectId":"65f3a1b2c3d4e5f6a7b8c9d0","status":"accepted",
		"items":[{"quantity":"2","price":"10.5","concept":"x"}],"total":21,"createdAt":"2026-03-01T12:00:00.000Z","acceptedAt":"2026-03-02T12:00:00Z"}`
	for _, body := range []string{bare, `{"quote":` + bare + `}`, `{"topic":"quotes","data":` + bare + `}`, `[` + bare + `]`} {
		evs, err := zenvia.ParseEvents([]byte(body), "")
		require.NoError(t, err, body)
		require.Len(t, evs, 1)
		ev := evs[0]
		assert.Equal(t, zenvia.TopicQuotes, ev.Topic, body)
		require.NotNil(t, ev.Quote, body)
		assert.Nil(t, ev.Interaction)
		assert.Equal(t, zenvia.QuoteAccepted, ev.Quote.Status)
		assert.Equal(t, zenvia.Amount(2100), ev.Quote.Total)
		assert.Equal(t, 2.0, ev.Quote.Items[0].Quantity, "a quantity sent as a string")
		assert.Equal(t, zenvia.Amount(1050), *ev.Quote.Items[0].Price, "a price sent as a string")
		assert.Equal(t, 2, ev.Quote.AcceptedAt.Day())
	}
	_, err := zenvia.ParseEvents([]byte(`{"id":"x","items":[],"total":1.005}`), zenvia.TopicQuotes)
	assert.Error(t, err, "an amount with three decimals is refused, not rounded")
}

// TestQuoteWireShapes (httpmock): the documented body is sent, and a
// quote's numbers come as numbers or strings.
func TestQuoteWireShapes(t *testing.T) {
	t.Parallel()
	c, mock := mockClient(t)
	var sent map[string]any
	mock.RegisterResponder(http.MethodPost, base+"/prospect/"+pid+"/quotes", authed(t, func(r *http.Request) (*http.Response, error) {
		require.NoError(t, json.NewDecoder(r.Body).Decode(&sent))
		return jsonResponder(201, `{"id":"66aa00000000000000000002","prospectId":"`+pid+`","status":"pending",
			"items":[{"quantity":1,"price":79.9}],"total":"79.90","createdAt":1710000000000,"rejectedAt":null}`)(r)
	}))
	q, err := c.Quotes.Create(context.Background(), pid, &zenvia.QuoteCreate{Status: zenvia.QuotePending,
		Items: []zenvia.QuoteItem{{Quantity: 1, Price: price(7990), Concept: "c"}}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"status": "pending", "items": []any{map[string]any{"quantity": 1.0, "price": 79.9, "concept": "c"}}}, sent)
	assert.Equal(t, zenvia.Amount(7990), q.Total)
	assert.Equal(t, int64(1710000000000), q.CreatedAt.UnixMilli())
	assert.True(t, q.RejectedAt.IsZero())
}

// TestQuotesAllStopsWhenPagingIgnored: a server answering the same full
// page whatever the cursor ends Quotes.All with ErrPagingIgnored after two
// requests; After is an input error.
func TestQuotesAllStopsWhenPagingIgnored(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":"66aa00000000000000000009","status":"pending"},{"id":"66aa00000000000000000008","status":"pending"}]`))
	}))
	defer srv.Close()
	c, err := zenvia.NewClient("k", zenvia.WithBaseURL(srv.URL))
	require.NoError(t, err)
	var got []string
	var last error
	for q, err := range c.Quotes.All(context.Background(), &zenvia.QuoteListOptions{Limit: 2}) {
		if err != nil {
			last = err
			continue
		}
		got = append(got, q.ID)
	}
	assert.ErrorIs(t, last, zenvia.ErrPagingIgnored)
	assert.Len(t, got, 2)
	assert.Equal(t, 2, hits)
	for _, err := range c.Quotes.All(context.Background(), &zenvia.QuoteListOptions{After: "66aa00000000000000000001"}) {
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	}
}
