package relay_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/relay"
)

// TestDatacakeClientCapBelowRelayCap: the relay's file cap (WithMaxFileBytes,
// 10 MiB by default) is larger than the datacake client's (its own
// WithMaxFileBytes): the file the client refuses must be refused before the
// prospect is created, never after (red before: the prospect was created,
// the upload refused, and the delivery failed half done).
func TestDatacakeClientCapBelowRelayCap(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		c := clientsFor(t, sb.urls, nil, nil)
		dc, err := datacake.NewClient(sb.urls["datacake"], sbDatacakeToken, datacake.WithMaxFileBytes(1000), datacake.WithMaxRetries(0))
		require.NoError(t, err)
		c.Datacake = dc
		big := datacakeFile()
		big.Data = append(append([]byte{}, big.Data...), bytes.Repeat([]byte{' '}, 2000)...)
		j := datacakeProspect(41)
		j.Files = []datacake.File{big}
		// Enqueued where no datacake client runs: the relay's cap passes it.
		key, err := r.Enqueue(ctx, j)
		require.NoError(t, err)
		require.NoError(t, r.Start(ctx, c))
		waitFor(t, r, 30*time.Second, settled(1))
		d, err := r.Status(ctx, key)
		require.NoError(t, err)
		assert.Equal(t, relay.StateFailed, d.State, "%+v", d)
		assert.Contains(t, d.LastError, "arquivos[0]")
		assert.Equal(t, 0, sb.datacake.Count(http.MethodPost, ""), "no prospect created for a file the client refuses")
		// Where the client runs, Enqueue refuses the file at once.
		j.Prospect.Document = datacakeProspect(42).Prospect.Document
		_, err = r.Enqueue(ctx, j)
		require.ErrorContains(t, err, "arquivos[0]")
	})
}
