package zen_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zen"
)

func TestWithMaxBodyBytes(t *testing.T) {
	t.Parallel()
	_, err := zen.NewClient(base, token, zen.WithMaxBodyBytes(0))
	require.ErrorIs(t, err, leadkit.ErrInvalidInput)
	c, mock := newMock(t, zen.WithMaxBodyBytes(64))
	mock.RegisterResponder("GET", base+"/api/totais_lead", jsonResponder(t, 200, `{"data":"`+strings.Repeat("x", 100)+`"}`))
	_, err = c.Leads.Totals(context.Background(), day)
	require.ErrorIs(t, err, leadkit.ErrBodyTooLarge)
}
