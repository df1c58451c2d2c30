package weclever_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/weclever"
)

func leadClient(t *testing.T, status int, body []byte, opts ...weclever.Option) (*weclever.Client, *httpmock.MockTransport) {
	t.Helper()
	c, mock := newMock(t, opts...)
	mock.RegisterResponder("GET", tokenURL, (&tokenIssuer{}).responder)
	mock.RegisterResponder("GET", leadURL, httpmock.NewBytesResponder(status, body))
	return c, mock
}

func TestLeadRealWorldBody(t *testing.T) {
	t.Parallel()
	c, _ := leadClient(t, 200, readTestdata(t, "lead_real.json"))
	l, err := c.Leads.Get(context.Background(), 42)
	require.NoError(t, err)
	assert.Equal(t, "João Souza", l.Name)
	assert.Equal(t, "joao.souza42@exemplo.com.br", l.Email)
	assert.Equal(t, "+5511987654321", l.Phone)
	assert.Equal(t, "SP", l.State)
	assert.Equal(t, "Sudeste", l.Regional)
	assert.Equal(t, "Venda realizada", l.Status)
	assert.Equal(t, "00:42:10", l.Chats.Metrics.DateDifference)
	assert.Equal(t, 3, l.Chats.Metrics.TotalMessages, "count sent as a string")
	require.Len(t, l.Chats.Messages, 3)

	brt := time.FixedZone("", -3*3600)
	m := l.Chats.Messages
	assert.Equal(t, int64(5000001), m[0].ID)
	assert.Equal(t, "", m[0].MediaURL, "null media_url")
	assert.Equal(t, "outbound", m[0].Direction)
	assert.Equal(t, "text", m[0].Type)
	assert.Equal(t, "SM0123456789abcdef0123456789abcdef", m[0].SID)
	assert.True(t, m[0].Created.Equal(time.Date(2024, 3, 12, 14, 3, 5, 0, brt)), "no offset: read in Brasília time, got %v", m[0].Created)
	assert.Equal(t, "2024-03-12 14:03:05", m[0].CreatedRaw)
	assert.Equal(t, int64(5000002), m[1].ID, "id sent as a string")
	assert.Equal(t, "Qual o valor? É à vista?", m[1].Body)
	assert.True(t, m[1].Created.Equal(time.Date(2024, 3, 12, 14, 5, 40, 0, brt)))
	assert.True(t, m[2].Created.Equal(time.Date(2024, 3, 12, 14, 45, 15, 0, brt)), "DD/MM/YYYY")
	assert.Equal(t, "image/jpeg", m[2].ContentType)
	assert.Equal(t, "https://media.weclever.co/x/5000003.jpg", m[2].MediaURL)

	assert.Equal(t, weclever.Feelings{TotalMessages: 1, Positive: 1}, l.Feelings)
	assert.Equal(t, weclever.CSAT{Message: "Atendimento excelente", Rating: "5"}, l.CSAT, "numeric rating kept as text")
}

func TestLeadWithLocation(t *testing.T) {
	t.Parallel()
	c, _ := leadClient(t, 200, readTestdata(t, "lead_real.json"), weclever.WithTimeZone(time.UTC))
	l, err := c.Leads.Get(context.Background(), 42)
	require.NoError(t, err)
	assert.True(t, l.Chats.Messages[0].Created.Equal(time.Date(2024, 3, 12, 14, 3, 5, 0, time.UTC)))
}

func TestLeadDocumentedBody(t *testing.T) {
	t.Parallel()
	c, _ := leadClient(t, 200, readTestdata(t, "lead.json"))
	l, err := c.Leads.Get(context.Background(), 42)
	require.NoError(t, err)
	assert.Equal(t, "string", l.Name)
	require.Len(t, l.Chats.Messages, 1)
	assert.True(t, l.Chats.Messages[0].Created.IsZero(), `"string" is no date`)
	assert.Equal(t, "string", l.Chats.Messages[0].CreatedRaw, "kept as sent")
}

func TestLeadEmptyChatsAndNulls(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"lead_empty_chats.json", "lead_nulls.json"} {
		c, _ := leadClient(t, 200, readTestdata(t, name))
		l, err := c.Leads.Get(context.Background(), 42)
		require.NoError(t, err, name)
		assert.NotNil(t, l.Chats.Messages, name)
		assert.Empty(t, l.Chats.Messages, name)
		assert.Zero(t, l.Feelings, name)
	}
	c, _ := leadClient(t, 200, readTestdata(t, "lead_nulls.json"))
	l, err := c.Leads.Get(context.Background(), 42)
	require.NoError(t, err)
	assert.Equal(t, "Пётр Иванов", l.Name)
	assert.Equal(t, "", l.Email)
}

