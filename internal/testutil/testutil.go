// Package testutil holds small helpers shared by leadkit's tests: a buffer
// safe for concurrent writers, an environment lookup built from a map, a
// debug logger that writes to such a buffer, a closed port, a clock moved by
// hand, the tally of a walk, and the build of the documentation's code
// snippets (the root module's and the relay's).
//
// Only _test.go files import it (TestOnlyTestsImport checks this), so none of
// it reaches the SDK's users.
package testutil

import (
	"bytes"
	"log/slog"
	"net"
	"sync"
	"testing"
)

// SyncBuffer is a bytes.Buffer that a program's goroutines and the test may
// use at the same time. The zero value is ready to use.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what has been written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Env returns a getenv function that reads m; a nil map means no variable
// is set.
func Env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// DebugLogger returns a logger that records every level, as text, to the
// returned buffer.
func DebugLogger() (*slog.Logger, *SyncBuffer) {
	buf := &SyncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// ClosedPort returns a 127.0.0.1 address (host:port) nobody listens on: a
// request to it is refused, the proof that nothing was sent.
func ClosedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
