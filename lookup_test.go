package leadkit_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/leadkit/leadkit"
)

// A marker is stable per key, different across keys, made of characters
// every vendor stores as sent, and found again in any text.
func TestMarker(t *testing.T) {
	m := leadkit.Marker("order-42")
	if m != leadkit.Marker("order-42") {
		t.Fatal("a key's marker changed")
	}
	if !regexp.MustCompile(`^\[lk:[a-z2-7]{12}\]$`).MatchString(m) {
		t.Fatalf("marker %q is not [lk: + 12 lower-case base32 + ]", m)
	}
	seen := map[string]bool{}
	for _, k := range []string{"order-43", "Order-42", "", "order-42 "} {
		if o := leadkit.Marker(k); o == m || seen[o] {
			t.Fatalf("key %q shares a marker", k)
		} else {
			seen[o] = true
		}
	}
	got, token, ok := leadkit.FindMarker("Позвоните вечером " + m + " спасибо")
	if !ok || got != m || "[lk:"+token+"]" != m {
		t.Fatalf("FindMarker: %q %q %v", got, token, ok)
	}
	if _, _, ok := leadkit.FindMarker("[lk:ABCDEFGHIJKL] [lk:short]"); ok {
		t.Fatal("found a marker where there is none")
	}
	var err error = &leadkit.CannotTellError{Vendor: "x", Check: "look", Candidates: []string{"1"}}
	if !errors.Is(err, leadkit.ErrCannotTell) || err.Error() != "leadkit: x: cannot tell whether the vendor holds this lead: look (candidates: 1)" {
		t.Fatalf("CannotTellError: %v", err)
	}
}
