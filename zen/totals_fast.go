package zen

import "github.com/leadkit/leadkit/internal/jsonx"

// decodeTotalsFast decodes the usual totals body in one pass without
// reflection, into the public types directly. It reports false for anything
// unusual (PHP's keyed-object lists, a malformed or oddly shaped body, a key
// in another case): the caller then decodes with the tolerant wire types,
// which handle every case and give the exact error. For the bodies it
// accepts, the result is the same as theirs (FuzzTotalsFast checks it).
func decodeTotalsFast(b []byte) (Totals, bool) {
	r := jsonx.NewReader(b)
	if r.Peek() != '{' {
		return Totals{}, false
	}
	var scratch []Count // one buffer for every breakdown, copied out to its exact size
	t := Totals{Users: []UserTotals{}}
	for k := range r.Fields() {
		switch string(k) {
		case "data":
			t.Date = r.ParseString()
		case "usuarios":
			t.Users = fastList(r, nil, func(r *jsonx.Reader, u *UserTotals) { fastUser(r, u, &scratch) })
		case "erros":
			fastBuckets(r, &t.Errors)
		default:
			r.SkipUnknown(k, "data", "usuarios", "erros")
		}
	}
	if r.End() != nil {
		return Totals{}, false
	}
	return t, true
}

// fastList reads what list[T] accepts, except PHP's keyed object (which
// fails the Reader): an array, or null or a string for an empty list. The
// result is never nil. elem decodes one element (null included) into its
// argument. With a scratch buffer the elements are gathered there and
// copied into a slice of their exact number (one allocation per list).
func fastList[T any](r *jsonx.Reader, scratch *[]T, elem func(*jsonx.Reader, *T)) []T {
	switch r.Peek() {
	case 'n', '"':
		r.Skip()
		return []T{}
	case '[':
	default:
		r.Fail()
		return []T{}
	}
	if scratch == nil {
		out := []T{}
		for range r.Elems() {
			elem(r, jsonx.AppendZero(&out))
		}
		return out
	}
	*scratch = (*scratch)[:0]
	for range r.Elems() {
		elem(r, jsonx.AppendZero(scratch))
	}
	return append(make([]T, 0, len(*scratch)), *scratch...)
}

func fastUser(r *jsonx.Reader, u *UserTotals, scratch *[]Count) {
	for k := range r.Fields() {
		switch string(k) {
		case "nome":
			u.Name = r.ParseString()
		case "total_lead":
			u.TotalLeads = int(r.ParseInt())
		case "origem":
			u.Origins = fastList(r, scratch, fastCount)
		case "segmento":
			u.Segments = fastList(r, scratch, fastCount)
		case "automacao":
			u.Automations = fastList(r, scratch, fastCount)
		case "produtos_e_servicos":
			u.ProductsAndServices = fastList(r, scratch, fastCount)
		default:
			r.SkipUnknown(k, "nome", "total_lead", "origem", "segmento", "automacao", "produtos_e_servicos")
		}
	}
	// The wire decoder gives empty, never nil, breakdowns, also for a null
	// user.
	for _, p := range [...]*[]Count{&u.Origins, &u.Segments, &u.Automations, &u.ProductsAndServices} {
		if *p == nil {
			*p = []Count{}
		}
	}
}

func fastCount(r *jsonx.Reader, c *Count) {
	for k := range r.Fields() {
		switch string(k) {
		case "codigo":
			c.Code = r.ParseString()
		case "nome":
			c.Name = r.ParseString()
		case "quantidade":
			c.Quantity = int(r.ParseInt())
		default:
			r.SkipUnknown(k, "codigo", "nome", "quantidade")
		}
	}
}

// fastBuckets reads what object[wireErrorBuckets] accepts: an object, or
// null or an empty array for zeros. Anything else fails the Reader.
func fastBuckets(r *jsonx.Reader, e *ErrorBuckets) {
	if r.Peek() == '[' {
		if !isEmptyArray(r.Value()) {
			r.Fail()
		}
		return
	}
	for k := range r.Fields() {
		switch string(k) {
		case "com_erro":
			e.WithError = int(r.ParseInt())
		case "sem_agrupamento":
			e.Ungrouped = int(r.ParseInt())
		case "limite_de_contatos":
			e.ContactLimitExceeded = int(r.ParseInt())
		case "duplicados":
			e.Duplicates = int(r.ParseInt())
		default:
			r.SkipUnknown(k, "com_erro", "sem_agrupamento", "limite_de_contatos", "duplicados")
		}
	}
}
