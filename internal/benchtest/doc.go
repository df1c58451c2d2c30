// Package benchtest holds leadkit's cross-vendor benchmarks and the tests
// behind them: for one representative read per vendor, the SDK call beside a
// bare net/http + encoding/json baseline on the same loopback server; paging
// memory through the iterators; and connection reuse by one client shared by
// many goroutines. It has no code of its own outside its _test.go files.
//
// Reproduce the numbers (see the README's Benchmarks section):
//
//	go test -run '^$' -bench . -benchmem -count 5 ./internal/benchtest/ | tee new.txt
//	benchstat new.txt
package benchtest
