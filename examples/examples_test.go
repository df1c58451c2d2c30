// Package examples holds the test that drives every example program the
// way a person does: with no flags, -json, -h (a sentence saying what it
// does, the variables that point it at a real server), a bad flag, against
// the QA sandbox (examples/sandbox, also with a short Zen window), against a
// server that fails, and datacake-erp's printed curl line in a shell. It is
// test-only: each example is its own package main below this folder.
package examples

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/cli"
	"github.com/leadkit/leadkit/internal/testutil"
)

// The client examples and the variables that point each at a server.
var clients = map[string][]string{
	"zen-totals":      {"ZEN_URL", "ZEN_TOKEN"},
	"zen-leads":       {"ZEN_URL", "ZEN_TOKEN"},
	"salesman-leads":  {"SALESMAN_URL", "SALESMAN_LOGIN", "SALESMAN_APIKEY"},
	"weclever-leads":  {"WECLEVER_URL", "WECLEVER_PLATFORM_ID", "WECLEVER_USER", "WECLEVER_PASSWORD"},
	"zenvia-leads":    {"ZENVIA_URL", "ZENVIA_API_KEY"},
	"datacake-signup": {"DATACAKE_URL", "DATACAKE_TOKEN"},
}

// vendorOf names the QA sandbox vendor an example reads.
var vendorOf = map[string]string{
	"zen-totals": "zen", "zen-leads": "zen", "salesman-leads": "salesman", "weclever-leads": "weclever",
	"zenvia-leads": "zenvia", "datacake-signup": "datacake",
}

// build compiles every example into one directory, once.
func build(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	names := []string{"datacake-erp", "sandbox"}
	for n := range clients {
		names = append(names, n)
	}
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, n := range names {
		args = append(args, "./"+n)
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return dir
}

type runResult struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, bin string, env []string, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	_ = cmd.Run()
	return runResult{cmd.ProcessState.ExitCode(), o.String(), e.String()}
}

var snake = regexp.MustCompile(`^[a-z0-9_]+$`)

// checkJSON requires out to be JSON (one document or JSON lines) whose keys
// are all snake_case and that prints no zero time.
func checkJSON(t *testing.T, name, out string) {
	t.Helper()
	var docs []any
	var one any
	if json.Unmarshal([]byte(out), &one) == nil {
		docs = []any{one}
	} else {
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var d any
			require.NoError(t, json.Unmarshal(sc.Bytes(), &d), "%s -json: not JSON: %s", name, sc.Text())
			docs = append(docs, d)
		}
	}
	require.NotEmpty(t, docs, "%s -json printed nothing", name)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				assert.Regexp(t, snake, k, "%s -json: key style", name)
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, d := range docs {
		walk(d)
	}
	assert.NotContains(t, out, "0001-01-01", "%s -json: a zero time printed as a date", name)
}

