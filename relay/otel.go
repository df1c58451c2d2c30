package relay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/leadkit/leadkit"
)

// The names of the relay's OpenTelemetry instruments and spans (docs/relay.md
// lists them; a test compares the two). River's own, from otelriver, are
// named "river.*".
const (
	// MetricAttempts counts the attempts, by "vendor" and "outcome".
	MetricAttempts = "leadkit.relay.attempts"
	// MetricReconciliations counts the lookups after an attempt whose
	// outcome was unknown, by "vendor" and "verdict".
	MetricReconciliations = "leadkit.relay.reconciliations"
	// MetricDeliveryLatency is a histogram of the seconds from Enqueue to
	// delivered, by "vendor".
	MetricDeliveryLatency = "leadkit.relay.delivery.latency"
	// MetricDeliveries is a gauge of the deliveries, by "vendor" and
	// "state", read from the database when the meter collects.
	MetricDeliveries = "leadkit.relay.deliveries"
	// MetricOldestUndelivered is a gauge of the age in seconds of the oldest
	// delivery still queued or retrying, by "vendor" (0 when none is).
	MetricOldestUndelivered = "leadkit.relay.oldest_undelivered.age"
	// SpanAttempt is the span of one delivery attempt, with the attributes
	// "leadkit.vendor", "leadkit.key", "leadkit.attempt" and
	// "leadkit.outcome".
	SpanAttempt = "leadkit.relay.attempt"
)

// instrumentation is the name the relay's meter and tracer carry.
const instrumentation = "github.com/leadkit/leadkit/relay"

// WithMeterProvider sends the relay's metrics (see MetricAttempts and the
// other Metric names) and River's (otelriver, installed as a River plugin:
// "river.*") to mp. Without it, and without WithTracerProvider, the relay
// creates no instrument and no span, and installs no plugin: it costs
// nothing. The global provider is never used implicitly.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) error {
		if mp == nil {
			return leadkit.Invalid("MeterProvider", "must not be nil")
		}
		c.meterProvider = mp
		return nil
	}
}

// WithTracerProvider sends a span per delivery attempt (SpanAttempt) and
// River's work and insert spans (otelriver) to tp. Spans carry the
// delivery's key, vendor, attempt number and outcome: never a lead's
// field, a credential or an error text. See WithMeterProvider.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) error {
		if tp == nil {
			return leadkit.Invalid("TracerProvider", "must not be nil")
		}
		c.tracerProvider = tp
		return nil
	}
}

// telemetry holds the relay's instruments; a relay whose options set no
// provider has none (nil), and every hook returns at once.
type telemetry struct {
	tracer          trace.Tracer
	attempts        metric.Int64Counter
	reconciliations metric.Int64Counter
	latency         metric.Float64Histogram
	reg             metric.Registration
}

// observed reports whether the user set a provider.
func (c config) observed() bool { return c.meterProvider != nil || c.tracerProvider != nil }

func (c config) providers() (metric.MeterProvider, trace.TracerProvider) {
	mp, tp := c.meterProvider, c.tracerProvider
	if mp == nil {
		mp = metricnoop.NewMeterProvider()
	}
	if tp == nil {
		tp = tracenoop.NewTracerProvider()
	}
	return mp, tp
}

// riverPlugins is otelriver, as a River plugin (so River's hooks give it
// the metrics a middleware would not see), when the user set a provider.
func (c config) riverPlugins() []rivertype.Plugin {
	if !c.observed() {
		return nil
	}
	mp, tp := c.providers()
	return []rivertype.Plugin{quietWork{otelriver.NewMiddleware(&otelriver.MiddlewareConfig{MeterProvider: mp, TracerProvider: tp})}}
}

// quietWork is otelriver with the errors it sees reduced to their kind:
// otelriver puts a failed job's error text in its span's status, and a
// vendor's error may quote the lead (a refused phone). A panic passes
// otelriver as errPanicked: the SDK's span.End records the value of a
// panic going through it (exception.message), and a user's function may
// panic with the lead. River still gets the error or the panic itself
// (its job row keeps it, until retention).
type quietWork struct{ *otelriver.Middleware }

// Work implements rivertype.WorkerMiddleware.
func (q quietWork) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	var real error
	var value any // what the attempt panicked with
	panicked := false
	defer func() {
		if panicked {
			_ = recover() // errPanicked, past otelriver
			panic(value)
		}
	}()
	err := q.Middleware.Work(ctx, job, func(ctx context.Context) error {
		defer func() {
			if v := recover(); v != nil {
				value, panicked = v, true
				panic(errPanicked)
			}
		}()
		real = doInner(ctx)
		return quiet(real)
	})
	if err != nil && real != nil {
		return real
	}
	return err
}

// errPanicked stands for a job's panic in otelriver's spans.
var errPanicked = errors.New("relay: the attempt panicked (River's job row keeps the value)")

// errAttempt stands for a job's error in otelriver's spans.
var errAttempt = errors.New("relay: the attempt did not deliver (see the delivery's LastError)")

// quiet keeps what otelriver reads of err (a snooze, a cancel) and drops
// its text.
func quiet(err error) error {
	var snooze *rivertype.JobSnoozeError
	var cancel *rivertype.JobCancelError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &snooze):
		return snooze
	case errors.As(err, &cancel):
		return river.JobCancel(errAttempt)
	}
	return errAttempt
}

