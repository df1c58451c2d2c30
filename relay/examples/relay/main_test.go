package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/internal/testutil"
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
	// A database or schema the relay refuses is bad usage naming the flag
	// (the README: bad usage exits 2 with a message naming the flag).
	assert.Equal(t, 2, run(context.Background(), []string{"-db", "mysql://x"}, noEnv, &out, &errOut))
	assert.Equal(t, "relay: -db (or RELAY_DB): must start with sqlite: or postgres://\n", errOut.String())
	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-db", "sqlite://" + filepath.Join(t.TempDir(), "r.db"), "-schema", "Bad;x"}, noEnv, &out, &errOut))
	assert.True(t, strings.HasPrefix(errOut.String(), "relay: -schema: must be lower-case"), errOut.String())
}

// -console serves the review console on loopback while the leads are
// delivered and after, until interrupted; a non-loopback address is bad
// usage (the example's console has no login).
func TestRunConsole(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"-console", "0.0.0.0:8080"}, noEnv, &out, &errOut))
	assert.Contains(t, errOut.String(), "-console must be a loopback address")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var serr testutil.SyncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-leads", "2", "-fail-rate", "0", "-console", "127.0.0.1:0"}, noEnv, &out, &serr)
	}()
	deadline := time.Now().Add(60 * time.Second)
	var base string
	for base == "" || !strings.Contains(serr.String(), "settled; the console keeps serving") {
		require.True(t, time.Now().Before(deadline), "stderr: %s", serr.String())
		if m := regexp.MustCompile(`the review console is at (http://\S+)`).FindStringSubmatch(serr.String()); m != nil {
			base = m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	res, err := http.Get(base)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode)
	assert.Contains(t, string(body), "1 needs review", "the Datacake prospect in doubt")
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
	// River UI, behind the same loopback check: its page and its API.
	res, err = http.Get(base + "riverui/")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode, string(body))
	assert.Contains(t, string(body), `id="config__json"`)
	res, err = http.Get(base + "riverui/api/jobs?state=cancelled")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, 200, res.StatusCode, string(body))
	assert.Contains(t, string(body), "leadkit_datacake_prospect", "the job the relay parked for review")
	req, err := http.NewRequest("GET", base+"riverui/", nil)
	require.NoError(t, err)
	req.Host = "evil.example"
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, 403, res.StatusCode, "River UI is behind the console's check")
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code, "stderr: %s", serr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after the interrupt")
	}
	_, err = http.Get(base)
	assert.Error(t, err, "the console stopped with the program")
}