// TestExamplesBehaveAlike: exit 0 with no flags (one notice line for the
// embedded sandbox) and with -json, 0 for -h, 2 for a bad flag with a message
// naming it, 1 for an API error, every message prefixed with the program's
// name; and each example reads the QA sandbox when pointed at it.
func TestExamplesBehaveAlike(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs every example")
	}
	t.Parallel()
	dir := build(t)
	notice := regexp.MustCompile(`^[a-z-]+: [A-Z_, ]+ not set: using the embedded sandbox at http://127\.0\.0\.1:\d+$`)

	for name, vars := range clients {
		bin := filepath.Join(dir, name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := run(t, bin, nil)
			require.Equal(t, 0, r.code, "no flags: %s", r.stderr)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			assert.Regexp(t, notice, lines[0], "the sandbox notice")
			assert.Equal(t, 1, strings.Count(r.stderr, "not set: using the embedded sandbox"))
			for _, l := range lines {
				assert.True(t, strings.HasPrefix(l, name+": "), "stderr line without the program's name: %q", l)
			}
			assert.NotEmpty(t, r.stdout)

			r = run(t, bin, nil, "-json")
			require.Equal(t, 0, r.code, "-json: %s", r.stderr)
			checkJSON(t, name, r.stdout)

			r = run(t, bin, nil, "-h")
			assert.Equal(t, 0, r.code, "-h")
			assert.Contains(t, r.stderr+r.stdout, "-json")
			assert.NoError(t, cli.CheckHelp(r.stderr+r.stdout), "%s -h", name)
			for _, v := range vars {
				assert.Contains(t, r.stderr+r.stdout, v, "%s -h names the variables that point it at a server", name)
			}

			r = run(t, bin, nil, "-no-such-flag")
			assert.Equal(t, 2, r.code, "bad flag")
			assert.True(t, strings.HasPrefix(r.stderr, name+": "), "bad flag message: %q", r.stderr)
			assert.Contains(t, r.stderr, "-no-such-flag")

			// Half the variables: bad configuration, named.
			r = run(t, bin, []string{vars[0] + "=http://127.0.0.1:1"})
			assert.Equal(t, 2, r.code, "half the variables: %s", r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, name+": "), "%q", r.stderr)

			// A server that refuses connections: an API error, 1.
			env := []string{}
			for _, v := range vars {
				val := "x-" + strings.ToLower(v)
				if strings.HasSuffix(v, "_URL") {
					val = "http://" + testutil.ClosedPort(t)
				}
				env = append(env, v+"="+val)
			}
			if name == "weclever-leads" {
				env = append(env, "WECLEVER_PLATFORM_ID=p")
			}
			r = run(t, bin, env)
			assert.Equal(t, 1, r.code, "refused connection: %s", r.stderr)
			assert.True(t, strings.HasPrefix(r.stderr, name+": "), "%q", r.stderr)
		})
	}

	t.Run("against examples/sandbox", func(t *testing.T) {
		t.Parallel()
		env := startQASandbox(t, filepath.Join(dir, "sandbox"))
		day := lastWeekday()
		for name := range clients {
			args := []string{}
			if name == "zen-leads" {
				args = []string{"-from", day, "-to", day} // one page: no wait for Zen's minute
			}
			if name == "zen-totals" {
				args = []string{"-date", day}
			}
			r := run(t, filepath.Join(dir, name), env[vendorOf[name]], args...)
			assert.Equal(t, 0, r.code, "%s against the QA sandbox: %s", name, r.stderr)
			assert.NotContains(t, r.stderr, "embedded sandbox", name)
		}
	})

	t.Run("zen-leads against examples/sandbox -zen-window", func(t *testing.T) {
		t.Parallel()
		// The documented path: the sandbox started with a short window prints
		// ZEN_WINDOW in its environment, and zen-leads waits that long between
		// pages instead of Zen's minute (a week is several pages).
		env := startQASandbox(t, filepath.Join(dir, "sandbox"), "-vendor", "zen", "-zen-window", "300ms")
		require.Contains(t, env["zen"], "ZEN_WINDOW=300ms")
		day := lastWeekday()
		start := time.Now()
		r := run(t, filepath.Join(dir, "zen-leads"), env["zen"], "-from", weekBefore(day), "-to", day, "-json")
		require.Equal(t, 0, r.code, r.stderr)
		assert.Less(t, time.Since(start), 30*time.Second, "no minute per page")
		assert.Contains(t, r.stderr, "one call every 300ms")
		var prev struct{ User, Entered string }
		n := 0
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var cur struct {
				User    string `json:"user"`
				Entered string `json:"entered"`
			}
			require.NoError(t, json.Unmarshal([]byte(l), &cur))
			assert.True(t, prev.User < cur.User || prev.User == cur.User && prev.Entered <= cur.Entered,
				"sorted by user, then time: %v after %v", cur, prev)
			prev.User, prev.Entered = cur.User, cur.Entered
			n++
		}
		assert.Greater(t, n, 100, "more than two pages of 50")
	})

	t.Run("docs/sandbox.md's second terminal", func(t *testing.T) {
		t.Parallel()
		checkSandboxDoc(t, dir)
	})

	t.Run("servers", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"datacake-erp", "sandbox"} {
			bin := filepath.Join(dir, name)
			r := run(t, bin, nil, "-h")
			assert.Equal(t, 0, r.code, "%s -h", name)
			assert.NoError(t, cli.CheckHelp(r.stderr+r.stdout), "%s -h", name)
			assert.Contains(t, r.stderr+r.stdout, "-json", "%s -h", name)
			r = run(t, bin, nil, "-no-such-flag")
			assert.Equal(t, 2, r.code, "%s bad flag", name)
			assert.True(t, strings.HasPrefix(r.stderr, name+": "), "%q", r.stderr)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		r := run(t, filepath.Join(dir, "datacake-erp"), nil, "-addr", ln.Addr().String())
		assert.Equal(t, 1, r.code, "a busy port is not bad usage: %s", r.stderr)
		assert.True(t, strings.HasPrefix(r.stderr, "datacake-erp: "), "%q", r.stderr)

		t.Run("datacake-erp's curl line", func(t *testing.T) { checkERPCurl(t, filepath.Join(dir, "datacake-erp")) })
		t.Run("datacake-erp -json", func(t *testing.T) {
			cmd := exec.Command(filepath.Join(dir, "datacake-erp"), "-addr", "127.0.0.1:0", "-json")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATACAKE_TOKEN=erp-own-token-123"}
			var errb testutil.SyncBuffer
			cmd.Stderr = &errb
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			var doc map[string]any
			require.NoError(t, json.NewDecoder(out).Decode(&doc))
			b, _ := json.Marshal(doc)
			checkJSON(t, "datacake-erp", string(b))
			assert.Equal(t, "DATACAKE_TOKEN", doc["token_from"])
			assert.NotContains(t, string(b), "erp-own-token-123", "a token of the user's is never printed")
			assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, doc["url"])
			require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			assert.NoError(t, cmd.Wait(), "stops cleanly on an interrupt")
			assert.Equal(t, "datacake-erp: stopped\n", errb.String())
		})
	})

}

