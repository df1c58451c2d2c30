package zenviatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
)

// WebhookEvent is one event the sandbox sent to one subscription's
// callback, with what became of its deliveries. Every delivery of an event
// (the first, the retries of a failed one, and the redeliveries: by
// Options.RedeliverRate, or Redeliver) carries the same topic and the
// same body, byte for byte: Zenvia's calls carry no event id, so that is
// the event's identity, the one zenvia.NewWebhookHandler deduplicates on.
type WebhookEvent struct {
	// ID is the sandbox's name of the event ("evt-000001", in the order the
	// events were made). It is not sent.
	ID string `json:"id"`
	// Topic is the subscription topic: prospects, interactions or quotes.
	Topic string `json:"topic"`
	// CallbackURL is where it was sent, secrets masked.
	CallbackURL string `json:"callbackUrl"`
	// Object is the id of the prospect, interaction or quote it carries.
	Object string `json:"object"`
	// Body is the JSON body of every delivery.
	Body string `json:"body"`
	// Deliveries is how many times it was delivered (the first delivery and
	// each redelivery, however many attempts each took); Calls is how many
	// HTTP requests that made (the failed attempts included).
	Deliveries int `json:"deliveries"`
	Calls      int `json:"calls"`
	// Acknowledged reports whether a delivery was answered 2xx.
	Acknowledged bool `json:"acknowledged"`
}

// event is a WebhookEvent and what the sandbox needs to send it again.
type event struct {
	WebhookEvent
	seq  int    // its number, from 1
	url  string // the callback, unmasked
	body []byte
}

// maxEvents bounds the events Events keeps (and Redeliver can find).
const maxEvents = 100_000

// Events returns the webhook events the sandbox made since it was made or
// reset, in order (at most the first 100,000): what a receiver must handle
// exactly once however often each was delivered. WaitDeliveries first, for
// final counts.
func (s *Server) Events() []WebhookEvent {
	s.dmu.Lock()
	defer s.dmu.Unlock()
	out := make([]WebhookEvent, len(s.events))
	for i, ev := range s.events {
		out[i] = ev.WebhookEvent
	}
	return out
}

// Redeliver delivers the event id (see Events) again, copies times at once,
// as Zenvia does after a delivery it took for failed: the same topic and
// body to the same callback, each copy with its retries. It returns before
// the deliveries end (WaitDeliveries waits for them), and an error for an
// unknown id, copies below 1 or a closed sandbox.
func (s *Server) Redeliver(id string, copies int) error {
	if copies < 1 {
		return fmt.Errorf("zenviatest: Redeliver: copies must be 1 or more, got %d", copies)
	}
	s.dmu.Lock()
	ev := s.eventByID[id]
	s.dmu.Unlock()
	if ev == nil {
		return fmt.Errorf("zenviatest: Redeliver: no event %q", id)
	}
	for range copies {
		if !s.send(ev, true) {
			return errors.New("zenviatest: Redeliver: the sandbox is closed")
		}
	}
	return nil
}

// Burst makes n leads from outside (each a new prospect, as from a landing
// page) come in at once and delivers their events, all n concurrently, to
// the subscriptions of topic prospects. It returns the new prospects' ids,
// the Object of their events. The leads' contents are drawn from
// Options.Seed and their number among the bursts' leads.
func (s *Server) Burst(n int) []string {
	now := s.opts.Now().UTC()
	ids := make([]string, 0, max(n, 0))
	events := make([]map[string]any, 0, max(n, 0))
	s.mu.Lock()
	for range n {
		s.st.bursts++
		in := burstLead(s.opts.Seed, s.st.bursts)
		_, _, _, ev := s.takeLead(&in, "retail", now)
		ids = append(ids, ev["id"].(string))
		events = append(events, ev)
	}
	s.mu.Unlock()
	for _, ev := range events {
		s.deliver("prospects", ev)
	}
	return ids
}

// burstLead is the k-th lead of the bursts: its phone and e-mail are its
// own, so it makes a new prospect.
func burstLead(seed int64, k int) leadIn {
	r := rand.New(rand.NewPCG(uint64(seed), 0xb0257<<32|uint64(k)))
	fn, ln := pick(r, firstNamesPT), pick(r, lastNamesPT)
	return leadIn{
		FirstName: fn, LastName: ln, UTMSource: pick(r, utmSources), Company: pick(r, companies),
		Phones:   []string{fmt.Sprintf("+55%d9%08d", pick(r, ddds), 10000000+k)},
		Emails:   []string{fmt.Sprintf("%s.%s.%d@exemplo.com.br", asciiFold(fn), asciiFold(ln), k)},
		Comments: pick(r, []string{"Quero uma proposta", "Pode me ligar?", "Vi o anúncio no Instagram"}),
	}
}

// deliver sends v as an event to every subscription of topic, in the
// background, with retries while the callback fails.
func (s *Server) deliver(topic string, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		return
	}
	var object string
	if m, ok := v.(map[string]any); ok {
		object, _ = m["id"].(string)
	}
	for _, ev := range s.newEvents(topic, body, object) {
		s.send(ev, false)
	}
}

