package relay

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/leadkit/leadkit/internal/transport"
)

// sweepArgs is the relay's periodic sweep job.
type sweepArgs struct{}

// Kind implements river.JobArgs.
func (sweepArgs) Kind() string { return "leadkit_relay_sweep" }

type sweeper struct {
	river.WorkerDefaults[sweepArgs]
	r *core
}

func (w *sweeper) Work(ctx context.Context, _ *river.Job[sweepArgs]) error {
	if _, err := w.r.sweep(ctx); err != nil {
		return err
	}
	return w.r.retainLogged(ctx)
}

// sweepJob enqueues the sweep every interval (River's leader does).
func sweepJob(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return sweepArgs{}, &river.InsertOpts{Queue: Queue, MaxAttempts: 3}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// sweepBatch bounds the deliveries one sweep looks at.
const sweepBatch = 500

// stranded is a delivery that is not finished while River's job for it is
// (discarded, cancelled or completed outside the relay) or gone.
type stranded struct {
	row *row
	now int64
}

// sweep ends every delivery whose River job ended without it (attempts
// used up in lookups or sends, the job cancelled or deleted outside the
// relay, a process that could not record its outcome): in doubt, it needs
// review; otherwise it failed, with River's last error. It returns how many
// it ended. Its writes are fenced like every other, so a delivery an
// attempt or an operator took meanwhile is left alone.
func (r *core) sweep(ctx context.Context) (int, error) {
	var found []stranded
	err := r.dial.db.query(ctx, r.dial.t(`SELECT `+prefixed("d.", rowCols)+`, {now} FROM {d} d LEFT JOIN {j} j ON j.id = d.job_id
WHERE d.state IN ('queued', 'retrying', 'sending') AND d.lease_ms < {now}
  AND (j.id IS NULL OR j.state IN ('cancelled', 'completed', 'discarded')) LIMIT `+fmt.Sprint(sweepBatch)), func(s scanner) error {
		var now int64
		row, err := scanRow(s, &now)
		if err == nil {
			found = append(found, stranded{row, now})
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("relay: sweep: %w", err)
	}
	n := 0
	for _, s := range found {
		ended, err := r.endStranded(ctx, s)
		if err != nil {
			return n, err
		}
		if ended {
			n++
		}
	}
	return n, nil
}

func (r *core) endStranded(ctx context.Context, s stranded) (bool, error) {
	row := s.row
	err := r.eng.inTx(ctx, nil, func(t txn) error {
		why := "River's job for it was deleted outside the relay"
		j, err := t.get(row.JobID)
		switch {
		case errors.Is(err, rivertype.ErrNotFound):
		case err != nil:
			return err
		case !final(j.State):
			return errFenced // live again (Resend): not stranded
		default:
			why = riverEnd(j)
		}
		job, err := decodeJob(Vendor(row.Vendor), row.Job)
		check := "look the lead up at the vendor"
		if err == nil {
			check = job.check()
		}
		if row.InDoubtMS != 0 {
			row.State = string(StateNeedsReview)
			row.Review = why + " while an attempt's outcome was unknown. " + check + ", then MarkDelivered or Resend"
		} else {
			row.State = string(StateFailed)
			row.LastError = transport.Clip(why, maxErrorText)
		}
		row.LeaseMS = 0
		return r.dial.write(ctx, t.st, row, s.now, true, true)
	})
	if errors.Is(err, errFenced) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("relay: sweep %s: %w", row.Key, err)
	}
	r.log.WarnContext(ctx, "relay: swept", "key", row.Key, "vendor", row.Vendor, "state", row.State)
	return true, nil
}

// final reports a River job state that runs no more.
func final(s rivertype.JobState) bool {
	return s == rivertype.JobStateCancelled || s == rivertype.JobStateCompleted || s == rivertype.JobStateDiscarded
}

// riverEnd says how River ended job j, with its last error.
func riverEnd(j *rivertype.JobRow) string {
	why := fmt.Sprintf("River ended its job (%s after %d attempts)", j.State, j.Attempt)
	switch j.State {
	case rivertype.JobStateCancelled:
		why = fmt.Sprintf("River's job for it was cancelled outside the relay (after %d attempts)", j.Attempt)
	case rivertype.JobStateCompleted:
		why = "River's job for it completed without the relay recording an end"
	}
	if n := len(j.Errors); n > 0 {
		why += "; its last error: " + transport.Clip(j.Errors[n-1].Error, 500)
	}
	return why
}

// prefixed writes each of the comma-separated columns with prefix.
func prefixed(prefix, cols string) string {
	out := []byte(prefix)
	for i := 0; i < len(cols); i++ {
		out = append(out, cols[i])
		if cols[i] == ' ' && i > 0 && cols[i-1] == ',' {
			out = append(out, prefix...)
		}
	}
	return string(out)
}
