package zenvia_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// recorder is a 127.0.0.1 server that keeps the last request's query and
// body and answers body, counting requests.
type recorder struct {
	srv   *httptest.Server
	n     atomic.Int32
	query atomic.Pointer[url.Values]
	body  atomic.Pointer[string]
}

func newRecorder(t *testing.T, answer string) (*recorder, *zenvia.Client) {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.n.Add(1)
		q := r.URL.Query()
		rec.query.Store(&q)
		b, _ := io.ReadAll(r.Body)
		s := string(b)
		rec.body.Store(&s)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(rec.srv.Close)
	c, err := zenvia.NewClient("k", zenvia.WithBaseURL(rec.srv.URL), zenvia.WithMaxRetries(0))
	require.NoError(t, err)
	return rec, c
}

// rawGet sends a GET with the sandbox's key and returns the status and body.
func rawGet(t *testing.T, s *zenviatest.Server, path string, q url.Values) (int, string) {
	t.Helper()
	q = maps.Clone(q)
	q.Set("api-key", s.Credentials()["ZENVIA_API_KEY"])
	resp, err := http.Get(s.URL + path + "?" + q.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestAdditionalDataFilterAsTheSpecWritesIt: the spec's additionalData[]
// filters are FIELD, OPERATOR and VALUE written together
// ("additionalData[]=finance=1", "birthdate<01/01/2000", "style~blue");
// "[FIELD][OPERATOR][VALUE]" in its text names the parts, it is not sent
// with brackets.
func TestAdditionalDataFilterAsTheSpecWritesIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec, c := newRecorder(t, `[]`)
	filters := []string{"finance=1", "birthdate<01/01/2000", "birthdate>=01/01/1990", "style~blue", "renda>5000", "x<=3"}
	_, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{AdditionalData: filters})
	require.NoError(t, err)
	require.NotNil(t, rec.query.Load())
	assert.Equal(t, filters, (*rec.query.Load())["additionalData[]"])

	before := rec.n.Load()
	for _, bad := range []string{"[renda][>=][5000]", "renda", "=1", "", "[finance]=1"} {
		_, err = c.Prospects.List(ctx, &zenvia.ProspectListOptions{AdditionalData: []string{"finance=1", bad}})
		require.ErrorIs(t, err, leadkit.ErrInvalidInput, "%q", bad)
		assert.Contains(t, err.Error(), "additionalData[1]", "%q", bad)
	}
	assert.Equal(t, before, rec.n.Load(), "nothing sent for a bad filter")

	// The sandbox reads the spec's form, and refuses the bracketed one.
	s, c2 := sandbox(t, &zenviatest.Options{Seed: 5})
	ids := s.ProspectIDs()
	_, err = c2.Prospects.UpdateAdditionalData(ctx, ids[0], map[string]any{"renda": 7000, "estilo": "Azul marinho"})
	require.NoError(t, err)
	for _, f := range []string{"renda>=5000", "renda>6999", "renda=7000", "estilo~azul"} {
		rich, err := c2.Prospects.List(ctx, &zenvia.ProspectListOptions{AdditionalData: []string{f}, Limit: 1000})
		require.NoError(t, err, f)
		require.Len(t, rich, 1, f)
		assert.Equal(t, ids[0], rich[0].ID, f)
	}
	none, err := c2.Prospects.List(ctx, &zenvia.ProspectListOptions{AdditionalData: []string{"renda<7000"}, Limit: 1000})
	require.NoError(t, err)
	assert.Empty(t, none)
	status, body := rawGet(t, s, "/prospects", url.Values{"additionalData[]": {"[renda][>=][5000]"}})
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.True(t, strings.Contains(body, "additionalData"), body)
}

