package datacake

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/leadkit/leadkit"
)

// Routes is the route table of the contract: one path per operation,
// relative to the ERP's base URL. The contract names no paths (each ERP
// chooses its own), so the package uses DefaultRoutes unless told
// otherwise. A path may hold one "{id}" segment, replaced by the prospect
// id; in a path without it the id travels as the parameter "id_prospecto".
// An empty field keeps the default.
type Routes struct {
	Customer          string // GET, parameter cnpj_cpf: "Pegar infos de clientes"
	Installations     string // GET, parameter id_cliente: the installations of "Pegar boletos abertos/faturas"
	OpenInvoices      string // GET, parameter id_cliente, or document and id_contrato: "Pegar boletos abertos/faturas"
	Products          string // GET: "Pegar todos os produtos"
	Resellers         string // GET: "Pegar todos os revendedores"
	Employees         string // GET: "Pegar todos os funcionários"
	DueDates          string // GET: "Pegar todos os vencimentos"
	CommercialOrigins string // GET: "Pegar as origens comerciáis"
	Cities            string // GET: "Pegar todas as cidades"
	ProspectStatuses  string // GET: "Pegar todos os status de prospectos"
	CreateProspect    string // POST: "Criar prospectos"
	UpdateProspect    string // PUT: "Edição do prospecto"
	UploadFiles       string // POST: "Envio de arquivos"
	ProspectStatus    string // GET: "Status do Prospecto"
	FiscalNotes       string // GET, parameters as OpenInvoices: "Pegar notas fiscais" (current revision)
	Statements        string // GET, parameters as OpenInvoices: "extratos financeiros" (current revision)
}

// DefaultRoutes returns the route table used when none is given:
//
//	GET  /cliente                    ?cnpj_cpf=
//	GET  /instalacoes                ?id_cliente=
//	GET  /faturas                    ?id_cliente=  (or ?document=&id_contrato=)
//	GET  /produtos
//	GET  /revendedores
//	GET  /funcionarios
//	GET  /vencimentos
//	GET  /origens
//	GET  /cidades
//	GET  /status-prospecto
//	POST /prospectos
//	PUT  /prospectos/{id}
//	POST /prospectos/{id}/arquivos
//	GET  /prospectos/{id}/status
//	GET  /notas-fiscais              as /faturas
//	GET  /extratos-financeiros       as /faturas
func DefaultRoutes() Routes {
	return Routes{
		Customer:          "/cliente",
		Installations:     "/instalacoes",
		OpenInvoices:      "/faturas",
		Products:          "/produtos",
		Resellers:         "/revendedores",
		Employees:         "/funcionarios",
		DueDates:          "/vencimentos",
		CommercialOrigins: "/origens",
		Cities:            "/cidades",
		ProspectStatuses:  "/status-prospecto",
		CreateProspect:    "/prospectos",
		UpdateProspect:    "/prospectos/{id}",
		UploadFiles:       "/prospectos/{id}/arquivos",
		ProspectStatus:    "/prospectos/{id}/status",
		FiscalNotes:       "/notas-fiscais",
		Statements:        "/extratos-financeiros",
	}
}

// op identifies an operation of the contract.
type op int

const (
	opCustomer op = iota
	opInstallations
	opOpenInvoices
	opProducts
	opResellers
	opEmployees
	opDueDates
	opOrigins
	opCities
	opProspectStatuses
	opCreateProspect
	opUpdateProspect
	opUploadFiles
	opProspectStatus
	opFiscalNotes
	opStatements
	numOps
)

var opNames = [numOps]string{"Customer", "Installations", "OpenInvoices", "Products", "Resellers",
	"Employees", "DueDates", "CommercialOrigins", "Cities", "ProspectStatuses", "CreateProspect",
	"UpdateProspect", "UploadFiles", "ProspectStatus", "FiscalNotes", "Statements"}

func (o op) method() string {
	switch o {
	case opCreateProspect, opUploadFiles:
		return http.MethodPost
	case opUpdateProspect:
		return http.MethodPut
	}
	return http.MethodGet
}

func (r *Routes) paths() [numOps]*string {
	return [numOps]*string{&r.Customer, &r.Installations, &r.OpenInvoices, &r.Products, &r.Resellers,
		&r.Employees, &r.DueDates, &r.CommercialOrigins, &r.Cities, &r.ProspectStatuses,
		&r.CreateProspect, &r.UpdateProspect, &r.UploadFiles, &r.ProspectStatus, &r.FiscalNotes, &r.Statements}
}

// route is a parsed path: its decoded segments and the index of "{id}"
// (-1 when it has none).
type route struct {
	segs []string
	id   int
}

// routeTable is a validated, parsed Routes.
type routeTable [numOps]route

// compileRoutes merges r over the defaults and parses every path.
func compileRoutes(r *Routes) (routeTable, error) {
	merged := DefaultRoutes()
	if r != nil {
		dst := merged.paths()
		for i, p := range r.paths() {
			if *p != "" {
				*dst[i] = *p
			}
		}
	}
	var t routeTable
	for i, p := range merged.paths() {
		rt, err := parseRoute(*p)
		if err != nil {
			return t, leadkit.Invalid("Routes."+opNames[i], "%s", err.(*leadkit.InputError).Reason)
		}
		t[i] = rt
	}
	// Two operations of the same method on the same path cannot be told apart.
	for i := range t {
		for j := i + 1; j < len(t); j++ {
			if op(i).method() == op(j).method() && sameShape(t[i], t[j]) {
				return t, leadkit.Invalid("Routes."+opNames[j], "has the same method and path as %s", opNames[i])
			}
		}
	}
	return t, nil
}

func sameShape(a, b route) bool {
	if len(a.segs) != len(b.segs) || a.id != b.id {
		return false
	}
	for k := range a.segs {
		if k != a.id && a.segs[k] != b.segs[k] {
			return false
		}
	}
	return true
}

func parseRoute(p string) (route, error) {
	if !strings.HasPrefix(p, "/") {
		return route{}, leadkit.Invalid("route", "must start with /, got %q", p)
	}
	if strings.ContainsAny(p, "?#") {
		return route{}, leadkit.Invalid("route", "must not hold a query or fragment")
	}
	rt := route{id: -1}
	for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
		if s == "" {
			if p == "/" {
				break
			}
			return route{}, leadkit.Invalid("route", "has an empty segment: %q", p)
		}
		if s == "{id}" {
			if rt.id >= 0 {
				return route{}, leadkit.Invalid("route", "has more than one {id}")
			}
			rt.id = len(rt.segs)
			rt.segs = append(rt.segs, s)
			continue
		}
		dec, err := url.PathUnescape(s)
		if err != nil || dec == "." || dec == ".." || strings.ContainsAny(dec, "{}") {
			return route{}, leadkit.Invalid("route", "has an invalid segment %q", s)
		}
		rt.segs = append(rt.segs, dec)
	}
	return rt, nil
}

// path returns the segments of r with id in place of "{id}".
func (r route) path(id string) []string {
	out := make([]string, len(r.segs))
	copy(out, r.segs)
	if r.id >= 0 {
		out[r.id] = id
	}
	return out
}
