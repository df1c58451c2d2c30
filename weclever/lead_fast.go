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
	if !r.Object() {
		return nil, false, false
	}
	var seen uint
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			break
		}
		if string(k) != "lead" {
			r.SkipUnknown(k, "lead")
			continue
		}
		once(r, &seen, 0)
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

// once fails the Reader on a repeated key (encoding/json would merge or
// overwrite; the general path keeps its exact behaviour).
func once(r *jsonx.Reader, seen *uint, bit uint) {
	if *seen&(1<<bit) != 0 {
		r.Fail()
	}
	*seen |= 1 << bit
}

func fastStr(r *jsonx.Reader) string {
	s, err := jsonx.ParseString(r.Value())
	if err != nil {
		r.Fail()
	}
	return s
}

func fastInt(r *jsonx.Reader) int64 {
	n, err := jsonx.ParseInt(r.Value())
	if err != nil {
		r.Fail()
	}
	return n
}

// object opens an object value; null leaves the destination as it is, as
// encoding/json does. It reports whether there are keys to read.
func object(r *jsonx.Reader) bool {
	if r.Null() {
		return false
	}
	return r.Object()
}

func fastLead(r *jsonx.Reader, w *wireLead[string, int64]) {
	if !r.Object() {
		return
	}
	var seen uint
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			return
		}
		switch string(k) {
		case "email":
			once(r, &seen, 0)
			w.Email = fastStr(r)
		case "name":
			once(r, &seen, 1)
			w.Name = fastStr(r)
		case "phone":
			once(r, &seen, 2)
			w.Phone = fastStr(r)
		case "state":
			once(r, &seen, 3)
			w.State = fastStr(r)
		case "regional":
			once(r, &seen, 4)
			w.Regional = fastStr(r)
		case "status":
			once(r, &seen, 5)
			w.Status = fastStr(r)
		case "chats":
			once(r, &seen, 6)
			fastChats(r, w)
		case "feelings":
			once(r, &seen, 7)
			fastFeelings(r, w)
		case "csat":
			once(r, &seen, 8)
			if object(r) {
				var seen2 uint
				for first := true; ; first = false {
					k, more := r.Key(first)
					if !more {
						break
					}
					switch string(k) {
					case "message":
						once(r, &seen2, 0)
						w.CSAT.Message = fastStr(r)
					case "rating":
						once(r, &seen2, 1)
						w.CSAT.Rating = fastStr(r)
					default:
						r.SkipUnknown(k, "message", "rating")
					}
				}
			}
		default:
			r.SkipUnknown(k, "email", "name", "phone", "state", "regional", "status", "chats", "feelings", "csat")
		}
	}
}

func fastChats(r *jsonx.Reader, w *wireLead[string, int64]) {
	if !object(r) {
		return
	}
	var seen uint
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			return
		}
		switch string(k) {
		case "metrics":
			once(r, &seen, 0)
			if object(r) {
				var seen2 uint
				for first := true; ; first = false {
					k, more := r.Key(first)
					if !more {
						break
					}
					switch string(k) {
					case "date_difference":
						once(r, &seen2, 0)
						w.Chats.Metrics.DateDifference = fastStr(r)
					case "total_messages":
						once(r, &seen2, 1)
						w.Chats.Metrics.TotalMessages = fastInt(r)
					default:
						r.SkipUnknown(k, "date_difference", "total_messages")
					}
				}
			}
		case "messages":
			once(r, &seen, 1)
			if r.Null() {
				w.Chats.Messages = nil
				continue
			}
			if !r.Array() {
				return
			}
			for first := true; r.More(first); first = false {
				w.Chats.Messages = append(w.Chats.Messages, wireMessage[string, int64]{})
				fastMessage(r, &w.Chats.Messages[len(w.Chats.Messages)-1])
			}
		default:
			r.SkipUnknown(k, "metrics", "messages")
		}
	}
}

func fastMessage(r *jsonx.Reader, m *wireMessage[string, int64]) {
	if !object(r) {
		return
	}
	var seen uint
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			return
		}
		switch string(k) {
		case "id_chat":
			once(r, &seen, 0)
			m.ID = fastInt(r)
		case "body":
			once(r, &seen, 1)
			m.Body = fastStr(r)
		case "media_url":
			once(r, &seen, 2)
			m.MediaURL = fastStr(r)
		case "content_type":
			once(r, &seen, 3)
			m.ContentType = fastStr(r)
		case "date_created":
			once(r, &seen, 4)
			m.Created = fastStr(r)
		case "sid":
			once(r, &seen, 5)
			m.SID = fastStr(r)
		case "message_type":
			once(r, &seen, 6)
			m.Type = fastStr(r)
		case "direction":
			once(r, &seen, 7)
			m.Direction = fastStr(r)
		case "status":
			once(r, &seen, 8)
			m.Status = fastStr(r)
		default:
			r.SkipUnknown(k, "id_chat", "body", "media_url", "content_type", "date_created", "sid", "message_type", "direction", "status")
		}
	}
}

func fastFeelings(r *jsonx.Reader, w *wireLead[string, int64]) {
	if !object(r) {
		return
	}
	var seen uint
	for first := true; ; first = false {
		k, more := r.Key(first)
		if !more {
			return
		}
		switch string(k) {
		case "total_messages":
			once(r, &seen, 0)
			w.Feelings.TotalMessages = fastInt(r)
		case "positive_feeling":
			once(r, &seen, 1)
			w.Feelings.Positive = fastInt(r)
		case "neutral_feeling":
			once(r, &seen, 2)
			w.Feelings.Neutral = fastInt(r)
		case "negative_feeling":
			once(r, &seen, 3)
			w.Feelings.Negative = fastInt(r)
		default:
			r.SkipUnknown(k, "total_messages", "positive_feeling", "neutral_feeling", "negative_feeling")
		}
	}
}
