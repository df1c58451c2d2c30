package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

func noEnv(string) string { return "" }

// TestRunMovesEveryLeadOnce: every lead WeClever finalized, the late ones
// included, is in SalesMan once, counted at both ends.
func TestRunMovesEveryLeadOnce(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-leads", "40", "-late", "0.5", "-lag", "2s"}, noEnv, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	m := regexp.MustCompile(`(?m)^40 +(\d+) +40 +0 +0 +0 +0$`).FindStringSubmatch(out.String())
	require.NotNil(t, m, "40 finalized, each in SalesMan once, none duplicated or missing:\n%s", out.String())
	assert.NotEqual(t, "0", m[1], "some were late")
	assert.Contains(t, out.String(), "FINALIZED  LATE  IN SALESMAN ONCE  DUPLICATED  MISSING")
	assert.Regexp(t, `finalized 40/40 \| handed on 40 \| in review 0 \| queued 0 \| delivered 40 \| retrying 0 \| reconciled \d+ \| failed 0`, errOut.String())
	assert.Regexp(t, `the relay's database is the SQLite file /\S+/relay\.db \(removed on exit`, errOut.String())
	path := regexp.MustCompile(`SQLite file (\S+)`).FindStringSubmatch(errOut.String())[1]
	assert.NoFileExists(t, path)
	for _, secret := range []string{salesmantest.DefaultAPIKey, weclevertest.DefaultPassword} {
		assert.NotContains(t, out.String()+errOut.String(), secret)
	}
}

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, noEnv, &out, &errOut))
	require.NoError(t, cli.CheckHelp(errOut.String()))
	assert.Contains(t, errOut.String(), "-lag")
	errOut.Reset()
	secretEnv := func(k string) string {
		return map[string]string{"RELAY_DB": "postgres://app:CANARY-pw-4410@db.example/relay"}[k]
	}
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, secretEnv, &out, &errOut))
	assert.NotContains(t, errOut.String(), "CANARY-pw-4410")
	for _, bad := range [][]string{{"-leads", "0"}, {"-late", "2"}, {"-lag", "10ms"}, {"-poll", "1ms"}, {"-fail-rate", "1"}, {"-every", "0s"}, {"-nope"}} {
		errOut.Reset()
		assert.Equal(t, 2, run(context.Background(), bad, noEnv, &out, &errOut), "%v", bad)
		if bad[0] != "-nope" {
			assert.True(t, strings.HasPrefix(errOut.String(), prog+": "+bad[0]), errOut.String())
		}
	}
	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-db", "mysql://x"}, noEnv, &out, &errOut))
	assert.Equal(t, prog+": -db (or RELAY_DB): must start with sqlite: or postgres://\n", errOut.String())
	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-db", "sqlite://" + filepath.Join(t.TempDir(), "r.db"), "-schema", "Bad;x"}, noEnv, &out, &errOut))
	assert.True(t, strings.HasPrefix(errOut.String(), prog+": -schema: must be lower-case"), errOut.String())
}
