package benchtest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/weclever"
	"github.com/leadkit/leadkit/zen"
	"github.com/leadkit/leadkit/zenvia"
)

// A pair is one representative read per vendor: sdk makes the SDK call with
// its default transport, bare the same request with net/http and
// encoding/json. Both return how many elements they decoded.
type pair struct {
	name    string
	fixture func() (fixture, error)
	want    int
	extra   map[string][]byte // other paths of the fixed server
	sdk     func(tb testing.TB, base string) func(context.Context) (int, error)
	bare    func(tb testing.TB, base string) func(context.Context) (int, error)
}

const (
	zenToken        = "zen-bench-token-0123456789"
	salesmanLogin   = "bench@salesman.test"
	salesmanAPIKey  = "salesman-bench-key-0123456789"
	wecleverToken   = "wc.bench-token-0123456789abcdef"
	zenviaAPIKey    = "zenvia-bench-key-0123456789"
	datacakeToken   = "dc-bench-token-0123456789"
	wecleverLeadID  = 4242
	zenviaPageLimit = 100
)

var zenDay = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// decodeBare reads url with header and decodes the body into a new T.
func decodeBare[T any](ctx context.Context, hc *http.Client, url string, header http.Header) (*T, error) {
	b, err := bareGet(ctx, hc, url, header)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		return nil, err
	}
	return out, nil
}

func pairs() []pair {
	return []pair{
		{
			name: "ZenTotals300", fixture: zenTotals, want: 300,
			sdk: func(tb testing.TB, base string) func(context.Context) (int, error) {
				c, err := zen.NewClient(base, zenToken, zen.WithLimits(zen.Limits{}))
				if err != nil {
					tb.Fatal(err)
				}
				return func(ctx context.Context) (int, error) {
					t, err := c.Leads.Totals(ctx, zenDay)
					if err != nil {
						return 0, err
					}
					return len(t.Users), nil
				}
			},
			bare: func(tb testing.TB, base string) func(context.Context) (int, error) {
				hc := bareClient(tb)
				h := http.Header{"Token": {zenToken}}
				return func(ctx context.Context) (int, error) {
					t, err := decodeBare[bareZenTotals](ctx, hc, base+"/api/totais_lead?data=2026-11-20", h)
					if err != nil {
						return 0, err
					}
					return len(t.Users), nil
				}
			},
		},
		{
			name: "SalesManList200", fixture: salesmanPage, want: salesman.PageSize,
			sdk: func(tb testing.TB, base string) func(context.Context) (int, error) {
				c, err := salesman.NewClient(base, salesmanLogin, salesmanAPIKey)
				if err != nil {
					tb.Fatal(err)
				}
				return func(ctx context.Context) (int, error) {
					page, err := c.Leads.List(ctx, nil)
					return len(page), err
				}
			},
			bare: func(tb testing.TB, base string) func(context.Context) (int, error) {
				hc := bareClient(tb)
				q := url.Values{"action": {"list"}, "login": {salesmanLogin}, "apikey": {salesmanAPIKey}}
				u := base + "/developer/v1/leads?" + q.Encode()
				return func(ctx context.Context) (int, error) {
					p, err := decodeBare[bareSalesmanPage](ctx, hc, u, nil)
					if err != nil {
						return 0, err
					}
					return len(p.Data), nil
				}
			},
		},
		{
			name: "WeCleverLead200", fixture: wecleverLead, want: 200,
			extra: map[string][]byte{"/solution/token/": []byte(`{"token":"` + wecleverToken + `"}`)},
			sdk: func(tb testing.TB, base string) func(context.Context) (int, error) {
				c, err := weclever.NewClient("plataforma-bench", "bench@exemplo.com.br", "s3nha-bench", weclever.WithBaseURL(base))
				if err != nil {
					tb.Fatal(err)
				}
				return func(ctx context.Context) (int, error) {
					l, err := c.Leads.Get(ctx, wecleverLeadID)
					if err != nil {
						return 0, err
					}
					return len(l.Chats.Messages), nil
				}
			},
			bare: func(tb testing.TB, base string) func(context.Context) (int, error) {
				hc := bareClient(tb)
				h := http.Header{"Authorization": {"Bearer " + wecleverToken}}
				u := base + "/lead/find/weclever_id/4242"
				return func(ctx context.Context) (int, error) {
					l, err := decodeBare[bareWecleverLead](ctx, hc, u, h)
					if err != nil {
						return 0, err
					}
					return len(l.Lead.Chats.Messages), nil
				}
			},
		},
		{
			name: "ZenviaProspects100", fixture: zenviaPage, want: zenviaPageLimit,
			sdk: func(tb testing.TB, base string) func(context.Context) (int, error) {
				c, err := zenvia.NewClient(zenviaAPIKey, zenvia.WithBaseURL(base))
				if err != nil {
					tb.Fatal(err)
				}
				opts := &zenvia.ProspectListOptions{Limit: zenviaPageLimit}
				return func(ctx context.Context) (int, error) {
					page, err := c.Prospects.List(ctx, opts)
					return len(page), err
				}
			},
			bare: func(tb testing.TB, base string) func(context.Context) (int, error) {
				hc := bareClient(tb)
				u := base + "/prospects?" + url.Values{"api-key": {zenviaAPIKey}, "limit": {"100"}}.Encode()
				return func(ctx context.Context) (int, error) {
					p, err := decodeBare[[]bareZenviaProspect](ctx, hc, u, nil)
					if err != nil {
						return 0, err
					}
					return len(*p), nil
				}
			},
		},
		{
			name: "DatacakeProducts500", fixture: datacakeProducts, want: 500,
			sdk: func(tb testing.TB, base string) func(context.Context) (int, error) {
				c, err := datacake.NewClient(base, datacakeToken)
				if err != nil {
					tb.Fatal(err)
				}
				return func(ctx context.Context) (int, error) {
					ps, err := c.Catalogues.Products(ctx)
					return len(ps), err
				}
			},
			bare: func(tb testing.TB, base string) func(context.Context) (int, error) {
				hc := bareClient(tb)
				h := http.Header{"Authorization": {"Bearer " + datacakeToken}}
				return func(ctx context.Context) (int, error) {
					p, err := decodeBare[bareDatacakeProducts](ctx, hc, base+"/produtos", h)
					if err != nil {
						return 0, err
					}
					return len(p.Data), nil
				}
			},
		},
	}
}

