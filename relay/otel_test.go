package relay_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/leadkit/leadkit/relay"
)

// exported is what an in-memory exporter received: every metric's data
// points by name, and every span.
type exported struct {
	points map[string][]point
	spans  []sdktrace.ReadOnlySpan
}

type point struct {
	attrs attribute.Set
	value float64 // a sum or gauge's value, a histogram's count
}

func (e exported) names() []string {
	var out []string
	for n := range e.points {
		out = append(out, n)
	}
	for _, s := range e.spans {
		out = append(out, s.Name())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// value sums the points of metric name whose attributes include want.
func (e exported) value(name string, want ...attribute.KeyValue) float64 {
	total := 0.0
	for _, p := range e.points[name] {
		ok := true
		for _, kv := range want {
			if v, has := p.attrs.Value(kv.Key); !has || v != kv.Value {
				ok = false
			}
		}
		if ok {
			total += p.value
		}
	}
	return total
}

// strings returns every string the exporter received other than the
// instruments' fixed names and descriptions: attribute keys and values of
// every point, span, span event and link, span status descriptions.
func (e exported) strings() []string {
	var out []string
	add := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			out = append(out, string(kv.Key), kv.Value.String())
		}
	}
	for _, ps := range e.points {
		for _, p := range ps {
			add(p.attrs.ToSlice())
		}
	}
	for _, s := range e.spans {
		add(s.Attributes())
		out = append(out, s.Status().Description)
		for _, ev := range s.Events() {
			out = append(out, ev.Name)
			add(ev.Attributes)
		}
		for _, l := range s.Links() {
			add(l.Attributes)
		}
	}
	return out
}

func collectOTel(t *testing.T, reader *sdkmetric.ManualReader, rec *tracetest.SpanRecorder) exported {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	e := exported{points: map[string][]point{}, spans: rec.Ended()}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var ps []point
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					ps = append(ps, point{dp.Attributes, float64(dp.Value)})
				}
			case metricdata.Sum[float64]:
				for _, dp := range d.DataPoints {
					ps = append(ps, point{dp.Attributes, dp.Value})
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					ps = append(ps, point{dp.Attributes, float64(dp.Value)})
				}
			case metricdata.Gauge[float64]:
				for _, dp := range d.DataPoints {
					ps = append(ps, point{dp.Attributes, dp.Value})
				}
			case metricdata.Histogram[int64]:
				for _, dp := range d.DataPoints {
					ps = append(ps, point{dp.Attributes, float64(dp.Count)})
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					ps = append(ps, point{dp.Attributes, float64(dp.Count)})
				}
			default:
				t.Fatalf("metric %s: unexpected data %T", m.Name, m.Data)
			}
			e.points[m.Name] = append(e.points[m.Name], ps...)
		}
	}
	return e
}

