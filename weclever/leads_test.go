package weclever_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/weclever"
)

func TestFormatDate(t *testing.T) {
	t.Parallel()
	brt := time.FixedZone("-03", -3*3600)
	cases := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "2024-03-01"},
		{time.Date(2024, 3, 1, 0, 0, 0, 0, brt), "2024-03-01"},
		{time.Date(2024, 3, 1, 0, 0, 1, 0, time.UTC), "2024-03-01+00:00:01"},
		{time.Date(2024, 3, 1, 0, 0, 0, 1, time.UTC), "2024-03-01+00:00:00"},
		{time.Date(2024, 12, 31, 23, 59, 59, 999, brt), "2024-12-31+23:59:59"},
		{time.Date(2024, 3, 1, 9, 5, 7, 0, brt), "2024-03-01+09:05:07"},
	}
	for _, tc := range cases {
		got, err := weclever.FormatDate(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%v", tc.in)
		back, dateOnly, err := weclever.ParseDate(got, tc.in.Location())
		require.NoError(t, err)
		assert.Equal(t, len(got) == 10, dateOnly)
		assert.True(t, back.Equal(tc.in.Truncate(time.Second)), "round trip of %s", got)
	}
	_, err := weclever.FormatDate(time.Time{})
	assert.Error(t, err)
	_, err = weclever.FormatDate(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Error(t, err)
	for _, bad := range []string{"", "2024-3-1", "2024-03-01+9:00:00", "2024-03-01T09:00", "01/03/2024"} {
		_, _, err := weclever.ParseDate(bad, nil)
		assert.Error(t, err, bad)
	}
	tm, _, err := weclever.ParseDate("2024-03-01 09:00:00", nil)
	require.NoError(t, err)
	assert.Equal(t, 9, tm.Hour())
}

// TestDatePathReachesServerWithLiteralPlus looks at the path a real
// net/http server receives.
func TestDatePathReachesServerWithLiteralPlus(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var paths, rawPaths, escaped []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/solution/token/basic/plat-1" {
			_, _ = w.Write([]byte(`{"token":"t"}`))
			return
		}
		mu.Lock()
		paths = append(paths, r.URL.Path)
		rawPaths = append(rawPaths, r.URL.RawPath)
		escaped = append(escaped, r.URL.EscapedPath())
		mu.Unlock()
		_, _ = w.Write([]byte(`{"leads":[]}`))
	}))
	defer srv.Close()
	c, err := weclever.NewClient("plat-1", testUser, testPass, weclever.WithBaseURL(srv.URL+"/api/"), fast)
	require.NoError(t, err)
	brt := time.FixedZone("-03", -3*3600)
	ctx := context.Background()

	_, err = c.Leads.Finalized(ctx, time.Date(2024, 3, 1, 8, 30, 0, 0, brt), time.Date(2024, 3, 2, 18, 0, 5, 0, brt))
	require.NoError(t, err)
	_, err = c.Leads.Finalized(ctx, time.Date(2024, 3, 1, 0, 0, 0, 0, brt), time.Date(2024, 3, 31, 0, 0, 0, 0, brt))
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, escaped, 2)
	assert.Equal(t, "/api/lead/find/finalized/2024-03-01+08:30:00/2024-03-02+18:00:05", escaped[0])
	assert.Equal(t, "/api/lead/find/finalized/2024-03-01+08:30:00/2024-03-02+18:00:05", paths[0], "the '+' must not become a space")
	assert.NotContains(t, escaped[0], "%2B")
	assert.NotContains(t, escaped[0], "%3A")
	assert.Empty(t, rawPaths[0], "Go's default escaping of the path is what was sent")
	assert.Equal(t, "/api/lead/find/finalized/2024-03-01/2024-03-31", escaped[1])
}

func TestFinalizedLeadsRefusesBadRanges(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	ctx := context.Background()
	d := func(day int) time.Time { return time.Date(2024, 3, day, 0, 0, 0, 0, time.UTC) }

	_, err := c.Leads.Finalized(ctx, d(5), d(4))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	var ie *leadkit.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "firstDate", ie.Field)

	_, err = c.Leads.Finalized(ctx, time.Time{}, d(4))
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "firstDate", ie.Field)
	_, err = c.Leads.Finalized(ctx, d(4), time.Time{})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "lastDate", ie.Field)

	assert.Equal(t, 0, mock.GetTotalCallCount(), "refused before anything is sent, token included")
}