// newEvents makes an event of body for each subscription of topic.
func (s *Server) newEvents(topic string, body []byte, object string) []*event {
	s.mu.Lock()
	var urls []string
	for _, sub := range s.st.subs {
		for _, t := range sub.Topics {
			if t == topic {
				urls = append(urls, sub.CallbackURL)
				break
			}
		}
	}
	s.mu.Unlock()
	s.dmu.Lock()
	defer s.dmu.Unlock()
	out := make([]*event, 0, len(urls))
	for _, u := range urls {
		s.eventSeq++
		ev := &event{seq: s.eventSeq, url: u, body: body, WebhookEvent: WebhookEvent{
			ID: fmt.Sprintf("evt-%06d", s.eventSeq), Topic: topic, CallbackURL: s.callbackRedactor(u).Redact(u), Object: object, Body: string(body),
		}}
		if len(s.events) < maxEvents {
			s.events = append(s.events, ev)
			s.eventByID[ev.ID] = ev
		}
		out = append(out, ev)
	}
	return out
}

// send delivers ev in the background, and reports false when the sandbox
// is closed. A first delivery that is acknowledged is delivered again,
// once, by Options.RedeliverRate.
func (s *Server) send(ev *event, redelivery bool) bool {
	select {
	case <-s.closed:
		return false
	default:
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if !s.post(ev, redelivery) || redelivery || !s.redeliversOnItsOwn(ev) {
			return
		}
		select {
		case <-time.After(s.opts.RedeliverAfter):
			s.post(ev, true)
		case <-s.closed:
		}
	}()
	return true
}

// redeliversOnItsOwn draws whether Zenvia sends ev again after it was
// acknowledged, from the seed and ev's number.
func (s *Server) redeliversOnItsOwn(ev *event) bool {
	rate := s.opts.RedeliverRate
	return rate > 0 && rand.New(rand.NewPCG(uint64(s.opts.Seed), 0x2ede1<<32|uint64(ev.seq))).Float64() < rate
}

// post delivers ev, with retries while the callback fails (a connection
// error, no answer within DeliveryTimeout, or a 5xx), records the delivery
// and reports whether it was acknowledged (2xx).
func (s *Server) post(ev *event, redelivery bool) bool {
	red := s.callbackRedactor(ev.url)
	d := Delivery{Topic: ev.Topic, CallbackURL: ev.CallbackURL, Body: ev.Body, Event: ev.ID, Redelivery: redelivery}
	for d.Attempts < s.opts.DeliveryAttempts {
		if d.Attempts > 0 {
			select {
			case <-time.After(s.opts.DeliveryBackoff * time.Duration(d.Attempts)):
			case <-s.closed:
				d.Error = "sandbox closed"
				return s.record(ev, d)
			}
		}
		d.Attempts++
		var retry bool
		d.Status, retry, d.Error = s.call(ev, red)
		if !retry {
			break // delivered, refused for good (4xx) or a bad callback URL
		}
	}
	return s.record(ev, d)
}

// call makes one HTTP request of ev's delivery and returns the status (0
// when none came), whether to try again, and what went wrong (masked).
func (s *Server) call(ev *event, red *transport.Redactor) (status int, retry bool, problem string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.DeliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ev.url, bytes.NewReader(ev.body))
	if err != nil {
		return 0, false, "bad callback URL"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "zenviatest-webhooks/1.0")
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, true, red.Redact(err.Error())
	}
	// The receiver's answer is read to a cap, counted after decompression
	// (a gzip bomb is 1 GiB from 1 MiB), then dropped.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxReceiverAnswer))
	resp.Body.Close()
	return resp.StatusCode, resp.StatusCode >= 500, ""
}

// maxReceiverAnswer caps what the sandbox reads of a webhook receiver's
// answer (it needs only the status).
const maxReceiverAnswer = 64 << 10

// record keeps d (the first 10,000 deliveries) and counts it in ev, and
// reports whether d was acknowledged.
func (s *Server) record(ev *event, d Delivery) bool {
	ok := d.Status >= 200 && d.Status < 300
	s.dmu.Lock()
	defer s.dmu.Unlock()
	if len(s.dlv) < 10000 {
		s.dlv = append(s.dlv, d)
	}
	ev.Deliveries++
	ev.Calls += d.Attempts
	ev.Acknowledged = ev.Acknowledged || ok
	return ok
}

// callbackRedactor masks the API key and the webhook's secret in what the
// sandbox records of a delivery to callback (its URL, net/http's error
// naming it): the secret sits in the callback's query under whatever name
// the receiver reads it (transport.CallbackSecrets).
func (s *Server) callbackRedactor(callback string) *transport.Redactor {
	red := transport.NewRedactor(s.opts.APIKey)
	if u, err := url.Parse(callback); err == nil {
		red.Add(transport.CallbackSecrets(u)...)
	}
	return red
}
