package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
)

func TestServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb testutil.SyncBuffer
	done := make(chan int, 1)
	env := map[string]string{"DATACAKE_TOKEN": "erp-token-1"}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-customers", "10", "-v"}, testutil.Env(env), pw, &errb)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	url := strings.Fields(line)[len(strings.Fields(line))-1]
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), line)
	assert.NotContains(t, line, "erp-token-1")

	c, err := datacake.NewClient(url, "erp-token-1")
	require.NoError(t, err)
	cu, err := c.Customers.Get(ctx, datacaketest.ExampleCPF)
	require.NoError(t, err)
	assert.Equal(t, "1001", cu.ID)
	bad, _ := datacake.NewClient(url, "other")
	_, err = bad.Catalogues.Products(ctx)
	require.ErrorIs(t, err, datacake.ErrUnauthorized)
	resp, err := http.Get(url + "/produtos")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)

	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 0, code)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
	}
	assert.NotContains(t, errb.String(), "erp-token-1")
}

func TestBadUsage(t *testing.T) {
	t.Parallel()
	var out, errb testutil.SyncBuffer
	env := func(string) string { return "" }
	assert.Equal(t, 2, run(context.Background(), []string{"-nope"}, env, &out, &errb))
	assert.Equal(t, 2, run(context.Background(), []string{"x"}, env, &out, &errb))
	assert.Equal(t, 2, run(context.Background(), []string{"-addr", "not-an-address"}, env, &out, &errb))
}

// A negative -customers is refused, naming the flag, rather than silently
// seeding the default 300.
func TestNegativeCustomers(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second) // RED: it would serve until then
	defer cancel()
	var out, errb testutil.SyncBuffer
	code := run(ctx, []string{"-addr", "127.0.0.1:0", "-customers", "-1"}, func(string) string { return "" }, &out, &errb)
	assert.Equal(t, 2, code, "stdout: %s", out.String())
	assert.Equal(t, "datacake-erp: -customers must not be negative, got -1\n", errb.String())
	assert.Empty(t, out.String(), "nothing served")
}

// With -token the curl line reads $DATACAKE_TOKEN, which the user's shell
// does not have (the token came from the flag): the line before says so,
// and the token itself is still not printed.
func TestAnnounceTokenFromFlag(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	require.NoError(t, announce(&b, false, newStartup(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "-token")))
	assert.Contains(t, b.String(), "datacake-erp: token: the one in -token (for the curl line below: export DATACAKE_TOKEN=<that token>)\n")
	assert.Contains(t, b.String(), `curl -H "Authorization: Bearer $DATACAKE_TOKEN" 'http://127.0.0.1:8080/cliente?cnpj_cpf=`)

	b.Reset()
	require.NoError(t, announce(&b, false, newStartup(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "DATACAKE_TOKEN")))
	assert.Contains(t, b.String(), "datacake-erp: token: the one in DATACAKE_TOKEN\n", "the shell that set it has it")
}
