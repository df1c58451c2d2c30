package datacake

import "github.com/leadkit/leadkit/internal/jsonx"

// decodeProductsFast decodes the usual catalogue body (a bare array, or an
// object holding one array such as {"dados":[...]}) in one pass without
// reflection, each value through the same tolerant parsers as the wire
// types. It reports false for anything else (the document's "{ [ ... ] }",
// a BOM, null, malformed JSON, a key in another case, more than one array):
// Products then decodes the general way, which handles every case and gives
// the exact error.
func decodeProductsFast(b []byte) ([]Product, bool) {
	r := jsonx.NewReader(b)
	var out []Product
	switch r.Peek() {
	case '[':
		out = fastProducts(r)
	case '{':
		r.Object()
		found := false
		for first := true; ; first = false {
			k, more := r.Key(first)
			if !more {
				break
			}
			if r.Peek() != '[' {
				r.Skip()
				continue
			}
			if found {
				r.Fail()
				break
			}
			found = true
			_ = k
			out = fastProducts(r)
		}
		if !found {
			r.Fail()
		}
	default:
		r.Fail()
	}
	if r.End() != nil {
		return nil, false
	}
	return out, true
}

func fastProducts(r *jsonx.Reader) []Product {
	out := []Product{}
	r.Array()
	for first := true; r.More(first); first = false {
		out = append(out, Product{})
		p := &out[len(out)-1]
		if r.Null() || !r.Object() {
			continue
		}
		for first := true; ; first = false {
			k, more := r.Key(first)
			if !more {
				break
			}
			switch string(k) {
			case "id_servico":
				p.ID = fastStr(r)
			case "nome":
				p.Name = fastStr(r)
			case "descricao":
				p.Description = fastStr(r)
			case "valor":
				v, err := jsonx.ParseFloat(r.Value())
				if err != nil {
					r.Fail()
				}
				p.Price = v
			case "obs":
				p.Notes = fastStr(r)
			default:
				r.SkipUnknown(k, "id_servico", "nome", "descricao", "valor", "obs")
			}
		}
	}
	return out
}

func fastStr(r *jsonx.Reader) string {
	s, err := jsonx.ParseString(r.Value())
	if err != nil {
		r.Fail()
	}
	return s
}