// initTelemetry creates the relay's instruments when a provider is set.
func (r *core) initTelemetry() error {
	if !r.cfg.observed() {
		return nil
	}
	mp, tp := r.cfg.providers()
	m := mp.Meter(instrumentation)
	t := &telemetry{tracer: tp.Tracer(instrumentation)}
	var errs [6]error
	t.attempts, errs[0] = m.Int64Counter(MetricAttempts, metric.WithUnit("{attempt}"),
		metric.WithDescription("Delivery attempts, by vendor and outcome"))
	t.reconciliations, errs[1] = m.Int64Counter(MetricReconciliations, metric.WithUnit("{lookup}"),
		metric.WithDescription("Lookups after an attempt whose outcome was unknown, by vendor and verdict"))
	t.latency, errs[2] = m.Float64Histogram(MetricDeliveryLatency, metric.WithUnit("s"),
		metric.WithDescription("Seconds from Enqueue to delivered, by vendor"))
	deliveries, err3 := m.Int64ObservableGauge(MetricDeliveries, metric.WithUnit("{delivery}"),
		metric.WithDescription("Deliveries by vendor and state"))
	oldest, err4 := m.Float64ObservableGauge(MetricOldestUndelivered, metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest delivery still queued or retrying, by vendor"))
	errs[3], errs[4] = err3, err4
	if err := errors.Join(errs[:]...); err != nil {
		return fmt.Errorf("relay: OpenTelemetry instruments: %w", err)
	}
	t.reg, errs[5] = m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		return r.observeDeliveries(ctx, o, deliveries, oldest)
	}, deliveries, oldest)
	if errs[5] != nil {
		return fmt.Errorf("relay: OpenTelemetry callback: %w", errs[5])
	}
	r.tel = t
	return nil
}

// closeTelemetry unregisters the gauges' callback (Close).
func (r *core) closeTelemetry() {
	if r.tel != nil && r.tel.reg != nil {
		_ = r.tel.reg.Unregister()
	}
}

var vendors = []Vendor{VendorSalesman, VendorZen, VendorZenvia, VendorDatacake}

// observeDeliveries reads the gauges from the database: one grouped query.
func (r *core) observeDeliveries(ctx context.Context, o metric.Observer, deliveries metric.Int64Observable, oldest metric.Float64Observable) error {
	if r.closed.Load() {
		return nil
	}
	type vs struct{ v, s string }
	counts := map[vs]int64{}
	firstMS := map[string]int64{}
	var now int64
	err := r.dial.db.query(ctx, r.dial.t(`SELECT vendor, state, count(*), COALESCE(MIN(created_ms), 0), {now} FROM {d} GROUP BY vendor, state`),
		func(s scanner) error {
			var v, st string
			var n, first int64
			if err := s.Scan(&v, &st, &n, &first, &now); err != nil {
				return err
			}
			if State(st) == stateSending {
				st = string(StateRetrying)
			}
			counts[vs{v, st}] += n
			if st == string(StateQueued) || st == string(StateRetrying) {
				if f, ok := firstMS[v]; !ok || first < f {
					firstMS[v] = first
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("relay: read the deliveries for the gauges: %w", err)
	}
	for _, v := range vendors {
		for _, st := range []State{StateQueued, StateRetrying, StateDelivered, StateNeedsReview, StateFailed} {
			o.ObserveInt64(deliveries, counts[vs{string(v), string(st)}], metric.WithAttributes(
				attribute.String("vendor", string(v)), attribute.String("state", string(st))))
		}
		age := 0.0
		if f, ok := firstMS[string(v)]; ok {
			age = max(0, float64(now-f)/1000)
		}
		o.ObserveFloat64(oldest, age, metric.WithAttributes(attribute.String("vendor", string(v))))
	}
	return nil
}

// startAttempt begins an attempt's span (none without a provider).
func (r *core) startAttempt(ctx context.Context, key string, v Vendor, n int) (context.Context, func()) {
	if r.tel == nil {
		return ctx, func() {}
	}
	ctx, span := r.tel.tracer.Start(ctx, SpanAttempt, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("leadkit.vendor", string(v)), attribute.String("leadkit.key", key), attribute.Int("leadkit.attempt", n)))
	return ctx, func() { span.End() }
}

// attempted records an attempt's outcome: the counter, and the span's
// outcome attribute (its status is an error for the outcomes that are).
func (r *core) attempted(ctx context.Context, v Vendor, out outcome) {
	if r.tel == nil {
		return
	}
	r.tel.attempts.Add(ctx, 1, metric.WithAttributes(attribute.String("vendor", string(v)), attribute.String("outcome", string(out))))
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.String("leadkit.outcome", string(out)))
	if out == outPermanent || out == outReview {
		span.SetStatus(codes.Error, string(out)) // the outcome's name, never the error's text
	}
}

// delivered records the time from Enqueue to delivered.
func (r *core) delivered(ctx context.Context, v Vendor, createdMS, nowMS int64) {
	if r.tel == nil {
		return
	}
	r.tel.latency.Record(ctx, max(0, time.Duration(nowMS-createdMS)*time.Millisecond).Seconds(),
		metric.WithAttributes(attribute.String("vendor", string(v))))
}

// The verdicts of a reconciliation (MetricReconciliations).
const (
	verdictFound      = "found"
	verdictAbsent     = "absent"
	verdictCannotTell = "cannot_tell"
	verdictFailed     = "lookup_failed"
)

// reconciled records a lookup's verdict.
func (r *core) reconciled(ctx context.Context, v Vendor, vd verdict, err error) {
	if r.tel == nil {
		return
	}
	name := verdictAbsent
	switch {
	case err != nil:
		name = verdictFailed
	case vd.f == found:
		name = verdictFound
	case vd.f == undecidable:
		name = verdictCannotTell
	}
	r.tel.reconciliations.Add(ctx, 1, metric.WithAttributes(attribute.String("vendor", string(v)), attribute.String("verdict", name)))
}
