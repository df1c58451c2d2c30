package transport

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// wireFloat writes itself as a string, as datacake's coordinates do: a
// NaN in it would go out as "NaN".
type wireFloat float64

func (f wireFloat) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(strconv.FormatFloat(float64(f), 'f', -1, 64))), nil
}

type encAddress struct {
	Latitude wireFloat `json:"latitude"`
}

type encEvent struct {
	Duration float64 `json:"duration"`
}

type encLead struct {
	encAddress
	Priority float64        `json:"priority,omitempty"`
	History  []encEvent     `json:"history"`
	Product  map[string]any `json:"product"`
	Skipped  chan int       `json:"-"`
	hidden   func()
}

type selfRef struct {
	Next *selfRef `json:"next"`
}

// TestCheckEncodableNamesTheField is issue 23, item 9: NaN or ±Inf in a
// float field, or a value encoding/json cannot encode inside a map (a NaN, a
// channel, a func), failed with "json: unsupported value" naming no field,
// and a type that writes its number as a string sent "NaN". Each is an
// *leadkit.InputError naming the field by its path.
func TestCheckEncodableNamesTheField(t *testing.T) {
	t.Parallel()
	loop := &selfRef{}
	loop.Next = loop
	for _, tc := range []struct {
		root  string
		v     any
		field string
	}{
		{"", encLead{Priority: math.NaN()}, "priority"},
		{"", &encLead{Priority: math.Inf(1)}, "priority"},
		{"", encLead{History: []encEvent{{1}, {2}, {math.Inf(-1)}}}, "history[2].duration"},
		{"", encLead{encAddress: encAddress{Latitude: wireFloat(math.NaN())}}, "latitude"},
		{"", encLead{Product: map[string]any{"price": map[string]any{"amount": math.NaN()}}}, `product["price"]["amount"]`},
		{"additionalData", map[string]any{"a": 1, "score": math.NaN()}, `additionalData["score"]`},
		{"additionalData", map[string]any{"ch": make(chan int)}, `additionalData["ch"]`},
		{"additionalData", map[string]any{"fn": func() {}}, `additionalData["fn"]`},
		{"additionalData", map[string]any{"c": complex(1, 2)}, `additionalData["c"]`},
		{"additionalData", map[string]any{"list": []any{1.5, float32(math.Inf(1))}}, `additionalData["list"][1]`},
		{"", map[float64]int{1: 1}, "body"},
		{"", loop, "next"},
	} {
		err := CheckEncodable(tc.root, tc.v)
		var ie *leadkit.InputError
		if assert.ErrorAs(t, err, &ie, "%#v", tc.v) {
			assert.Equal(t, tc.field, ie.Field)
		}
	}
	for _, good := range []any{
		encLead{Priority: 1.5, Skipped: make(chan int), hidden: func() {}, Product: map[string]any{"n": nil}},
		map[string]any{"score": 0.5, "raw": json.RawMessage(`{"x":1}`), "b": []byte{1}},
		nil, url.Values{"a": {"1"}},
	} {
		assert.NoError(t, CheckEncodable("", good))
	}
}

// TestNonFiniteBodyIsNeverSent: the core checks every JSON body, and every
// query and form struct, before anything is sent.
func TestNonFiniteBodyIsNeverSent(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { jsonStatus(w, 200, `{}`) })
	c := newClient(t, srv.URL)
	type params struct {
		Min float64 `url:"min"`
	}
	for _, req := range []*Request{
		{Method: http.MethodPost, JSON: encLead{encAddress: encAddress{Latitude: wireFloat(math.NaN())}}},
		{Method: http.MethodPatch, JSON: map[string]any{"score": math.Inf(1)}},
		{Method: http.MethodPut, JSON: map[string]any{"f": func() {}}},
		{Method: http.MethodGet, Query: params{Min: math.NaN()}},
		{Method: http.MethodPost, Form: params{Min: math.Inf(-1)}},
	} {
		_, err := c.Do(context.Background(), req)
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.NotEmpty(t, ie.Field)
		assert.NotContains(t, err.Error(), "unsupported value")
	}
	assert.Equal(t, 0, srv.count(), "nothing was sent")
}
