package faulttest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/weclever/weclevertest"
)

// The client examples (package main, so driven as built binaries). The QA
// sandbox program (examples/sandbox) is left out on purpose: printing the
// sandbox's own credentials is its job. examples/datacake-erp, a server, is
// driven by TestExampleERPOutputHasNoSecret.
var clientExamples = []string{"zen-leads", "zen-totals", "salesman-leads", "weclever-leads", "zenvia-leads", "datacake-signup"}

const (
	exPlatform = "plataforma-exemplo"
	exUser     = "integracao@exemplo.com.br"
)

// buildExamples builds the named examples into a temporary directory with
// one go build, and returns that directory.
func buildExamples(t *testing.T, names ...string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the examples with")
	}
	dir := t.TempDir()
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	for _, n := range names {
		args = append(args, "../../examples/"+n)
	}
	cmd := exec.Command(gobin, args...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return dir
}

// hostile answers every API call with an error whose message echoes the
// whole request (query, headers, body), the way a careless server or proxy
// does; WeClever's token endpoint is served by a sandbox accepting the canary
// password unless failToken, so that its API calls are reached too.
type hostile struct {
	truncated bool // answer 200 with the echo in a truncated JSON body instead of a 400
	php       bool // escape the echo the way PHP's json_encode does ("\/", "\u0026"), Zen's Mensagem an object
	dotnet    bool // echo the request URL-encoded with lower-case hex, every other character \u-escaped (.NET's encoders)
	failToken bool
	weclever  http.Handler
	front     front // only for its credential log
}

func (h *hostile) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.front.noteCreds(r, body)
	if strings.Contains(r.URL.Path, "/solution/token/basic/") && !h.failToken {
		h.weclever.ServeHTTP(w, r)
		return
	}
	echo := jsonString(dumpRequest(r, body))
	mensagem := echo
	if h.dotnet {
		// The request URL-encoded as .NET's HttpUtility writes it
		// (lower-case hex), in a JSON string as its encoders write it.
		echo = dotnetString("bad request: " + testutil.LowerHex(url.QueryEscape(dumpRequest(r, body))))
		mensagem = echo
	}
	if h.php {
		echo = phpString(dumpRequest(r, body))
		mensagem = `{"detalhe":` + echo + `}` // not a string: Zen's error keeps it as raw JSON
	}
	w.Header().Set("Content-Type", "application/json")
	if h.truncated {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"error":`+echo+`,"message":`+echo+`,"dados":[{"nome":"Jo`)
		return
	}
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, `{"Erro":"400","Mensagem":`+mensagem+`,"error":`+echo+`,"message":`+echo+`,"code":"BAD_REQUEST"}`)
}

