package zenvia_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/leadkit/leadkit/zenvia"
)

// Event.Prospect and Event.Agent are nil for topics that do not carry them:
// the helpers on them must not panic.
func TestNilReceiversDoNotPanic(t *testing.T) {
	t.Parallel()
	var ev zenvia.Event
	assert.Equal(t, "", ev.Prospect.Name())
	assert.Equal(t, "", ev.Agent.Name())

	var g *zenvia.Group
	assert.True(t, g.Walk(func(*zenvia.Group, int) bool { t.Fatal("called for a nil group"); return true }))
	assert.True(t, (&zenvia.Group{Groups: []zenvia.Group{{}}}).Walk(nil))

	// Not nil: unchanged.
	assert.Equal(t, "Ana Souza", (&zenvia.Agent{FirstName: "Ana", LastName: "Souza"}).Name())
	n := 0
	assert.False(t, (&zenvia.Group{Groups: []zenvia.Group{{}, {}}}).Walk(func(_ *zenvia.Group, d int) bool { n++; return n < 2 }))
	assert.Equal(t, 2, n)
}
