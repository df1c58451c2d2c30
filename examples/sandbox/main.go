// Command sandbox serves leadkit's in-memory vendor sandboxes (zentest,
// salesmantest, weclevertest, zenviatest, datacaketest) as a running server,
// for QA teams, services written in other languages, curl and Postman.
//
//	go run ./examples/sandbox                         # all five, on 127.0.0.1:8701..8705
//	go run ./examples/sandbox -vendor zen             # Zen only, on 127.0.0.1:8701
//	go run ./examples/sandbox -addr 127.0.0.1:8080    # one port: /zen/..., /salesman/..., ...
//	go run ./examples/sandbox -seed 7 -latency 200ms -fail-rate 0.1 -quirks=false -rate-limits=false
//
// It prints each vendor's base URL and credentials, and the export lines
// that point the examples (and any other client) at it. Each vendor answers
// GET <base URL>/_sandbox/requests with the requests it received (secrets
// masked) and POST <base URL>/_sandbox/reset by restoring its seeded state.
// It serves until interrupted (SIGINT or SIGTERM), then shuts down
// gracefully. Without -addr it listens on loopback only.
//
// Exit status: 0 after a clean shutdown, 1 when it cannot listen or serve,
// 2 on bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/leadkit/leadkit/internal/cli"
)

const (
	// defaultPortBase is the first vendor's port without -addr or -port-base.
	defaultPortBase = 8701
	// shutdownTimeout bounds the wait for requests in flight at shutdown.
	shutdownTimeout = 5 * time.Second
	// readyLine ends the start-up output: everything is listening.
	readyLine = "Serving until interrupted (Ctrl-C)."
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is the parsed command line.
type config struct {
	settings
	selected []vendor
	addr     string // one listener with path prefixes ("" = one port per vendor)
	portBase int
	asJSON   bool
}

// running is one selected vendor, mounted and reachable.
type running struct {
	vendor
	inst instance
	url  string
}

// run serves the sandboxes until ctx is cancelled and returns the exit
// status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := parseFlags(args, stderr)
	if code >= 0 {
		return code
	}

	var boxes []*running
	for _, v := range cfg.selected {
		boxes = append(boxes, &running{vendor: v, inst: v.start(&cfg.settings)})
	}
	defer func() {
		for _, b := range boxes {
			b.inst.close()
		}
	}()

	servers, err := listen(cfg, boxes)
	if err != nil {
		fmt.Fprintf(stderr, "sandbox: %v\n", err)
		return 1
	}
	for _, b := range boxes {
		b.inst.setURL(b.url)
	}

	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() {
			if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serving %s on %s: %w", s.what, s.ln.Addr(), err)
			}
		}()
	}

	if cfg.asJSON {
		printJSON(stdout, cfg, boxes)
	} else {
		printText(stdout, cfg, boxes)
	}

	code = 0
	select {
	case <-ctx.Done():
		fmt.Fprintln(stderr, "sandbox: shutting down")
	case err := <-errc:
		fmt.Fprintf(stderr, "sandbox: %v\n", err)
		code = 1
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.srv.Shutdown(sctx); err != nil {
			fmt.Fprintf(stderr, "sandbox: %s: requests still running after %s, closing: %v\n", s.what, shutdownTimeout, err)
			_ = s.srv.Close()
		}
	}
	return code
}

