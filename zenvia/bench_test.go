package zenvia_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// benchProspect mirrors Prospect with plain encoding/json tags: the
// baseline a bare client would decode into.
type benchProspect struct {
	ID        string `json:"id"`
	Created   string `json:"created"`
	Group     string `json:"group"`
	GroupID   string `json:"groupId"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Category  string `json:"category"`
	Status    string `json:"status"`
	NIN       []struct {
		Type   string `json:"type"`
		Number string `json:"number"`
	} `json:"nin"`
	Phones []string `json:"phones"`
	Emails []string `json:"emails"`
	Leads  []struct {
		Priority  int             `json:"priority"`
		Created   string          `json:"created"`
		Source    string          `json:"source"`
		UTMSource string          `json:"utmSource"`
		Type      string          `json:"type"`
		Product   json.RawMessage `json:"product"`
	} `json:"leads"`
	Agent *struct {
		ID        string `json:"id"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"agent"`
	Assigned       string          `json:"assigned"`
	Merged         bool            `json:"merged"`
	AdditionalData json.RawMessage `json:"additionalData"`
}

// A page of 100 prospects through the client, against the tidy sandbox.
func BenchmarkProspectsList100(b *testing.B) {
	srv := zenviatest.NewServer(&zenviatest.Options{Tidy: true})
	defer srv.Close()
	c, err := zenvia.NewClient(srv.APIKey(), zenvia.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	opts := &zenvia.ProspectListOptions{Limit: 100}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		page, err := c.Prospects.List(ctx, opts)
		if err != nil || len(page) != 100 {
			b.Fatal(err, len(page))
		}
	}
}

// The same call with bare net/http and encoding/json.
func BenchmarkProspectsList100Baseline(b *testing.B) {
	srv := zenviatest.NewServer(&zenviatest.Options{Tidy: true})
	defer srv.Close()
	hc := &http.Client{}
	u := srv.URL + "/prospects?limit=100&api-key=" + srv.APIKey()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		var page []benchProspect
		if err := json.Unmarshal(body, &page); err != nil || len(page) != 100 {
			b.Fatal(err, len(page))
		}
	}
}

// pageBody fetches a tidy page of 100 prospects once.
func pageBody(b *testing.B) []byte {
	srv := zenviatest.NewServer(&zenviatest.Options{Tidy: true})
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/prospects?limit=100&api-key=" + srv.APIKey())
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return body
}

// Decoding only: the client over an in-memory transport that always
// answers the same page, against json.Unmarshal of the same bytes.
func BenchmarkDecodePage100(b *testing.B) {
	body := pageBody(b)
	c, _ := zenvia.NewClient("k", zenvia.WithHTTPClient(&http.Client{Transport: &fuzzBody{body: body}}))
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		page, err := c.Prospects.List(ctx, nil)
		if err != nil || len(page) != 100 {
			b.Fatal(err, len(page))
		}
	}
}

func BenchmarkDecodePage100Baseline(b *testing.B) {
	body := pageBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var page []benchProspect
		if err := json.Unmarshal(body, &page); err != nil || len(page) != 100 {
			b.Fatal(err, len(page))
		}
	}
}