// rawPost sends a JSON POST with the sandbox's key and returns the status
// and body.
func rawPost(t *testing.T, s *zenviatest.Server, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(s.URL+path+"?api-key="+url.QueryEscape(s.Credentials()["ZENVIA_API_KEY"]), "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestNINTypeIsTheSpecsEnumeration: a lead's nin[].type is one of the
// spec's twelve (CUIT, CUIL, DNI, CPF, RUN, RUT, CURP, RFC, IMSS, DNIC, RUC,
// CE); another is refused by the client before sending, and by the sandbox.
func TestNINTypeIsTheSpecsEnumeration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec, c := newRecorder(t, `{}`)
	for _, typ := range []zenvia.NINType{"SSN", "cpf", " CPF"} {
		_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Phones: []string{"+5551987654321"},
			NIN: []zenvia.NIN{{Type: zenvia.NINCPF, Number: "1"}, {Type: typ, Number: "123"}}})
		require.ErrorIs(t, err, leadkit.ErrInvalidInput, "%q", typ)
		assert.Contains(t, err.Error(), "nin[1].type", "%q", typ)
	}
	assert.Zero(t, rec.n.Load(), "nothing sent")
	_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Phones: []string{"+5551987654321"},
		NIN: []zenvia.NIN{{Type: zenvia.NINRUC, Number: "1"}, {Type: zenvia.NINCE, Number: "2"}}})
	require.NoError(t, err)

	s := zenviatest.NewServer(&zenviatest.Options{Seed: 1})
	t.Cleanup(s.Close)
	status, body := rawPost(t, s, "/lead/retail", `{"utmSource":"a","phones":["+5551987654321"],"nin":[{"type":"SSN","number":"1"}]}`)
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.Contains(t, body, "nin[0].type")
	status, body = rawPost(t, s, "/lead/retail", `{"utmSource":"a","phones":["+5551987654321"],"nin":[{"type":"CPF","number":"1"}]}`)
	assert.Equal(t, http.StatusOK, status, body)
}

// TestLeadProductAndPriorityTypes: the spec's types inside a lead. priority
// is a number; a product's enumerations (real-estate type; vehicle
// condition and fuelType; saving-plan goodType and condition) take only
// their values; a price (MoneyAmount) has a numeric amount, a saving plan's
// estimates (MoneyAmountEstimate) a numeric upperEstimate. The client
// refuses the rest before sending, naming the field; the sandbox answers
// 400 as the API does.
func TestLeadProductAndPriorityTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec, c := newRecorder(t, `{}`)
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 1})
	t.Cleanup(s.Close)
	cases := []struct {
		industry zenvia.Industry
		product  map[string]any
		field    string
	}{
		{zenvia.IndustryRealEstate, map[string]any{"title": "Casa", "type": "castle"}, "product.type"},
		{zenvia.IndustryVehicle, map[string]any{"make": "Fiat", "condition": "broken"}, "product.condition"},
		{zenvia.IndustryVehicle, map[string]any{"fuelType": "coal"}, "product.fuelType"},
		{zenvia.IndustrySavingPlan, map[string]any{"goodType": "boat"}, "product.goodType"},
		{zenvia.IndustrySavingPlan, map[string]any{"goodType": "vehicle", "condition": "old"}, "product.condition"},
		{zenvia.IndustryRetail, map[string]any{"sku": "1", "price": map[string]any{"amount": "79.90", "currency": "brl"}}, "product.price.amount"},
		{zenvia.IndustryInsurance, map[string]any{"price": map[string]any{"currency": "brl"}}, "product.price.amount"},
		{zenvia.IndustryRetail, map[string]any{"price": 79.9}, "product.price"},
		{zenvia.IndustrySavingPlan, map[string]any{"creditAmountEstimate": map[string]any{"lowerEstimate": 1000}}, "product.creditAmountEstimate.upperEstimate"},
		{zenvia.IndustrySavingPlan, map[string]any{"monthlyPaymentsEstimate": map[string]any{"upperEstimate": "9"}}, "product.monthlyPaymentsEstimate.upperEstimate"},
	}
	for _, tc := range cases {
		lead := &zenvia.Lead{UTMSource: "site", Phones: []string{"+5551987654321"}, Product: tc.product}
		_, err := c.Leads.Create(ctx, tc.industry, lead)
		if assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "%v", tc.product) {
			assert.Contains(t, err.Error(), tc.field)
		}
		b, err := json.Marshal(lead)
		require.NoError(t, err)
		status, body := rawPost(t, s, "/lead/"+string(tc.industry), string(b))
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", b, body)
		assert.Contains(t, body, tc.field)
	}
	assert.Zero(t, rec.n.Load(), "nothing sent")

	status, body := rawPost(t, s, "/lead/retail", `{"utmSource":"a","phones":["+5551987654321"],"priority":"high"}`)
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.Contains(t, body, "priority")

	for _, ok := range []struct {
		industry zenvia.Industry
		product  map[string]any
	}{
		{zenvia.IndustryRealEstate, map[string]any{"title": "Casa", "type": "residential"}},
		{zenvia.IndustryVehicle, map[string]any{"make": "Fiat", "condition": "used", "fuelType": "naturalGas"}},
		{zenvia.IndustrySavingPlan, map[string]any{"goodType": "property", "condition": "new",
			"creditAmountEstimate": map[string]any{"lowerEstimate": 1000, "upperEstimate": zenvia.Amount(150050), "currency": "brl"}}},
		{zenvia.IndustryRetail, map[string]any{"price": map[string]any{"amount": zenvia.Amount(7990), "currency": "brl"}}},
	} {
		lead := &zenvia.Lead{UTMSource: "site", Priority: 2, Phones: []string{"+5551987654321"}, Product: ok.product}
		_, err := c.Leads.Create(ctx, ok.industry, lead)
		require.NoError(t, err, "%v", ok.product)
		b, err := json.Marshal(lead)
		require.NoError(t, err)
		status, body := rawPost(t, s, "/lead/"+string(ok.industry), string(b))
		assert.Equal(t, http.StatusOK, status, "%s: %s", b, body)
	}
}

