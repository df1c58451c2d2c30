// Package badtest is a sandbox that breaks the conventions: its Fault
// aliases an internal type and it has its own credential accessor.
package badtest

import "github.com/leadkit/leadkit/internal/sandbox"

// Fault hides its fields.
type Fault = sandbox.Fault

// Server embeds the kit without declaring its methods.
type Server struct {
	*sandbox.Server
}

// Token is a credential accessor of its own.
func (s *Server) Token() string { return "" }
