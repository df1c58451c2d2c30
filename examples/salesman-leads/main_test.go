package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

func noEnv(string) string { return "" }

func TestRunEmbeddedSandbox(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-title", "Андреев Владислав", "-email", "v@example.ru", "-n", "3"}, noEnv, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, out.String(), "added lead 301")
	assert.Contains(t, out.String(), "Андреев Владислав")
	assert.Contains(t, out.String(), "STATUS")
	assert.Equal(t, 1+2+3, strings.Count(out.String(), "\n"))
}

func TestRunJSONAgainstServer(t *testing.T) {
	t.Parallel()
	s := salesmantest.NewServer(&salesmantest.Options{Leads: 20})
	defer s.Close()
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-api", "v3", "-json", "-n", "5"}, testutil.Env(s.Credentials()), &out, &errb)
	require.Equal(t, 0, code, errb.String())
	var got output
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	require.Len(t, got.Leads, 5)
	assert.Equal(t, 20, got.Leads[0].ID)
	assert.Zero(t, got.Added)
	assert.NotEmpty(t, got.Leads[0].Status)
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-nope"}, {"-api", "v9"}, {"extra"}, {"-n", "-1"}, {"-title", "only a title"}, {"-title", "A", "-email", "bad"}} {
		var out, errb bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), args, noEnv, &out, &errb), args)
	}
	var out, errb bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), nil, testutil.Env(map[string]string{"SALESMAN_URL": "ftp://x", "SALESMAN_LOGIN": "a", "SALESMAN_APIKEY": "b"}), &out, &errb))

	// Some variables but not all: refused, naming them, without the key.
	errb.Reset()
	assert.Equal(t, 2, run(context.Background(), nil, testutil.Env(map[string]string{"SALESMAN_LOGIN": "a", "SALESMAN_APIKEY": "key-9f1"}), &out, &errb))
	assert.Contains(t, errb.String(), "set SALESMAN_URL, SALESMAN_LOGIN and SALESMAN_APIKEY, or none of them")
	assert.NotContains(t, errb.String(), "key-9f1")
}

func TestRunAPIErrorHidesKey(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-example-91c0"
	s := salesmantest.NewServer(nil)
	defer s.Close()
	env := s.Credentials()
	env["SALESMAN_APIKEY"] = canary // wrong key: the server answers error 400
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"-title", "A", "-phone", "+7900"}, testutil.Env(env), &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "Не верный API key")
	assert.NotContains(t, out.String()+errb.String(), canary)

	// A reset after the server stored the lead: exit 1, say so, no key.
	env = s.Credentials()
	s.Fail(salesmantest.Fault{Method: http.MethodPost, DropMidBody: true})
	out.Reset()
	errb.Reset()
	code = run(context.Background(), []string{"-title", "A", "-phone", "+7900"}, testutil.Env(env), &out, &errb)
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "may have been added")
	assert.NotContains(t, out.String()+errb.String(), env["SALESMAN_APIKEY"])
	assert.Equal(t, salesmantest.DefaultLeads+1, s.LeadCount())
}

// TestRunShowsResponsibleUser is issue 15: on v1 the responsible user's
// name (sent in "user", beside the placeholder "Не определен" in "userName")
// reaches the output; on v2/v3, whose lists carry neither the title nor the
// name, one info call per row reads them.
func TestRunShowsResponsibleUser(t *testing.T) {
	t.Parallel()
	for _, api := range []string{"v1", "v2", "v3"} {
		s := salesmantest.NewServer(&salesmantest.Options{Leads: 20, Seed: 5})
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"-api", api, "-json", "-n", "5"}, testutil.Env(s.Credentials()), &out, &errb)
		s.Close()
		require.Equal(t, 0, code, errb.String())
		var got output
		require.NoError(t, json.Unmarshal(out.Bytes(), &got))
		require.Len(t, got.Leads, 5)
		for _, l := range got.Leads {
			assert.NotEmpty(t, l.User, "%s: lead %d", api, l.ID)
			assert.NotEqual(t, "Не определен", l.User)
			assert.NotEmpty(t, l.Title, "%s: lead %d", api, l.ID)
		}
	}
}

// A lead's flags without the ones a lead needs are bad usage naming the
// flag, before anything starts: -company alone was silently dropped (the
// program only listed), and -email alone was refused as "invalid title".
func TestRunLeadFlagsNamed(t *testing.T) {
	t.Parallel()
	const hint = " (a lead to add needs -title and -email or -phone)\n"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-company", "Acme"}, "salesman-leads: -title: must not be empty" + hint},
		{[]string{"-city", "Москва", "-n", "1"}, "salesman-leads: -title: must not be empty" + hint},
		{[]string{"-email", "v@example.ru"}, "salesman-leads: -title: must not be empty" + hint},
		{[]string{"-title", "Иван"}, "salesman-leads: -email: an e-mail or a phone is required" + hint},
		{[]string{"-title", "Иван", "-phone", "abc"}, `salesman-leads: -phone: "abc" has no digits` + hint},
	} {
		var out, errb bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), tc.args, noEnv, &out, &errb), tc.args)
		assert.Equal(t, tc.want, errb.String(), tc.args)
		assert.Empty(t, out.String(), tc.args)
	}
}
