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
	var scratch []Count // one buffer for every breakdown, copied out to its exact size
	t := Totals{Users: []UserTotals{}}
	if !r.Object() {
		return Totals{}, false
	}
	for first := true; ; first = false {
		k, ok := r.Key(first)
		if !ok {
			break
		}
		switch string(k) {
		case "data":
			t.Date = fastString(r)
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

func fastString(r *jsonx.Reader) string {
	s, err := jsonx.ParseString(r.Value())
	if err != nil {
		r.Fail()
	}
	return s
}

func fastInt(r *jsonx.Reader) int {
	n, err := jsonx.ParseInt(r.Value())
	if err != nil {
		r.Fail()
	}
	return int(n)
}

// fastList reads what list[T] accepts, except PHP's keyed object (which
// fails the Reader): an array, or null or a string for an empty list. The
// result is never nil. elem decodes one element (null included) into its
// argument. With a scratch buffer the elements are gathered there and
// copied into a slice of their exact number (one allocation per list).
func fastList[T any](r *jsonx.Reader, scratch *[]T, elem func(*jsonx.Reader, *T)) []T {
	var out []T
	if scratch != nil {
		out = (*scratch)[:0]
	}
	switch r.Peek() {
	case 'n', '"':
		r.Skip()
		return []T{}
	case '[':
	default:
		r.Fail()
		return []T{}
	}
	r.Array()
	for first := true; r.More(first); first = false {
		var zero T
		out = append(out, zero)
		elem(r, &out[len(out)-1]) // in place: a local would escape through elem
	}
	if scratch != nil {
		*scratch = out
		return append(make([]T, 0, len(out)), out...)
	}
	if out == nil {
		out = []T{}
	}
	return out
}

func fastUser(r *jsonx.Reader, u *UserTotals, scratch *[]Count) {
	fastUserFields(r, u, scratch)
	// The wire decoder gives empty, never nil, breakdowns, also for a null
	// user.
	for _, p := range [...]*[]Count{&u.Origins, &u.Segments, &u.Automations, &u.ProductsAndServices} {
		if *p == nil {
			*p = []Count{}
		}
	}
}

func fastUserFields(r *jsonx.Reader, u *UserTotals, scratch *[]Count) {
	if r.Null() || !r.Object() {
		return
	}
	for first := true; ; first = false {
		k, ok := r.Key(first)
		if !ok {
			break
		}
		switch string(k) {
		case "nome":
			u.Name = fastString(r)
		case "total_lead":
			u.TotalLeads = fastInt(r)
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
}

func fastCount(r *jsonx.Reader, c *Count) {
	if r.Null() || !r.Object() {
		return
	}
	for first := true; ; first = false {
		k, ok := r.Key(first)
		if !ok {
			break
		}
		switch string(k) {
		case "codigo":
			c.Code = fastString(r)
		case "nome":
			c.Name = fastString(r)
		case "quantidade":
			c.Quantity = fastInt(r)
		default:
			r.SkipUnknown(k, "codigo", "nome", "quantidade")
		}
	}
}

// fastBuckets reads what object[wireErrorBuckets] accepts: an object, or
// null or an empty array for zeros. Anything else fails the Reader.
func fastBuckets(r *jsonx.Reader, e *ErrorBuckets) {
	switch r.Peek() {
	case 'n':
		r.Skip()
		return
	case '[':
		if !isEmptyArray(r.Value()) {
			r.Fail()
		}
		return
	case '{':
	default:
		r.Fail()
		return
	}
	r.Object()
	for first := true; ; first = false {
		k, ok := r.Key(first)
		if !ok {
			break
		}
		switch string(k) {
		case "com_erro":
			e.WithError = fastInt(r)
		case "sem_agrupamento":
			e.Ungrouped = fastInt(r)
		case "limite_de_contatos":
			e.ContactLimitExceeded = fastInt(r)
		case "duplicados":
			e.Duplicates = fastInt(r)
		default:
			r.SkipUnknown(k, "com_erro", "sem_agrupamento", "limite_de_contatos", "duplicados")
		}
	}
}
