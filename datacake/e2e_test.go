package datacake_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

func newSandbox(t *testing.T, opts *datacaketest.Options) (*datacaketest.Server, *datacake.Client) {
	t.Helper()
	srv := datacaketest.NewServer(opts)
	t.Cleanup(srv.Close)
	c, err := datacake.NewClient(srv.URL, srv.Token(), datacake.WithRetryWait(0, 0))
	require.NoError(t, err)
	return srv, c
}

func TestSmoke(t *testing.T) {
	t.Parallel()
	_, c := newSandbox(t, nil)
	ctx := context.Background()
	cu, err := c.Customer(ctx, "529.982.247-25")
	require.NoError(t, err)
	t.Logf("%+v", cu)
	ps, err := c.Products(ctx)
	require.NoError(t, err)
	t.Logf("%+v", ps[:2])
	ins, err := c.Installations(ctx, cu.ID)
	require.NoError(t, err)
	t.Logf("%+v", ins)
	inv, err := c.OpenInvoices(ctx, cu.ID)
	require.NoError(t, err)
	t.Logf("%+v", inv)
	st, err := c.CreateProspect(ctx, &datacake.Prospect{Name: "Teste", Document: datacaketest.UnknownCPF, ProductIDs: []string{"102"}})
	require.NoError(t, err)
	t.Logf("%+v", st)
	st, err = c.UploadFiles(ctx, st.ProspectID, datacake.File{Name: "a.pdf", Data: []byte("%PDF-1.4\nhello")})
	require.NoError(t, err)
	t.Logf("%+v", st)
	st, err = c.UpdateProspect(ctx, st.ProspectID, &datacake.Prospect{StatusID: "2"})
	require.NoError(t, err)
	st, err = c.ProspectStatus(ctx, st.ProspectID)
	require.NoError(t, err)
	t.Logf("%+v", st)
	_, err = c.Customer(ctx, datacaketest.UnknownCPF)
	t.Log(err)
}
