package faulttest

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/zenvia"
)

// formats returns v printed with every verb (%x decoded back), through
// slog's text and JSON handlers, and encoding/json.
func formats(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	if b, err := hex.DecodeString(fmt.Sprintf("%x", v)); err == nil {
		out["%x"] = string(b)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
	out["slog text"], out["slog JSON"] = text.String(), js.String()
	if b, err := json.Marshal(v); err == nil {
		out["json"] = string(b)
	}
	return out
}

// TestEveryVerbOfClientsAndHandlers: the clients built with the canary
// credentials, and the server-side handlers built with theirs, print no
// secret with any verb, through slog or encoding/json (issue 23, item 8;
// the errors are scanned by every cell of the matrix).
func TestEveryVerbOfClientsAndHandlers(t *testing.T) {
	t.Parallel()
	for _, v := range vendors(t) {
		c, err := v.newClient("http://127.0.0.1:1", common{hc: &http.Client{}})
		if err != nil {
			t.Fatal(err)
		}
		if hits := leaks(formats(c), v.secrets); len(hits) > 0 {
			t.Errorf("%s client: %s", v.name, strings.Join(hits, "\n"))
		}
	}
	handlers := map[string]any{
		"zenvia webhook": zenvia.NewWebhookHandler(canaryWebhook, func(context.Context, zenvia.Event) error { return nil }),
		"datacake ERP":   datacake.NewHandler(datacaketest.NewMemoryERP(1, 1), canaryDatacake),
	}
	for name, h := range handlers {
		if hits := leaks(formats(h), []string{canaryWebhook, canaryDatacake}); len(hits) > 0 {
			t.Errorf("%s: %s", name, strings.Join(hits, "\n"))
		}
	}
}
