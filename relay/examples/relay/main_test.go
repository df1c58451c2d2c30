package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/zen/zentest"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

func TestRunDeliversEveryLead(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-leads", "8", "-fail-rate", "0.05"}, noEnv, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	for _, v := range []string{"salesman", "zen", "zenvia"} {
		assert.Regexp(t, `(?m)^`+v+` +8 +3 +0 +0 +\d+`, out.String(), "every lead delivered, the three stored-then-500 reconciled")
	}
	assert.Regexp(t, `(?m)^datacake +7 +0 +1 +0 +\d+`, out.String(), "the one Datacake create in doubt parked for review")
	assert.Contains(t, out.String(), "1 Datacake prospect needs review:", "one prospect, singular")
	assert.Regexp(t, `relay: the relay's database is the SQLite file /\S+/relay\.db \(removed on exit`, errOut.String())
	path := regexp.MustCompile(`SQLite file (\S+)`).FindStringSubmatch(errOut.String())[1]
	assert.NoFileExists(t, path, "removed on exit, as it says")
	assert.Contains(t, errOut.String(), "enqueued 32 | queued 0 | delivered 31 | retrying 0 | reconciled 9 | needs review 1 | failed 0")
	for _, secret := range []string{salesmantest.DefaultAPIKey, zentest.DefaultToken, zenviatest.DefaultAPIKey, datacaketest.DefaultToken} {
		assert.NotContains(t, out.String()+errOut.String(), secret)
	}
}

// -json prints the final counts per vendor and state; the database can
// come from RELAY_DB.
func TestRunJSON(t *testing.T) {
	db := "sqlite://" + filepath.Join(t.TempDir(), "kept.db")
	var out, errOut bytes.Buffer
	env := func(k string) string { return map[string]string{"RELAY_DB": db}[k] }
	code := run(context.Background(), []string{"-leads", "3", "-fail-rate", "0", "-json"}, env, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	var counts []map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &counts), out.String())
	require.Len(t, counts, 4)
	assert.Equal(t, "salesman", counts[0]["vendor"])
	assert.EqualValues(t, 3, counts[0]["delivered"])
	for _, k := range []string{"reconciled", "needs_review", "failed", "create_requests"} {
		assert.Contains(t, counts[3], k)
	}
	assert.NotContains(t, errOut.String(), "SQLite file", "a database the user named is not announced as temporary")
	assert.FileExists(t, strings.TrimPrefix(db, "sqlite://"), "and is kept")
}

func noEnv(string) string { return "" }

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, noEnv, &out, &errOut))
	assert.Contains(t, errOut.String(), "-leads")
	require.NoError(t, cli.CheckHelp(errOut.String()))
	errOut.Reset()
	secretEnv := func(k string) string {
		return map[string]string{"RELAY_DB": "postgres://app:CANARY-pw-7731@db.example/relay"}[k]
	}
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, secretEnv, &out, &errOut))
	assert.NotContains(t, errOut.String(), "CANARY-pw-7731", "-h does not print RELAY_DB's value")
	assert.Contains(t, errOut.String(), "-json")
	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-leads", "0"}, noEnv, &out, &errOut))
	assert.True(t, strings.HasPrefix(errOut.String(), "relay: -leads"), errOut.String())
	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-nope"}, noEnv, &out, &errOut))
	errOut.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"-db", "mysql://x"}, noEnv, &out, &errOut))
	assert.Contains(t, errOut.String(), "dsn")
}
