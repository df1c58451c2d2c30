package leadkit_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/internal/transport"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/zenvia"
)

// TestCredentialWithControlCharacterRefused: a key with a control
// character other than CR, LF or NUL (a \x01, a DEL, a tab pasted in) was
// accepted, and every call then failed in net/http ("invalid header field
// value"); a create was reported as "outcome unknown, the request may have
// reached the server" although nothing left the process. It is refused
// when the client is built, naming the field, without quoting the key.
func TestCredentialWithControlCharacterRefused(t *testing.T) {
	t.Parallel()
	for _, ctl := range []string{"\x01", "\x7f", "\t", "\x1b"} {
		key := "k3y" + ctl + "SECRETVALUE"
		err := transport.RequireNonEmpty("token", key)
		var ie *leadkit.InputError
		require.True(t, errors.As(err, &ie), "%q: %v", ctl, err)
		assert.Equal(t, "token", ie.Field)
		assert.NotContains(t, err.Error(), "SECRETVALUE")

		_, err = datacake.NewClient("http://127.0.0.1:1", key)
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "datacake %q", ctl)
		_, err = zenvia.NewClient(key)
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput, "zenvia %q", ctl)
	}
}

// TestCreateRefusedLocallyIsNotUnknown shows the harm through a create:
// with the key accepted, datacake's Prospects.Create said "outcome unknown"
// for a request the server never saw.
func TestCreateRefusedLocallyIsNotUnknown(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { n.Add(1) }))
	t.Cleanup(srv.Close)
	c, err := datacake.NewClient(srv.URL, "k3y\x01SECRETVALUE")
	if err != nil {
		assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
		return
	}
	_, err = c.Prospects.Create(context.Background(), &datacake.Prospect{Name: "Ana", Document: "11144477735"})
	require.Error(t, err)
	assert.NotErrorIs(t, err, leadkit.ErrOutcomeUnknown, "nothing was sent: %v", err)
	assert.Equal(t, int32(0), n.Load())
}

// TestAuthHeaderOptionQuotesNoCredential: WithAuthHeader's arguments are
// where a caller puts a credential by mistake: the whole header value as
// the scheme (WithAuthHeader("Authorization", "Bearer "+token)), the key
// itself as the scheme (WithAuthHeader("x-api-key", key), a base64 key
// ends in "="), or a whole header line as the name. The refusal names the
// field without quoting the value (as ParseBaseURL does for a scheme).
func TestAuthHeaderOptionQuotesNoCredential(t *testing.T) {
	t.Parallel()
	const key = "CANARY-hdr-Zm9vYmFyYmF6cXV4/0123=="
	cases := []struct{ name, scheme string }{
		{"Authorization", "Bearer " + key},
		{"x-api-key", key},
		{"Authorization: Bearer " + key, ""},
		{"x-api-key: " + key, ""},
	}
	for _, tc := range cases {
		var errs []error
		_, err := zenvia.NewClient("k3y-SECRETVALUE", zenvia.WithAuthHeader(tc.name, tc.scheme))
		errs = append(errs, err)
		_, err = datacake.NewClient("http://127.0.0.1:1", "k3y-SECRETVALUE", datacake.WithAuthHeader(tc.name, tc.scheme))
		errs = append(errs, err)
		_, err = weclever.NewClient("7", "user", "k3y-SECRETVALUE", weclever.WithAuthHeader(tc.name, tc.scheme))
		errs = append(errs, err)
		for i, err := range errs {
			if err == nil {
				continue // accepted (datacake takes any one-word scheme): nothing printed
			}
			assert.ErrorIs(t, err, leadkit.ErrInvalidInput)
			for _, verb := range []string{"%v", "%+v", "%#v", "%q"} {
				s := fmt.Sprintf(verb, err)
				assert.NotContains(t, s, "CANARY", "vendor %d, %s: %s", i, verb, s)
				assert.NotContains(t, s, "Zm9vYmFy", "vendor %d, %s: %s", i, verb, s)
			}
		}
	}
}

// TestAuthHeaderHoldingTheKeyRefused: a key of header-name characters
// passed to WithAuthHeader as the scheme (WithAuthHeader("x-api-key", key),
// read as "the header and its value") or as the name was accepted: every
// call then failed with 401, and the zenvia client printed with %v, %+v or
// %#v showed the key (the header's name and scheme are kept as plain
// strings). NewClient refuses it, naming the field and quoting nothing.
func TestAuthHeaderHoldingTheKeyRefused(t *testing.T) {
	t.Parallel()
	const key = "CANARYschemeKey0123456789"
	for _, tc := range []struct{ name, scheme string }{{"x-api-key", key}, {key, ""}, {"Authorization", "Bearer"}} {
		z, err := zenvia.NewClient(key, zenvia.WithAuthHeader(tc.name, tc.scheme))
		d, derr := datacake.NewClient("http://127.0.0.1:1", key, datacake.WithAuthHeader(tc.name, tc.scheme))
		if tc.scheme == "Bearer" {
			require.NoError(t, err)
			require.NoError(t, derr)
			continue
		}
		for i, v := range []any{z, d} {
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				assert.NotContains(t, fmt.Sprintf(verb, v), "CANARYscheme", "client %d, %q %q %s", i, tc.name, tc.scheme, verb)
			}
		}
		for i, e := range []error{err, derr} {
			assert.ErrorIs(t, e, leadkit.ErrInvalidInput, "client %d, %q %q", i, tc.name, tc.scheme)
			assert.NotContains(t, fmt.Sprintf("%+v %#v", e, e), "CANARYscheme")
		}
	}
}
