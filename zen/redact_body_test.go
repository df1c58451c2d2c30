package zen_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
)

// A server (or a proxy in front of it) that puts the request's token into a
// date field: the conversion error quotes the field's value, and the token
// must still be masked in it.
func TestDateConversionErrorsMaskTheToken(t *testing.T) {
	t.Parallel()
	leads := `{"paginacao":{"pagina_atual":1,"total_paginas":1},"usuarios":[{"nome":"Ana","leads":[{"codigo":"1","data_entrada":"` + token + `"}]}]}`
	archive := `{"data":"2026-11-19","leads":[{"integracao_lead":"x","data_criacao_lead":"token=` + token + `"}]}`
	c, mock := newMock(t, zen.WithLimits(zen.Limits{}))
	mock.RegisterResponder("GET", base+"/api/leads_usuario", jsonResponder(t, 200, leads))
	mock.RegisterResponder("GET", base+"/api/arquivo-lead", jsonResponder(t, 200, archive))

	_, err := c.Leads.ByUser(context.Background(), day, day, 1)
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrDecode)
	assert.Contains(t, err.Error(), "data_entrada")
	assert.NotContains(t, err.Error(), token)

	for _, err := range c.Leads.AllByUser(context.Background(), day, day) {
		require.Error(t, err)
		assert.NotContains(t, err.Error(), token)
	}

	_, err = c.Leads.Archive(context.Background(), day)
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrDecode)
	assert.Contains(t, err.Error(), "data_criacao_lead")
	assert.NotContains(t, err.Error(), token)
}
