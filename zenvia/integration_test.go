package zenvia_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestIntegrationAndCredentials: the key's integration, the account's,
// the group's industries, and the start-up check of the key, which reads
// the key from the query even when the client sends it in a header.
func TestIntegrationAndCredentials(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 9})
	ctx := context.Background()
	in, err := c.Integrations.Get(ctx)
	require.NoError(t, err)
	assert.Len(t, in.ID, 24)
	assert.Equal(t, "api", in.ProviderKey)
	assert.Equal(t, s.RootGroupID(), in.GroupID)
	assert.NotEmpty(t, in.User, "the integration acts as a user")
	assert.Contains(t, string(in.Raw), `"providerKey":"api"`)
	all, err := c.Integrations.List(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, in.ID, all[0].ID)

	inds, err := c.Leads.Industries(ctx)
	require.NoError(t, err)
	assert.Contains(t, inds, "retail")

	require.NoError(t, c.Integrations.CheckCredentials(ctx))
	hdr, err := zenvia.NewClient(s.Credentials()["ZENVIA_API_KEY"], zenvia.WithBaseURL(s.URL), zenvia.WithAuthHeader("x-api-key", ""))
	require.NoError(t, err)
	require.NoError(t, hdr.Integrations.CheckCredentials(ctx), "the key goes in the query for this check")
	bad, err := zenvia.NewClient("zvsbx_not-the-key", zenvia.WithBaseURL(s.URL), zenvia.WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	err = bad.Integrations.CheckCredentials(ctx)
	assert.ErrorIs(t, err, zenvia.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "zvsbx_not-the-key", "the key is masked")
	assert.Equal(t, 3, s.Count(http.MethodGet, "/checkCredentials"))
}

// TestTransferTargets: the agents and groups AsUser.Transfer accepts, and
// a transfer to one of them; 409 without an integration user.
func TestTransferTargets(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 9})
	ctx := context.Background()
	tt, err := c.AsUser.TransferTargets(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, tt.Agents)
	require.Len(t, tt.Groups, 5, "the root and its four groups")
	for _, g := range tt.Groups {
		assert.NotEmpty(t, g.Name)
	}
	p, err := c.AsUser.Transfer(ctx, s.ProspectIDs()[0], zenvia.ToUser(tt.Agents[0].ID))
	require.NoError(t, err)
	assert.Equal(t, tt.Agents[0].ID, p.Agent.ID)
	_, c2 := sandbox(t, &zenviatest.Options{Seed: 9, NoIntegrationUser: true})
	_, err = c2.AsUser.TransferTargets(ctx)
	assert.ErrorIs(t, err, zenvia.ErrConflict)
	in, err := c2.Integrations.Get(ctx)
	require.NoError(t, err)
	assert.Empty(t, in.User)
}
