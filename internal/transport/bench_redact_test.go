package transport

import "testing"

// BenchmarkRedactErrorBody is Redact over a 2 KB JSON error body with
// non-ASCII names and a percent-escaped URL in it (every view that looks
// for escapes, and the compatibility view, have something to read), one
// token known: BenchmarkRedactOneToken's line is plain ASCII.
func BenchmarkRedactErrorBody(b *testing.B) {
	r := NewRedactor("fixed-secret-1")
	r.AddRotating("token-000000")
	body := `{"error":"bad request","url":"/leads?email=ana%40example.com&city=S%C3%A3o+Paulo","page":` + string(benchBody()) + `}`
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = r.Redact(body)
	}
}
