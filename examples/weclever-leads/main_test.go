package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

// may31 is a sandbox clock: its leads were finalized from 2024-03-02 to
// 2024-05-31.
func may31() time.Time { return time.Date(2024, 5, 31, 12, 0, 0, 0, time.UTC) }

func TestRunEmbeddedSandbox(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-limit", "3"}, testutil.Env(nil), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Regexp(t, `Leads finalized from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: 300\n`, out.String())
	assert.Contains(t, out.String(), "\n… 297 more (-limit 0 for all)\n", "below the table, not in its first column")
	assert.Contains(t, out.String(), "sentiment")
	assert.Contains(t, errOut.String(), "embedded sandbox")
}

// The CRM's id reads as a person reads it (text, number or "-"), and the
// columns are as wide as their data.
func TestClientLeadIDColumn(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Seed: 1, Leads: -1})
	defer srv.Close()
	srv.AddLead(weclevertest.Lead{ID: 7, ClientLeadID: weclever.StringClientLeadID("CRM-59634"), MappedStatus: "won", FinalizedAt: time.Now()})
	srv.AddLead(weclevertest.Lead{ID: 8, ClientLeadID: weclever.IntClientLeadID(488292), MappedStatus: "lost", FinalizedAt: time.Now()})
	srv.AddLead(weclevertest.Lead{ID: 9, MappedStatus: "won", FinalizedAt: time.Now()})
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-lead", "7"}, testutil.Env(srv.Credentials()), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "WECLEVER ID  STATUS  CLIENT LEAD ID\n")
	assert.Regexp(t, `(?m)^7 +won +CRM-59634$`, out.String())
	assert.Regexp(t, `(?m)^8 +lost +488292$`, out.String())
	assert.Regexp(t, `(?m)^9 +won +-$`, out.String())
	assert.NotContains(t, out.String(), `"CRM-59634"`)
	assert.NotContains(t, out.String(), "(null)")
}

func TestRunJSONAgainstServer(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Seed: 4, Now: may31})
	defer srv.Close()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-json", "-from", "2024-03-01", "-to", "2024-03-10 12:00:00", "-lead", "100004"},
		testutil.Env(srv.Credentials()), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var rep report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	assert.Equal(t, "2024-03-01", rep.From)
	assert.Equal(t, "2024-03-10+12:00:00", rep.To)
	assert.NotEmpty(t, rep.Leads)
	require.NotNil(t, rep.Lead)
	assert.Equal(t, int64(100004), rep.Lead.ID)
	assert.Equal(t, 0, rep.Lead.Metrics.TotalMessages)
	assert.Contains(t, out.String(), `"client_lead_id"`)
}

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	cases := [][]string{
		{"-nope"}, {"extra"}, {"-from", "01/03/2024"}, {"-to", "x"}, {"-from", "2024-03-05", "-to", "2024-03-01"}, {"-limit", "-1"},
	}
	for _, args := range cases {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), args, testutil.Env(nil), &out, &errOut), "%v", args)
	}
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), nil, testutil.Env(map[string]string{"WECLEVER_USER": "u"}), &out, &errOut))
	assert.Equal(t, 2, run(context.Background(), []string{"-dev"}, testutil.Env(map[string]string{
		"WECLEVER_URL": "http://127.0.0.1:1", "WECLEVER_PLATFORM_ID": "p", "WECLEVER_USER": "u", "WECLEVER_PASSWORD": "x"}), &out, &errOut))
	assert.Equal(t, 2, run(context.Background(), []string{"-dev"}, testutil.Env(nil), &out, &errOut), "-dev needs credentials")
}

func TestRunAPIErrorsHideSecrets(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-example-91c"
	srv := weclevertest.NewServer(&weclevertest.Options{Password: canary, Leads: 5, Now: may31})
	defer srv.Close()
	env := srv.Credentials()
	env["WECLEVER_PASSWORD"] = canary + "-wrong"
	var out, errOut bytes.Buffer
	code := run(context.Background(), nil, testutil.Env(env), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "Invalid credentials")
	assert.NotContains(t, out.String()+errOut.String(), canary)

	env = srv.Credentials()
	out.Reset()
	errOut.Reset()
	srv.Fail(weclevertest.Fault{Path: "/lead/find/weclever_id/", Status: 500, Times: -1, Body: `{"error":"boom ` + canary + `"}`})
	code = run(context.Background(), []string{"-from", "2024-01-01", "-to", "2024-12-31"}, testutil.Env(env), &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "boom")
	assert.NotContains(t, out.String()+errOut.String(), canary)
	assert.False(t, strings.Contains(errOut.String(), "Bearer wc."), "no token")
}

// The table's heading writes the range as the user typed it
// ("YYYY-MM-DD HH:MM:SS"), not in WeClever's path form with its '+'.
func TestTableRangeAsTyped(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Seed: 4, Now: may31})
	defer srv.Close()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-from", "2024-03-01", "-to", "2024-03-10 12:00:00"}, testutil.Env(srv.Credentials()), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Regexp(t, `^Leads finalized from 2024-03-01 to 2024-03-10 12:00:00: \d+\n`, out.String())
	assert.NotContains(t, out.String(), "+12:00:00")
}
