package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

func TestRunEmbeddedSandbox(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-limit", "3"}, testutil.Env(nil), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "Leads finalized from 2024-03-01 to 2024-05-31: 300")
	assert.Contains(t, out.String(), "… 297 more")
	assert.Contains(t, out.String(), "sentiment")
	assert.Contains(t, errOut.String(), "embedded sandbox")
}

func TestRunJSONAgainstServer(t *testing.T) {
	t.Parallel()
	srv := weclevertest.NewServer(&weclevertest.Options{Seed: 4})
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
	srv := weclevertest.NewServer(&weclevertest.Options{Password: canary, Leads: 5})
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
