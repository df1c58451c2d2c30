package datacake_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

// Look a customer up by CPF and list the products, against the sandbox.
func Example() {
	srv := datacaketest.NewServer(nil)
	defer srv.Close()
	c, err := datacake.NewClient(srv.URL, datacaketest.DefaultToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	cu, err := c.Customers.Get(ctx, "529.982.247-25")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cu.ID, cu.Name, cu.City)
	ps, err := c.Catalogues.Products(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %s %s\n", ps[1].ID, ps[1].Name, ps[1].Price)
	// Output:
	// 1001 Maria Aparecida da Silva São Paulo
	// 102: Fibra 300 Mega R$ 99,90
}

// Create a prospect, attach a document and read its status.
func ExampleProspectsService_Create() {
	srv := datacaketest.NewServer(nil)
	defer srv.Close()
	c, _ := datacake.NewClient(srv.URL, datacaketest.DefaultToken)
	ctx := context.Background()
	st, err := c.Prospects.Create(ctx, &datacake.Prospect{
		Name: "João Pereira Lima", Document: "111.444.777-35", ProductIDs: []string{"102"},
		DueDateID: "2", OriginID: "1",
	})
	if errors.Is(err, leadkit.ErrOutcomeUnknown) {
		fmt.Println("may have been created: look it up before sending again")
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	if _, err := c.Prospects.UploadFiles(ctx, st.ProspectID, datacake.File{Name: "rg.pdf", Data: pdf}); err != nil {
		fmt.Println(err)
		return
	}
	now, _ := c.Prospects.Status(ctx, st.ProspectID)
	fmt.Println(now.ProspectID, now.Status, now.Name)
	// Output: 5001 1 Inicial
}

// Validate the documents the contract looks customers up by.
func ExampleValidateDocument() {
	for _, doc := range []string{"529.982.247-25", "11.222.333/0001-81", "12.ABC.345/01DE-35", "529.982.247-26"} {
		fmt.Println(doc, datacake.KindOf(doc), datacake.ValidateDocument(doc) == nil)
	}
	// Output:
	// 529.982.247-25 CPF true
	// 11.222.333/0001-81 CNPJ true
	// 12.ABC.345/01DE-35 CNPJ true
	// 529.982.247-26 CPF false
}

// Serve your ERP to Datacake: implement datacake.ERP and mount the handler.
func ExampleNewHandler() {
	erp := datacaketest.NewMemoryERP(1, 0) // your implementation of datacake.ERP
	srv := &http.Server{
		Addr:              "127.0.0.1:0",
		Handler:           datacake.NewHandler(erp, "a-long-random-token"),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	_ = srv // srv.ListenAndServe()
	fmt.Println(datacake.DefaultRoutes().Customer)
	// Output: /cliente
}
