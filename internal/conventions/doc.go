// Package conventions holds the test that keeps the five vendor packages
// speaking one API: the rules of docs/conventions.md, checked with go/ast
// over the packages' source (see conventions_test.go). It has no code of
// its own.
package conventions