// TestSandboxQueryAndBodyTypes: the sandbox refuses what the spec's types
// refuse, and reads the spec's names. A quote item's quantity and price
// are numbers (JSON strings were taken: Go reads "3" into a json.Number);
// withAgent is a boolean ("maybe" was read as false); the interactions'
// via filter is named via in the spec (a qs server reads via=x and
// via[]=x alike; the sandbox ignored via=x and answered everything).
func TestSandboxQueryAndBodyTypes(t *testing.T) {
	t.Parallel()
	s := zenviatest.NewServer(&zenviatest.Options{Seed: 3})
	t.Cleanup(s.Close)
	pid := s.ProspectIDs()[0]
	for _, body := range []string{`{"items":[{"quantity":1,"price":"3"}]}`, `{"items":[{"quantity":"1"}]}`} {
		status, answer := rawPost(t, s, "/prospect/"+pid+"/quotes", body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", body, answer)
		assert.Contains(t, answer, "items[0].")
	}
	status, answer := rawPost(t, s, "/prospect/"+pid+"/quotes", `{"items":[{"quantity":1,"price":3.5}]}`)
	assert.Equal(t, http.StatusOK, status, answer)

	status, answer = rawGet(t, s, "/prospects", url.Values{"withAgent": {"maybe"}})
	assert.Equal(t, http.StatusBadRequest, status, answer)
	assert.Contains(t, answer, "withAgent")

	ctx := context.Background()
	c, err := zenvia.NewClient(s.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(s.URL))
	require.NoError(t, err)
	_, err = c.Prospects.CreateNote(ctx, pid, "nota")
	require.NoError(t, err)
	for _, q := range []url.Values{{"via": {"other"}}, {"via[]": {"other"}}} {
		status, answer = rawGet(t, s, "/prospects/interactions", q)
		require.Equal(t, http.StatusOK, status, answer)
		var got []struct {
			Via any `json:"via"`
		}
		require.NoError(t, json.Unmarshal([]byte(answer), &got))
		require.NotEmpty(t, got, "%v", q)
		for _, in := range got {
			assert.Equal(t, "other", in.Via, "%v", q)
		}
	}
}

// TestFlatInputsRefusedBeforeSending: UpdateAdditionalData takes a flat
// object (UpdateAdditionalData: a value per key): a nested value of any Go
// type ([]string, map[string]string, a struct), not only []any and
// map[string]any, and an empty key are refused naming the field; a via
// filter of the interactions must not be empty. Nothing is sent. The
// sandbox refuses the empty key too.
func TestFlatInputsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec, c := newRecorder(t, `{}`)
	id := "0123456789abcdef01234567"
	type point struct{ X int }
	for _, tc := range []struct {
		data  map[string]any
		field string
	}{
		{map[string]any{"tags": []string{"a"}}, "additionalData.tags"},
		{map[string]any{"ok": 1, "m": map[string]string{"a": "b"}}, "additionalData.m"},
		{map[string]any{"p": point{1}}, "additionalData.p"},
		{map[string]any{"pp": &point{1}}, "additionalData.pp"},
		{map[string]any{"raw": json.RawMessage(`{"a":1}`)}, "additionalData.raw"},
		{map[string]any{"": 1}, "additionalData"},
		{map[string]any{" ": 1}, "additionalData"},
	} {
		_, err := c.Prospects.UpdateAdditionalData(ctx, id, tc.data)
		if assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "%v", tc.data) {
			assert.Contains(t, err.Error(), tc.field)
		}
	}
	for _, via := range [][]string{{""}, {"whatsApp", " "}} {
		_, err := c.Interactions.List(ctx, &zenvia.InteractionListOptions{Via: via})
		if assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "%q", via) {
			assert.Contains(t, err.Error(), "via[")
		}
		_, err = c.Prospects.Interactions(ctx, id, &zenvia.InteractionListOptions{Via: via})
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "%q", via)
	}
	assert.Zero(t, rec.n.Load(), "nothing sent")
	_, err := c.Prospects.UpdateAdditionalData(ctx, id, map[string]any{"renda": 7000, "nome": "Ana", "vip": true, "nada": nil})
	require.NoError(t, err)
	assert.JSONEq(t, `{"renda":7000,"nome":"Ana","vip":true,"nada":null}`, *rec.body.Load())

	s := zenviatest.NewServer(&zenviatest.Options{Seed: 3})
	t.Cleanup(s.Close)
	req, err := http.NewRequest(http.MethodPatch, s.URL+"/prospect/"+s.ProspectIDs()[0]+"/additionalData?api-key="+
		url.QueryEscape(s.Credentials()["ZENVIA_API_KEY"]), strings.NewReader(`{"":1}`))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, string(b))
}

