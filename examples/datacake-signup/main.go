// Command datacake-signup runs the sign-up flow a Datacake front end runs
// against an ERP: look a customer up by CPF, pick a product, a due date and
// a commercial origin, create the prospect, upload a document and read the
// prospect's status.
//
//	go run ./examples/datacake-signup                  # against an in-process sandbox
//	DATACAKE_URL=https://erp.example.com.br/api DATACAKE_TOKEN=... go run ./examples/datacake-signup -cpf 529.982.247-25
//
// Output is a table, or JSON with -json. Exit codes: 0 ok, 1 API error,
// 2 bad usage.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/internal/cli"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// result is what the flow did, for -json.
type result struct {
	Customer  *datacake.Customer        `json:"customer,omitempty"`
	NewClient bool                      `json:"new_customer"`
	Product   datacake.Product          `json:"product"`
	DueDate   datacake.DueDate          `json:"due_date"`
	Origin    datacake.CommercialOrigin `json:"origin"`
	Created   *datacake.Status          `json:"created"`
	Uploaded  []string                  `json:"uploaded"`
	Status    *datacake.Status          `json:"status"`
}

func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("datacake-signup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cli.Help{
		What: "Runs the sign-up flow a Datacake front end runs against an ERP: customer, product, prospect, upload, status.",
		Env: []cli.Var{
			{Name: "DATACAKE_URL", About: "the ERP's base URL for the contract (https://erp.example.com.br/api)"},
			{Name: "DATACAKE_TOKEN", About: "the token the ERP expects (Authorization: Bearer)"},
		},
		Sandbox: []string{
			"With neither set, it starts the embedded Datacake ERP sandbox and signs a customer up there.",
			"Against the QA sandbox (go run ./examples/sandbox), paste the export lines it prints.",
			"Against examples/datacake-erp, use the URL and token it prints.",
		},
		Examples: []string{"go run ./examples/datacake-signup -cpf 529.982.247-25 -json"},
	}.Use(fs)
	cpf := fs.String("cpf", datacaketest.ExampleCPF, "CPF or CNPJ of the customer")
	name := fs.String("name", "", "name of a new customer (when the ERP does not know the CPF)")
	product := fs.String("product", "", "id_servico of the product (default: the first)")
	due := fs.String("due", "", "id_vencimento of the due date (default: the first)")
	origin := fs.String("origin", "", "id_origem of the commercial origin (default: the first)")
	file := fs.String("file", "", "document to upload: JPEG, PNG, GIF or PDF (default: a small generated PDF)")
	asJSON := fs.Bool("json", false, "print JSON")
	if ok, code := cli.Parse(fs, args); !ok {
		return code
	}
	if err := datacake.ValidateDocument(*cpf); err != nil {
		fmt.Fprintf(stderr, "datacake-signup: -cpf: %v\n", err)
		return 2
	}
	doc := datacake.File{Name: "documento.pdf", Data: []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")}
	if *file != "" {
		f, err := os.Open(*file)
		if err != nil {
			fmt.Fprintf(stderr, "datacake-signup: -file: %v\n", err)
			return 2
		}
		defer f.Close()
		// The type is told from the first bytes: a file the contract does not
		// take is refused here, before the prospect is created.
		head := make([]byte, 512)
		n, err := io.ReadFull(f, head)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			fmt.Fprintf(stderr, "datacake-signup: -file: %v\n", err)
			return 2
		}
		if _, err := datacake.SniffContentType(head[:n]); err != nil {
			fmt.Fprintf(stderr, "datacake-signup: -file: %v\n", err)
			return 2
		}
		doc = datacake.File{Name: baseName(*file), Reader: io.MultiReader(bytes.NewReader(head[:n]), f)} // encoded as it is read
	}

	vars, err := cli.AllOrNone(env, "DATACAKE_URL", "DATACAKE_TOKEN")
	if err != nil {
		fmt.Fprintf(stderr, "datacake-signup: %v\n", err)
		return 2
	}
	baseURL, token := vars[0], vars[1]
	if baseURL == "" {
		srv := datacaketest.NewServer(&datacaketest.Options{Tidy: true})
		defer srv.Close()
		baseURL, token = srv.URL, srv.Credentials()["DATACAKE_TOKEN"]
		cli.SandboxNotice(stderr, "datacake-signup", srv.URL, "DATACAKE_URL", "DATACAKE_TOKEN")
	}
	c, err := datacake.NewClient(baseURL, token)
	if err != nil {
		fmt.Fprintf(stderr, "datacake-signup: %v\n", err)
		return 2
	}
	res, err := signUp(ctx, c, *cpf, *name, *product, *due, *origin, doc)
	if err != nil {
		fmt.Fprintf(stderr, "datacake-signup: %v\n", err)
		return 1
	}
	if *asJSON {
		_ = cli.PrintJSON(stdout, res.json())
		return 0
	}
	printTable(stdout, res)
	return 0
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func signUp(ctx context.Context, c *datacake.Client, cpf, name, productID, dueID, originID string, doc datacake.File) (*result, error) {
	res := &result{}
	cu, err := c.Customers.Get(ctx, cpf)
	switch {
	case errors.Is(err, datacake.ErrNotFound):
		if name == "" {
			return nil, fmt.Errorf("customer %s not found; pass -name to sign up a new customer", cpf)
		}
		res.NewClient = true
	case err != nil:
		return nil, fmt.Errorf("customer lookup: %w", err)
	default:
		res.Customer = cu
	}
	products, err := c.Catalogues.Products(ctx)
	if err != nil {
		return nil, fmt.Errorf("products: %w", err)
	}
	if res.Product, err = pick(products, productID, func(p datacake.Product) string { return p.ID }, "product"); err != nil {
		return nil, err
	}
	dues, err := c.Catalogues.DueDates(ctx)
	if err != nil {
		return nil, fmt.Errorf("due dates: %w", err)
	}
	if res.DueDate, err = pick(dues, dueID, func(d datacake.DueDate) string { return d.ID }, "due date"); err != nil {
		return nil, err
	}
	origins, err := c.Catalogues.CommercialOrigins(ctx)
	if err != nil {
		return nil, fmt.Errorf("commercial origins: %w", err)
	}
	if res.Origin, err = pick(origins, originID, func(o datacake.CommercialOrigin) string { return o.ID }, "origin"); err != nil {
		return nil, err
	}

	p := &datacake.Prospect{Name: name, Document: cpf}
	if cu != nil {
		p = &datacake.Prospect{
			CustomerID: cu.ID, Name: cu.Name, TradeName: cu.TradeName, PersonType: cu.PersonType,
			Document: cu.Document, Sex: cu.Sex, Address: cu.Address, Phone: cu.Phone,
			MobilePhone: cu.MobilePhone, WhatsApp: cu.WhatsApp, Email: cu.Email,
		}
	}
	p.ProductIDs = []string{res.Product.ID}
	p.DueDateID, p.OriginID = res.DueDate.ID, res.Origin.ID
	if res.Created, err = c.Prospects.Create(ctx, p); err != nil {
		return nil, fmt.Errorf("create prospect: %w", err)
	}
	id := res.Created.ProspectID
	if id == "" {
		return nil, errors.New("create prospect: the ERP answered no id_prospecto")
	}
	if _, err := c.Prospects.UploadFiles(ctx, id, doc); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	res.Uploaded = []string{doc.Name}
	if res.Status, err = c.Prospects.Status(ctx, id); err != nil {
		return nil, fmt.Errorf("prospect status: %w", err)
	}
	return res, nil
}

