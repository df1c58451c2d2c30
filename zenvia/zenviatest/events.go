package zenviatest

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// checkEvent checks a lead history event or a new interaction (NewEvent)
// as the spec states it: a type among note, call, message and question; a
// call's duration a number of milliseconds and its startedAt a date; a
// message's interactive contents with their required fields. The message
// names field and is "" for a valid event.
func checkEvent(field string, h map[string]any) string {
	if d, ok := h["delivered"]; ok {
		if _, isBool := d.(bool); !isBool {
			return field + ".delivered must be a boolean"
		}
	}
	switch h["type"] {
	case "note", "question":
	case "call":
		if d, ok := h["duration"]; ok {
			if _, isNum := d.(float64); !isNum {
				return field + ".duration must be a number of milliseconds"
			}
		}
		if v, ok := h["startedAt"]; ok {
			if str, isStr := v.(string); !isStr || !isDate(str) {
				return field + ".startedAt must be a date-time"
			}
		}
	case "message":
		return checkMessage(field+".", h, "content", "list", "buttons", "productList", "order", "attachment")
	default:
		return field + ".type must be note, call, message or question"
	}
	return ""
}

func isDate(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// requiredFields are the required fields of the interactive contents of a
// message, by their path ("list.sections" is each section of a list).
var requiredFields = map[string][]string{
	"list":                              {"body", "button", "sections"},
	"list.sections":                     {"title", "rows"},
	"list.sections.rows":                {"id", "title"},
	"buttons":                           {"body", "buttons"},
	"buttons.buttons":                   {"id", "title"},
	"productList":                       {"body", "button", "catalogId", "sections"},
	"productList.button":                {"title", "action"},
	"productList.sections":              {"title", "productItems"},
	"productList.sections.productItems": {"productId"},
	"order.button":                      {"title", "action"},
}

// checkMessage checks a message (NewMessage, or a message event): one of
// keys at least, each interactive content with its required fields, and
// the enumerations of channelInteraction. prefix goes before every field
// name of the answer.
func checkMessage(prefix string, m map[string]any, keys ...string) string {
	some := false
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			some = some || strings.TrimSpace(v) != ""
		case map[string]any:
			some = true
		}
	}
	if !some {
		return prefix + "content is required (or " + strings.Join(keys[1:], ", ") + ")"
	}
	for _, k := range []string{"list", "buttons", "productList", "order"} {
		if v, ok := m[k]; ok {
			if msg := checkShape(k, prefix+k, v); msg != "" {
				return msg
			}
		}
	}
	if ci, ok := m["channelInteraction"].(map[string]any); ok {
		for k, allowed := range map[string][]string{"type": {"story", "comment"}, "action": {"mention", "reply", "reaction"}} {
			if v, set := ci[k]; set && !contains(allowed, toString(v), strings.TrimSpace) {
				return prefix + "channelInteraction." + k + " must be one of " + strings.Join(allowed, ", ")
			}
		}
	}
	return ""
}

func toString(v any) string {
	s, _ := v.(string)
	return s
}

// checkShape checks v, the object at kind (a key of requiredFields) named
// field: its required fields set, and the same for the objects below it.
func checkShape(kind, field string, v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return field + " must be an object"
	}
	for _, k := range requiredFields[kind] {
		switch x := obj[k].(type) {
		case string:
			if strings.TrimSpace(x) != "" {
				continue
			}
		case []any:
			if len(x) > 0 {
				continue
			}
		case map[string]any:
			continue
		}
		return field + "." + k + " is required"
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first error is the same every time
	for _, k := range keys {
		child := kind + "." + k
		if _, known := requiredFields[child]; !known {
			continue
		}
		if list, isList := obj[k].([]any); isList {
			for i, el := range list {
				if msg := checkShape(child, field+"."+k+"["+strconv.Itoa(i)+"]", el); msg != "" {
					return msg
				}
			}
		} else if msg := checkShape(child, field+"."+k, obj[k]); msg != "" {
			return msg
		}
	}
	return ""
}
