package relay

import (
	"context"
	"sync"
)

// maxBatch bounds the outcomes one batched write records.
const maxBatch = 256

// outcomes records the ends of attempts (finish's fenced writes) of the
// workers of one process on PostgreSQL in batches: the writes that wait
// while one batch is written go together in the next, one statement and
// one commit for all of them, as River's completer does for its jobs. A
// write alone is written at once (no wait is added). Each write keeps its
// own fence check and answer: errFenced for a delivery whose fence moved,
// and, when a batch fails (it meets the unique vendor record, or any other
// error), every write of it is made again alone, so that only the one
// concerned gets errRefTaken or the error.
type outcomes struct {
	d    dialect
	in   chan *pendingWrite
	quit chan struct{}
	done sync.WaitGroup
}

type pendingWrite struct {
	ctx context.Context
	row *row
	now int64
	err chan error
}

func newOutcomes(d dialect) *outcomes {
	o := &outcomes{d: d, in: make(chan *pendingWrite), quit: make(chan struct{})}
	o.done.Go(o.loop)
	return o
}

// write records r (its mutable fields, under its fence) with the others
// waiting; after close, alone.
func (o *outcomes) write(ctx context.Context, r *row, now int64) error {
	p := &pendingWrite{ctx: ctx, row: r, now: now, err: make(chan error, 1)}
	select {
	case o.in <- p:
		return <-p.err
	case <-o.quit:
		return o.d.write(ctx, o.d.db, r, now, false, false)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops the batching once the writes it took are answered.
func (o *outcomes) close() {
	close(o.quit)
	o.done.Wait()
}

func (o *outcomes) loop() {
	for {
		var batch []*pendingWrite
		select {
		case p := <-o.in:
			batch = append(batch, p)
		case <-o.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case p := <-o.in:
				batch = append(batch, p)
			default:
				break more
			}
		}
		o.flush(batch)
	}
}

func (o *outcomes) flush(batch []*pendingWrite) {
	if len(batch) == 1 {
		p := batch[0]
		p.err <- o.d.write(p.ctx, o.d.db, p.row, p.now, false, false)
		return
	}
	rows := make([]*row, len(batch))
	nows := make([]int64, len(batch))
	for i, p := range batch {
		rows[i], nows[i] = p.row, p.now
	}
	// The batch is written on behalf of all: its context is none of
	// theirs (each waits for it within the 30 s its outcome has).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), outcomeTimeout)
	defer cancel()
	written, err := o.d.writeMany(ctx, rows, nows)
	for i, p := range batch {
		switch {
		case err != nil:
			// The statement failed for all (one row met another's vendor
			// record, one value the database refused, a lost connection):
			// nothing of it was written, and each write is made again
			// alone, so that one write's failure is only its own.
			p.err <- o.d.write(p.ctx, o.d.db, p.row, p.now, false, false)
		case !written[i]:
			p.err <- errFenced
		default:
			p.err <- nil
		}
	}
}

// claims takes the leases of the attempts starting together in one
// statement (see dialect.claimMany), as outcomes does for their ends.
type claims struct {
	d     dialect
	lease int64
	in    chan *pendingClaim
	quit  chan struct{}
	done  sync.WaitGroup
}

type pendingClaim struct {
	ctx context.Context
	key string
	res chan claimed
}

type claimed struct {
	row    *row
	now    int64
	marked bool
	err    error
}

func newClaims(d dialect, lease int64) *claims {
	c := &claims{d: d, lease: lease, in: make(chan *pendingClaim), quit: make(chan struct{})}
	c.done.Go(c.loop)
	return c
}

func (c *claims) claim(ctx context.Context, key string) (*row, int64, bool, error) {
	p := &pendingClaim{ctx: ctx, key: key, res: make(chan claimed, 1)}
	select {
	case c.in <- p:
		r := <-p.res
		return r.row, r.now, r.marked, r.err
	case <-c.quit:
		return c.d.claim(ctx, key, c.lease)
	case <-ctx.Done():
		return nil, 0, false, ctx.Err()
	}
}

func (c *claims) close() {
	close(c.quit)
	c.done.Wait()
}

func (c *claims) loop() {
	for {
		var batch []*pendingClaim
		select {
		case p := <-c.in:
			batch = append(batch, p)
		case <-c.quit:
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case p := <-c.in:
				batch = append(batch, p)
			default:
				break more
			}
		}
		if len(batch) == 1 {
			p := batch[0]
			r, now, marked, err := c.d.claim(p.ctx, p.key, c.lease)
			p.res <- claimed{r, now, marked, err}
			continue
		}
		keys := make([]string, len(batch))
		for i, p := range batch {
			keys[i] = p.key
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), outcomeTimeout)
		got, now, err := c.d.claimMany(ctx, keys, c.lease)
		cancel()
		for _, p := range batch {
			if err != nil {
				p.res <- claimed{err: err}
				continue
			}
			// A key twice in the batch (two River jobs of one delivery):
			// the first holds the lease, the other finds it held.
			r := got[p.key]
			delete(got, p.key)
			p.res <- claimed{r, now, r != nil && claimMarked(r, now), nil}
		}
	}
}
