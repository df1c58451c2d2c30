package zenvia

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
)

// enter counts a delivery in, unless Shutdown began.
func (h *WebhookHandler) enter() bool {
	h.qmu.Lock()
	defer h.qmu.Unlock()
	if h.closed {
		return false
	}
	h.active.Add(1)
	return true
}

// enqueue queues an acknowledged delivery (asynchronous mode); it returns
// why it could not ("" when queued).
func (h *WebhookHandler) enqueue(q queued) string {
	h.qmu.Lock()
	defer h.qmu.Unlock()
	switch {
	case h.closed:
		return "shutting down"
	case len(h.queue) >= h.cfg.async:
		return "queue full"
	}
	h.queue = append(h.queue, q)
	h.signal()
	return ""
}

// signal wakes the worker. h.qmu is held or not: it never blocks.
func (h *WebhookHandler) signal() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// work runs fn for the queued deliveries (asynchronous mode), until
// Shutdown: then until the queue is empty, or until Shutdown's ctx ended.
func (h *WebhookHandler) work() {
	defer close(h.idle)
	for {
		h.qmu.Lock()
		for len(h.queue) == 0 && !h.closed {
			h.qmu.Unlock()
			<-h.wake
			h.qmu.Lock()
		}
		if h.stopped || len(h.queue) == 0 {
			h.qmu.Unlock()
			return
		}
		q := h.queue[0]
		h.queue[0] = queued{}
		h.queue = h.queue[1:]
		h.running = &q
		h.qmu.Unlock()

		failed := h.runQueued(q)

		h.qmu.Lock()
		h.running = nil
		if h.closed {
			h.failed = append(h.failed, failed...)
		}
		h.qmu.Unlock()
	}
}

// runQueued runs fn for each event of an acknowledged delivery and returns
// those it failed on (logged).
func (h *WebhookHandler) runQueued(q queued) []Event {
	var failed []Event
	for _, ev := range q.evs {
		if err := h.call(context.Background(), ev); err != nil {
			failed = append(failed, ev)
			if l := h.cfg.logger; l != nil {
				l.LogAttrs(context.Background(), slog.LevelError, "zenvia webhook event failed after it was acknowledged",
					slog.String("topic", ev.Topic), slog.String("error", h.red.Redact(err.Error())))
			}
		}
	}
	if failed == nil {
		h.done(q.key)
	} else {
		h.release(q.key)
	}
	return failed
}

// call runs fn on ev. A panic is fn failing on it: in asynchronous mode fn
// runs on the handler's own goroutine, where no http.Server recovers it,
// and it would end the process with every event acknowledged and queued;
// in synchronous mode the delivery is answered 500 and released, so that
// Zenvia's redelivery is handled (not held as "in flight").
func (h *WebhookHandler) call(ctx context.Context, ev Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = fmt.Errorf("zenvia: webhook fn panicked: %v", v)
		}
	}()
	return h.fn(ctx, ev)
}

// Shutdown stops the handler: from now on every delivery is answered 503
// with Retry-After, so Zenvia delivers it again later. It then waits, until
// ctx ends, for the fn calls in flight and, in asynchronous mode, for fn to
// run on every delivery already acknowledged (WithHandlerAsync).
//
// It returns nil when every acknowledged event was handled. Otherwise it
// returns an *UnhandledError listing the events it could not handle (never
// run, failed, or still running when ctx ended), which Zenvia will not
// deliver again: store them, or hand them to fn in the next process. Call
// it before the http.Server's own Shutdown returns the process to its
// caller; a second call waits again and reports nothing new.
func (h *WebhookHandler) Shutdown(ctx context.Context) error {
	h.shutOnce.Do(func() {
		h.qmu.Lock()
		h.closed = true
		h.qmu.Unlock()
		h.signal()
	})
	settled := make(chan struct{})
	go func() {
		h.active.Wait()
		<-h.idle
		close(settled)
	}()
	select {
	case <-settled:
		h.qmu.Lock()
		defer h.qmu.Unlock()
		if len(h.failed) == 0 {
			return nil
		}
		u := &UnhandledError{Failed: h.failed}
		h.failed = nil
		return u
	case <-ctx.Done():
	}
	h.qmu.Lock()
	defer h.qmu.Unlock()
	h.stopped = true
	u := &UnhandledError{Failed: h.failed, Err: ctx.Err()}
	for _, q := range h.queue {
		u.Queued = append(u.Queued, q.evs...)
	}
	if h.running != nil {
		u.Running = h.running.evs
	}
	h.queue, h.failed = nil, nil
	return u
}

// UnhandledError lists the acknowledged events that WebhookHandler.Shutdown
// could not see handled. Zenvia will not deliver them again.
type UnhandledError struct {
	Queued  []Event // fn never ran on them: hand them to fn again
	Failed  []Event // fn returned an error on them during the shutdown
	Running []Event // fn was still running on them when ctx ended: their outcome is unknown
	Err     error   // ctx's error, when ctx ended first
}

// Error implements error: how many events, never their content.
func (e *UnhandledError) Error() string {
	msg := fmt.Sprintf("zenvia: webhook shutdown: %d acknowledged events not handled (%d queued, %d failed, %d still running)",
		len(e.Queued)+len(e.Failed)+len(e.Running), len(e.Queued), len(e.Failed), len(e.Running))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns ctx's error, when ctx ended first.
func (e *UnhandledError) Unwrap() error { return e.Err }
