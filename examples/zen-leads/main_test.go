package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmbeddedSandbox(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-from", "2026-11-16", "-to", "2026-11-20"}, testutil.Env(nil), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "ENTERED")
	assert.Contains(t, out.String(), "leads from 2026-11-16 to 2026-11-20")
}

func TestJSONLines(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"-json", "-from", "2026-11-19", "-to", "2026-11-20"}, testutil.Env(nil), &out, &errOut))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Greater(t, len(lines), 50, "more than one page of 50")
	var l map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &l))
	assert.NotEmpty(t, l["user"])
	assert.NotEmpty(t, l["code"])
}

func TestBadUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run(context.Background(), []string{"-from", "x"}, testutil.Env(nil), &out, &errOut))
	assert.Equal(t, 2, run(context.Background(), nil, testutil.Env(map[string]string{"ZEN_TOKEN": "t"}), &out, &errOut))
	// from after to: refused before anything is printed, naming the flags.
	errOut.Reset()
	out.Reset()
	assert.Equal(t, 2, run(context.Background(), []string{"-from", "2026-11-20", "-to", "2026-11-19"}, testutil.Env(nil), &out, &errOut))
	assert.Contains(t, errOut.String(), "-from 2026-11-20 is after -to 2026-11-19")
	assert.Empty(t, out.String())
}
