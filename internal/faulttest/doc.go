// Package faulttest holds leadkit's fault matrix: tests that drive every
// operation of every vendor client through a fault-injecting loopback server
// (connection refused, resets, slow answers, 5xx, 429, empty, truncated,
// oversized and mis-labelled bodies), assert the typed outcome of every cell
// and how many requests reached the server, and scan every error string, log
// line and example program output for the clients' secrets.
//
// The package has no API; everything is in its _test.go files. Run it with
//
//	go test ./internal/faulttest/
//
// and regenerate the README's reliability table with
//
//	FAULTTEST_SUMMARY=/tmp/reliability.md go test -run TestFaultMatrix ./internal/faulttest/
package faulttest
