package relay_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"regexp"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/salesman"
	"github.com/leadkit/leadkit/salesman/salesmantest"
)

// Trace a vendor client's HTTP calls with OpenTelemetry: give it an
// *http.Client whose transport is otelhttp's, through WithHTTPClient. The
// client's rules hold through it (a create is never resent without proof
// that it did not arrive; secrets are masked in what the client returns).
//
// otelhttp records each request's full URL (url.full), query included,
// and SalesMan's GET calls (and Zen's lead entry) carry the API key in the
// query: wrap the tracer provider with one that drops queries (queryless,
// below) so that no span holds the key.
func Example_otelhttp() {
	s := salesmantest.NewServer(nil) // a real CRM: its root URL, your login and apikey
	defer s.Close()
	rec := tracetest.NewSpanRecorder() // your exporter's provider in production
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))

	hc := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(queryless{tp}))}
	c, err := salesman.NewClient(s.URL, salesmantest.DefaultLogin, salesmantest.DefaultAPIKey,
		salesman.WithAPIVersion(salesman.V1), salesman.WithHTTPClient(hc))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	id, err := c.Leads.Create(ctx, &salesman.NewLead{Title: "Андреев Владислав", Phone: "+79001234567"})
	if errors.Is(err, leadkit.ErrOutcomeUnknown) {
		log.Fatal("the lead may exist: look it up before adding it again")
	}
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Leads.Get(ctx, id.ID); err != nil { // a GET: the key in the query
		log.Fatal(err)
	}
	for _, sp := range rec.Ended() {
		for _, kv := range sp.Attributes() {
			if kv.Key == "url.full" {
				fmt.Println(sp.Name(), kv.Value.AsString()[len(s.URL):])
			}
		}
	}
	// Output:
	// HTTP POST /developer/v1/leads?REDACTED
	// HTTP GET /developer/v1/leads?REDACTED
}

// queryless is a trace.TracerProvider whose spans never record a URL's
// query: in url.full, in a status description or in a recorded error.
type queryless struct{ trace.TracerProvider }

// Tracer implements trace.TracerProvider.
func (p queryless) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return querylessTracer{p.TracerProvider.Tracer(name, opts...)}
}

type querylessTracer struct{ trace.Tracer }

func (t querylessTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, s := t.Tracer.Start(ctx, name, opts...)
	q := querylessSpan{s}
	return trace.ContextWithSpan(ctx, q), q
}

type querylessSpan struct{ trace.Span }

// aQuery is a URL's query in a text: from "?" to the next space or quote.
var aQuery = regexp.MustCompile(`\?[^\s"']*`)

func (s querylessSpan) SetAttributes(kvs ...attribute.KeyValue) {
	out := make([]attribute.KeyValue, len(kvs))
	for i, kv := range kvs {
		out[i] = kv
		if kv.Key == "url.full" {
			if u, err := url.Parse(kv.Value.AsString()); err == nil && u.RawQuery != "" {
				u.RawQuery = "REDACTED"
				out[i] = attribute.String("url.full", u.String())
			}
		}
	}
	s.Span.SetAttributes(out...)
}

func (s querylessSpan) SetStatus(code codes.Code, description string) {
	s.Span.SetStatus(code, aQuery.ReplaceAllString(description, "?REDACTED"))
}

func (s querylessSpan) RecordError(err error, opts ...trace.EventOption) {
	if err != nil {
		err = errors.New(aQuery.ReplaceAllString(err.Error(), "?REDACTED"))
	}
	s.Span.RecordError(err, opts...)
}
