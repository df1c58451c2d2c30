// Command datacake-erp serves the Datacake ERP contract over an in-memory
// ERP: the starting point for an integration team that exposes its ERP to
// Datacake. Replace datacaketest.NewMemoryERP with your implementation of
// datacake.ERP (queries on your database or calls to your ERP's API).
//
//	go run ./examples/datacake-erp -addr 127.0.0.1:8080
//
// The token is read from DATACAKE_TOKEN (or -token); without one the
// sandbox's default token is accepted, and printed with a curl line that
// reads a customer. With -json the start-up information is one JSON
// document on stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const prog = "datacake-erp"

// run serves until ctx ends. Exit codes: 0 stopped cleanly, 1 the server
// failed, 2 bad usage.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Help{
		What:     "Serves the Datacake ERP contract over an in-memory ERP, the starting point of an ERP that speaks it.",
		EnvTitle: "Environment",
		Env: []cli.Var{
			{Name: "DATACAKE_TOKEN", About: "the token clients must send (Authorization: Bearer); as -token"},
		},
		Sandbox: []string{
			"Without a token it accepts the sandbox's (" + datacaketest.DefaultToken + ")",
			"and prints it with a curl line to try. Point examples/datacake-signup at it with",
			"DATACAKE_URL=<the URL it prints> and DATACAKE_TOKEN.",
		},
		Examples: []string{"go run ./examples/datacake-erp -addr 127.0.0.1:8080", "DATACAKE_TOKEN=s3cret go run ./examples/datacake-erp -json"},
	}.Use(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks one)")
	token := fs.String("token", "", "token clients must send (default $DATACAKE_TOKEN, else the sandbox token)")
	seed := fs.Int64("seed", 1, "seed of the in-memory ERP's data")
	customers := fs.Int("customers", datacaketest.DefaultCustomers, "customers to seed, at least the 3 example ones; 0 seeds the default")
	verbose := fs.Bool("v", false, "log refused requests and ERP failures")
	asJSON := fs.Bool("json", false, "print the URL, the token's origin and the curl line as one JSON document")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	if *customers < 0 {
		return cli.Usagef(stderr, prog, "-customers must not be negative, got %d", *customers)
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return cli.Usagef(stderr, prog, "-addr must be host:port, got %q", *addr)
	}
	tok, source := *token, "-token"
	if tok == "" {
		tok, source = env("DATACAKE_TOKEN"), "DATACAKE_TOKEN"
	}
	if tok == "" {
		tok, source = datacaketest.DefaultToken, "sandbox"
	}
	var opts []datacake.HandlerOption
	if *verbose {
		opts = append(opts, datacake.WithHandlerLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	srv := &http.Server{
		Handler:           datacake.NewHandler(datacaketest.NewMemoryERP(*seed, *customers), tok, opts...),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		// Not a usage mistake: the environment failed (a busy port).
		return cli.Failf(stderr, prog, "%v", err)
	}
	if err := announce(stdout, *asJSON, newStartup(ln.Addr(), source)); err != nil {
		_ = ln.Close()
		return cli.Failf(stderr, prog, "%v", err)
	}
	return serve(ctx, srv, ln, stderr)
}

// startup is what the program says when it listens (and its -json form).
type startup struct {
	URL string `json:"url"`
	// TokenFrom says where the accepted token came from: "sandbox",
	// "DATACAKE_TOKEN" or "-token". Only the sandbox's is printed.
	TokenFrom string `json:"token_from"`
	Token     string `json:"token,omitempty"`
	Curl      string `json:"curl"`
}

func newStartup(a net.Addr, source string) startup {
	st := startup{URL: "http://" + a.String(), TokenFrom: source}
	auth := `"Authorization: Bearer $DATACAKE_TOKEN"` // the user's own token stays in the user's shell
	if source == "sandbox" {
		st.Token = datacaketest.DefaultToken
		auth = `"Authorization: Bearer ` + st.Token + `"`
	}
	st.Curl = "curl -H " + auth + " '" + st.URL + "/cliente?cnpj_cpf=" + datacaketest.ExampleCPF + "'"
	return st
}

func announce(w io.Writer, asJSON bool, st startup) error {
	if asJSON {
		return cli.PrintJSON(w, st)
	}
	fmt.Fprintf(w, "%s: serving the Datacake ERP contract on %s\n", prog, st.URL)
	switch st.TokenFrom {
	case "sandbox":
		fmt.Fprintf(w, "%s: token: %s (the sandbox's; set DATACAKE_TOKEN or -token for your own)\n", prog, st.Token)
	case "-token": // the curl line reads $DATACAKE_TOKEN, which this shell may not have
		fmt.Fprintf(w, "%s: token: the one in -token (for the curl line below: export DATACAKE_TOKEN=<that token>)\n", prog)
	default:
		fmt.Fprintf(w, "%s: token: the one in %s\n", prog, st.TokenFrom)
	}
	_, err := fmt.Fprintf(w, "%s: try: %s\n", prog, st.Curl)
	return err
}

// serve serves ln until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, srv *http.Server, ln net.Listener, stderr io.Writer) int {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return cli.Failf(stderr, prog, "%v", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return cli.Failf(stderr, prog, "shutdown: %v", err)
	}
	fmt.Fprintf(stderr, "%s: stopped\n", prog)
	return cli.ExitOK
}
