package zenvia_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// TestMissingOperations covers the operations of issue 17 that leadkit
// lacked, end to end against the sandbox: the as-user routes, the
// account-wide interactions with their filters, one interaction read and
// changed, the list filters, and is-working and response-time.
func TestMissingOperations(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 5})
	ctx := context.Background()
	ids := s.ProspectIDs()
	id := ids[len(ids)-1]
	groups := s.GroupIDs()

	// as-user
	labels, err := c.AsUser.Labels(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, labels)
	reasons, err := c.AsUser.ArchivingReasons(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, reasons)
	p, err := c.AsUser.Label(ctx, id, labels[0].Key)
	require.NoError(t, err)
	assert.Equal(t, id, p.ID)
	p, err = c.AsUser.Transfer(ctx, id, zenvia.ToGroup(groups[1]))
	require.NoError(t, err)
	assert.Equal(t, groups[1], p.GroupID)
	p, err = c.AsUser.Archive(ctx, id, reasons[0].Reason)
	require.NoError(t, err)
	assert.Equal(t, zenvia.StatusArchived, p.Status)
	_, err = c.AsUser.Archive(ctx, id, "")
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	noUser, c2 := sandbox(t, &zenviatest.Options{Seed: 5, NoIntegrationUser: true})
	_, err = c2.AsUser.Label(ctx, noUser.ProspectIDs()[0], "hot")
	assert.ErrorIs(t, err, zenvia.ErrConflict, "409 without an integration user")

	// interactions, account-wide and one
	_, err = c.Prospects.CreateNote(ctx, id, "primeiro contato")
	require.NoError(t, err)
	page, err := c.Interactions.List(ctx, &zenvia.InteractionListOptions{Limit: 5})
	require.NoError(t, err)
	require.Len(t, page, 5)
	for i := 1; i < len(page); i++ {
		assert.Greater(t, page[i-1].ID, page[i].ID, "newest first")
	}
	n := 0
	seen := map[string]bool{}
	for in, err := range c.Interactions.All(ctx, &zenvia.InteractionListOptions{Limit: 50}) {
		require.NoError(t, err)
		require.False(t, seen[in.ID])
		seen[in.ID] = true
		n++
	}
	assert.Greater(t, n, 50, "more than one page")
	notes, err := c.Interactions.List(ctx, &zenvia.InteractionListOptions{Via: []string{"other"}, Status: "created"})
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	assert.Equal(t, "primeiro contato", notes[0].Content)
	mine, err := c.Prospects.Interactions(ctx, id, &zenvia.InteractionListOptions{Via: []string{"other"}})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	got, err := c.Interactions.Get(ctx, id, mine[0].ID)
	require.NoError(t, err)
	assert.Equal(t, mine[0].ID, got.ID)
	upd, err := c.Interactions.Update(ctx, id, mine[0].ID, map[string]any{"type": "message", "status": "read"})
	require.NoError(t, err)
	assert.Equal(t, "read", upd.Status)
	_, err = c.Prospects.Interactions(ctx, id, &zenvia.InteractionListOptions{Limit: 5})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "limit is for the account-wide list")

	// list filters
	withAgent, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{WithAgent: zenvia.Bool(false), Limit: 1000})
	require.NoError(t, err)
	for _, p := range withAgent {
		assert.Nil(t, p.Agent)
	}
	_, err = c.Prospects.UpdateAdditionalData(ctx, ids[0], map[string]any{"renda": 7000})
	require.NoError(t, err)
	rich, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{AdditionalData: []string{"renda>=5000"}, Limit: 1000})
	require.NoError(t, err)
	require.Len(t, rich, 1)
	assert.Equal(t, ids[0], rich[0].ID)
	_, err = c.Prospects.List(ctx, &zenvia.ProspectListOptions{AdditionalData: []string{"[renda][>][5000]"}})
	assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
	moved, err := c.Prospects.List(ctx, &zenvia.ProspectListOptions{TransferredAfter: p.Created, Limit: 1000})
	require.NoError(t, err)
	assert.Len(t, moved, 1, "the prospect transferred above")

	// is-working and response-time
	ags, err := c.Agents.List(ctx, groups[1], nil)
	require.NoError(t, err)
	_, err = c.Agents.IsWorking(ctx, ags[0].ID)
	require.NoError(t, err)
	_, err = c.Groups.IsWorking(ctx, groups[1])
	require.NoError(t, err)
	rt, err := c.Agents.ResponseTime(ctx, ags[0].ID, nil)
	require.NoError(t, err)
	assert.True(t, json.Valid(rt))
	rt, err = c.Groups.ResponseTime(ctx, groups[1], map[string]any{"days": 7})
	require.NoError(t, err)
	assert.True(t, json.Valid(rt))
	assert.Equal(t, 1, s.Count(http.MethodPost, "/agents/"+ags[0].ID+"/response-time"))
}

