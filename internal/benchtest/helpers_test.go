package benchtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fixedServer serves body (with contentType) for every request, on a
// loopback port, so that the SDK and the bare baseline read exactly the same
// bytes. extra answers paths with the given prefix (a token endpoint).
func fixedServer(tb testing.TB, contentType string, body []byte, extra map[string][]byte) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		for prefix, b := range extra {
			if strings.HasPrefix(r.URL.Path, prefix) {
				_, _ = w.Write(b)
				return
			}
		}
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// bareClient is what a careful hand-written client would use: its own
// transport keeping enough idle connections, and a timeout.
func bareClient(tb testing.TB) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 128
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// maxBody matches the SDK's default body cap.
const maxBody = 10 << 20

// bareGet does one GET the way the baseline does it: headers, status check,
// a size-capped read.
func bareGet(ctx context.Context, hc *http.Client, url string, header http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "bare")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &statusError{resp.StatusCode}
	}
	return b, nil
}

type statusError struct{ code int }

func (e *statusError) Error() string { return http.StatusText(e.code) }

// fixture is a vendor's answer, fetched once from its sandbox.
type fixture struct {
	contentType string
	body        []byte
}

// rawGet fetches a body once from a sandbox (body generation, not measured).
func rawGet(url string, header http.Header) (fixture, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return fixture{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fixture{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fixture{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return fixture{}, fmt.Errorf("GET %s: %s: %.200s", url, resp.Status, b)
	}
	return fixture{contentType: resp.Header.Get("Content-Type"), body: b}, nil
}

// load returns the fixture made by gen or stops the test.
func load(tb testing.TB, gen func() (fixture, error)) fixture {
	tb.Helper()
	f, err := gen()
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
