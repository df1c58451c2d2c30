package faulttest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// TestClientRedact: each client's Redact masks its own credential in every
// form the scanners look for, in text the client never built (the relay
// passes what it stores through it), and leaves other text as it is.
func TestClientRedact(t *testing.T) {
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
	for secret, redact := range map[string]func(string) string{
		canaryZen: zc.Redact, canarySalesmanKey: sc.Redact, canaryWecleverPass: wc.Redact,
		canaryZenviaKey: vc.Redact, canaryDatacake: dc.Redact,
	} {
		texts := map[string]string{}
		for i, v := range variants(secret) {
			texts[v] = redact("my own error quotes " + v + " in form " + strings.Repeat("i", i%3))
		}
		if hits := leaks(texts, []string{secret}); len(hits) > 0 {
			t.Errorf("Redact leaves a secret:\n%s", strings.Join(hits, "\n"))
		}
		require.Equal(t, "lead 42 refused: phone", redact("lead 42 refused: phone"))
	}
}
