package conventions

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// A violation is one broken rule: the rule's name and where.
type violation struct {
	rule, where string
}

func (v violation) String() string { return v.rule + ": " + v.where }

// pkg is a parsed package: its non-test files.
type pkg struct {
	name  string
	fset  *token.FileSet
	files []*ast.File
}

func parseDir(t *testing.T, dir string) *pkg {
	t.Helper()
	fset := token.NewFileSet()
	p := &pkg{fset: fset}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		p.name = f.Name.Name
		p.files = append(p.files, f)
	}
	return p
}

// internalImports returns the local names of the file's imports of
// internal packages.
func internalImports(f *ast.File) map[string]bool {
	out := map[string]bool{}
	for _, im := range f.Imports {
		path := strings.Trim(im.Path.Value, `"`)
		if !strings.Contains(path, "/internal/") {
			continue
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		out[name] = true
	}
	return out
}

// mentionsInternal reports whether the expression names a type of an
// internal package.
func mentionsInternal(e ast.Expr, internal map[string]bool) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

func recvName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func firstParamIsContext(ft *ast.FuncType) bool {
	if ft.Params == nil || len(ft.Params.List) == 0 {
		return false
	}
	sel, ok := ft.Params.List[0].Type.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Context"
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.StarExpr:
		return "*" + exprString(x.X)
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.IndexExpr:
		return exprString(x.X) + "[" + exprString(x.Index) + "]"
	case *ast.IndexListExpr:
		parts := make([]string, len(x.Indices))
		for i, ix := range x.Indices {
			parts[i] = exprString(ix)
		}
		return exprString(x.X) + "[" + strings.Join(parts, ", ") + "]"
	case *ast.Ellipsis:
		return "..." + exprString(x.Elt)
	}
	return fmt.Sprintf("%T", e)
}

// The common options every client package declares, and names that
// diverge from one concept's single name.
var (
	commonOptions = []string{"WithHTTPClient", "WithUserAgent", "WithLogger", "WithMaxRetries", "WithRetryWait", "WithMaxBodyBytes"}
	renamedOption = map[string]string{
		"WithLocation": "WithTimeZone", "WithTokenHeader": "WithAuthHeader", "WithAPIKeyHeader": "WithAuthHeader",
		"WithWebhookMaxBody": "WithHandlerMaxBytes",
	}
	sharedSentinels = []string{"ErrUnauthorized", "ErrNotFound", "ErrBadRequest", "ErrRateLimited"}
	errorFields     = map[string]string{"StatusCode": "int", "Code": "string", "Message": "string", "Response": "*leadkit.ResponseError"}
	// Client methods that are not calls of a resource (allowed flat).
	flatClientMethods = map[string]bool{"Token": true}
	// Verbs that say "make a new thing" other than Create.
	createSynonyms = []string{"Add", "Insert", "New", "Send"}
	sandboxMethods = []string{"Start", "Close", "Fail", "ClearFaults", "Requests", "Count", "Reset", "Config", "Credentials"}
)

