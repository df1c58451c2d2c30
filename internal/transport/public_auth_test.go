package transport

import (
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPublicAuthIsSentButNotMasked: a login beside a key is sent, and stays
// readable in errors, while the key is masked.
func TestPublicAuthIsSentButNotMasked(t *testing.T) {
	t.Parallel()
	c, _ := mockClient(t, func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "ana@example.ru", r.URL.Query().Get("login"))
		assert.Equal(t, "k-77", r.URL.Query().Get("apikey"))
		assert.Equal(t, "ana@example.ru", r.Header.Get("Login"))
		return httpmock.NewStringResponse(400, `{"error":"no"}`), nil
	}, withAuth(MultiAuth{
		Public(QueryKey("login", "ana@example.ru")),
		QueryKey("apikey", "k-77"),
		Public(HeaderAuth{Name: "Login", Value: NewSecret("ana@example.ru")}),
	}))
	_, err := c.Do(bg, &Request{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "login=ana%40example.ru")
	assert.NotContains(t, err.Error(), "k-77")
	assert.Empty(t, Public(BasicAuth{User: "u", Password: NewSecret("p")}).Secrets())
}

// TestCheckNotHoldingShortSecret: a short secret refuses a header name or
// scheme only when it is the whole value (the token "x" and "x-api-key").
func TestCheckNotHoldingShortSecret(t *testing.T) {
	t.Parallel()
	if err := CheckNotHolding("authHeader", "x-api-key", "x"); err != nil {
		t.Errorf("the token x refused x-api-key: %v", err)
	}
	if err := CheckNotHolding("authScheme", "x", "x"); err == nil {
		t.Error("the token x as the scheme was accepted")
	}
	if err := CheckNotHolding("authScheme", "Bearer", "Zm9vYmFyYmF6cXV4"); err != nil {
		t.Errorf("Bearer refused: %v", err)
	}
	if err := CheckNotHolding("authScheme", "Zm9vYmFyYmF6cXV4", "Zm9vYmFyYmF6cXV4"); err == nil {
		t.Error("the key as the scheme was accepted")
	}
}