func TestFinalizedLeadsDecodes(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", tokenURL, (&tokenIssuer{}).responder)
	mock.RegisterResponder("GET", listURL, httpmock.NewBytesResponder(200, readTestdata(t, "finalized_mixed.json")))
	leads, err := c.Leads.Finalized(context.Background(), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Len(t, leads, 7)

	assert.Equal(t, int64(100001), leads[0].ID)
	assert.Equal(t, "won", leads[0].MappedStatus)
	assert.Equal(t, weclever.ClientLeadIDString, leads[0].ClientLeadID.Kind())
	assert.Equal(t, "00123", leads[0].ClientLeadID.String())

	assert.Equal(t, weclever.ClientLeadIDNumber, leads[1].ClientLeadID.Kind())
	assert.Equal(t, "9007199254740993", leads[1].ClientLeadID.String())
	n, ok := leads[1].ClientLeadID.Int64()
	assert.True(t, ok)
	assert.Equal(t, int64(9007199254740993), n)

	assert.True(t, leads[2].ClientLeadID.IsNull())
	assert.Equal(t, "123", leads[3].ClientLeadID.String())
	assert.Equal(t, weclever.IntClientLeadID(123), leads[3].ClientLeadID)

	assert.False(t, leads[4].ClientLeadID.IsNull(), `"" is not null`)
	assert.Equal(t, weclever.StringClientLeadID(""), leads[4].ClientLeadID)
	assert.NotEqual(t, weclever.ClientLeadID{}, leads[4].ClientLeadID)

	assert.Equal(t, int64(100006), leads[5].ID, "id sent as a string")
	assert.True(t, leads[5].ClientLeadID.IsNull(), "absent is null")
	assert.Equal(t, "", leads[6].MappedStatus)
	assert.Equal(t, "CRM-Ação-77", leads[6].ClientLeadID.String())
}

func TestFinalizedLeadsEmptyAndDocumentedBodies(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"finalized_empty.json", "finalized_null.json", "finalized.json"} {
		c, mock := newMock(t)
		mock.RegisterResponder("GET", tokenURL, (&tokenIssuer{}).responder)
		mock.RegisterResponder("GET", listURL, httpmock.NewBytesResponder(200, readTestdata(t, name)))
		leads, err := c.Leads.Finalized(context.Background(), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err, name)
		assert.NotNil(t, leads, name)
		if name == "finalized.json" {
			require.Len(t, leads, 1)
			assert.Equal(t, "Unknown Type: string,integer,null", leads[0].ClientLeadID.String())
		} else {
			assert.Empty(t, leads, name)
		}
	}
}

func TestFinalizedLeadsBadClientLeadID(t *testing.T) {
	t.Parallel()
	c, mock := newMock(t)
	mock.RegisterResponder("GET", tokenURL, (&tokenIssuer{}).responder)
	mock.RegisterResponder("GET", listURL, httpmock.NewStringResponder(200, `{"leads":[{"weclever_lead_id":1,"client_lead_id":true}]}`))
	_, err := c.Leads.Finalized(context.Background(), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC))
	assert.ErrorIs(t, err, leadkit.ErrDecode)
}

func TestClientLeadID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		raw     string
		kind    weclever.ClientLeadIDKind
		text    string
		asInt   int64
		intOK   bool
		encoded string
	}{
		{`"00123"`, weclever.ClientLeadIDString, "00123", 123, true, `"00123"`},
		{`123`, weclever.ClientLeadIDNumber, "123", 123, true, `123`},
		{`9007199254740993`, weclever.ClientLeadIDNumber, "9007199254740993", 9007199254740993, true, `9007199254740993`},
		{`123456789012345678901234567890`, weclever.ClientLeadIDNumber, "123456789012345678901234567890", 0, false, `123456789012345678901234567890`},
		{`-7`, weclever.ClientLeadIDNumber, "-7", -7, true, `-7`},
		{`1.5`, weclever.ClientLeadIDNumber, "1.5", 0, false, `1.5`},
		{`null`, weclever.ClientLeadIDNull, "", 0, false, `null`},
		{`""`, weclever.ClientLeadIDString, "", 0, false, `""`},
		{`"abc\"d"`, weclever.ClientLeadIDString, `abc"d`, 0, false, `"abc\"d"`},
		{`"Ação"`, weclever.ClientLeadIDString, "Ação", 0, false, `"Ação"`},
	}
	for _, tc := range cases {
		var id weclever.ClientLeadID
		require.NoError(t, json.Unmarshal([]byte(tc.raw), &id), tc.raw)
		assert.Equal(t, tc.kind, id.Kind(), tc.raw)
		assert.Equal(t, tc.kind == weclever.ClientLeadIDNull, id.IsNull(), tc.raw)
		assert.Equal(t, tc.text, id.String(), tc.raw)
		n, ok := id.Int64()
		assert.Equal(t, tc.intOK, ok, tc.raw)
		assert.Equal(t, tc.asInt, n, tc.raw)
		out, err := json.Marshal(id)
		require.NoError(t, err)
		assert.Equal(t, tc.encoded, string(out), tc.raw)

		// Round trip inside a FinalizedLead.
		in := weclever.FinalizedLead{ID: 9, MappedStatus: "won", ClientLeadID: id}
		b, err := json.Marshal(in)
		require.NoError(t, err)
		var back weclever.FinalizedLead
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, in, back, string(b))
	}
	for _, bad := range []string{`true`, `{}`, `[1]`, `"unterminated`, `12a`, ``} {
		var id weclever.ClientLeadID
		assert.Error(t, id.UnmarshalJSON([]byte(bad)), bad)
	}
	assert.Equal(t, "null", weclever.ClientLeadIDNull.String())
	assert.Equal(t, "string", weclever.ClientLeadIDString.String())
	assert.Equal(t, "number", weclever.ClientLeadIDNumber.String())
	assert.Equal(t, "ClientLeadIDKind(9)", weclever.ClientLeadIDKind(9).String())

	big, err := weclever.NumberClientLeadID("9007199254740993")
	require.NoError(t, err)
	out, _ := json.Marshal(big)
	assert.Equal(t, "9007199254740993", string(out))
	_, err = weclever.NumberClientLeadID("12x")
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)

	var zero weclever.ClientLeadID
	assert.True(t, zero.IsNull())
	out, _ = json.Marshal(zero)
	assert.Equal(t, "null", string(out))
	assert.NotEqual(t, weclever.StringClientLeadID("123"), weclever.IntClientLeadID(123), "string and integer kept apart")
}
