// Package badtest is a sandbox that breaks the conventions: its Fault
// aliases an internal type, it has its own credential accessor, and one
// function routes every request by hand.
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

// serve is one long routing switch.
func serve(path string) int {
	n := 0
	switch path {
	case "/p0":
		n = 0
	case "/p1":
		n = 1
	case "/p2":
		n = 2
	case "/p3":
		n = 3
	case "/p4":
		n = 4
	case "/p5":
		n = 5
	case "/p6":
		n = 6
	case "/p7":
		n = 7
	case "/p8":
		n = 8
	case "/p9":
		n = 9
	case "/p10":
		n = 10
	case "/p11":
		n = 11
	case "/p12":
		n = 12
	case "/p13":
		n = 13
	case "/p14":
		n = 14
	case "/p15":
		n = 15
	case "/p16":
		n = 16
	case "/p17":
		n = 17
	case "/p18":
		n = 18
	case "/p19":
		n = 19
	case "/p20":
		n = 20
	case "/p21":
		n = 21
	case "/p22":
		n = 22
	case "/p23":
		n = 23
	case "/p24":
		n = 24
	case "/p25":
		n = 25
	case "/p26":
		n = 26
	case "/p27":
		n = 27
	case "/p28":
		n = 28
	case "/p29":
		n = 29
	}
	return n
}
