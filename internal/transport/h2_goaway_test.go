package transport

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
)

// TestHTTP2CreateAfterGoAwayOrRefusedStream: the HTTP/2 signals that Go's
// client treats as "retry me" (golang.org/x/net/http2 canRetryError): a
// GOAWAY whose last-stream-id is below the create's stream, and
// RST_STREAM REFUSED_STREAM, sent by a raw server after it read the whole
// create (bodied and bodiless). Go's HTTP/2 client would resend a request
// it could rewind or that has no body; a create reaches it with neither,
// so the server receives the create once, and the caller is told the
// outcome is unknown (no proof: a server, or a proxy in front of it, may
// send these after handing the request on).
func TestHTTP2CreateAfterGoAwayOrRefusedStream(t *testing.T) {
	t.Parallel()
	goAway := func(w io.Writer, _ uint32) bool {
		p := make([]byte, 8) // last-stream-id 0, NO_ERROR
		_ = writeFrame(w, h2GoAway, 0, 0, p)
		return true
	}
	refused := func(w io.Writer, stream uint32) bool {
		code := make([]byte, 4)
		binary.BigEndian.PutUint32(code, 0x7) // REFUSED_STREAM
		_ = writeFrame(w, h2RSTStream, 0, stream, code)
		return false
	}
	for name, answer := range map[string]func(io.Writer, uint32) bool{"goaway": goAway, "refused": refused} {
		for _, body := range []any{map[string]string{"name": "Ana"}, nil} {
			srv := newH2Server(t, answer)
			tr := NewDefaultTransport()
			tr.TLSClientConfig = &tls.Config{RootCAs: srv.pool}
			t.Cleanup(tr.CloseIdleConnections)
			c := newClient(t, srv.URL(), withHTTPClient(&http.Client{Transport: tr}), withRetries(3, time.Millisecond, 5*time.Millisecond))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := c.Do(ctx, &Request{Method: http.MethodPost, Path: []string{"leads"}, JSON: body})
			cancel()
			require.Error(t, err, name)
			assert.ErrorIs(t, err, leadkit.ErrOutcomeUnknown, "%s body=%v: %v", name, body != nil, err)
			assert.Equal(t, int32(1), srv.requests.Load(), "%s body=%v: the server received the create once", name, body != nil)
		}
	}
}
