package zenviatest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxFileBytes is the largest file the sandbox takes on "Send file" (HTTP
// 413 beyond it).
const MaxFileBytes = 16 << 20

// Window is how long after a prospect last wrote (a lead, or an
// interaction the prospect started) a conversational message or a file
// may be sent: WhatsApp's customer-service window. Outside it only a
// template goes (HTTP 400 otherwise).
const Window = 24 * time.Hour

func (rt *router) messaging() {
	s := rt.s
	rt.handle("GET /messaging/channels", s.channels)
	rt.handle("GET /prospect/{id}/messaging/channels", s.prospectChannels)
	rt.handle("POST /prospect/{id}/messaging/{channel}", s.sendMessage)
	rt.handle("POST /prospect/{id}/messaging/{channel}/notification", s.sendTemplate)
	rt.handle("POST /prospect/{id}/messaging/{channel}/send-file", s.sendFile)
	rt.handle("GET /prospect/{id}/orders", s.orders)
}

func channelJSON(c *channel) map[string]any {
	return map[string]any{"channel": c.Name, "channelId": c.ID, "templates": c.Templates}
}

// channels is GET /messaging/channels.
func (s *Server) channels(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := []any{}
	for i := range s.st.more.channels {
		out = append(out, channelJSON(&s.st.more.channels[i]))
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// reachable returns the channels p can be reached on: WhatsApp when it has
// a phone (the sandbox knows no social account of a prospect).
func (st *state) reachable(p *prospect) []*channel {
	var out []*channel
	for i := range st.more.channels {
		if c := &st.more.channels[i]; c.Name == "whatsapp" && len(p.Phones) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// prospectChannels is GET /prospect/{id}/messaging/channels.
func (s *Server) prospectChannels(w http.ResponseWriter, r *http.Request) {
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	out := []any{}
	for _, c := range s.st.reachable(p) {
		out = append(out, channelJSON(c))
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}

// lockChannel takes s.mu and returns the prospect and the channel (its
// name or id) of the path, or answers 404 or 400 and returns nils with
// s.mu released.
func (s *Server) lockChannel(w http.ResponseWriter, r *http.Request) (*prospect, *channel) {
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return nil, nil
	}
	name := r.PathValue("channel")
	for _, c := range s.st.reachable(p) {
		if c.Name == name || c.ID == name {
			return p, c
		}
	}
	s.mu.Unlock()
	s.invalid(w, "channel "+strconv.Quote(name)+" is not available for this prospect")
	return nil, nil
}

// lockOpenChannel is lockChannel for a conversational send: it also
// answers 400 (and returns nils with s.mu released) when p's window is
// closed. now is the time of the check.
func (s *Server) lockOpenChannel(w http.ResponseWriter, r *http.Request) (*prospect, *channel, time.Time) {
	p, c := s.lockChannel(w, r)
	if p == nil {
		return nil, nil, time.Time{}
	}
	now := s.opts.Now().UTC()
	if !s.st.windowOpen(p, now) {
		s.mu.Unlock()
		s.invalid(w, "the prospect has not written in the last 24 hours: only a template can be sent")
		return nil, nil, now
	}
	return p, c, now
}

// windowOpen reports whether p wrote within Window of now: a lead, or an
// interaction it started.
func (st *state) windowOpen(p *prospect, now time.Time) bool {
	for _, l := range p.Leads {
		if now.Sub(l.Created) < Window {
			return true
		}
	}
	for _, in := range st.interactions[p.ID] {
		if !in.Proactive && now.Sub(in.CreatedAt) < Window {
			return true
		}
	}
	return false
}

// sent records what was sent to p on c as a proactive interaction, with
// s.mu held, and returns the answer (a list, as Zenvia answers).
func (s *Server) sent(p *prospect, c *channel, output map[string]any, now time.Time) (out []any, event map[string]any) {
	via := map[string]string{"whatsapp": "whatsApp", "instagram": "instagram", "facebook": "facebook"}[c.Name]
	in := &interaction{ID: s.st.newID(now), ProspectID: p.ID, AgentID: p.AgentID, CreatedAt: now, Status: "sent",
		Via: via, Proactive: true, Output: output}
	s.st.interactions[p.ID] = append(s.st.interactions[p.ID], in)
	event = s.interactionJSON(in)
	return []any{event}, event
}

// answerSent releases s.mu, delivers the interaction and answers out.
func (s *Server) answerSent(w http.ResponseWriter, out []any, event map[string]any) {
	s.mu.Unlock()
	s.deliver("interactions", event)
	s.ok(w, http.StatusOK, out)
}

// sendMessage is POST /prospect/{id}/messaging/{channel}: a NewMessage
// (content, list, buttons or productList), inside the window only.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		s.invalid(w, "the body is a message: "+err.Error())
		return
	}
	if msg := checkMessage("", in, "content", "list", "buttons", "productList"); msg != "" {
		s.invalid(w, msg)
		return
	}
	p, c, now := s.lockOpenChannel(w, r)
	if p == nil {
		return
	}
	out, ev := s.sent(p, c, in, now)
	s.answerSent(w, out, ev)
}

// sendTemplate is POST /prospect/{id}/messaging/{channel}/notification: a
// NewTemplateMessage, its key one of the channel's templates.
func (s *Server) sendTemplate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Key        string            `json:"key"`
		Parameters map[string]string `json:"parameters"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Key == "" {
		s.invalid(w, "key is required (parameters is an object of strings)")
		return
	}
	for k, v := range in.Parameters {
		if strings.Contains(v, "    ") || strings.ContainsAny(v, "\t\r\n") {
			s.invalid(w, "parameters."+k+" must not hold four consecutive spaces, a tab or a line break")
			return
		}
	}
	p, c := s.lockChannel(w, r)
	if p == nil {
		return
	}
	known := false
	for _, t := range c.Templates {
		known = known || t["key"] == in.Key
	}
	if !known {
		s.mu.Unlock()
		s.invalid(w, "template "+strconv.Quote(in.Key)+" does not exist on channel "+c.Name)
		return
	}
	out, ev := s.sent(p, c, map[string]any{"template": in.Key, "parameters": in.Parameters}, s.opts.Now().UTC())
	s.answerSent(w, out, ev)
}

// sendFile is POST /prospect/{id}/messaging/{channel}/send-file: the
// multipart field "file", at most MaxFileBytes, inside the window only.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request) {
	name, ctype, size, status, msg := readFile(r)
	if msg != "" {
		s.fail(w, status, "UNEXPECTED_ERROR", msg, "ValidationError")
		return
	}
	p, c, now := s.lockOpenChannel(w, r)
	if p == nil {
		return
	}
	out, ev := s.sent(p, c, map[string]any{"file": map[string]any{"name": name, "contentType": ctype, "size": size}}, now)
	s.answerSent(w, out, ev)
}

// readFile reads the multipart field "file" of r through the cap; on
// failure the message says why, with the status to answer.
func readFile(r *http.Request) (name, ctype string, size int64, status int, msg string) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", 0, http.StatusBadRequest, "the body must be multipart/form-data with a file"
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", "", 0, http.StatusBadRequest, "file is required"
		}
		if err != nil {
			return "", "", 0, http.StatusBadRequest, "the multipart body cannot be read"
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			return "", "", 0, http.StatusBadRequest, "file needs a file name"
		}
		n, err := io.Copy(io.Discard, io.LimitReader(part, MaxFileBytes+1))
		switch {
		case err != nil:
			return "", "", 0, http.StatusBadRequest, "the file cannot be read"
		case n > MaxFileBytes:
			return "", "", 0, http.StatusRequestEntityTooLarge, "the file is larger than " + strconv.Itoa(MaxFileBytes) + " bytes"
		case n == 0:
			return "", "", 0, http.StatusBadRequest, "the file is empty"
		}
		return part.FileName(), part.Header.Get("Content-Type"), n, 0, ""
	}
}

// orders is GET /prospect/{id}/orders.
func (s *Server) orders(w http.ResponseWriter, r *http.Request) {
	limit, ok := s.limit(w, r.URL.Query())
	if !ok {
		return
	}
	p := s.lockProspect(w, r.PathValue("id"))
	if p == nil {
		return
	}
	out := []any{}
	for _, o := range s.st.more.orders[p.ID] {
		if len(out) == limit {
			break
		}
		out = append(out, map[string]any{"orderId": o.ID, "createdAt": o.Created.UTC().Format(timeLayout), "items": o.Items})
	}
	s.mu.Unlock()
	s.ok(w, http.StatusOK, out)
}