// docNames are the metric and span names docs/relay.md lists between its
// otel-names markers (the first column of its table).
func docNames(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../docs/relay.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(doc), "<!-- otel-names -->")
	require.True(t, ok, "docs/relay.md has no <!-- otel-names --> marker")
	table, _, ok := strings.Cut(rest, "<!-- /otel-names -->")
	require.True(t, ok, "docs/relay.md has no <!-- /otel-names --> marker")
	var names []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_.]+)`").FindAllStringSubmatch(table, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return names
}

// TestOpenTelemetry runs the four ends of a delivery with an in-memory
// metric reader and span recorder: what they receive is exactly the names
// docs/relay.md lists (the relay's and River's, through otelriver
// installed as a plugin: river.job_get_available_* only reach a plugin),
// with the values the deliveries imply, and no string of it holds a
// credential or a lead's field.
func TestOpenTelemetry(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		sb := startSandboxes(t, nil)
		r := open(t, b, relay.WithMeterProvider(mp), relay.WithTracerProvider(tp))
		keys := fourEnds(t, r, sb, clientsFor(t, sb.urls, nil, nil))
		// The gauges are read from the database: collected while the relay
		// is open; the rest once it is closed (every span ended, every
		// counter added).
		live := collectOTel(t, reader, rec)
		require.NoError(t, closeRelay(r))
		e := collectOTel(t, reader, rec)
		for _, g := range []string{relay.MetricDeliveries, relay.MetricOldestUndelivered} {
			e.points[g] = live.points[g]
		}

		assert.Equal(t, docNames(t), e.names(), "docs/relay.md's list of metrics and spans")

		vendor := func(v relay.Vendor) attribute.KeyValue { return attribute.String("vendor", string(v)) }
		out := func(o string) attribute.KeyValue { return attribute.String("outcome", o) }
		assert.Equal(t, 1.0, e.value(relay.MetricAttempts, vendor(relay.VendorZen), out("delivered")))
		assert.Equal(t, 1.0, e.value(relay.MetricAttempts, vendor(relay.VendorSalesman), out("reconciled")))
		assert.Equal(t, 1.0, e.value(relay.MetricAttempts, vendor(relay.VendorZenvia), out("failed")))
		assert.Equal(t, 1.0, e.value(relay.MetricAttempts, vendor(relay.VendorDatacake), out("needs_review")))
		verdict := func(v string) attribute.KeyValue { return attribute.String("verdict", v) }
		assert.Equal(t, 1.0, e.value(relay.MetricReconciliations, vendor(relay.VendorSalesman), verdict("found")))
		assert.Equal(t, 1.0, e.value(relay.MetricReconciliations, vendor(relay.VendorDatacake), verdict("cannot_tell")))
		assert.Equal(t, 1.0, e.value(relay.MetricDeliveryLatency, vendor(relay.VendorZen)))
		assert.Equal(t, 1.0, e.value(relay.MetricDeliveryLatency, vendor(relay.VendorSalesman)))
		state := func(s relay.State) attribute.KeyValue { return attribute.String("state", string(s)) }
		assert.Equal(t, 1.0, e.value(relay.MetricDeliveries, vendor(relay.VendorZen), state(relay.StateDelivered)))
		assert.Equal(t, 1.0, e.value(relay.MetricDeliveries, vendor(relay.VendorSalesman), state(relay.StateDelivered)))
		assert.Equal(t, 1.0, e.value(relay.MetricDeliveries, vendor(relay.VendorZenvia), state(relay.StateFailed)))
		assert.Equal(t, 1.0, e.value(relay.MetricDeliveries, vendor(relay.VendorDatacake), state(relay.StateNeedsReview)))
		assert.Equal(t, 4.0, e.value(relay.MetricDeliveries))
		assert.Len(t, e.points[relay.MetricOldestUndelivered], 4, "one point per vendor")
		assert.Equal(t, 0.0, e.value(relay.MetricOldestUndelivered), "nothing waits")

		// A span per attempt, with its key, vendor and outcome.
		outcomes := map[string][]string{}
		for _, s := range e.spans {
			if s.Name() != relay.SpanAttempt {
				continue
			}
			a := attribute.NewSet(s.Attributes()...)
			k, _ := a.Value("leadkit.key")
			o, _ := a.Value("leadkit.outcome")
			outcomes[k.AsString()] = append(outcomes[k.AsString()], o.AsString())
		}
		assert.Equal(t, []string{"delivered"}, outcomes[keys[relay.EventDelivered]])
		assert.Equal(t, []string{"outcome_unknown", "reconciled"}, outcomes[keys[relay.EventReconciled]])
		assert.Equal(t, []string{"failed"}, outcomes[keys[relay.EventFailed]])
		assert.Equal(t, []string{"outcome_unknown", "needs_review"}, outcomes[keys[relay.EventNeedsReview]])

		// The canary scan: no credential, no lead field, anywhere.
		canaries := []string{sbSalesmanKey, sbZenToken, sbZenviaKey, sbDatacakeToken, sbSalesmanLogin,
			"chaos", "@example", "+7916", "+5511", "+5521", "Иван", "Ana", "Maria"}
		sm, zn, zv, dc := salesmanLead(42), zenLead(41), zenviaLead(43), datacakeProspect(44)
		canaries = append(canaries, sm.Lead.Title, sm.Lead.Email, sm.Lead.Phone, zn.Lead.Name, zn.Lead.Email, zn.Lead.Phone,
			zv.Lead.FirstName, zv.Lead.Emails[0], zv.Lead.Phones[0], dc.Prospect.Name, dc.Prospect.Email, dc.Prospect.Document)
		all := e.strings()
		require.NotEmpty(t, all)
		for _, s := range all {
			for _, c := range canaries {
				assert.NotContains(t, s, c, "an exported attribute holds %q", c)
			}
		}
		t.Logf("%d strings scanned in %d metrics and %d spans", len(all), len(e.points), len(e.spans))
	})
}

func TestTelemetryOptionsRefuseNil(t *testing.T) {
	_, err := relay.Open(context.Background(), "sqlite::memory:", relay.WithMeterProvider(nil))
	require.ErrorContains(t, err, "MeterProvider")
	_, err = relay.Open(context.Background(), "sqlite::memory:", relay.WithTracerProvider(nil))
	require.ErrorContains(t, err, "TracerProvider")
}
