package datacaketest_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
)

// A test of your own code against the Datacake sandbox ERP, answering in
// the current revision of the contract.
func ExampleNewServer() {
	sb := datacaketest.NewServer(&datacaketest.Options{Seed: 1, Revision: datacake.RevisionCurrent})
	defer sb.Close()
	cr := sb.Credentials()
	c, err := datacake.NewClient(cr["DATACAKE_URL"], cr["DATACAKE_TOKEN"])
	if err != nil {
		panic(err)
	}
	cu, err := c.Customers.Get(context.Background(), datacaketest.ExampleCPF)
	if err != nil {
		panic(err)
	}
	inv, err := c.Customers.OpenInvoices(context.Background(), &datacake.InvoiceQuery{Document: cu.Document, ContractID: cu.ContractID})
	fmt.Println(cu.Name, cu.ContractID, err, len(inv) >= 0, sb.Count(http.MethodGet, "/faturas"))
	// Output: Maria Aparecida da Silva 70001 <nil> true 1
}
