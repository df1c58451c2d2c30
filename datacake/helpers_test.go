package datacake_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func newLoopback(tb testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
}