// TestSpecFields: the GroupNode of GET /group/{id} and the prospect fields
// the spec adds (absenceMessage, sentWorkingHourMessage, *DueAt) decode.
func TestSpecFields(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 5})
	ctx := context.Background()
	groups := s.GroupIDs()
	g, err := c.Groups.Get(ctx, groups[2])
	require.NoError(t, err)
	assert.NotEmpty(t, g.DisplayName)
	assert.Equal(t, s.RootGroupID(), g.Parent)
	assert.Equal(t, []string{s.RootGroupID()}, g.Ancestors)
	assert.NotEmpty(t, g.Timezone)
	assert.Len(t, g.CountryCode, 2)
	root, err := c.Groups.Get(ctx, s.RootGroupID())
	require.NoError(t, err)
	assert.Empty(t, root.Parent)
	assert.NotEmpty(t, root.Descendants)

	c2 := specServer(t, map[string]string{"GET /prospect/65f3a1b2c3d4e5f6a7b8c9d0": `{"id":"65f3a1b2c3d4e5f6a7b8c9d0","status":"new",
		"absenceMessage":true,"sentWorkingHourMessage":"true","whatsAppDueAt":"2026-11-24T15:00:00.000Z","facebookDueAt":null}`})
	p, err := c2.Prospects.Get(ctx, "65f3a1b2c3d4e5f6a7b8c9d0")
	require.NoError(t, err)
	assert.True(t, p.AbsenceMessage)
	assert.True(t, p.SentWorkingHourMessage)
	assert.Equal(t, 2026, p.WhatsAppDueAt.Year())
	assert.True(t, p.FacebookDueAt.IsZero())
}

// Labels and archiving reasons come as the spec's {key|reason, name} pairs:
// the key is what Label and Archive take; a name is refused as Zenvia
// refuses it. A bare string (some accounts) is both.
func TestLabelsAndReasonsCarryTheirKeys(t *testing.T) {
	t.Parallel()
	s, c := sandbox(t, &zenviatest.Options{Seed: 5})
	ctx := context.Background()
	id := s.ProspectIDs()[0]
	labels, err := c.AsUser.Labels(ctx)
	require.NoError(t, err)
	assert.Contains(t, labels, zenvia.Label{Key: "hot", Name: "Quente"})
	reasons, err := c.AsUser.ArchivingReasons(ctx)
	require.NoError(t, err)
	assert.Contains(t, reasons, zenvia.ArchivingReason{Reason: "converted", Name: "Venda"})
	_, err = c.AsUser.Archive(ctx, id, "Venda")
	assert.ErrorIs(t, err, zenvia.ErrBadRequest, "the name is not the reason")
	p, err := c.AsUser.Archive(ctx, id, "converted")
	require.NoError(t, err)
	assert.Equal(t, "converted", p.ArchivingReason)

	var got []zenvia.ArchivingReason
	require.NoError(t, json.Unmarshal([]byte(`["inactive",{"reason":"converted","name":"Venta"},{"reason":"x"}]`), &got))
	assert.Equal(t, []zenvia.ArchivingReason{{Reason: "inactive", Name: "inactive"}, {Reason: "converted", Name: "Venta"}, {Reason: "x", Name: "x"}}, got)
	var bad []zenvia.Label
	assert.Error(t, json.Unmarshal([]byte(`[{"name":"Quente"}]`), &bad), "a label without its key could not be set")
}