// checkClient checks a client package.
func checkClient(p *pkg) []violation {
	var out []violation
	add := func(rule, format string, args ...any) {
		out = append(out, violation{rule, p.name + "." + fmt.Sprintf(format, args...)})
	}
	funcs := map[string]*ast.FuncDecl{}
	types := map[string]*ast.TypeSpec{}
	structs := map[string]bool{}
	vars := map[string]bool{}
	for _, f := range p.files {
		internal := internalImports(f)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				r := recvName(d)
				if r == "" {
					funcs[d.Name.Name] = d
				}
				if (r == "" || ast.IsExported(r)) && mentionsInternal(d.Type, internal) {
					add("no-internal-types", "%s: its signature names an internal type", d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						types[s.Name.Name] = s
						if _, ok := s.Type.(*ast.StructType); ok {
							structs[s.Name.Name] = true
						}
						if !s.Name.IsExported() {
							continue
						}
						if s.Assign.IsValid() && mentionsInternal(s.Type, internal) {
							add("no-internal-types", "%s is an alias of an internal type", s.Name.Name)
						} else if _, ok := s.Type.(*ast.StructType); !ok && mentionsInternal(s.Type, internal) {
							if _, isIface := s.Type.(*ast.InterfaceType); !isIface {
								add("no-internal-types", "%s is defined over an internal type", s.Name.Name)
							}
						}
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fl := range st.Fields.List {
								for _, n := range fl.Names {
									if n.IsExported() && mentionsInternal(fl.Type, internal) {
										add("no-internal-types", "%s.%s has an internal type", s.Name.Name, n.Name)
									}
								}
							}
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							vars[n.Name] = true
						}
					}
				}
			}
		}
	}
	// NewClient(<credentials>, opts ...Option) (*Client, error).
	if nc, ok := funcs["NewClient"]; !ok {
		add("new-client", "NewClient is missing")
	} else {
		res := nc.Type.Results
		if res == nil || len(res.List) != 2 || exprString(res.List[0].Type) != "*Client" || exprString(res.List[1].Type) != "error" {
			add("new-client", "NewClient must return (*Client, error)")
		}
		ps := nc.Type.Params.List
		if len(ps) == 0 || exprString(ps[len(ps)-1].Type) != "...Option" {
			add("new-client", "NewClient's last parameter must be opts ...Option")
		}
	}
	for _, o := range commonOptions {
		if _, ok := funcs[o]; !ok {
			add("common-options", "%s is missing", o)
		}
	}
	for old, want := range renamedOption {
		if _, ok := funcs[old]; ok {
			add("option-names", "%s: one name per concept is %s", old, want)
		}
	}
	for name, fd := range funcs {
		if !strings.HasPrefix(name, "With") || fd.Type.Params == nil {
			continue
		}
		for _, prm := range fd.Type.Params.List {
			if exprString(prm.Type) == "*time.Location" && name != "WithTimeZone" {
				add("option-names", "%s takes a *time.Location: name it WithTimeZone", name)
			}
		}
		if fd.Type.Results != nil && len(fd.Type.Results.List) == 1 && exprString(fd.Type.Results.List[0].Type) == "HandlerOption" && !strings.HasPrefix(name, "WithHandler") {
			add("option-names", "%s configures a handler: prefix it WithHandler", name)
		}
	}
	// The vendor's *Error.
	if ts, ok := types["Error"]; !ok {
		add("error-type", "Error is missing")
	} else if st, ok := ts.Type.(*ast.StructType); ok {
		have := map[string]string{}
		for _, fl := range st.Fields.List {
			for _, n := range fl.Names {
				have[n.Name] = exprString(fl.Type)
			}
		}
		for f, typ := range errorFields {
			if have[f] != typ {
				add("error-fields", "Error.%s must be %s, is %q", f, typ, have[f])
			}
		}
	}
	for _, s := range sharedSentinels {
		if !vars[s] {
			add("sentinels", "%s is missing", s)
		}
	}
	// Methods: layout, verbs, iterators, inputs by pointer.
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || fd.Recv == nil {
				continue
			}
			recv, name := recvName(fd), fd.Name.Name
			isCall := firstParamIsContext(fd.Type)
			if recv == "Client" && isCall && !flatClientMethods[name] {
				add("resource-services", "Client.%s: calls live on a resource service (c.Leads.%s)", name, name)
			}
			if !strings.HasSuffix(recv, "Service") && recv != "Client" || !isCall {
				continue
			}
			for _, syn := range createSynonyms {
				if strings.HasPrefix(name, syn) && name != "Send" {
					add("verbs", "%s.%s: the verb for a new thing is Create", recv, name)
				}
			}
			if name == "Info" || strings.HasPrefix(name, "Info") {
				add("verbs", "%s.%s: one item is Get", recv, name)
			}
			returnsSeq := false
			if fd.Type.Results != nil {
				for _, r := range fd.Type.Results.List {
					if strings.Contains(exprString(r.Type), "Seq2") {
						returnsSeq = true
					}
				}
			}
			if returnsSeq != strings.HasPrefix(name, "All") {
				add("iterators", "%s.%s: iterators are named All… and All… are iterators", recv, name)
			}
			for _, prm := range fd.Type.Params.List[1:] {
				if id, ok := prm.Type.(*ast.Ident); ok && structs[id.Name] {
					add("inputs-by-pointer", "%s.%s takes %s by value", recv, name, id.Name)
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// checkSandbox checks a <vendor>test package.
// maxSandboxFuncLines bounds a sandbox function's length, so that a reader
// finds an endpoint by its route and reads it whole (issue 27).
const maxSandboxFuncLines = 60

func checkSandbox(p *pkg) []violation {
	var out []violation
	methods := map[string]bool{}
	for _, f := range p.files {
		internal := internalImports(f)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if recvName(d) == "Server" {
					methods[d.Name.Name] = true
				}
				if d.Body != nil {
					if n := p.fset.Position(d.End()).Line - p.fset.Position(d.Pos()).Line; n > maxSandboxFuncLines {
						out = append(out, violation{"short-functions", fmt.Sprintf("%s.%s is %d lines (at most %d: one handler per operation)", p.name, d.Name.Name, n, maxSandboxFuncLines)})
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() && mentionsInternal(ts.Type, internal) {
						out = append(out, violation{"no-internal-types", p.name + "." + ts.Name.Name + " names an internal type"})
					}
				}
			}
		}
	}
	for _, m := range sandboxMethods {
		if !methods[m] {
			out = append(out, violation{"sandbox-methods", p.name + ".Server." + m + " is not declared (go doc would not show it)"})
		}
	}
	for _, m := range []string{"Token", "APIKey"} {
		if methods[m] {
			out = append(out, violation{"sandbox-methods", p.name + ".Server." + m + ": credentials come from Credentials()"})
		}
	}
	return out
}

// notMoney lists the float fields of exported types that are not money
// (package.Type.Field): coordinates, a rate, a priority. Any other float in
// an exported type fails the money rule: amounts are exact (integer minor
// units, datacake.Amount), never float64.
var notMoney = map[string]bool{
	"datacake.Address.Latitude": true, "datacake.Address.Longitude": true,
	"zenvia.Lead.Priority": true, "zenvia.LeadData.Priority": true,
	"zenvia.CSAT.Result": true, "zenviatest.Rating.Result": true, // a satisfaction score
	"zenvia.OrderItem.Quantity": true, "zenvia.QuoteItem.Quantity": true, "zenvia.OrderProduct.Inventory": true, // counts of goods
	"leadkittest.Config.FailRate": true, "zentest.Options.FailRate": true, "salesmantest.Options.FailRate": true,
	"weclevertest.Options.FailRate": true, "zenviatest.Options.FailRate": true, "datacaketest.Options.FailRate": true,
	// the shares of the sandboxes' intake knobs (issue 26)
	"weclevertest.Finalizing.LateRate": true, "zenviatest.Options.RedeliverRate": true,
	"salesmantest.Arrivals.Rate": true, "zentest.Arrivals.Rate": true, "zentest.Arrivals.Backdated": true,
}

// checkMoney reports every float in an exported type of p (a struct field,
// or the type itself) that notMoney does not list.
func checkMoney(p *pkg) []violation {
	var out []violation
	for _, f := range p.files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				if !ts.Name.IsExported() {
					continue
				}
				name := p.name + "." + ts.Name.Name
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					if hasFloat(ts.Type) && !notMoney[name] {
						out = append(out, violation{"money", name + " is a float: money is exact (integer minor units)"})
					}
					continue
				}
				for _, fl := range st.Fields.List {
					for _, n := range fl.Names {
						if n.IsExported() && hasFloat(fl.Type) && !notMoney[name+"."+n.Name] {
							out = append(out, violation{"money", name + "." + n.Name + " is a float: money is exact (integer minor units); list it in notMoney if it is not money"})
						}
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// hasFloat reports whether the type expression holds float32 or float64
// (also in a pointer, slice, array, map or inline struct).
func hasFloat(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && (id.Name == "float64" || id.Name == "float32") {
			found = true
		}
		return !found
	})
	return found
}

// TestNoFloatMoney: no exported type of the module (nor of the relay
// module) holds an amount as a float.
func TestNoFloatMoney(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		switch d.Name() {
		case "internal", "testdata", "examples", ".git":
			return filepath.SkipDir
		}
		for _, viol := range checkMoney(parseDir(t, path)) {
			t.Error(viol)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkServiceLists checks the method lists in the doc comments of the
// Client's fields ("Leads holds the lead APIs: Totals, ByUser, ..."): a list
// must name every exported method of the field's service and nothing else,
// so that go doc never hides a method (zen's omitted Find).
func checkServiceLists(p *pkg) []violation {
	var out []violation
	methods := map[string]map[string]bool{} // receiver type -> exported methods
	var client *ast.StructType
	for _, f := range p.files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if r := recvName(d); r != "" && d.Name.IsExported() {
					if methods[r] == nil {
						methods[r] = map[string]bool{}
					}
					methods[r][d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name == "Client" {
						client, _ = ts.Type.(*ast.StructType)
					}
				}
			}
		}
	}
	if client == nil {
		return nil
	}
	for _, fl := range client.Fields.List {
		if fl.Doc == nil || len(fl.Names) != 1 || !fl.Names[0].IsExported() {
			continue
		}
		listed := listedNames(fl.Doc.Text())
		if len(listed) < 2 {
			continue // no list of methods
		}
		svc := strings.TrimPrefix(exprString(fl.Type), "*")
		have := methods[svc]
		field := p.name + ".Client." + fl.Names[0].Name
		for _, n := range listed {
			if !have[n] {
				out = append(out, violation{"service-lists", fmt.Sprintf("%s's doc lists %s, which %s does not have", field, n, svc)})
			}
		}
		for m := range have {
			if !slices.Contains(listed, m) {
				out = append(out, violation{"service-lists", fmt.Sprintf("%s's doc lists the methods of %s but omits %s", field, svc, m)})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// listedNames returns the capitalised words of the list after the last
// colon of a doc comment ("...: Totals, ByUser and Send." gives the three).
func listedNames(doc string) []string {
	i := strings.LastIndex(doc, ":")
	if i < 0 {
		return nil
	}
	var out []string
	for _, w := range strings.FieldsFunc(doc[i+1:], func(r rune) bool { return r == ',' || r == '.' || unicode.IsSpace(r) }) {
		if w != "and" && w != "" && unicode.IsUpper([]rune(w)[0]) {
			out = append(out, w)
		}
	}
	return out
}

// TestConventions: the five client packages and their sandboxes follow
// docs/conventions.md.
func TestConventions(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"zen", "salesman", "weclever", "zenvia", "datacake"} {
		for _, viol := range checkClient(parseDir(t, filepath.Join("..", "..", v))) {
			t.Error(viol)
		}
		for _, viol := range checkServiceLists(parseDir(t, filepath.Join("..", "..", v))) {
			t.Error(viol)
		}
		for _, viol := range checkSandbox(parseDir(t, filepath.Join("..", "..", v, v+"test"))) {
			t.Error(viol)
		}
		if !hasExample(t, filepath.Join("..", "..", v, v+"test")) {
			t.Errorf("sandbox-example: %stest has no runnable Example", v)
		}
	}
}

// hasExample reports whether a _test.go file of dir declares an Example
// function with an Output comment (so go test runs it).
func hasExample(t *testing.T, dir string) bool {
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\nfunc Example") && strings.Contains(string(b), "// Output:") {
			return true
		}
	}
	return false
}

// TestConventionsCatchDrift runs the checker on a deliberately bad package
// (testdata/bad and testdata/badtest, one divergence of each kind the
// convention was written against) and requires each to be caught.
func TestConventionsCatchDrift(t *testing.T) {
	t.Parallel()
	got := map[string][]string{}
	for _, v := range checkClient(parseDir(t, filepath.Join("testdata", "bad"))) {
		got[v.rule] = append(got[v.rule], v.where)
	}
	for _, v := range checkSandbox(parseDir(t, filepath.Join("testdata", "badtest"))) {
		got[v.rule] = append(got[v.rule], v.where)
	}
	for _, v := range checkServiceLists(parseDir(t, filepath.Join("testdata", "bad"))) {
		got[v.rule] = append(got[v.rule], v.where)
	}
	for _, v := range checkMoney(parseDir(t, filepath.Join("testdata", "bad"))) {
		got[v.rule] = append(got[v.rule], v.where)
	}
	for rule, want := range map[string][]string{
		"new-client":        {"bad.NewClient must return (*Client, error)"},
		"common-options":    {"bad.WithMaxBodyBytes is missing"},
		"option-names":      {"bad.WithLocation: one name per concept is WithTimeZone", "bad.WithTokenHeader: one name per concept is WithAuthHeader", "bad.WithWebhookMaxBody: one name per concept is WithHandlerMaxBytes"},
		"error-fields":      {`bad.Error.Code must be string, is "int"`, `bad.Error.Message must be string, is ""`, `bad.Error.Response must be *leadkit.ResponseError, is ""`},
		"sentinels":         {"bad.ErrBadRequest is missing", "bad.ErrUnauthorized is missing"},
		"resource-services": {"bad.Client.SendLead: calls live on a resource service (c.Leads.SendLead)"},
		"verbs":             {"bad.LeadsService.Add: the verb for a new thing is Create", "bad.LeadsService.Info: one item is Get"},
		"iterators":         {"bad.LeadsService.Every: iterators are named All… and All… are iterators"},
		"inputs-by-pointer": {"bad.LeadsService.Add takes NewLead by value"},
		"no-internal-types": {"bad.Option is an alias of an internal type", "badtest.Fault names an internal type"},
		"sandbox-methods":   {"badtest.Server.Token: credentials come from Credentials()"},
		"short-functions":   {"badtest.serve is 6"},
		"service-lists":     {"bad.Client.Leads's doc lists Stat, which LeadsService does not have", "bad.Client.Leads's doc lists the methods of LeadsService but omits Every"},
		"money":             {"bad.Invoice.Amount is a float", "bad.Invoice.Fees is a float", "bad.Price is a float"},
	} {
		for _, w := range want {
			found := false
			for _, g := range got[rule] {
				found = found || strings.HasPrefix(g, w)
			}
			if !found {
				t.Errorf("rule %s did not catch %q; it reported %q", rule, w, got[rule])
			}
		}
	}
}
