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
	var out []Product // never nil once the array is read
	switch r.Peek() {
	case '[':
		out = fastProducts(r)
	case '{':
		for range r.Fields() {
			switch {
			case r.Peek() != '[':
				r.Skip()
			case out != nil: // more than one array
				r.Fail()
			default:
				out = fastProducts(r)
			}
		}
		if out == nil {
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
	for range r.Elems() {
		fastProduct(r, jsonx.AppendZero(&out))
	}
	return out
}

func fastProduct(r *jsonx.Reader, p *Product) {
	for k := range r.Fields() {
		switch string(k) {
		case "id_servico":
			p.ID = r.ParseString()
		case "nome":
			p.Name = r.ParseString()
		case "descricao":
			p.Description = r.ParseString()
		case "valor":
			v, err := jsonx.ParseCents(r.Value())
			if err != nil {
				r.Fail() // the general path gives the error, naming the field
			}
			p.Price = Amount(v)
		case "obs":
			p.Notes = r.ParseString()
		default:
			r.SkipUnknown(k, "id_servico", "nome", "descricao", "valor", "obs")
		}
	}
}
