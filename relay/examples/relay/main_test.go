package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/zen/zentest"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

func TestRunDeliversEveryLead(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-leads", "8", "-fail-rate", "0.05"}, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	for _, v := range []string{"salesman", "zen", "zenvia"} {
		assert.Regexp(t, `(?m)^`+v+` +8 +3 +0 +0 +\d+`, out.String(), "every lead delivered, the three stored-then-500 reconciled")
	}
	assert.Regexp(t, `(?m)^datacake +7 +0 +1 +0 +\d+`, out.String(), "the one Datacake create in doubt parked for review")
	assert.Contains(t, out.String(), "1 Datacake prospects need review")
	assert.Contains(t, errOut.String(), "enqueued 32 | queued 0 | delivered 31 | retrying 0 | reconciled 9 | needs review 1 | failed 0")
	for _, secret := range []string{salesmantest.DefaultAPIKey, zentest.DefaultToken, zenviatest.DefaultAPIKey, datacaketest.DefaultToken} {
		assert.NotContains(t, out.String()+errOut.String(), secret)
	}
}

func TestRunUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "-leads")
	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-leads", "0"}, &out, &errOut))
	assert.True(t, strings.HasPrefix(errOut.String(), "relay: -leads"), errOut.String())
	errOut.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-nope"}, &out, &errOut))
	errOut.Reset()
	assert.Equal(t, 1, run(context.Background(), []string{"-db", "mysql://x"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "dsn")
}
