// Command datacake-erp serves the Datacake ERP contract over an in-memory
// ERP: the starting point for an integration team that exposes its ERP to
// Datacake. Replace datacaketest.NewMemoryERP with your implementation of
// datacake.ERP (queries on your database or calls to your ERP's API).
//
//	go run ./examples/datacake-erp -addr 127.0.0.1:8080
//
// The token is read from DATACAKE_TOKEN (or -token); without one the
// sandbox's default token (datacaketest.DefaultToken) is accepted.
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

// run serves until ctx ends. Exit codes: 0 stopped cleanly, 1 the server
// failed, 2 bad usage.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("datacake-erp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks one)")
	token := fs.String("token", "", "token clients must send (default $DATACAKE_TOKEN, else the sandbox token)")
	seed := fs.Int64("seed", 1, "seed of the in-memory ERP's data")
	customers := fs.Int("customers", datacaketest.DefaultCustomers, "customers to seed")
	verbose := fs.Bool("v", false, "log refused requests and ERP failures")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	tok := *token
	if tok == "" {
		tok = env("DATACAKE_TOKEN")
	}
	note := ""
	if tok == "" {
		tok = datacaketest.DefaultToken
		note = " (sandbox default token: datacaketest.DefaultToken)"
	}
	var opts []datacake.HandlerOption
	if *verbose {
		opts = append(opts, datacake.WithHandlerLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	erp := datacaketest.NewMemoryERP(*seed, *customers)
	srv := &http.Server{
		Handler:           datacake.NewHandler(erp, tok, opts...),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return cli.Usagef(stderr, "datacake-erp", "-addr must be host:port, got %q", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		// Not a usage mistake: the environment failed (a busy port).
		return cli.Failf(stderr, "datacake-erp", "%v", err)
	}
	fmt.Fprintf(stdout, "serving the Datacake ERP contract on http://%s%s\n", ln.Addr(), note)
	fmt.Fprintf(stdout, "try: GET /cliente?cnpj_cpf=%s with Authorization: Bearer <token>\n", datacaketest.ExampleCPF)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "datacake-erp: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "datacake-erp: shutdown: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "stopped")
	return 0
}