// checkERPCurl runs datacake-erp as a new user does (no token set), and
// runs the curl line it prints, as printed, in a shell: the ERP answers 200
// with the example customer. Every line it prints carries its name.
func checkERPCurl(t *testing.T, bin string) {
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(out)
	var lines []string
	for len(lines) < 3 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	go func() {
		for sc.Scan() {
		}
	}()
	require.Len(t, lines, 3)
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "datacake-erp: "), "%q", l)
	}
	assert.Contains(t, lines[0], "http://127.0.0.1:")
	assert.Contains(t, lines[1], datacaketest.DefaultToken, "the real token, not a Go name")
	assert.NotContains(t, strings.Join(lines, "\n"), "datacaketest.DefaultToken")
	curl, ok := strings.CutPrefix(lines[2], "datacake-erp: try: ")
	require.True(t, ok, lines[2])
	require.True(t, strings.HasPrefix(curl, "curl "), curl)

	// What the line asks for, read the way a shell would, on Go's client.
	m := regexp.MustCompile(`^curl -H "([^"]+)" '([^']+)'$`).FindStringSubmatch(curl)
	require.NotNil(t, m, "a curl line of one header and one quoted URL: %q", curl)
	req, err := http.NewRequest(http.MethodGet, m[2], nil)
	require.NoError(t, err)
	name, value, _ := strings.Cut(m[1], ": ")
	req.Header.Set(name, value)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Contains(t, string(body), "Maria Aparecida da Silva")

	// And pasted into a shell, when the machine has curl.
	if _, err := exec.LookPath("curl"); err == nil {
		code, err := exec.Command("sh", "-c", curl+` -s -o /dev/null -w '%{http_code}'`).Output()
		require.NoError(t, err)
		assert.Equal(t, "200", string(code), "the pasted line")
	}
}

// startQASandbox runs examples/sandbox on free ports and returns each
// vendor's environment.
func startQASandbox(t *testing.T, bin string, extra ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-port-base", "0", "-json"}, extra...)...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGINT); _ = cmd.Wait() })
	var info struct {
		Vendors []struct {
			Vendor string            `json:"vendor"`
			Env    map[string]string `json:"env"`
		} `json:"vendors"`
	}
	require.NoError(t, json.NewDecoder(out).Decode(&info))
	env := map[string][]string{}
	for _, v := range info.Vendors {
		for k, val := range v.Env {
			env[v.Vendor] = append(env[v.Vendor], k+"="+val)
		}
	}
	return env
}

// weekBefore is the day a week before day (YYYY-MM-DD).
func weekBefore(day string) string {
	d, _ := time.Parse(time.DateOnly, day)
	return d.AddDate(0, 0, -7).Format(time.DateOnly)
}

// lastWeekday is the most recent Monday-to-Friday day in São Paulo, as
// YYYY-MM-DD: the Zen sandbox has leads on it.
func lastWeekday() string {
	loc, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		loc = time.FixedZone("-03", -3*3600)
	}
	d := time.Now().In(loc).AddDate(0, 0, -1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d.Format("2006-01-02")
}

// checkSandboxDoc runs the lines docs/sandbox.md gives the second terminal,
// one after the other as written (curl in a shell, "go run ./examples/X" as
// the built program), against the sandbox started as the doc starts it:
// every line succeeds, and its export lines carry the sandbox's credentials.
func checkSandboxDoc(t *testing.T, dir string) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("the doc's lines are curl lines, and this machine has no curl")
	}
	b, err := os.ReadFile(filepath.Join("..", "docs", "sandbox.md"))
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)In another terminal.*?```sh\n(.*?)\n```").FindSubmatch(b)
	require.NotNil(t, m, "docs/sandbox.md: the second terminal's sh block")
	qa := startQASandbox(t, filepath.Join(dir, "sandbox"), "-seed", "7")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	have := map[string]bool{}
	for _, vars := range qa {
		env = append(env, vars...)
		for _, v := range vars {
			have[v] = true
		}
	}
	comment := regexp.MustCompile(`\s+#.*$`)
	goRun := regexp.MustCompile(`^go run \./examples/([a-z-]+)`)
	ran := 0
	for _, line := range strings.Split(string(m[1]), "\n") {
		line = strings.TrimSpace(comment.ReplaceAllString(line, ""))
		if line == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "export "); ok {
			for _, kv := range strings.Fields(rest) {
				if !strings.Contains(kv, "_URL=") {
					assert.True(t, have[kv], "docs/sandbox.md exports %s, which the sandbox started with -seed 7 does not print", kv)
				}
			}
			continue
		}
		shell := goRun.ReplaceAllStringFunc(line, func(s string) string {
			return filepath.Join(dir, goRun.FindStringSubmatch(s)[1])
		})
		if strings.HasPrefix(shell, "curl ") {
			shell += ` -sS -o /dev/null -w '%{http_code}'`
		}
		cmd := exec.Command("sh", "-c", shell)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "docs/sandbox.md: %s\n%s", line, stderr.String())
		if strings.HasPrefix(shell, "curl ") {
			assert.Regexp(t, `^2\d\d$`, string(out), "docs/sandbox.md: %s", line)
		}
		ran++
	}
	assert.GreaterOrEqual(t, ran, 4, "the block's lines")
}
