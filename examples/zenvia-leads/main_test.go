package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

func TestRunSandboxTable(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := run(context.Background(), nil, testutil.Env(nil), &out, &errb)
	require.Equal(t, 0, code, errb.String())
	s := out.String()
	assert.Contains(t, s, `webhook "prospects" received`)
	assert.Contains(t, s, "Joana Pereira")
	assert.Contains(t, s, "+5551987654321")
	assert.Contains(t, s, "AGENT E-MAIL")
	assert.Contains(t, s, "@vendas.example.com", "the prospect is listed with its agent")
}

func TestRunJSONAgainstEnvServer(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-example-key-31337"
	sb := zenviatest.NewServer(&zenviatest.Options{APIKey: canary, Async: false})
	t.Cleanup(sb.Close)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-json", "-phone", "+54 9 11 2345-6789", "-email", "", "-first-name", "Sofía", "-last-name", "López", "-industry", "insurance"},
		testutil.Env(sb.Credentials()), &out, &errb)
	require.Equal(t, 0, code, errb.String())
	var res struct {
		Accepted  bool
		Webhook   string
		Prospects []struct {
			Name      string
			AgentName string `json:"agent_name"`
			Phones    []string
		}
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &res))
	assert.False(t, res.Accepted)
	assert.Equal(t, "prospects", res.Webhook)
	require.Len(t, res.Prospects, 1)
	assert.Equal(t, "Sofía López", res.Prospects[0].Name)
	assert.Equal(t, []string{"+5491123456789"}, res.Prospects[0].Phones)
	assert.NotEmpty(t, res.Prospects[0].AgentName)
	assert.NotContains(t, out.String()+errb.String(), canary)
	// The subscription was removed at the end.
	assert.Equal(t, 1, sb.Count("DELETE", "/notifications/subscription/"))
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-wrong-key-4242"
	sb := zenviatest.NewServer(nil)
	t.Cleanup(sb.Close)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int
	}{
		{"bad flag", []string{"-nope"}, nil, 2},
		{"extra args", []string{"x"}, nil, 2},
		{"bad industry", []string{"-industry", "boats"}, nil, 2},
		{"half env", nil, map[string]string{"ZENVIA_URL": sb.URL}, 2},
		{"bad url", nil, map[string]string{"ZENVIA_URL": "ftp://x", "ZENVIA_API_KEY": canary}, 2},
		{"no phone or email", []string{"-phone", "", "-email", ""}, nil, 2},
		{"bad phone", []string{"-phone", "12"}, nil, 2},
		{"non-loopback listen", []string{"-listen", "0.0.0.0:0"}, nil, 2},
		{"wrong key", nil, map[string]string{"ZENVIA_URL": sb.URL, "ZENVIA_API_KEY": canary}, 1},
		{"unreachable", nil, map[string]string{"ZENVIA_URL": "http://127.0.0.1:1", "ZENVIA_API_KEY": canary}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			code := run(ctx, tc.args, testutil.Env(tc.env), &out, &errb)
			assert.Equal(t, tc.code, code, errb.String())
			assert.NotContains(t, out.String()+errb.String(), canary)
			if tc.code == 1 {
				assert.NotEmpty(t, errb.String())
			}
		})
	}
}

func TestRunNoWebhook(t *testing.T) {
	t.Parallel()
	// A server that answers but never delivers: the callback URL points elsewhere.
	sb := zenviatest.NewServer(nil)
	t.Cleanup(sb.Close)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-wait", "200ms", "-callback-url", "http://127.0.0.1:1/zenvia"}, testutil.Env(sb.Credentials()), &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "no webhook")
}
