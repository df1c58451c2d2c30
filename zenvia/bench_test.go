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

// pageBody fetches a tidy page of 100 prospects once.
func pageBody(b *testing.B) []byte {
	srv := zenviatest.NewServer(&zenviatest.Options{Tidy: true})
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/prospects?limit=100&api-key=" + srv.Credentials()["ZENVIA_API_KEY"])
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