func pairNamed(tb testing.TB, name string) pair {
	for _, p := range pairs() {
		if p.name == name {
			return p
		}
	}
	tb.Fatalf("no pair %q", name)
	return pair{}
}

// runPair benchmarks one side of a pair.
func runPair(b *testing.B, name string, sdk bool) {
	p := pairNamed(b, name)
	fx := load(b, p.fixture)
	srv := fixedServer(b, fx.contentType, fx.body, p.extra)
	call := p.bare
	if sdk {
		call = p.sdk
	}
	do := call(b, srv.URL)
	ctx := context.Background()
	if n, err := do(ctx); err != nil || n != p.want { // warm the connection (and a token)
		b.Fatalf("%s: got %d, %v; want %d", name, n, err, p.want)
	}
	b.SetBytes(int64(len(fx.body)))
	b.ReportAllocs()
	b.ResetTimer()
	b.ResetTimer()
	for range b.N {
		if n, err := do(ctx); err != nil || n != p.want {
			b.Fatalf("%s: got %d, %v; want %d", name, n, err, p.want)
		}
	}
}

func BenchmarkZenTotals300SDK(b *testing.B)         { runPair(b, "ZenTotals300", true) }
func BenchmarkZenTotals300Bare(b *testing.B)        { runPair(b, "ZenTotals300", false) }
func BenchmarkSalesManList200SDK(b *testing.B)      { runPair(b, "SalesManList200", true) }
func BenchmarkSalesManList200Bare(b *testing.B)     { runPair(b, "SalesManList200", false) }
func BenchmarkWeCleverLead200SDK(b *testing.B)      { runPair(b, "WeCleverLead200", true) }
func BenchmarkWeCleverLead200Bare(b *testing.B)     { runPair(b, "WeCleverLead200", false) }
func BenchmarkZenviaProspects100SDK(b *testing.B)   { runPair(b, "ZenviaProspects100", true) }
func BenchmarkZenviaProspects100Bare(b *testing.B)  { runPair(b, "ZenviaProspects100", false) }
func BenchmarkDatacakeProducts500SDK(b *testing.B)  { runPair(b, "DatacakeProducts500", true) }
func BenchmarkDatacakeProducts500Bare(b *testing.B) { runPair(b, "DatacakeProducts500", false) }

// TestPairsAgree checks, once per vendor, that the SDK and the baseline read
// the fixture without error and see the same number of elements (so the
// benchmarks compare like with like), and that the baseline's plain structs
// take every value of the fixture.
func TestPairsAgree(t *testing.T) {
	for _, p := range pairs() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			fx := load(t, p.fixture)
			srv := fixedServer(t, fx.contentType, fx.body, p.extra)
			ctx := context.Background()
			n, err := p.sdk(t, srv.URL)(ctx)
			if err != nil || n != p.want {
				t.Fatalf("SDK: got %d, %v; want %d", n, err, p.want)
			}
			n, err = p.bare(t, srv.URL)(ctx)
			if err != nil || n != p.want {
				t.Fatalf("bare: got %d, %v; want %d", n, err, p.want)
			}
		})
	}
}
