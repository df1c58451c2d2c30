package weclevertest

import "github.com/leadkit/leadkit/leadkittest"

// The methods every leadkit sandbox shares (see package leadkittest),
// declared here so that they show in this package's documentation. URL,
// the base URL once started, is the field of the embedded
// *leadkittest.Server.

// Start serves the sandbox on a new 127.0.0.1 port and sets URL.
func (s *Server) Start() { s.Server.Start() }

// Fail queues a fault: matching requests (by Path and Method) meet it,
// Times times (once by default, -1 for ever).
func (s *Server) Fail(f Fault) { s.Server.Fail(f) }

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() { s.Server.ClearFaults() }

// Requests returns the requests received so far, secrets masked (the admin
// endpoints excluded).
func (s *Server) Requests() []Request { return s.Server.Requests() }

// Count returns how many received requests have a path containing path
// and, when method is not empty, that method.
func (s *Server) Count(method, path string) int { return s.Server.Count(method, path) }

// Reset clears the request log and the faults and restores the seeded
// state.
func (s *Server) Reset() { s.Server.Reset() }

// Config returns the common configuration the sandbox runs with.
func (s *Server) Config() Config { return s.Server.Config() }

// Close stops the server started by Start.
func (s *Server) Close() { s.Server.Close() }

// Config holds the switches every sandbox shares (seed, tidy shapes, rate
// limits, latency, random failures).
type Config = leadkittest.Config