func pick[T any](xs []T, id string, idOf func(T) string, what string) (T, error) {
	var zero T
	if len(xs) == 0 {
		return zero, fmt.Errorf("the ERP lists no %s", what)
	}
	if id == "" {
		return xs[0], nil
	}
	for _, x := range xs {
		if idOf(x) == id {
			return x, nil
		}
	}
	return zero, fmt.Errorf("no %s with id %q", what, id)
}

// jsonResult is the -json shape: snake_case English keys, as every
// example's -json.
type jsonResult struct {
	Customer    *jsonCustomer `json:"customer,omitempty"`
	NewCustomer bool          `json:"new_customer"`
	Product     jsonItem      `json:"product"`
	DueDate     jsonItem      `json:"due_date"`
	Origin      jsonItem      `json:"origin"`
	ProspectID  string        `json:"prospect_id"`
	Uploaded    []string      `json:"uploaded"`
	Status      string        `json:"status"`
	StatusName  string        `json:"status_name,omitempty"`
}

type jsonCustomer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Document string `json:"document"`
	City     string `json:"city"`
	State    string `json:"state"`
}

type jsonItem struct {
	ID    string           `json:"id"`
	Name  string           `json:"name"`
	Price *datacake.Amount `json:"price_brl,omitempty"` // "79.90"
}

func (r *result) json() jsonResult {
	out := jsonResult{NewCustomer: r.NewClient, Uploaded: r.Uploaded,
		Product: jsonItem{ID: r.Product.ID, Name: r.Product.Name, Price: &r.Product.Price},
		DueDate: jsonItem{ID: r.DueDate.ID, Name: "day " + r.DueDate.Date},
		Origin:  jsonItem{ID: r.Origin.ID, Name: r.Origin.Name},
	}
	if c := r.Customer; c != nil {
		out.Customer = &jsonCustomer{ID: c.ID, Name: c.Name, Document: c.Document, City: c.City, State: c.State}
	}
	if r.Created != nil {
		out.ProspectID = r.Created.ProspectID
	}
	if r.Status != nil {
		out.Status, out.StatusName = r.Status.Status, r.Status.Name
	}
	return out
}

func printTable(w io.Writer, r *result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if r.Customer != nil {
		fmt.Fprintf(tw, "customer\t%s\t%s\t%s, %s-%s\n", r.Customer.ID, r.Customer.Name, r.Customer.Document, r.Customer.City, r.Customer.State)
	} else {
		fmt.Fprintf(tw, "customer\t-\tnew customer\t\n")
	}
	fmt.Fprintf(tw, "product\t%s\t%s\t%s\n", r.Product.ID, r.Product.Name, r.Product.Price)
	fmt.Fprintf(tw, "due date\t%s\tday %s\t\n", r.DueDate.ID, r.DueDate.Date)
	fmt.Fprintf(tw, "origin\t%s\t%s\t\n", r.Origin.ID, r.Origin.Name)
	fmt.Fprintf(tw, "prospect\t%s\tcreated, status %s\t\n", r.Created.ProspectID, r.Created.Status)
	fmt.Fprintf(tw, "upload\t%s\t%s\t\n", r.Created.ProspectID, strings.Join(r.Uploaded, ", "))
	fmt.Fprintf(tw, "status\t%s\t%s\t%s\n", r.Status.ProspectID, r.Status.Status, r.Status.Name)
	tw.Flush()
}
