package leadkit

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"regexp"
	"strings"
)

// ErrCannotTell is matched by every *CannotTellError: a lookup found
// something at the vendor that could be the lead (a lead of the same person,
// a deal filed under the same contact), and nothing that proves it is.
var ErrCannotTell = errors.New("leadkit: cannot tell whether the vendor holds this lead")

// CannotTellError is the third answer of a reconciliation lookup (the
// vendors' Find methods), beside "found" and ErrNotFound: the vendor holds
// something that could be this lead, and nothing that identifies it. People
// send several leads (a repeat visitor, a form submitted twice), so a lead
// with the same e-mail or phone proves nothing: neither that this lead
// arrived (the caller would drop a lead the vendor never got) nor that it
// did not (the caller would send it twice). A person decides.
type CannotTellError struct {
	Vendor string
	// Check says what to look at in the vendor's system.
	Check string
	// Candidates are the vendor's ids of what could be this lead.
	Candidates []string
}

// Error implements error.
func (e *CannotTellError) Error() string {
	s := "leadkit: " + e.Vendor + ": cannot tell whether the vendor holds this lead"
	if e.Check != "" {
		s += ": " + e.Check
	}
	if len(e.Candidates) > 0 {
		s += " (candidates: " + strings.Join(e.Candidates, ", ") + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrCannotTell) true.
func (e *CannotTellError) Is(target error) bool { return target == ErrCannotTell }

// markerAlphabet is lower-case base32: letters and 2-7 only. Every vendor
// stores them as sent (SalesMan strips tags and " ' \ ` « » < >, turns / into
// -, and its MySQL LIKE ignores case and treats % and _ as wildcards; none
// of these occurs in a marker).
var markerAlphabet = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// markerLen is the length of a marker's token: 60 bits.
const markerLen = 12

// markerPattern finds a marker in a text.
var markerPattern = regexp.MustCompile(`\[lk:([a-z2-7]{12})\]`)

// Marker returns the marker of the lead whose idempotency key is key:
// "[lk:" + 12 characters + "]", the same for the same key, different (with
// overwhelming odds) for another. Put it in a field the vendor stores with
// the lead and returns per lead (SalesMan's description, a Zenvia lead's
// comments): a lookup by the marker then finds this lead, and only it. CRM
// users see it.
func Marker(key string) string {
	sum := sha256.Sum256([]byte("leadkit-marker:" + key))
	return "[lk:" + markerAlphabet.EncodeToString(sum[:])[:markerLen] + "]"
}

// FindMarker returns the first marker in text, and its token (the
// characters between "[lk:" and "]", which vendors' text searches find).
func FindMarker(text string) (marker, token string, ok bool) {
	m := markerPattern.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	return m[0], m[1], true
}
