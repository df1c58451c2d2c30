package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zen/zentest"
)

func TestEmbeddedSandboxTable(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-date", "2026-11-20"}, testutil.Env(nil), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "Lead distribution totals for 2026-11-20")
	assert.Contains(t, out.String(), "USER")
	assert.Contains(t, out.String(), "Ana Paula Ferreira")
	assert.Contains(t, out.String(), "Not distributed: 10")
	assert.Contains(t, errOut.String(), "embedded sandbox")
}

func TestJSON(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-json", "-date", "2026-11-20"}, testutil.Env(nil), &out, &errOut))
	var v jsonOutput
	require.NoError(t, json.Unmarshal(out.Bytes(), &v))
	assert.Equal(t, "2026-11-20", v.Date)
	assert.NotEmpty(t, v.Users)
	assert.Equal(t, 3, v.NotDistributed.WithError)
}

func TestAgainstServerFromEnv(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-example-zen-91a2"
	sb := zentest.NewServer(&zentest.Options{Token: canary, Seed: 3, NoRateLimits: true})
	defer sb.Close()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-date", "2026-11-19"}, testutil.Env(sb.Credentials()), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Equal(t, 1, sb.Count(http.MethodGet, "/api/totais_lead"), "it read the server named by ZEN_URL")
	assert.NotContains(t, errOut.String(), "embedded sandbox")

	// Full endpoint URL, as Zen's integration screen shows it.
	out.Reset()
	code = run(context.Background(), []string{"-date", "2026-11-18"}, testutil.Env(map[string]string{"ZEN_URL": sb.URL + "/api/totais_lead", "ZEN_TOKEN": canary}), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Equal(t, 2, sb.Count(http.MethodGet, "/api/totais_lead"))

	// A wrong token: exit 1, a message, and no token in any output.
	out.Reset()
	errOut.Reset()
	code = run(context.Background(), nil, testutil.Env(map[string]string{"ZEN_URL": sb.URL, "ZEN_TOKEN": canary + "-x"}), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "401")
	assert.NotContains(t, out.String()+errOut.String(), canary)

	// The server's window: the second call inside 5 minutes.
	limited := zentest.NewServer(&zentest.Options{Token: canary})
	defer limited.Close()
	require.Equal(t, 0, run(context.Background(), nil, testutil.Env(limited.Credentials()), &out, &errOut))
	errOut.Reset()
	code = run(context.Background(), []string{"-date", "2026-11-19"}, testutil.Env(limited.Credentials()), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "rate limited")
	assert.NotContains(t, out.String()+errOut.String(), canary)

	// A window short enough to wait for (the QA sandbox's -zen-window 2s):
	// the second run waits, and says so instead of hanging in silence.
	short := zentest.NewServer(&zentest.Options{Token: canary, TotalsWindow: 2 * time.Second})
	defer short.Close()
	require.Equal(t, 0, run(context.Background(), nil, testutil.Env(short.Credentials()), &out, &errOut))
	errOut.Reset()
	code = run(context.Background(), []string{"-date", "2026-11-19"}, testutil.Env(short.Credentials()), &out, &errOut)
	assert.Equal(t, 0, code, errOut.String())
	assert.Contains(t, errOut.String(), "zen-totals: waiting ")
	assert.NotContains(t, out.String()+errOut.String(), canary)
}

func TestBadUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"-date", "20/11/2026"}, nil},
		{[]string{"-nope"}, nil},
		{[]string{"extra"}, nil},
		{nil, map[string]string{"ZEN_URL": "https://zen.example"}},
		{nil, map[string]string{"ZEN_URL": "ftp://zen.example", "ZEN_TOKEN": "x"}},
	} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), tc.args, testutil.Env(tc.env), &out, &errOut), "%v %v", tc.args, tc.env)
		assert.NotEmpty(t, errOut.String())
	}
}

// The README's first command on a day the embedded sandbox has no leads
// (a Sunday, or before 08:00 in São Paulo) says why the table is empty and
// which day to read instead, rather than a bare table of zeros.
func TestEmbeddedSandboxEmptyDaySaysWhy(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-date", "2026-11-22"}, testutil.Env(nil), &out, &errOut) // a Sunday
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "TOTAL  0")
	assert.Contains(t, errOut.String(), "zen-totals: no leads on 2026-11-22: the sandbox's leads come in Monday to Saturday, 08:00 to 19:00 in São Paulo; try -date 2026-11-21\n")

	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"-date", "2026-11-23", "-json"}, testutil.Env(nil), &out, &errOut) // a Monday: it has leads
	require.Equal(t, 0, code, errOut.String())
	assert.NotContains(t, errOut.String(), "no leads")
}
