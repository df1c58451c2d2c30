package weclever_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/weclever"
)

const (
	base      = "https://api.weclever.co"
	tokenURL  = base + "/solution/token/basic/plat-1"
	testUser  = "crm@empresa.com.br"
	testPass  = "P4ss-canary-7f3a9"
	leadURL   = base + "/lead/find/weclever_id/42"
	listURL   = base + "/lead/find/finalized/2024-03-01/2024-03-31"
	leadBody  = `{"lead":{"name":"Ana","chats":{"metrics":{"total_messages":0},"messages":[]}}}`
	tokenBody = `{"token":"tok-%d"}`
)

// fast keeps retries quick in tests.
var fast = weclever.WithRetryWait(time.Millisecond, 5*time.Millisecond)

// newMock returns a client over a fresh httpmock transport.
func newMock(t *testing.T, opts ...weclever.Option) (*weclever.Client, *httpmock.MockTransport) {
	t.Helper()
	mock := httpmock.NewMockTransport()
	opts = append([]weclever.Option{fast, weclever.WithHTTPClient(&http.Client{Transport: mock})}, opts...)
	c, err := weclever.NewClient("plat-1", testUser, testPass, opts...)
	require.NoError(t, err)
	return c, mock
}

// tokenIssuer answers the token endpoint after checking basic auth, with
// tok-1, tok-2, ... and counts the fetches.
type tokenIssuer struct {
	n      atomic.Int64
	delay  time.Duration
	mu     sync.Mutex
	issued map[string]bool
}

func (ti *tokenIssuer) responder(req *http.Request) (*http.Response, error) {
	u, p, ok := req.BasicAuth()
	if !ok || u != testUser || p != testPass {
		return httpmock.NewStringResponse(401, `{"error":"Invalid credentials"}`), nil
	}
	if ti.delay > 0 {
		time.Sleep(ti.delay)
	}
	n := ti.n.Add(1)
	tok := "tok-" + itoa(n)
	ti.mu.Lock()
	if ti.issued == nil {
		ti.issued = map[string]bool{}
	}
	ti.issued[tok] = true
	ti.mu.Unlock()
	return httpmock.NewStringResponse(200, `{"token":"`+tok+`"}`), nil
}

func (ti *tokenIssuer) valid(tok string) bool {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return ti.issued[tok]
}

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "weclever", name))
	require.NoError(t, err)
	return b
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }
