package weclever

import "github.com/leadkit/leadkit/internal/jsonx"

// decodeLeadFast decodes the body of "Busca por informações do lead" in one
// pass without reflection, scalars through the same tolerant parsers as the
// wire types (numbers sent as strings and the like cost nothing extra). It
// reports false for anything unusual (malformed JSON, a value of another
// kind, a repeated key, a key in another case): DecodeLead then decodes with
// encoding/json, which handles every case and gives the exact error.
// found is false when the body has no lead (null or no "lead" key).
func decodeLeadFast(b []byte) (w *wireLead[string, int64], found, ok bool) {
	r := jsonx.NewReader(b)
	if r.Peek() != '{' {
		return nil, false, false
	}
	var seen uint64
	for k := range r.Fields() {
		if string(k) != "lead" {
			r.SkipUnknown(k, "lead")
			continue
		}
		r.Once(&seen, 0)
		if r.Null() {
			w = nil
			continue
		}
		w = new(wireLead[string, int64])
		fastLead(r, w)
	}
	if r.End() != nil {
		return nil, false, false
	}
	return w, w != nil, true
}

// Every key below goes through Once: a repeated key, which encoding/json
// would merge or overwrite, goes to the general path.

func fastLead(r *jsonx.Reader, w *wireLead[string, int64]) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "email":
			r.Once(&seen, 0)
			w.Email = r.ParseString()
		case "name":
			r.Once(&seen, 1)
			w.Name = r.ParseString()
		case "phone":
			r.Once(&seen, 2)
			w.Phone = r.ParseString()
		case "state":
			r.Once(&seen, 3)
			w.State = r.ParseString()
		case "regional":
			r.Once(&seen, 4)
			w.Regional = r.ParseString()
		case "status":
			r.Once(&seen, 5)
			w.Status = r.ParseString()
		case "chats":
			r.Once(&seen, 6)
			fastChats(r, w)
		case "feelings":
			r.Once(&seen, 7)
			fastFeelings(r, w)
		case "csat":
			r.Once(&seen, 8)
			fastCSAT(r, w)
		default:
			r.SkipUnknown(k, "email", "name", "phone", "state", "regional", "status", "chats", "feelings", "csat")
		}
	}
}

func fastCSAT(r *jsonx.Reader, w *wireLead[string, int64]) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "message":
			r.Once(&seen, 0)
			w.CSAT.Message = r.ParseString()
		case "rating":
			r.Once(&seen, 1)
			w.CSAT.Rating = r.ParseString()
		default:
			r.SkipUnknown(k, "message", "rating")
		}
	}
}

func fastChats(r *jsonx.Reader, w *wireLead[string, int64]) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "metrics":
			r.Once(&seen, 0)
			fastMetrics(r, w)
		case "messages":
			r.Once(&seen, 1)
			// Still nil here (the key is read once): null leaves it nil,
			// as encoding/json does.
			for range r.Elems() {
				fastMessage(r, jsonx.AppendZero(&w.Chats.Messages))
			}
		default:
			r.SkipUnknown(k, "metrics", "messages")
		}
	}
}

func fastMetrics(r *jsonx.Reader, w *wireLead[string, int64]) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "date_difference":
			r.Once(&seen, 0)
			w.Chats.Metrics.DateDifference = r.ParseString()
		case "total_messages":
			r.Once(&seen, 1)
			w.Chats.Metrics.TotalMessages = r.ParseInt()
		default:
			r.SkipUnknown(k, "date_difference", "total_messages")
		}
	}
}

func fastMessage(r *jsonx.Reader, m *wireMessage[string, int64]) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "id_chat":
			r.Once(&seen, 0)
			m.ID = r.ParseInt()
		case "body":
			r.Once(&seen, 1)
			m.Body = r.ParseString()
		case "media_url":
			r.Once(&seen, 2)
			m.MediaURL = r.ParseString()
		case "content_type":
			r.Once(&seen, 3)
			m.ContentType = r.ParseString()
		case "date_created":
			r.Once(&seen, 4)
			m.Created = r.ParseString()
		case "sid":
			r.Once(&seen, 5)
			m.SID = r.ParseString()
		case "message_type":
			r.Once(&seen, 6)
			m.Type = r.ParseString()
		case "direction":
			r.Once(&seen, 7)
			m.Direction = r.ParseString()
		case "status":
			r.Once(&seen, 8)
			m.Status = r.ParseString()
		default:
			r.SkipUnknown(k, "id_chat", "body", "media_url", "content_type", "date_created", "sid", "message_type", "direction", "status")
		}
	}
}

func fastFeelings(r *jsonx.Reader, w *wireLead[string, int64]) {
	var seen uint64
	for k := range r.Fields() {
		switch string(k) {
		case "total_messages":
			r.Once(&seen, 0)
			w.Feelings.TotalMessages = r.ParseInt()
		case "positive_feeling":
			r.Once(&seen, 1)
			w.Feelings.Positive = r.ParseInt()
		case "neutral_feeling":
			r.Once(&seen, 2)
			w.Feelings.Neutral = r.ParseInt()
		case "negative_feeling":
			r.Once(&seen, 3)
			w.Feelings.Negative = r.ParseInt()
		default:
			r.SkipUnknown(k, "total_messages", "positive_feeling", "neutral_feeling", "negative_feeling")
		}
	}
}
