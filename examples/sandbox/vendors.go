package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/salesman/salesmantest"
	"github.com/leadkit/leadkit/weclever/weclevertest"
	"github.com/leadkit/leadkit/zen/zentest"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// settings are the behaviour switches the flags set, shared by every vendor.
type settings struct {
	seed         int64
	tidy         bool
	noRateLimits bool
	latency      time.Duration
	failRate     float64
	leads        int              // seeded leads, prospects or customers (0: each sandbox's default)
	now          func() time.Time // the clock of the sandboxes that have one (nil: time.Now)

	zenWindow       time.Duration // every Zen rate-limit window (0: Zen's real windows)
	wecleverTTL     time.Duration // WeClever token lifetime (0: tokens never expire)
	zenviaAsync     bool          // Zenvia answers lead creation 202 Accepted
	zenviaRemoteCBs bool          // Zenvia may call back non-loopback webhook URLs
}

// instance is one vendor's sandbox as the program drives it.
type instance struct {
	handler     http.Handler
	setURL      func(string)
	credentials func() map[string]string
	close       func()
	// data says what the sandbox is seeded with, for QA writing assertions.
	data string
}

// vendor describes one sandbox the program can serve.
type vendor struct {
	name string
	// env lists the credential variables in the order the README gives them
	// (the URL first); any other variable a sandbox returns follows, sorted.
	env   []string
	start func(*settings) instance
}

// allVendors returns every sandbox, in port order: with -port-base N the
// i-th one listens on N+i whichever are selected.
func allVendors() []vendor {
	return []vendor{
		{
			name: "zen", env: []string{"ZEN_URL", "ZEN_TOKEN"},
			start: func(st *settings) instance {
				o := &zentest.Options{
					Seed: st.seed, Tidy: st.tidy, NoRateLimits: st.noRateLimits, Latency: st.latency, FailRate: st.failRate,
					TotalsWindow: st.zenWindow, LeadsByUserWindow: st.zenWindow, ArchiveWindow: st.zenWindow,
					Now: st.now,
				}
				s := zentest.NewUnstartedServer(o)
				return instance{s, func(u string) { s.URL = u }, s.Credentials, s.Close,
					"leads on every day but Sundays (12 to 41 a day, to several users); the leads sent in are kept"}
			},
		},
		{
			name: "salesman", env: []string{"SALESMAN_URL", "SALESMAN_LOGIN", "SALESMAN_APIKEY"},
			start: func(st *settings) instance {
				s := salesmantest.NewUnstartedServer(&salesmantest.Options{
					Seed: st.seed, Tidy: st.tidy, NoRateLimits: st.noRateLimits, Latency: st.latency, FailRate: st.failRate,
					Leads: st.leads, Now: st.now,
				})
				return instance{s, func(u string) { s.URL = u }, s.Credentials, s.Close,
					fmt.Sprintf("%d leads over the 90 days before the sandbox started, ids 1..%[1]d, Cyrillic names",
						orDefault(st.leads, salesmantest.DefaultLeads))}
			},
		},
		{
			name: "weclever", env: []string{"WECLEVER_URL", "WECLEVER_PLATFORM_ID", "WECLEVER_USER", "WECLEVER_PASSWORD"},
			start: func(st *settings) instance {
				s := weclevertest.NewUnstartedServer(&weclevertest.Options{
					Seed: st.seed, Tidy: st.tidy, NoRateLimits: st.noRateLimits, Latency: st.latency, FailRate: st.failRate,
					Leads: st.leads, TokenTTL: st.wecleverTTL, Now: st.now,
				})
				from, to := s.SeedRange()
				return instance{s, func(u string) { s.URL = u }, s.Credentials, s.Close,
					fmt.Sprintf("%d leads finalized from %s to %s (ids from 100001)",
						orDefault(st.leads, weclevertest.DefaultLeads), from.Format(time.DateOnly), to.Format(time.DateOnly))}
			},
		},
		{
			name: "zenvia", env: []string{"ZENVIA_URL", "ZENVIA_API_KEY"},
			start: func(st *settings) instance {
				s := zenviatest.NewUnstartedServer(&zenviatest.Options{
					Seed: st.seed, Tidy: st.tidy, NoRateLimits: st.noRateLimits, Latency: st.latency, FailRate: st.failRate,
					Prospects: st.leads, Async: st.zenviaAsync, AllowRemoteCallbacks: st.zenviaRemoteCBs, Now: st.now,
				})
				return instance{s, func(u string) { s.URL = u }, s.Credentials, s.Close,
					fmt.Sprintf("%d prospects created over the year to yesterday, a tree of groups with agents", orDefault(st.leads, zenviatest.DefaultProspects))}
			},
		},
		{
			name: "datacake", env: []string{"DATACAKE_URL", "DATACAKE_TOKEN"},
			start: func(st *settings) instance {
				s := datacaketest.NewUnstartedServer(&datacaketest.Options{
					Seed: st.seed, Tidy: st.tidy, NoRateLimits: st.noRateLimits, Latency: st.latency, FailRate: st.failRate,
					Customers: st.leads, Now: st.now,
				})
				return instance{s, func(u string) { s.URL = u }, s.Credentials, s.Close,
					fmt.Sprintf("%d customers, among them CPF %s and CNPJ %s; the catalogues",
						max(orDefault(st.leads, datacaketest.DefaultCustomers), 3), datacaketest.ExampleCPF, datacaketest.ExampleCNPJ)}
			},
		},
	}
}

// vendorNames returns the names of every vendor, in port order.
func vendorNames() []string {
	vs := allVendors()
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.name
	}
	return out
}

// orDefault returns n, or def when n is 0.
func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}
