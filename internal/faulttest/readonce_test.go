package faulttest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/zen"
)

// TestErrorsReadOnce is issue 14 ("errors read once"): an error names its
// method and URL once, and no "leadkit:" or vendor prefix repeats down the
// message.
func TestErrorsReadOnce(t *testing.T) {
	t.Parallel()
	u, release, err := closedPort()
	require.NoError(t, err)
	defer release()
	check := func(name string, err error) {
		t.Helper()
		require.Error(t, err, name)
		msg := err.Error()
		for _, p := range []string{"leadkit: ", "zen: ", "weclever: "} {
			assert.LessOrEqual(t, strings.Count(msg, p), 1, "%s: %q repeats in %q", name, p, msg)
		}
		assert.Equal(t, 1, strings.Count(msg, "http://127.0.0.1:"), "%s: the URL once in %q", name, msg)
	}
	zc, err := zen.NewClient(u, "tok", zen.WithMaxRetries(0), zen.WithLimits(zen.Limits{}))
	require.NoError(t, err)
	_, err = zc.Leads.Totals(context.Background(), time.Now())
	check("dial error", err)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		_, _ = w.Write([]byte(`{"Erro":"9","Mensagem":"falhou"}`))
	}))
	defer srv.Close()
	zc, err = zen.NewClient(srv.URL, "tok", zen.WithMaxRetries(0), zen.WithLimits(zen.Limits{}))
	require.NoError(t, err)
	err = zc.Leads.Send(context.Background(), &zen.LeadEntry{Action: zen.ActionInsert, Name: "Ana", Email: "ana@example.com"})
	check("create answered 500", err)
	assert.True(t, errors.Is(err, leadkit.ErrOutcomeUnknown))

	wc, err := weclever.NewClient("p", "u", "pw", weclever.WithBaseURL(u), weclever.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = wc.Leads.Get(context.Background(), 1)
	check("token fetch refused", err)
}
