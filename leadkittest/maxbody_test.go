package leadkittest

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zeros is an endless stream of '0' bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestRequestBodyOverCapRefused: a request body over MaxRequestBytes was cut
// at the cap without a word and handed on as if whole (issue 23, item 11's
// sibling); it is refused with 413, and the vendor's handler never sees it.
func TestRequestBodyOverCapRefused(t *testing.T) {
	t.Parallel()
	s, v := newSandbox(t, Config{})
	resp, err := http.Post(s.URL+"/leads", "application/json", io.LimitReader(zeros{}, MaxRequestBytes+1))
	require.NoError(t, err)
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, string(b), "too large")
	assert.EqualValues(t, 0, v.leads.Load())

	resp, err = http.Post(s.URL+"/leads", "application/json", strings.NewReader(`{"name":"Ana"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
}
