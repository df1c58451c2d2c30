package relay_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/relay"
)

// Every job kind is delivered once, with the vendor's id recorded.
func TestDeliversEveryKind(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		sb := startSandboxes(t, nil)
		r := open(t, b)
		ctx := context.Background()
		jobs := []relay.Job{salesmanLead(1), zenLead(1), zenviaLead(1), datacakeWithFile(1)}
		keys := make([]string, len(jobs))
		for i, j := range jobs {
			k, err := r.Enqueue(ctx, j)
			require.NoError(t, err)
			keys[i] = k
		}
		require.NoError(t, r.Start(ctx, clientsFor(t, sb.urls, r.ZenLimiter(), nil)))
		s := waitFor(t, r, 30*time.Second, settled(len(jobs)))
		assert.Equal(t, len(jobs), s.Delivered, "%+v", s)
		for _, k := range keys {
			d, err := r.Status(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, relay.StateDelivered, d.State, k)
			assert.NotEmpty(t, d.VendorID, k)
			want := 1
			if d.Vendor == relay.VendorDatacake {
				want = 2 // the prospect, then its files
			}
			assert.Equal(t, want, d.Attempts, k)
			assert.False(t, d.Reconciled, k)
			assert.Contains(t, string(d.Job), "chaos000001", k)
		}
		assert.Equal(t, 1, sb.salesman.Count(http.MethodPost, ""), "salesman creates")
		assert.Equal(t, 1, sb.datacake.Count(http.MethodPost, "arquivo"), "datacake uploads")
	})
}

func datacakeWithFile(i int) relay.DatacakeProspect {
	j := datacakeProspect(i)
	j.Files = append(j.Files, datacakeFile())
	return j
}

// the smallest PDF header the content sniffer accepts.
func datacakeFile() datacake.File {
	return datacake.File{Name: "rg.pdf", Data: []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")}
}
