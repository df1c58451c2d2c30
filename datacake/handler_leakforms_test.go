package datacake_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/testutil"
)

// TestHandlerDetailedAnswerMasksTheTokenInEveryForm: an ERP proxying to
// another service fails with an error quoting the handler's token in each
// form of testutil.LeakForms (\xNN, octal, CSS, full-width, split by a soft
// hyphen or <wbr>, ...). With WithHandlerErrorDetails the handler writes
// that text to the HTTP answer; neither the answer (as sent over loopback,
// and its JSON decoded) nor the log line holds the token in any form.
func TestHandlerDetailedAnswerMasksTheTokenInEveryForm(t *testing.T) {
	t.Parallel()
	const token = "dcHANDLER+tok/Ks55=Jb"
	forms := testutil.LeakForms(token)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	erp := &failingERP{MemoryERP: datacaketest.NewMemoryERP(1, 5),
		err: errors.New("upstream refused the token: " + strings.Join(forms, " | "))}
	srv := httptest.NewServer(datacake.NewHandler(erp, token, datacake.WithHandlerLogger(logger), datacake.WithHandlerErrorDetails()))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/produtos", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	require.Contains(t, string(body), "upstream refused the token", "the detail is shown, so the scan means something")
	var answer struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &answer))
	texts := map[string]string{"answer": string(body), "answer decoded": answer.Error, "log": logs.String()}
	for where, text := range texts {
		for _, f := range forms {
			assert.NotContains(t, text, f, "%s holds the token as %q", where, f)
		}
	}
}