// TestDateFiltersKeepMilliseconds: Zenvia stamps objects to the
// millisecond ("2024-03-14T15:36:00.123Z") and its DateTime parameters
// take the same ISO 8601 form. Dates were sent cut to the second, so a
// createdBefore of 12:00:00.700 became 12:00:00 and left out what was
// created in those 700 ms. An after bound is sent rounded down to the
// millisecond and a before bound rounded up: both select exactly the
// millisecond-stamped objects the caller's times select.
func TestDateFiltersKeepMilliseconds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec, c := newRecorder(t, `[]`)
	at := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	_, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{CreatedAfter: at.Add(250300 * time.Microsecond),
		CreatedBefore: at.Add(700 * time.Millisecond), ClaimedBefore: at.Add(700100 * time.Microsecond),
		TransferredAfter: at.Add(-time.Hour)})
	require.NoError(t, err)
	q := *rec.query.Load()
	assert.Equal(t, "2026-03-14T12:00:00.250Z", q.Get("createdAfter"))
	assert.Equal(t, "2026-03-14T12:00:00.700Z", q.Get("createdBefore"))
	assert.Equal(t, "2026-03-14T12:00:00.701Z", q.Get("claimedBefore"))
	assert.Equal(t, "2026-03-14T11:00:00.000Z", q.Get("transferredAfter"))
	_, err = c.Interactions.List(ctx, &zenvia.InteractionListOptions{CreatedBefore: at.Add(1500 * time.Millisecond)})
	require.NoError(t, err)
	assert.Equal(t, "2026-03-14T12:00:01.500Z", rec.query.Load().Get("createdBefore"))
	_, err = c.Quotes.List(ctx, &zenvia.QuoteListOptions{AcceptedAfter: at.In(time.FixedZone("BRT", -3*3600)).Add(time.Millisecond)})
	require.NoError(t, err)
	assert.Equal(t, "2026-03-14T12:00:00.001Z", rec.query.Load().Get("acceptedAfter"))

	// End to end: a prospect created at 12:00:00.300 is before 12:00:00.700.
	now := at.Add(300 * time.Millisecond)
	s, c2 := sandbox(t, &zenviatest.Options{Seed: 2, Prospects: -1, Now: func() time.Time { return now }})
	_ = s
	_, err = c2.Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "site", Phones: []string{"+5551987654321"}})
	require.NoError(t, err)
	got, err := c2.Prospects.List(ctx, &zenvia.ProspectListOptions{CreatedAfter: at.Add(-time.Hour), CreatedBefore: at.Add(700 * time.Millisecond)})
	require.NoError(t, err)
	assert.Len(t, got, 1, "created at 12:00:00.300, before 12:00:00.700")
}

