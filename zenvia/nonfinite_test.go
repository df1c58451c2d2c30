package zenvia_test

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
)

// TestNonFiniteOrUnencodableNamed is issue 23, item 9: a NaN Priority, or a
// NaN, a channel or a func in additionalData or a lead's product, failed
// with "json: unsupported value" naming no field. Each is an
// *leadkit.InputError naming the field, before anything is sent; Validate
// (which the relay calls at enqueue) says the same.
func TestNonFiniteOrUnencodableNamed(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, nil)
	ctx := context.Background()
	ps, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, ps)
	before := len(s.Requests())

	lead := func(mut func(*zenvia.Lead)) *zenvia.Lead {
		l := &zenvia.Lead{UTMSource: "site", Emails: []string{"ana@example.com"}}
		mut(l)
		return l
	}
	for _, tc := range []struct {
		lead  *zenvia.Lead
		field string
	}{
		{lead(func(l *zenvia.Lead) { l.Priority = math.NaN() }), "priority"},
		{lead(func(l *zenvia.Lead) { l.Priority = math.Inf(1) }), "priority"},
		{lead(func(l *zenvia.Lead) { l.Product = map[string]any{"price": map[string]any{"amount": math.Inf(-1)}} }), `product["price"]["amount"]`},
		{lead(func(l *zenvia.Lead) { l.Product = map[string]any{"onSale": func() bool { return true }} }), `product["onSale"]`},
	} {
		var ie *leadkit.InputError
		require.ErrorAs(t, tc.lead.Validate(zenvia.IndustryRetail), &ie)
		assert.Equal(t, tc.field, ie.Field)
		_, err := c.Leads.Create(ctx, zenvia.IndustryRetail, tc.lead)
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, tc.field, ie.Field)
		assert.NotContains(t, err.Error(), "unsupported")
	}
	for key, v := range map[string]any{"score": math.NaN(), "ch": make(chan int), "fn": func() {}} {
		_, err := c.Prospects.UpdateAdditionalData(ctx, ps[0].ID, map[string]any{"name": "Ana", key: v})
		var ie *leadkit.InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, `additionalData["`+key+`"]`, ie.Field)
	}
	for _, r := range s.Requests()[before:] {
		assert.False(t, r.Method != http.MethodGet && (strings.Contains(r.Path, "lead") || strings.Contains(r.Path, "additionalData")),
			"nothing was sent: %s %s", r.Method, r.Path)
	}
}
