package relay_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/leadkittest"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// TestOtelhttpKeepsTheCreateRules: a SalesMan client whose *http.Client
// is otelhttp's keeps the core's rules. A create whose connection drops
// after the request was sent (before or after the vendor stored it) is
// ErrOutcomeUnknown after one request at the server, never resent; a
// create refused at the dial is retried (otelhttp keeps the request's
// context, and so the core's dial proof). The apikey is in no error text
// and, with the example's queryless wrapper, in no span: without it,
// otelhttp's url.full holds it (GET calls carry it in the query), which
// is why the example wraps the provider.
func TestOtelhttpKeepsTheCreateRules(t *testing.T) {
	lead := &salesman.NewLead{Title: "chaos000900 Иван", Email: "s000900@example.ru", Phone: "+79160000900"}
	for _, version := range []salesman.APIVersion{salesman.V1, salesman.V3} {
		for _, fault := range []leadkittest.Fault{
			{Method: http.MethodPost, Drop: true},
			{Method: http.MethodPost, Drop: true, AfterVendor: true},
		} {
			t.Run(fmt.Sprintf("v%d/afterVendor=%v", version, fault.AfterVendor), func(t *testing.T) {
				for _, wrap := range []bool{true, false} {
					s := salesmantest.NewServer(&salesmantest.Options{NoRateLimits: true})
					defer s.Close()
					rec := tracetest.NewSpanRecorder()
					var tp trace.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
					if wrap {
						tp = queryless{tp}
					}
					hc := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(tp))}
					c, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, salesmantest.DefaultAPIKey,
						salesman.WithAPIVersion(version), salesman.WithHTTPClient(hc), salesman.WithMaxRetries(3))
					require.NoError(t, err)
					ctx := context.Background()
					s.Fail(fault)
					_, err = c.Leads.Create(ctx, lead)
					require.ErrorIs(t, err, leadkit.ErrOutcomeUnknown)
					assert.Equal(t, 1, s.Count(http.MethodPost, ""), "one create at the server, never resent")
					assert.NotContains(t, err.Error(), salesmantest.DefaultAPIKey)
					assert.NotContains(t, fmt.Sprintf("%+v", err), salesmantest.DefaultAPIKey)
					for _, err := range c.Leads.All(ctx, nil) { // GET calls: the key in the query
						require.NoError(t, err)
					}

					leaked := false
					for _, sp := range rec.Ended() {
						texts := []string{sp.Name(), sp.Status().Description}
						for _, kv := range sp.Attributes() {
							texts = append(texts, kv.Value.String())
						}
						for _, ev := range sp.Events() {
							for _, kv := range ev.Attributes {
								texts = append(texts, kv.Value.String())
							}
						}
						for _, text := range texts {
							if wrap {
								for _, canary := range []string{salesmantest.DefaultAPIKey, lead.Title, lead.Email, lead.Phone} {
									assert.NotContains(t, text, canary)
								}
							}
							leaked = leaked || strings.Contains(text, salesmantest.DefaultAPIKey)
						}
					}
					require.NotEmpty(t, rec.Ended())
					assert.Equal(t, !wrap, leaked, "plain otelhttp records the key in url.full; queryless does not")
				}
			})
		}
	}
}

// TestOtelhttpDialRefusedIsRetried: a create whose connection is refused
// never reached the server: the client retries it through otelhttp too.
func TestOtelhttpDialRefusedIsRetried(t *testing.T) {
	s := salesmantest.NewServer(&salesmantest.Options{NoRateLimits: true})
	defer s.Close()
	rec := tracetest.NewSpanRecorder()
	tp := queryless{sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))}
	base := http.DefaultTransport.(*http.Transport).Clone()
	refused := 0
	dial := base.DialContext
	base.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if refused == 0 {
			refused++
			return nil, errors.New("dial tcp: connect: connection refused")
		}
		return dial(ctx, network, addr)
	}
	hc := &http.Client{Transport: otelhttp.NewTransport(base, otelhttp.WithTracerProvider(tp))}
	c, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, salesmantest.DefaultAPIKey,
		salesman.WithAPIVersion(salesman.V3), salesman.WithHTTPClient(hc), salesman.WithMaxRetries(3))
	require.NoError(t, err)
	_, err = c.Leads.Create(context.Background(), &salesman.NewLead{Title: "Иван", Phone: "+79160000901"})
	require.NoError(t, err)
	assert.Equal(t, 1, refused)
	assert.Equal(t, 1, s.Count(http.MethodPost, ""))
	assert.Len(t, rec.Ended(), 2, "both tries traced")
}