// phpString encodes s as PHP's json_encode does by default: "/" as "\/",
// non-ASCII as \uXXXX, and (with JSON_HEX_AMP, common in PHP APIs) "&" as
// "\u0026".
func phpString(s string) string {
	b := []byte(jsonString(s))
	var out strings.Builder
	for _, r := range string(b) {
		switch {
		case r == '/':
			out.WriteString(`\/`)
		case r == '&':
			out.WriteString(`\u0026`)
		case r > 0x7f && r < 0x10000:
			fmt.Fprintf(&out, `\u%04x`, r)
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// dotnetString encodes s as a JSON string the way .NET's encoders may:
// "+", "&", "<", ">", "'" and non-ASCII as \uXXXX (upper-case hex), and
// every other letter or digit too, so that no run of the key stays whole.
func dotnetString(s string) string {
	var out strings.Builder
	out.WriteByte('"')
	for i, r := range []rune(s) {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		switch {
		case strings.ContainsRune("+&<>'", r) || r > 0x7f || r < 0x20 || (alnum && i%2 == 0):
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&out, `\u%04X`, u)
			}
		case r == '"' || r == '\\':
			out.WriteString(`\` + string(r))
		default:
			out.WriteRune(r)
		}
	}
	out.WriteByte('"')
	return out.String()
}

// TestExampleOutputHasNoSecret runs every client example against failing
// servers with canary credentials and scans what it prints.
func TestExampleOutputHasNoSecret(t *testing.T) {
	t.Parallel()
	dir := buildExamples(t, clientExamples...)
	wc := weclevertest.NewUnstartedServer(&weclevertest.Options{PlatformID: exPlatform, User: exUser, Password: canaryWecleverPass})
	wcShort := weclevertest.NewUnstartedServer(&weclevertest.Options{PlatformID: exPlatform, User: exUser, Password: shortWecleverPass})
	type run struct {
		example string
		args    []string
	}
	runs := []run{
		{"zen-leads", nil}, {"zen-totals", nil},
		{"salesman-leads", nil}, {"salesman-leads", []string{"-title", "Пётр", "-email", "petr@example.ru"}},
		{"weclever-leads", nil}, {"zenvia-leads", nil}, {"datacake-signup", nil},
	}
	for _, mode := range []string{"400 echo", "400 PHP-escaped echo", "400 .NET-escaped echo", "200 truncated echo", "400 echo, token refused", "400 PHP-escaped echo, short keys"} {
		for _, rn := range runs {
			if mode == "400 echo, token refused" && rn.example != "weclever-leads" {
				continue
			}
			t.Run(mode+"/"+rn.example+strings.Join(rn.args, " "), func(t *testing.T) {
				t.Parallel()
				h := &hostile{truncated: strings.HasPrefix(mode, "200"), failToken: strings.Contains(mode, "token"), php: strings.Contains(mode, "PHP"),
					dotnet: strings.Contains(mode, ".NET"), weclever: wc}
				zenKey, smKey, wcPass, zvKey, dcKey := canaryZen, canarySalesmanKey, canaryWecleverPass, canaryZenviaKey, canaryDatacake
				if strings.Contains(mode, "short") {
					h.weclever = wcShort
					zenKey, smKey, wcPass, zvKey, dcKey = shortZen, shortSalesmanKey, shortWecleverPass, shortZenviaKey, shortDatacake
				}
				srv := httptest.NewServer(h)
				defer srv.Close()
				env := []string{
					"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
					"ZEN_URL=" + srv.URL, "ZEN_TOKEN=" + zenKey,
					"SALESMAN_URL=" + srv.URL, "SALESMAN_LOGIN=ivan@example.ru", "SALESMAN_APIKEY=" + smKey,
					"WECLEVER_URL=" + srv.URL, "WECLEVER_PLATFORM_ID=" + exPlatform, "WECLEVER_USER=" + exUser, "WECLEVER_PASSWORD=" + wcPass,
					"ZENVIA_URL=" + srv.URL, "ZENVIA_API_KEY=" + zvKey,
					"DATACAKE_URL=" + srv.URL, "DATACAKE_TOKEN=" + dcKey,
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, filepath.Join(dir, rn.example), rn.args...)
				cmd.Env = env
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code := cmd.ProcessState.ExitCode()
				require.Equal(t, 1, code, "exit status (API error): %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
				out := stdout.String() + stderr.String()
				assert.Contains(t, out, "bad request", "the server's echo reached the output, so the scan below means something:\n%s", out)
				secrets := []string{zenKey, smKey, wcPass, zvKey, dcKey, basicPair(exUser, wcPass)}
				secrets = append(secrets, h.front.seenCreds()...)
				if hits := leaks(map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}, secrets); len(hits) > 0 {
					t.Errorf("secrets in the example's output:\n%s", strings.Join(hits, "\n"))
				}
			})
		}
	}
}

// TestExampleERPOutputHasNoSecret runs the ERP server example verbose, with a
// canary token, sends it refused and accepted requests, stops it and scans
// its output.
func TestExampleERPOutputHasNoSecret(t *testing.T) {
	t.Parallel()
	dir := buildExamples(t, "datacake-erp")
	cmd := exec.Command(filepath.Join(dir, "datacake-erp"), "-addr", "127.0.0.1:0", "-v")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "DATACAKE_TOKEN=" + canaryDatacake}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr testutil.SyncBuffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()

	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the server prints its address")
	first := lines.Text()
	var out testutil.SyncBuffer
	fmt.Fprintln(&out, first)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for lines.Scan() {
			fmt.Fprintln(&out, lines.Text())
		}
	}()
	i := strings.Index(first, "http://")
	require.GreaterOrEqual(t, i, 0, first)
	base := strings.Fields(first[i:])[0]

	hc := &http.Client{Timeout: 5 * time.Second}
	send := func(method, path, auth, body string) int {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := hc.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	wrong := "Bearer " + canaryDatacake[:len(canaryDatacake)-1] + "X"
	assert.Equal(t, 401, send("GET", "/produtos", wrong, ""))
	assert.Equal(t, 401, send("GET", "/produtos?token="+canaryDatacake, "", ""))
	assert.Equal(t, 200, send("GET", "/produtos", "Bearer "+canaryDatacake, ""))
	assert.Equal(t, 404, send("GET", "/nada?token="+canaryDatacake, "Bearer "+canaryDatacake, ""))
	assert.Equal(t, 400, send("POST", "/prospectos", "Bearer "+canaryDatacake, `{"nome":"`+canaryDatacake+`"`))
	assert.Equal(t, 405, send("DELETE", "/produtos", "Bearer "+canaryDatacake, ""))

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	wg.Wait()
	require.NoError(t, cmd.Wait(), "clean shutdown:\n%s\n%s", out.String(), stderr.String())
	assert.Contains(t, stderr.String(), "datacake-erp: stopped")
	if hits := leaks(map[string]string{"stdout": out.String(), "stderr": stderr.String()}, []string{canaryDatacake}); len(hits) > 0 {
		t.Errorf("the token in the ERP example's output:\n%s", strings.Join(hits, "\n"))
	}
}

func basicPair(user, pass string) string {
	return user + ":" + pass
}
