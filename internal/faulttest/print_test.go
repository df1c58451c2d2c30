package faulttest

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// TestClientsPrintNoSecret is issue 13, item 7: printing a client with any
// verb, or logging it with slog, printed the token, the API key or the
// password.
func TestClientsPrintNoSecret(t *testing.T) {
	t.Parallel()
	zc, err := zen.NewClient("https://zen.example", canaryZen)
	require.NoError(t, err)
	sc, err := salesman.NewClient("https://crm.example.ru", "ana@x.ru", canarySalesmanKey)
	require.NoError(t, err)
	wc, err := weclever.NewClient("pid", "ana", canaryWecleverPass)
	require.NoError(t, err)
	vc, err := zenvia.NewClient(canaryZenviaKey)
	require.NoError(t, err)
	dc, err := datacake.NewClient("https://erp.example", canaryDatacake)
	require.NoError(t, err)
	secrets := []string{canaryZen, canarySalesmanKey, canaryWecleverPass, canaryZenviaKey, canaryDatacake}
	for _, c := range []any{zc, sc, wc, vc, dc} {
		texts := map[string]string{}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			texts[verb] = fmt.Sprintf(verb, c)
			texts[verb+" of the value"] = fmt.Sprintf(verb, deref(c))
		}
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("client", "c", c, slog.Any("any", c))
		slog.New(slog.NewJSONHandler(&js, nil)).Info("client", "c", c, slog.Any("any", c))
		texts["slog text"], texts["slog json"] = text.String(), js.String()
		if hits := leaks(texts, secrets); len(hits) > 0 {
			t.Errorf("%T prints a secret:\n%v", c, hits)
		}
	}
}

// deref returns the struct a client points to (printed as a value, fmt
// goes one level deeper than through the pointer).
func deref(c any) any {
	switch x := c.(type) {
	case *zen.Client:
		return *x
	case *salesman.Client:
		return *x
	case *weclever.Client:
		return *x
	case *zenvia.Client:
		return *x
	case *datacake.Client:
		return *x
	}
	return c
}
