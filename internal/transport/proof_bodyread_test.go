package transport

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/testutil"
)

// TestUntracedSendThenTracedDialFailureIsNoProof: a caller's failover
// transport keeps the request's context, but sends the create first by a
// path net/http cannot trace (its own client on a raw connection, as an
// HTTP/3 or unix-socket client does), which the primary reads and drops;
// then it falls back to a net/http transport whose dial (or lookup) fails
// for this attempt, and returns that error. The trace saw a connection
// asked for and a dial failing, and no connection handed over: but the
// create's body had been read by then, so it may have left by the
// untraced path. That is no proof: the create must not be resent.
func TestUntracedSendThenTracedDialFailureIsNoProof(t *testing.T) {
	t.Parallel()
	primary := newServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { resetConn(t, w) })
	secondary := "http://" + testutil.ClosedPort(t)
	base := NewDefaultTransport()
	t.Cleanup(base.CloseIdleConnections)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		// The untraced path: the request written by hand on a raw connection.
		conn, err := net.Dial("tcp", strings.TrimPrefix(primary.URL, "http://"))
		if err != nil {
			return nil, err
		}
		werr := r.Write(conn)
		if werr == nil {
			_, werr = http.ReadResponse(bufio.NewReader(conn), r)
		}
		conn.Close()
		if werr == nil {
			t.Error("the primary answered")
		}
		// The fallback, with the request's context (and so its trace).
		r2, err := http.NewRequestWithContext(r.Context(), r.Method, secondary+r.URL.RequestURI(), http.NoBody)
		if err != nil {
			return nil, err
		}
		return base.RoundTrip(r2)
	})
	c := newClient(t, primary.URL, withHTTPClient(&http.Client{Transport: rt}), withRetries(3, time.Millisecond, 2*time.Millisecond))
	_, err := c.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: map[string]int{"a": 1}})
	require.Error(t, err)
	assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%v", err)
	assert.Equal(t, 1, primary.count(), "the create reached the primary once")
}