// parseFlags parses args; code is -1 when the program should run, else the
// exit status (usage already printed).
func parseFlags(args []string, stderr io.Writer) (cfg *config, code int) {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := vendorNames()
	cli.Help{
		What:     "Serves the leadkit vendor sandboxes (" + strings.Join(names, ", ") + ") for QA until interrupted.",
		EnvTitle: "Environment (it reads none; it prints, for each vendor, the variables that point the examples at it)",
		Env: []cli.Var{
			{Name: "zen", About: "ZEN_URL, ZEN_TOKEN (and ZEN_WINDOW with -zen-window or -rate-limits=false)"},
			{Name: "salesman", About: "SALESMAN_URL, SALESMAN_LOGIN, SALESMAN_APIKEY"},
			{Name: "weclever", About: "WECLEVER_URL, WECLEVER_PLATFORM_ID, WECLEVER_USER, WECLEVER_PASSWORD"},
			{Name: "zenvia", About: "ZENVIA_URL, ZENVIA_API_KEY"},
			{Name: "datacake", About: "DATACAKE_URL, DATACAKE_TOKEN"},
		},
		Sandbox: []string{
			"It is the sandbox: paste its export lines in another shell, then run any example there",
			"(or point your own service, curl or Postman at the URLs). docs/sandbox.md has the details.",
		},
		Examples: []string{"go run ./examples/sandbox -seed 7", "go run ./examples/sandbox -vendor zen -zen-window 2s",
			"go run ./examples/sandbox -addr 127.0.0.1:8080 -latency 200ms -fail-rate 0.1"},
	}.Use(fs)
	vendorList := fs.String("vendor", "", "comma-separated vendors to serve (default: all of "+strings.Join(names, ",")+")")
	addr := fs.String("addr", "", "serve every vendor on this one address under a path prefix (/zen/, /salesman/, ...); may be a non-loopback address")
	portBase := fs.Int("port-base", defaultPortBase, "without -addr: vendor i listens on 127.0.0.1:port-base+i in the order "+strings.Join(names, ",")+" (0: free ports)")
	seed := fs.Int64("seed", 1, "seed of the generated data and of the random failures (same seed, same data)")
	latency := fs.Duration("latency", 0, "delay every answer by this long, e.g. 200ms")
	failRate := fs.Float64("fail-rate", 0, "share of requests (0..1) answered 503 with Retry-After: 1")
	quirks := fs.Bool("quirks", true, "answer with the real servers' quirks (false: the tidy documented shapes)")
	rateLimits := fs.Bool("rate-limits", true, "enforce the vendors' rate limits (Zen's windows)")
	leads := fs.Int("leads", 0, "leads, prospects or customers to seed per vendor (0: each sandbox's default of a few hundred)")
	clock := fs.String("clock", "", "start the sandboxes' clock at this RFC 3339 time (default: now); with -seed, dates are reproducible too")
	zenWindow := fs.Duration("zen-window", 0, "Zen: the interval every rate-limited endpoint enforces (0: Zen's real 1 and 5 minutes)")
	tokenTTL := fs.Duration("weclever-token-ttl", 0, "WeClever: tokens expire this long after they are issued (0: never)")
	async := fs.Bool("zenvia-async", false, "Zenvia: answer lead creation 202 Accepted, the result coming by webhook only")
	remote := fs.Bool("zenvia-remote-callbacks", false, "Zenvia: allow webhook callback URLs that are not loopback")
	asJSON := fs.Bool("json", false, "print the vendors, URLs and credentials as JSON")
	if ok, code := cli.Parse(fs, args); !ok {
		return nil, code
	}
	usage := func(format string, a ...any) (*config, int) {
		fmt.Fprintf(stderr, "sandbox: "+format+"\n", a...)
		return nil, 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg = &config{addr: *addr, portBase: *portBase, asJSON: *asJSON}
	switch {
	case set["addr"] && set["port-base"]:
		return usage("-addr and -port-base exclude each other")
	case set["addr"] && *addr == "":
		return usage("-addr must not be empty")
	case *portBase < 0 || *portBase+len(names)-1 > 65535:
		return usage("-port-base must be 0, or a port up to %d, got %d", 65535-len(names)+1, *portBase)
	case *latency < 0:
		return usage("-latency must not be negative, got %s", *latency)
	case !(*failRate >= 0 && *failRate <= 1):
		return usage("-fail-rate must be between 0 and 1, got %v", *failRate)
	case *leads < 0:
		return usage("-leads must not be negative, got %d", *leads)
	case *zenWindow < 0 || *tokenTTL < 0:
		return usage("-zen-window and -weclever-token-ttl must not be negative")
	}
	if *addr != "" {
		if _, _, err := net.SplitHostPort(*addr); err != nil {
			return usage("-addr must be host:port, got %q", *addr)
		}
	}

	all := allVendors()
	if *vendorList == "" {
		cfg.selected = all
	} else {
		want := map[string]bool{}
		for _, n := range strings.Split(*vendorList, ",") {
			n = strings.ToLower(strings.TrimSpace(n))
			if !slices.Contains(names, n) {
				return usage("unknown vendor %q in -vendor (known: %s)", n, strings.Join(names, ", "))
			}
			want[n] = true
		}
		for _, v := range all {
			if want[v.name] {
				cfg.selected = append(cfg.selected, v)
			}
		}
	}

	cfg.settings = settings{
		seed: *seed, tidy: !*quirks, noRateLimits: !*rateLimits, latency: *latency, failRate: *failRate,
		leads: *leads, zenWindow: *zenWindow, wecleverTTL: *tokenTTL, zenviaAsync: *async, zenviaRemoteCBs: *remote,
	}
	if *clock != "" {
		start, err := time.Parse(time.RFC3339, *clock)
		if err != nil {
			return usage("-clock must be an RFC 3339 time such as 2026-03-02T09:00:00-03:00, got %q", *clock)
		}
		t0 := time.Now()
		cfg.now = func() time.Time { return start.Add(time.Since(t0)) }
	}
	return cfg, -1
}

// server is one listener and the HTTP server on it.
type server struct {
	what string // the vendor, or "sandbox" for the shared prefix listener
	ln   net.Listener
	srv  *http.Server
}

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
}

// listen opens the listeners (closing them all on error) and sets each
// box's URL.
func listen(cfg *config, boxes []*running) ([]server, error) {
	if cfg.addr != "" {
		ln, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			return nil, fmt.Errorf("cannot listen on %s: %w", cfg.addr, unwrapOp(err))
		}
		root := baseURL(ln.Addr())
		mux := http.NewServeMux()
		for _, b := range boxes {
			b.url = root + "/" + b.name
			mux.Handle("/"+b.name+"/", http.StripPrefix("/"+b.name, b.inst.handler))
		}
		mux.HandleFunc("/{$}", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			for _, b := range boxes {
				fmt.Fprintf(w, "%s\t%s\n", b.name, b.url)
			}
		})
		return []server{{what: "sandbox", ln: ln, srv: newHTTPServer(mux)}}, nil
	}

	index := map[string]int{}
	for i, n := range vendorNames() {
		index[n] = i
	}
	var out []server
	for _, b := range boxes {
		port := 0
		if cfg.portBase > 0 {
			port = cfg.portBase + index[b.name]
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, s := range out {
				_ = s.ln.Close()
			}
			return nil, fmt.Errorf("%s: cannot listen on %s: %w (another program, or another sandbox, holds the port: choose others with -port-base, or -port-base 0 for free ports)",
				b.name, addr, unwrapOp(err))
		}
		b.url = baseURL(ln.Addr())
		out = append(out, server{what: b.name, ln: ln, srv: newHTTPServer(b.inst.handler)})
	}
	return out, nil
}

// unwrapOp drops net.OpError's own "listen tcp <addr>:" prefix, since the
// message names the address already.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// baseURL is the URL a client on this machine reaches a listener at: an
// unspecified host (0.0.0.0, ::) is reached through 127.0.0.1.
func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// envOf returns a box's credential variables in a stable order.
func envOf(b *running) (keys []string, vals map[string]string) {
	vals = b.inst.credentials()
	keys = append(keys, b.env...)
	var rest []string
	for k := range vals {
		if !slices.Contains(b.env, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...), vals
}

func printText(w io.Writer, cfg *config, boxes []*running) {
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	fmt.Fprintf(w, "leadkit QA sandbox: seed %d, quirks %s, rate limits %s, latency %s, fail rate %v\n\n",
		cfg.seed, onOff(!cfg.tidy), onOff(!cfg.noRateLimits), cfg.latency, cfg.failRate)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VENDOR\tBASE URL\tCREDENTIALS")
	for _, b := range boxes {
		keys, vals := envOf(b)
		var creds []string
		for _, k := range keys {
			if !strings.HasSuffix(k, "_URL") {
				creds = append(creds, k+"="+vals[k])
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", b.name, b.url, strings.Join(creds, " "))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nSeeded data (the same for every run with -seed %d", cfg.seed)
	if cfg.now == nil {
		fmt.Fprint(w, "; add -clock for the same dates too")
	}
	fmt.Fprintln(w, "):")
	for _, b := range boxes {
		fmt.Fprintf(w, "  %-9s %s\n", b.name, b.inst.data)
	}
	fmt.Fprintln(w, "\nAdmin, per vendor: GET <base URL>/_sandbox/requests (requests received, secrets masked),")
	fmt.Fprintln(w, "POST <base URL>/_sandbox/reset (seeded state back, log cleared).")
	fmt.Fprintln(w, "\nTo point the examples at it, run in another shell:")
	fmt.Fprintln(w)
	for _, b := range boxes {
		keys, vals := envOf(b)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + shellQuote(vals[k])
		}
		fmt.Fprintf(w, "export %s\n", strings.Join(parts, " "))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, readyLine)
}

// vendorInfo is one vendor in the -json output.
type vendorInfo struct {
	Vendor   string            `json:"vendor"`
	URL      string            `json:"url"`
	Env      map[string]string `json:"env"`
	Data     string            `json:"data"`
	Requests string            `json:"requests"`
	Reset    string            `json:"reset"`
}

func printJSON(w io.Writer, cfg *config, boxes []*running) {
	out := struct {
		Vendors []vendorInfo `json:"vendors"`
	}{Vendors: []vendorInfo{}}
	for _, b := range boxes {
		_, vals := envOf(b)
		out.Vendors = append(out.Vendors, vendorInfo{
			Vendor: b.name, URL: b.url, Env: vals, Data: b.inst.data,
			Requests: b.url + "/_sandbox/requests", Reset: b.url + "/_sandbox/reset",
		})
	}
	_ = json.NewEncoder(w).Encode(out)
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe
// characters.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
