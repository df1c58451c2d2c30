// Package relay delivers leads to the vendors durably: a lead enqueued is
// delivered exactly once, through vendor outages, rate limits, crashes of
// the delivering process and answers that never arrived.
//
// It is a module of its own (github.com/leadkit/leadkit/relay), built on
// River (github.com/riverqueue/river), so the client packages keep their
// small dependency set. One relay runs on one database:
//
//   - SQLite (OpenSQLite, or NewSQLite on the application's *sql.DB):
//     embedded, pure Go, one file; one delivering process.
//   - PostgreSQL (OpenPostgres, or NewPostgres on the application's
//     *pgxpool.Pool): any number of replicas share the queues (one per
//     vendor, QueueOf, each with workers of its own), and River
//     gives each job to one of them.
//
// A Relay is typed by its driver's transaction, as River's Client is:
// Relay[pgx.Tx] or Relay[*sql.Tx], so the compiler checks the transaction
// given to EnqueueTx (Open, for a database chosen at run time, returns a
// Relay[any]). Producers call Enqueue or EnqueueMany (or EnqueueTx and
// EnqueueManyTx inside their own transaction: the outbox pattern);
// delivering processes call Start with the vendor clients.
//
//	r, err := relay.OpenSQLite(ctx, "/var/lib/app/relay.db", relay.WithLogger(logger))
//	key, err := r.Enqueue(ctx, relay.SalesmanLead{Key: "order-42", Lead: &salesman.NewLead{...}})
//	err = r.Start(ctx, relay.Clients{Salesman: sc, Zen: zc})
//	d, err := r.Status(ctx, key) // d.State, d.VendorID
//	err = r.Close(ctx)
//
// What a delivery attempt does with each outcome:
//
//   - success: the vendor's id is recorded (Status) and the job completes.
//   - a failure that proves the lead was not processed (connection refused,
//     429, a 503 with Retry-After, a 4xx): 429, Zen's client-side window and
//     a 503 with Retry-After snooze until then, an hour at most (a 429 that
//     does not say when: the relay's backoff); connection errors are retried
//     with capped exponential backoff (a 503 without Retry-After proves
//     nothing: an unknown outcome, below);
//     a refusal (validation, other 4xx) is recorded as StateFailed with the
//     vendor's message, never retried (Resend after fixing it).
//   - leadkit.ErrOutcomeUnknown, or a process that died mid-attempt: before
//     anything else is sent, the relay waits until that attempt's request
//     can no longer be in flight and the vendor's settle time has passed,
//     and asks the vendor whether this lead arrived, by the marker it put in
//     the lead (leadkit.Marker of the key, in SalesMan's description and
//     Zenvia's comments; Zen's integration code): never by the person, who
//     may have sent other leads. Present: it is recorded as delivered
//     (Reconciled). Proved absent: it is sent again. The lookup failed: it is
//     retried. Something could be it and nothing proves it (a lead of the
//     same person without the marker, a Zen deal of the contact, a record
//     another delivery holds, Datacake's contract with no search, a SalesMan
//     V1 server past its newest 200 leads): StateNeedsReview with what to
//     check, never resent blindly; MarkDelivered or Resend resolve it.
//
// Every attempt is recorded before the request goes out, so a process killed
// at any point leaves a delivery that the next process reconciles. Each
// claim takes a lease and a new fence, and every write of a delivery is a
// compare-and-set on the fence: a process frozen past its lease and resumed
// writes nothing and sends nothing. Every way River can end a job maps to
// an end of the delivery (a periodic sweep catches the ones River ended
// without the relay). Each job has an idempotency key (the caller's, or one
// derived from the vendor and the content); a key is enqueued once
// (ErrDuplicate). Opening a relay applies River's migrations and the
// relay's (versioned, under one lock; see Migrations and WithoutMigrations).
//
// Zen allows one archive call per window per token; ZenLimiter keeps that
// window in the relay's database so that every replica shares it.
package relay
