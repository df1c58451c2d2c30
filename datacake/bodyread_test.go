package datacake_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

// A request body that cannot be read (a slow client cut off by the server's
// ReadTimeout, a client gone mid-body) is answered 400, not 500 (found by
// internal/faulttest's slowloris test: the read timeout became an "ERP
// failure").
func TestHandlerUnreadableBody(t *testing.T) {
	t.Parallel()
	h := datacake.NewHandler(datacaketest.NewMemoryERP(1, 5), "tok-body")
	timeout := errors.New("read tcp 127.0.0.1:8080->127.0.0.1:50000: i/o timeout")
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/prospectos"},
		{http.MethodGet, "/cliente"},
		{http.MethodPost, "/prospectos/1/arquivos"},
	} {
		body := io.MultiReader(iotestHalf(), iotest.ErrReader(timeout))
		req := httptest.NewRequest(tc.method, tc.path, body)
		req.Header.Set("Authorization", "Bearer tok-body")
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusBadRequest, rec.Code, "%s %s: %s", tc.method, tc.path, rec.Body.String())
	}
}

func iotestHalf() io.Reader { return io.LimitReader(neverEnding('{'), 3) }

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}
