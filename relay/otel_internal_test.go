package relay

import (
	"context"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// hooks is what one delivered attempt calls of the telemetry.
func hooks(r *core, ctx context.Context) {
	ctx, end := r.startAttempt(ctx, "key-1", VendorZen, 1)
	r.reconciled(ctx, VendorZen, verdict{f: found}, nil)
	r.attempted(ctx, VendorZen, outDelivered)
	r.ended(ctx, &row{Vendor: string(VendorZen)}, outDelivered, 1500)
	end()
}

// TestNoProviderCostsNothing: without WithMeterProvider or
// WithTracerProvider the relay has no instrument and no River plugin, and
// an attempt's hooks allocate nothing.
func TestNoProviderCostsNothing(t *testing.T) {
	r := &core{cfg: defaults()}
	if err := r.initTelemetry(); err != nil {
		t.Fatal(err)
	}
	if r.tel != nil || r.cfg.riverPlugins() != nil {
		t.Fatalf("telemetry without a provider: %v, %v", r.tel, r.cfg.riverPlugins())
	}
	ctx := context.Background()
	if n := testing.AllocsPerRun(1000, func() { hooks(r, ctx) }); n != 0 {
		t.Fatalf("an attempt's hooks allocate %v times without a provider", n)
	}
}

// BenchmarkTelemetryHooks: an attempt's hooks without a provider (the
// baseline, nothing) and with the SDK's (a span recorded, four
// measurements).
func BenchmarkTelemetryHooks(b *testing.B) {
	none := &core{cfg: defaults()}
	sdk := &core{cfg: defaults()}
	sdk.cfg.meterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	sdk.cfg.tracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
	if err := sdk.initTelemetry(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name string
		r    *core
	}{{"no provider", none}, {"sdk", sdk}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hooks(c.r, ctx)
			}
		})
	}
}
