package datacake

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/leadkit/leadkit/internal/jsonx"
)

// str is a wire string: decoded from a JSON string, number, boolean or
// null; encoded as a JSON string.
type str = jsonx.String

// coord is a wire latitude or longitude: decoded from a string or a number
// ("" and null are 0), encoded as a string with the digits it needs (""
// for zero, which means unknown).
type coord float64

func (c *coord) UnmarshalJSON(b []byte) error {
	v, err := jsonx.ParseFloat(b)
	*c = coord(v)
	return err
}

func (c coord) MarshalJSON() ([]byte, error) {
	if c == 0 {
		return []byte(`""`), nil
	}
	out := make([]byte, 0, 24)
	out = append(out, '"')
	out = strconv.AppendFloat(out, float64(c), 'f', -1, 64)
	return append(out, '"'), nil
}

var errNoArray = errors.New("datacake: expected a JSON array, or an object holding one array")

// unwrapList returns the JSON array in body: body itself when it is an
// array; the one array inside an object such as {"data": [...]} (other keys
// that are not arrays are ignored); the array inside the document's own
// notation "{ [ ... ] }", which some ERPs copied literally; nil for an
// object holding no array, "null" or an object whose array is null. It
// returns errNoArray for anything else and for an object with two arrays
// (which one would be a guess).
func unwrapList(body []byte) ([]byte, error) {
	t := bytes.TrimSpace(body)
	t = bytes.TrimPrefix(t, []byte("\ufeff"))
	if len(t) == 0 {
		return nil, errNoArray
	}
	switch t[0] {
	case '[':
		return t, nil
	case 'n':
		if bytes.Equal(t, []byte("null")) {
			return nil, nil
		}
		return nil, errNoArray
	case '{':
	default:
		return nil, errNoArray
	}
	inner := bytes.TrimSpace(t[1:])
	if len(inner) > 0 && inner[0] == '[' && t[len(t)-1] == '}' {
		// "{ [ ... ] }": the document's notation.
		return bytes.TrimSpace(inner[:len(inner)-1]), nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(t, &obj); err != nil {
		return nil, err
	}
	var found []byte
	for _, v := range obj {
		v = bytes.TrimSpace(v)
		if len(v) > 0 && v[0] == '[' {
			if found != nil {
				return nil, errors.New("datacake: the object holds more than one array")
			}
			found = v
		}
	}
	return found, nil
}
