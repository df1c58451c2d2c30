package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
)

func runIt(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, testutil.Env(env), &out, &errb)
	return code, out.String(), errb.String()
}

func TestSandboxDefault(t *testing.T) {
	t.Parallel()
	code, out, errs := runIt(t, nil)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "Maria Aparecida da Silva")
	assert.Contains(t, out, "Inicial")
}

func TestAgainstServerJSON(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-signup-77aa"
	srv := datacaketest.NewServer(&datacaketest.Options{Token: canary})
	defer srv.Close()
	pdf := filepath.Join(t.TempDir(), "comprovante.pdf")
	require.NoError(t, os.WriteFile(pdf, []byte("%PDF-1.7\n%%EOF\n"), 0o600))
	code, out, errs := runIt(t, srv.Credentials(), "-json", "-cpf", "111.444.777-35", "-name", "Novo Cliente",
		"-product", "103", "-due", "3", "-origin", "4", "-file", pdf)
	require.Equal(t, 0, code, errs)
	var res jsonResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.True(t, res.NewCustomer)
	assert.Equal(t, "103", res.Product.ID)
	assert.Equal(t, "Anúncio de Rádio", res.Origin.Name)
	stored, ok := srv.ERP.Prospect(res.ProspectID)
	require.True(t, ok)
	assert.Equal(t, "Novo Cliente", stored.Prospect.Name)
	require.Len(t, stored.Files, 1)
	assert.Equal(t, "comprovante.pdf", stored.Files[0].Name)
	assert.NotContains(t, out+errs, canary)

	// An API error: exit 1, message printed, no secret.
	srv.Fail(datacaketest.Fault{Path: "/prospectos", Status: 500, Body: `{"error":"token ` + canary + ` banco fora do ar"}`})
	code, out, errs = runIt(t, srv.Credentials())
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "create prospect")
	assert.NotContains(t, out+errs, canary)
	// Wrong token.
	code, _, errs = runIt(t, map[string]string{"DATACAKE_URL": srv.URL, "DATACAKE_TOKEN": "nope"})
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "401")
	// Unknown customer without -name.
	code, _, errs = runIt(t, srv.Credentials(), "-cpf", "11144477735")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "-name")
}

func TestBadUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-cpf", "123"}, {"-file", "/does/not/exist"}} {
		code, _, _ := runIt(t, nil, args...)
		assert.Equal(t, 2, code, args)
	}
	code, _, errs := runIt(t, map[string]string{"DATACAKE_URL": "http://127.0.0.1:1"})
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "DATACAKE_TOKEN")
	code, _, _ = runIt(t, map[string]string{"DATACAKE_URL": "ftp://x", "DATACAKE_TOKEN": "t"})
	assert.Equal(t, 2, code)
	code, _, _ = runIt(t, nil, "-product", "999")
	assert.Equal(t, 1, code)
}

// A -file the contract does not take (not JPEG, PNG, GIF or PDF) is bad
// usage named by its flag, found before anything is sent: not an upload
// refused after the prospect was created.
func TestFileOfAnotherType(t *testing.T) {
	t.Parallel()
	srv := datacaketest.NewServer(nil)
	defer srv.Close()
	txt := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(txt, []byte("just some text\n"), 0o600))
	code, _, errs := runIt(t, srv.Credentials(), "-file", txt)
	assert.Equal(t, 2, code, errs)
	assert.Equal(t, "datacake-signup: -file: content is text/plain, not JPEG, PNG, GIF or PDF\n", errs)
	assert.Zero(t, srv.Count("POST", "/prospectos"), "no prospect created")

	// A real PDF still goes through, read from the file.
	pdf := filepath.Join(t.TempDir(), "rg.pdf")
	require.NoError(t, os.WriteFile(pdf, []byte("%PDF-1.4\n%%EOF\n"), 0o600))
	code, out, errs := runIt(t, srv.Credentials(), "-file", pdf)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "rg.pdf")
}