// TestInteractionUpdateIsAnUpdateEvent: "Update interaction" (PUT
// /prospect/{id}/interaction/{iid}) takes an UpdateEvent: type (required)
// "message" {delivered, status (pending, sent, received, read, failed,
// deleted), error} or "question" {answer, delivered, cancelReason}. The
// client sent any map (the old test changed a "status" "finished" without
// a type), and the sandbox took it and even rewrote a note's text. Now the
// client refuses a body the spec refuses, naming the field, before
// sending; the sandbox answers 400 to it.
func TestInteractionUpdateIsAnUpdateEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec, c := newRecorder(t, `{}`)
	id, iid := "0123456789abcdef01234567", "0123456789abcdef01234568"
	bad := []struct {
		fields map[string]any
		field  string
	}{
		{map[string]any{"status": "read"}, "type"},
		{map[string]any{"type": "note", "status": "read"}, "type"},
		{map[string]any{"type": "message", "status": "finished"}, "status"},
		{map[string]any{"type": "message", "delivered": "yes"}, "delivered"},
		{map[string]any{"type": "message", "output": map[string]any{"comment": "x"}}, "output"},
		{map[string]any{"type": "message", "dueAt": "2026-01-01T00:00:00Z"}, "dueAt"},
		{map[string]any{"type": "question", "answer": 3}, "answer"},
		{map[string]any{"type": "question", "status": "read"}, "status"},
	}
	for _, tc := range bad {
		_, err := c.Interactions.Update(ctx, id, iid, tc.fields)
		var ie *leadkit.InputError
		if assert.ErrorAs(t, err, &ie, "%v", tc.fields) {
			assert.Equal(t, tc.field, ie.Field, "%v", tc.fields)
		}
	}
	assert.Zero(t, rec.n.Load(), "nothing sent")
	_, err := c.Interactions.Update(ctx, id, iid, map[string]any{"type": "message", "status": "read", "delivered": true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"message","status":"read","delivered":true}`, *rec.body.Load())

	s, c2 := sandbox(t, &zenviatest.Options{Seed: 4})
	pid := s.ProspectIDs()[0]
	note, err := c2.Prospects.CreateNote(ctx, pid, "texto")
	require.NoError(t, err)
	put := func(body string) (int, string) {
		req, err := http.NewRequest(http.MethodPut, s.URL+"/prospect/"+pid+"/interaction/"+note.ID+"?api-key="+
			url.QueryEscape(s.Credentials()["ZENVIA_API_KEY"]), strings.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, body := range []string{`{"status":"finished"}`, `{"type":"message","status":"finished"}`,
		`{"type":"message","output":{"comment":"outro"}}`, `{"type":"message","delivered":"yes"}`} {
		status, answer := put(body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", body, answer)
	}
	status, answer := put(`{"type":"message","status":"read"}`)
	require.Equal(t, http.StatusOK, status, answer)
	got, err := c2.Interactions.Get(ctx, pid, note.ID)
	require.NoError(t, err)
	assert.Equal(t, "read", got.Status)
	assert.Equal(t, "texto", got.Content, "the text is not changed by an update")
}
