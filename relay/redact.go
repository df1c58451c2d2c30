package relay

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/leadkit/leadkit/internal/transport"
)

// The relay's redactor (core.red) knows every secret the relay was
// configured with: the PostgreSQL password of its DSN or pool, each
// inbox's webhook secret, and, through their Redact, the credentials of
// the clients given to Start and to the built-in sources. Every text the
// relay stores or hands to River passes through it: the errors and panics
// of every job (maskWork), the intake's errors and notes (stored), the
// deliveries' last errors and review notes (dialect.text).

// stored is s as the relay keeps an error or a note in its tables: masked,
// then bounded (see clip).
func (r *core) stored(s string) string { return clip(r.red.Redact(s)) }

// maskWork is the innermost River worker middleware of the relay's jobs:
// what an attempt returns, and what it panics with (a user's inbox or
// route function, a source), reach River masked. River keeps the error's
// text and the panic's value in the job row (river_job.errors), prints
// them in its log lines, and otelriver records them in its spans.
type maskWork struct {
	river.MiddlewareDefaults
	red *transport.Redactor
}

// Work implements rivertype.WorkerMiddleware.
func (m *maskWork) Work(ctx context.Context, _ *rivertype.JobRow, doInner func(context.Context) error) error {
	defer func() {
		if v := recover(); v != nil {
			// Panicking again from here keeps River's handling of a
			// panic (its stack trace holds no values, only frames).
			panic(m.maskPanic(v))
		}
	}()
	return transport.MaskError(m.red, doInner(ctx))
}

// maskPanic is a panic's value as River may print it: an error masked at
// every level of its chain, anything else as its masked %v.
func (m *maskWork) maskPanic(v any) any {
	if err, ok := v.(error); ok {
		return transport.MaskError(m.red, err)
	}
	return m.red.Redact(fmt.Sprint(v))
}

// redactors are the Redact of each client in c.
func redactors(c Clients) []func(string) string {
	var fns []func(string) string
	if c.Salesman != nil {
		fns = append(fns, c.Salesman.Redact)
	}
	if c.Zen != nil {
		fns = append(fns, c.Zen.Redact)
	}
	if c.Zenvia != nil {
		fns = append(fns, c.Zenvia.Redact)
	}
	if c.Datacake != nil {
		fns = append(fns, c.Datacake.Redact)
	}
	return fns
}

// redacting is a built-in source: it masks its client's credentials.
type redacting interface{ redact(string) string }
