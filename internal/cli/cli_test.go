package cli

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
)

func newFlags(out *bytes.Buffer) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("prog", flag.ContinueOnError)
	fs.SetOutput(out)
	return fs, fs.Bool("json", false, "print JSON")
}

func TestParse(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	fs, asJSON := newFlags(&out)
	ok, code := Parse(fs, []string{"-json"})
	require.True(t, ok)
	assert.Equal(t, ExitOK, code)
	assert.True(t, *asJSON)
	assert.Empty(t, out.String())

	fs, _ = newFlags(&out)
	ok, code = Parse(fs, []string{"-json", "extra", "more"})
	assert.False(t, ok)
	assert.Equal(t, ExitUsage, code)
	assert.Equal(t, "prog: unexpected arguments: extra more\n", out.String())

	out.Reset()
	fs, _ = newFlags(&out)
	ok, code = Parse(fs, []string{"-nope"})
	assert.False(t, ok)
	assert.Equal(t, ExitUsage, code)
	assert.True(t, strings.HasPrefix(out.String(), "prog: flag provided but not defined: -nope"), out.String())

	out.Reset()
	fs, _ = newFlags(&out)
	ok, code = Parse(fs, []string{"-h"})
	assert.False(t, ok)
	assert.Equal(t, ExitOK, code, "-h is not an error")
	assert.Contains(t, out.String(), "-json")
}

func TestTimes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", Time(time.Time{}, time.DateOnly))
	assert.Nil(t, TimePtr(time.Time{}))
}

func TestAllOrNone(t *testing.T) {
	t.Parallel()
	vals, err := AllOrNone(testutil.Env(nil), "A_URL", "A_TOKEN")
	require.NoError(t, err)
	assert.Equal(t, []string{"", ""}, vals, "none set: the sandbox")

	vals, err = AllOrNone(testutil.Env(map[string]string{"A_URL": "u", "A_TOKEN": "t"}), "A_URL", "A_TOKEN")
	require.NoError(t, err)
	assert.Equal(t, []string{"u", "t"}, vals)

	_, err = AllOrNone(testutil.Env(map[string]string{"A_TOKEN": "t"}), "A_URL", "A_TOKEN")
	require.EqualError(t, err, "set both A_URL and A_TOKEN, or neither to use the sandbox")
	assert.NotContains(t, err.Error(), "=t", "names, never values")

	_, err = AllOrNone(testutil.Env(map[string]string{"B_URL": "u", "B_KEY": "secret"}), "B_URL", "B_LOGIN", "B_KEY")
	require.EqualError(t, err, "set B_URL, B_LOGIN and B_KEY, or none of them to use the sandbox")
	assert.NotContains(t, err.Error(), "secret")
}

func TestPrintJSON(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, PrintJSON(&out, map[string]any{"a": 1, "b": []string{"x"}}))
	assert.Equal(t, "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}\n", out.String())
	assert.Error(t, PrintJSON(&out, func() {}), "unencodable values are reported")
}

func TestSaoPaulo(t *testing.T) {
	t.Parallel()
	loc := SaoPaulo()
	require.NotNil(t, loc)
	_, offset := time.Date(2026, 11, 20, 12, 0, 0, 0, loc).Zone()
	assert.Equal(t, -3*60*60, offset)
}

func TestHelp(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	fs, _ := newFlags(&out)
	Help{
		What:     "Prints the day's totals from CRM Zen.",
		Env:      []Var{{"ZEN_URL", "the account's base URL"}, {"ZEN_TOKEN", "the API token"}},
		Sandbox:  []string{"With none of them set, it starts the embedded sandbox."},
		Examples: []string{"go run ./examples/prog -json"},
	}.Use(fs)
	ok, code := Parse(fs, []string{"-h"})
	assert.False(t, ok)
	assert.Equal(t, ExitOK, code)
	assert.Equal(t, `Prints the day's totals from CRM Zen.

Usage:
  go run ./examples/prog [flags]

Environment (a real server: set all of them, or none to use the sandbox):
  ZEN_URL    the account's base URL
  ZEN_TOKEN  the API token

Sandbox:
  With none of them set, it starts the embedded sandbox.

Examples:
  go run ./examples/prog -json

Flags:
  -json
    	print JSON
`, out.String())
	require.NoError(t, CheckHelp(out.String()))

	assert.ErrorContains(t, CheckHelp("Usage of prog:\n  -json\n"), "not a sentence")
	assert.ErrorContains(t, CheckHelp("prints things\n"), "not a sentence")
	assert.ErrorContains(t, CheckHelp("Prints the totals of a day.\n\nFlags:\n"), "no environment variable")
}
