package relay_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/internal/testutil"
	"github.com/leadkit/leadkit/relay"
	"github.com/leadkit/leadkit/salesman"
)

// Worker processes (the chaos test's, the pause tests') are this test
// binary, started with RELAY_WORKER holding a workerConfig: TestMain then
// delivers instead of testing.
func TestMain(m *testing.M) {
	if cfg := os.Getenv("RELAY_WORKER"); cfg != "" {
		os.Exit(runWorker(cfg))
	}
	os.Exit(m.Run())
}

// workerConfig is what a worker process delivers with.
type workerConfig struct {
	DSN, Schema string
	URLs        map[string]string
	Knobs       knobs
	Version     salesman.APIVersion // SalesMan's (V3 when 0)
	MaxWait     time.Duration       // the clients' longest retry wait
	Log         bool                // log every attempt to stderr
	Intake      *intakeWorker       // the intake chaos test's inbox and routes (intake_chaos_test.go)
}

// knobs are a relay's timing options, in a form a child process reads.
type knobs struct {
	JobTimeout, RescueAfter, Settle, MaxBackoff, Poll, Sweep time.Duration
	Retries, Workers                                         int
}

func (k knobs) options() []relay.Option {
	opts := []relay.Option{
		relay.WithPollInterval(k.Poll), relay.WithRetries(k.Retries, k.MaxBackoff), relay.WithJobTimeout(k.JobTimeout),
		relay.WithRescueAfter(k.RescueAfter), relay.WithWorkers(k.Workers), relay.WithSweepInterval(k.Sweep),
		relay.WithSettle(relay.VendorDatacake, 0),
	}
	for _, v := range []relay.Vendor{relay.VendorSalesman, relay.VendorZenvia, relay.VendorZen} {
		opts = append(opts, relay.WithSettle(v, k.Settle))
	}
	return opts
}

// runWorker is one worker process: it delivers until it is killed.
func runWorker(raw string) int {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	opts := cfg.Knobs.options()
	if cfg.Schema != "" {
		opts = append(opts, relay.WithSchema(cfg.Schema))
	}
	if cfg.Log {
		opts = append(opts, relay.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
	}
	ctx := context.Background()
	r, err := relay.Open(ctx, cfg.DSN, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	t := &workerTB{}
	if cfg.Intake != nil {
		if err := startIntake(r, cfg.Intake); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			return 2
		}
	}
	if err := r.Start(ctx, clientsWith(t, cfg.URLs, clientKnobs{lim: r.ZenLimiter(), version: cfg.Version, maxWait: cfg.MaxWait})); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	fmt.Println("ready")
	select {} // until SIGKILL
}

// workerTB lets the worker process build clients with the tests' helper.
type workerTB struct{ testing.TB }

func (workerTB) Helper() {}
func (workerTB) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}
func (workerTB) FailNow() { os.Exit(2) }

// worker is a running worker process.
type worker struct {
	cmd  *exec.Cmd
	logs *testutil.SyncBuffer
}

// startWorker starts a worker process and waits until it delivers; its
// stderr goes to logs. It is killed when the test ends.
func startWorker(t testing.TB, cfg workerConfig, logs *testutil.SyncBuffer) *worker {
	t.Helper()
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), "RELAY_WORKER="+string(raw))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	w := &worker{cmd: cmd, logs: logs}
	t.Cleanup(w.kill)
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatalf("worker did not start: %s", logs.String())
	}
	return w
}

func (w *worker) signal(s syscall.Signal) { _ = w.cmd.Process.Signal(s) }

// kill ends the process (a stopped one too) and reaps it.
func (w *worker) kill() {
	if w.cmd.ProcessState != nil {
		return
	}
	w.signal(syscall.SIGKILL)
	_ = w.cmd.Wait()
}

// waitLogAfter waits until the process's log, from byte offset on, holds
// s, and returns the line that does.
func (w *worker) waitLogAfter(t testing.TB, offset int, s string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		for _, line := range strings.Split(w.logs.String()[offset:], "\n") {
			if strings.Contains(line, s) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the worker's log within %s:\n%s", s, d, w.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