func TestLeadNotFound(t *testing.T) {
	t.Parallel()
	c, _ := leadClient(t, 404, []byte(`{"error":"Lead not found"}`))
	_, err := c.Leads.Get(context.Background(), 42)
	require.Error(t, err)
	assert.ErrorIs(t, err, weclever.ErrNotFound)
	assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
	var re *leadkit.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 404, re.StatusCode)
	assert.Equal(t, "GET", re.Method)

	c, _ = leadClient(t, 200, readTestdata(t, "lead_null.json"))
	_, err = c.Leads.Get(context.Background(), 42)
	assert.ErrorIs(t, err, weclever.ErrNotFound, `{"lead":null}`)
}

func TestLeadRefusesBadID(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	for _, id := range []int64{0, -5} {
		_, err := c.Leads.Get(context.Background(), id)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "id", ie.Field)
	}
	assert.Equal(t, 0, mock.GetTotalCallCount())
}

func TestLeadBrokenBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		want       error
	}{
		{"html", "<html><body>Bad gateway</body></html>", leadkit.ErrNotJSON},
		{"empty", "", leadkit.ErrEmptyBody},
		{"truncated", `{"lead":{"name":"Ana","chats":{"messages":[{"id_chat":1,`, leadkit.ErrTruncatedBody},
		{"wrong shape", `{"lead":{"chats":{"messages":{"id_chat":1}}}}`, leadkit.ErrDecode},
		{"word for a number", `{"lead":{"feelings":{"positive_feeling":"muito"}}}`, leadkit.ErrDecode},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := leadClient(t, 200, []byte(tc.body))
			_, err := c.Leads.Get(context.Background(), 42)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			var re *leadkit.ResponseError
			assert.ErrorAs(t, err, &re)
		})
	}
}

func TestLeadDocumented500IsAServerError(t *testing.T) {
	t.Parallel()
	// The docs label the lead answer "500 Successful operation": a real 500
	// is still an error (retried, as for any GET), with its body decoded.
	c, mock := leadClient(t, 500, readTestdata(t, "lead.json"), weclever.WithMaxRetries(1))
	_, err := c.Leads.Get(context.Background(), 42)
	require.Error(t, err)
	var we *weclever.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, 500, we.StatusCode)
	assert.Equal(t, 2, mock.GetCallCountInfo()["GET "+leadURL], "a GET answered 500 is retried")
}

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		body   string
		ctype  string
		msg    string
	}{
		{"error", 400, `{"error":"Invalid date"}`, "application/json", "Invalid date"},
		{"message", 403, `{"message":"Forbidden"}`, "application/json", "Forbidden"},
		{"both", 400, `{"message":"m","error":"e"}`, "application/json", "e"},
		{"nested", 400, `{"error":{"message":"deep"}}`, "application/json", "deep"},
		{"number", 400, `{"error":42}`, "application/json", "42"},
		{"plain text", 400, "Invalid date format. Use YYYY-MM-DD", "text/plain", "Invalid date format. Use YYYY-MM-DD"},
		{"html", 404, "<html><h1>Not Found</h1></html>", "text/html", ""},
		{"empty", 404, "", "", ""},
		{"other json", 409, `{"detail":"conflict"}`, "application/json", "conflict"},
		{"long", 400, strings.Repeat("é", 400), "text/plain", strings.Repeat("é", 150) + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mock := newMock(t)
			mock.RegisterResponder("GET", tokenURL, (&tokenIssuer{}).responder)
			mock.RegisterResponder("GET", leadURL, func(*http.Request) (*http.Response, error) {
				r := httpmock.NewStringResponse(tc.status, tc.body)
				if tc.ctype != "" {
					r.Header.Set("Content-Type", tc.ctype)
				}
				return r, nil
			})
			_, err := c.Leads.Get(context.Background(), 42)
			var we *weclever.Error
			require.ErrorAs(t, err, &we)
			assert.Equal(t, tc.status, we.StatusCode)
			assert.Equal(t, tc.msg, we.Message)
			assert.ErrorIs(t, err, leadkit.ErrHTTPStatus)
			assert.Equal(t, tc.status == 404, errorsIs(err, weclever.ErrNotFound))
			assert.Equal(t, tc.status == 403, errorsIs(err, weclever.ErrUnauthorized))
			if tc.body != "" {
				assert.NotEmpty(t, we.Body, "raw excerpt kept")
			}
			assert.Contains(t, err.Error(), "HTTP ")
		})
	}
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t, weclever.WithMaxRetries(0))
	mock.RegisterResponder("GET", tokenURL, (&tokenIssuer{}).responder)
	mock.RegisterResponder("GET", leadURL, func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(429, `{"message":"Too Many Requests"}`)
		r.Header.Set("Retry-After", "7")
		return r, nil
	})
	_, err := c.Leads.Get(context.Background(), 42)
	var rl *weclever.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.Equal(t, 7*time.Second, rl.RetryAfter)
	var we *weclever.Error
	require.ErrorAs(t, err, &we)
	assert.Equal(t, "Too Many Requests", we.Message)
}
