package faulttest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/leadkit/leadkit/datacake"
	"github.com/leadkit/leadkit/datacake/datacaketest"
	"github.com/leadkit/leadkit/zenvia"
	"github.com/leadkit/leadkit/zenvia/zenviatest"
)

// route matches method and a path of the given segments, where "*" matches
// any one segment.
func route(method string, segs ...string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if r.Method != method {
			return false
		}
		got := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
		if len(got) != len(segs) {
			return false
		}
		for i, s := range segs {
			if s != "*" && s != got[i] {
				return false
			}
		}
		return true
	}
}

// pool hands out one value per call, for operations that consume what they
// act on (a deleted prospect, a removed subscription).
type pool struct {
	vals []string
	next atomic.Int64
}

func (p *pool) take() string {
	i := int(p.next.Add(1) - 1)
	return p.vals[i%len(p.vals)]
}

const webhookCallback = "http://127.0.0.1:9/hooks/zenvia?secret=" + canaryWebhook

func zenviaVendor(t *testing.T) *vendor {
	sb := zenviatest.NewUnstartedServer(&zenviatest.Options{APIKey: canaryZenviaKey, Seed: 8, DeliveryAttempts: 1, MaxSubscriptions: 1000})
	ids := sb.ProspectIDs()
	require.Greater(t, len(ids), 2*int(numFaults)+2)
	prospect := ids[0]
	deletable := &pool{vals: ids[1 : 1+numFaults]}
	group := sb.RootGroupID()

	// Subscriptions for Unsubscribe to remove, one per cell.
	srv := httptest.NewServer(sb)
	setup, err := zenvia.NewClient(canaryZenviaKey, zenvia.WithBaseURL(srv.URL))
	require.NoError(t, err)
	topics, err := setup.Notifications.Topics(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, topics)
	subs := &pool{}
	for range numFaults {
		s, err := setup.Notifications.Create(context.Background(), []string{topics[0].Name}, webhookCallback)
		require.NoError(t, err)
		subs.vals = append(subs.vals, s.ID)
	}
	keptSub, err := setup.Notifications.Create(context.Background(), []string{topics[0].Name}, webhookCallback)
	require.NoError(t, err)
	kept := keptSub.ID // read by the Get cells, deleted by none
	ins, err := setup.Prospects.Interactions(context.Background(), prospect, nil)
	require.NoError(t, err)
	require.NotEmpty(t, ins)
	interaction := ins[0].ID
	agents, err := setup.Agents.List(context.Background(), sb.GroupIDs()[1], nil)
	require.NoError(t, err)
	agent := agents[0].ID
	more := zenviaMoreOps(t, setup, sb)
	srv.Close()

	var c = func(x any) *zenvia.Client { return x.(*zenvia.Client) }
	v := &vendor{
		name:    "zenvia",
		backend: sb,
		secrets: []string{canaryZenviaKey, canaryWebhook},
		newClient: func(base string, o common) (any, error) {
			return zenvia.NewClient(canaryZenviaKey, zenvia.WithBaseURL(base), zenvia.WithHTTPClient(o.hc), zenvia.WithLogger(o.logger),
				zenvia.WithMaxRetries(maxRetries), zenvia.WithRetryWait(retryWaitMin, retryWaitMax))
		},
		echo: func(msg string) (int, string) {
			return 400, `{"code":"BAD_REQUEST","message":` + jsonString(msg) + `}`
		},
		isVendorErr: func(err error) bool {
			var e *zenvia.Error
			return errors.As(err, &e)
		},
		ops: []op{
			{name: "Leads.Create", class: classCreate, match: route("POST", "lead", "*"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Leads.Create(ctx, zenvia.IndustryRetail, &zenvia.Lead{UTMSource: "faulttest", FirstName: "Ana", LastName: "Falhas",
						Emails: []string{"ana.falhas@example.com.br"}})
					return err
				}},
			{name: "Leads.Categories", class: classRead, match: route("GET", "leads", "categories"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Categories(ctx); return err }},
			{name: "Leads.Defaults", class: classRead, match: route("GET", "leads", "defaults"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Leads.Defaults(ctx); return err }},
			{name: "Prospects.Get", class: classRead, match: route("GET", "prospect", "*"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Prospects.Get(ctx, prospect); return err }},
			{name: "Prospects.List", class: classRead, match: route("GET", "prospects"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Prospects.List(ctx, nil); return err }},
			{name: "Prospects.All", class: classRead, match: route("GET", "prospects"),
				call: func(ctx context.Context, x any) error { return first(c(x).Prospects.All(ctx, nil)) }},
			{name: "Prospects.Update", class: classCreate, match: route("PATCH", "prospect", "*"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Prospects.Update(ctx, prospect, &zenvia.ProspectUpdate{FirstName: zenvia.String("Ana")})
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("an update may answer 204 or an empty 200: the prospect in the answer is optional (nil)"),
				}},
			{name: "Prospects.UpdateAdditionalData", class: classCreate, match: route("PATCH", "prospect", "*", "additionalData"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Prospects.UpdateAdditionalData(ctx, prospect, map[string]any{"origem": "feirão"})
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("an update may answer 204 or an empty 200: the prospect in the answer is optional (nil)"),
				}},
			{name: "Prospects.Delete", class: classIdem, match: route("DELETE", "prospect", "*"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Prospects.Delete(ctx, deletable.take())
					return err
				},
				override: map[fault]expect{
					fEmpty:     ok(1).because("the deletion is done: the deleted prospect in the answer is optional"),
					fTruncated: ok(1).because("the deletion is done: an answer that cannot be read is not an error"),
				}},
			{name: "Prospects.Transfer", class: classCreate, match: route("POST", "prospect", "*", "transfer"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Prospects.Transfer(ctx, prospect, zenvia.ToGroup(group))
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("a transfer may answer 204 or an empty 200: the prospect in the answer is optional (nil)"),
				}},
			{name: "Prospects.Interactions", class: classRead, match: route("GET", "prospect", "*", "interactions"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Prospects.Interactions(ctx, prospect, nil)
					return err
				}},
			{name: "Prospects.CreateNote", class: classCreate, match: route("POST", "prospect", "*", "interactions"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Prospects.CreateNote(ctx, prospect, "ligar amanhã às 10h")
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("an added note may come back without a body: the interaction in the answer is optional"),
				}},
			{name: "Agents.List", class: classRead, match: route("GET", "agents"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Agents.List(ctx, group, nil); return err }},
			{name: "Groups.List", class: classRead, match: route("GET", "groups"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Groups.List(ctx); return err }},
			{name: "AsUser.Transfer", class: classCreate, match: route("POST", "prospect", "*", "as-user", "transfer"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).AsUser.Transfer(ctx, prospect, zenvia.ToGroup(group))
					return err
				}, override: map[fault]expect{
					fEmpty: ok(1).because("the prospect in the answer is optional: an empty 200 is the success"),
				}},
			{name: "AsUser.Archive", class: classCreate, match: route("POST", "prospect", "*", "as-user", "archive"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).AsUser.Archive(ctx, prospect, "notInterested")
					return err
				}, override: map[fault]expect{
					fEmpty: ok(1).because("the prospect in the answer is optional: an empty 200 is the success"),
				}},
			{name: "AsUser.Label", class: classCreate, match: route("POST", "prospect", "*", "as-user", "label"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).AsUser.Label(ctx, prospect, "hot")
					return err
				}, override: map[fault]expect{
					fEmpty: ok(1).because("the prospect in the answer is optional: an empty 200 is the success"),
				}},
			{name: "AsUser.Labels", class: classRead, match: route("GET", "as-user", "labels"),
				call: func(ctx context.Context, x any) error { _, err := c(x).AsUser.Labels(ctx); return err }},
			{name: "AsUser.ArchivingReasons", class: classRead, match: route("GET", "as-user", "archiving-reasons"),
				call: func(ctx context.Context, x any) error { _, err := c(x).AsUser.ArchivingReasons(ctx); return err }},
			{name: "Interactions.List", class: classRead, match: route("GET", "prospects", "interactions"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Interactions.List(ctx, nil); return err }},
			{name: "Interactions.All", class: classRead, match: route("GET", "prospects", "interactions"),
				call: func(ctx context.Context, x any) error { return first(c(x).Interactions.All(ctx, nil)) }},
			{name: "Interactions.Get", class: classRead, match: route("GET", "prospect", "*", "interaction", "*"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Interactions.Get(ctx, prospect, interaction)
					return err
				}},
			{name: "Interactions.Update", class: classIdem, body: true, match: route("PUT", "prospect", "*", "interaction", "*"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Interactions.Update(ctx, prospect, interaction, map[string]any{"type": "message", "status": "read"})
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("the interaction in the answer is optional: an empty 200 is the success"),
				}},
			{name: "Agents.IsWorking", class: classRead, match: route("GET", "agents", "*", "is-working"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Agents.IsWorking(ctx, agent); return err }},
			{name: "Groups.IsWorking", class: classRead, match: route("GET", "groups", "*", "is-working"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Groups.IsWorking(ctx, group); return err }},
			{name: "Agents.ResponseTime", class: classCreate, match: route("POST", "agents", "*", "response-time"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Agents.ResponseTime(ctx, agent, nil)
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("the answer's shape is not published: an empty one is returned as it is"),
				}},
			{name: "Groups.ResponseTime", class: classCreate, match: route("POST", "groups", "*", "response-time"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Groups.ResponseTime(ctx, group, nil)
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("the answer's shape is not published: an empty one is returned as it is"),
				}},
			{name: "Groups.Get", class: classRead, match: route("GET", "group", "*"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Groups.Get(ctx, group); return err }},
			{name: "Groups.OnlineAgents", class: classRead, match: route("GET", "group", "*", "agents", "online"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Groups.OnlineAgents(ctx, group); return err }},
			{name: "Notifications.Topics", class: classRead, match: route("GET", "notifications", "topics"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Notifications.Topics(ctx); return err }},
			{name: "Notifications.Create", class: classCreate, match: route("POST", "notifications", "subscriptions"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Notifications.Create(ctx, []string{topics[0].Name}, webhookCallback)
					return err
				},
				override: map[fault]expect{
					fEmpty: ok(1).because("the subscription in the answer is optional: an empty 200 is the success"),
				}},
			{name: "Notifications.List", class: classRead, match: route("GET", "notifications", "subscriptions"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Notifications.List(ctx); return err }},
			{name: "Notifications.Delete", class: classIdem, match: route("DELETE", "notifications", "subscription", "*"),
				call: func(ctx context.Context, x any) error {
					_, err := c(x).Notifications.Delete(ctx, subs.take())
					return err
				},
				override: map[fault]expect{
					fEmpty:     ok(1).because("the deletion is done: the deleted subscription in the answer is optional"),
					fTruncated: ok(1).because("the deletion is done: an answer that cannot be read is not an error"),
				}},
			{name: "Notifications.Get", class: classRead, match: route("GET", "notifications", "subscription", "*"),
				call: func(ctx context.Context, x any) error { _, err := c(x).Notifications.Get(ctx, kept); return err }},
		},
	}
	v.ops = append(v.ops, more...)
	return v
}

func datacakeVendor(t *testing.T) *vendor {
	sb := datacaketest.NewUnstartedServer(&datacaketest.Options{Token: canaryDatacake, Seed: 8})
	srv := httptest.NewServer(sb)
	setup, err := datacake.NewClient(srv.URL, canaryDatacake)
	require.NoError(t, err)
	cust, err := setup.Customers.Get(context.Background(), datacaketest.ExampleCPF)
	require.NoError(t, err)
	st, err := setup.Prospects.Create(context.Background(), &datacake.Prospect{Name: "Prospecto Base", Document: "11144477735"})
	require.NoError(t, err)
	require.NotEmpty(t, st.ProspectID)
	srv.Close()
	prospectID, customerID := st.ProspectID, cust.ID
	contract := &datacake.InvoiceQuery{Document: cust.Document, ContractID: "70001"} // the sandbox's first customer
	// A 1x1 GIF: a file type the contract accepts.
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

	var c = func(x any) *datacake.Client { return x.(*datacake.Client) }
	read := func(name, path string, f func(ctx context.Context, c *datacake.Client) error) op {
		return op{name: name, class: classRead, match: route("GET", path),
			call: func(ctx context.Context, x any) error { return f(ctx, c(x)) }}
	}
	ignore := func(_ any, err error) error { return err }
	return &vendor{
		name:    "datacake",
		backend: sb,
		secrets: []string{canaryDatacake},
		newClient: func(base string, o common) (any, error) {
			return datacake.NewClient(base, canaryDatacake, datacake.WithHTTPClient(o.hc), datacake.WithLogger(o.logger),
				datacake.WithMaxRetries(maxRetries), datacake.WithRetryWait(retryWaitMin, retryWaitMax))
		},
		echo: func(msg string) (int, string) { return 400, `{"error":` + jsonString(msg) + `}` },
		isVendorErr: func(err error) bool {
			var e *datacake.Error
			return errors.As(err, &e)
		},
		ops: []op{
			read("Customers.Get", "cliente", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Customers.Get(ctx, datacaketest.ExampleCPF))
			}),
			read("Customers.Installations", "instalacoes", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Customers.Installations(ctx, customerID))
			}),
			read("Customers.OpenInvoices", "faturas", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Customers.OpenInvoices(ctx, &datacake.InvoiceQuery{CustomerID: customerID}))
			}),
			read("Customers.OpenInvoices by contract", "faturas", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Customers.OpenInvoices(ctx, contract))
			}),
			read("Customers.FiscalNotes", "notas-fiscais", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Customers.FiscalNotes(ctx, contract))
			}),
			read("Customers.FinancialStatements", "extratos-financeiros", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Customers.FinancialStatements(ctx, contract))
			}),
			read("Catalogues.Products", "produtos", func(ctx context.Context, c *datacake.Client) error { return ignore(c.Catalogues.Products(ctx)) }),
			read("Catalogues.Resellers", "revendedores", func(ctx context.Context, c *datacake.Client) error { return ignore(c.Catalogues.Resellers(ctx)) }),
			read("Catalogues.Employees", "funcionarios", func(ctx context.Context, c *datacake.Client) error { return ignore(c.Catalogues.Employees(ctx)) }),
			read("Catalogues.DueDates", "vencimentos", func(ctx context.Context, c *datacake.Client) error { return ignore(c.Catalogues.DueDates(ctx)) }),
			read("Catalogues.CommercialOrigins", "origens", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Catalogues.CommercialOrigins(ctx))
			}),
			read("Catalogues.Cities", "cidades", func(ctx context.Context, c *datacake.Client) error { return ignore(c.Catalogues.Cities(ctx)) }),
			read("Catalogues.ProspectStatuses", "status-prospecto", func(ctx context.Context, c *datacake.Client) error {
				return ignore(c.Catalogues.ProspectStatuses(ctx))
			}),
			{name: "Prospects.Create", class: classCreate, match: route("POST", "prospectos"),
				call: func(ctx context.Context, x any) error {
					return ignore(c(x).Prospects.Create(ctx, &datacake.Prospect{Name: "João da Falha", Document: "529.982.247-25", Email: "joao@example.com.br"}))
				}},
			{name: "Prospects.Update", class: classIdem, body: true, match: route("PUT", "prospectos", "*"),
				call: func(ctx context.Context, x any) error {
					return ignore(c(x).Prospects.Update(ctx, prospectID, &datacake.Prospect{Notes: "ligar depois das 18h"}))
				}},
			{name: "Prospects.UploadFiles", class: classCreate, match: route("POST", "prospectos", "*", "arquivos"),
				call: func(ctx context.Context, x any) error {
					return ignore(c(x).Prospects.UploadFiles(ctx, prospectID, datacake.File{Name: "rg-frente.gif", Data: gif}))
				}},
			{name: "Prospects.Status", class: classRead, match: route("GET", "prospectos", "*", "status"),
				call: func(ctx context.Context, x any) error { return ignore(c(x).Prospects.Status(ctx, prospectID)) }},
		},
	}
}

// zenviaSubscriptionsVendor is Zenvia on a sandbox of its own, for the
// operation that would wipe the subscriptions the other cells read and
// delete (Notifications.DeleteAll).
func zenviaSubscriptionsVendor(t *testing.T) *vendor {
	v := zenviaVendor(t)
	v.name = "zenvia"
	v.backend = zenviatest.NewUnstartedServer(&zenviatest.Options{APIKey: canaryZenviaKey, Seed: 9, DeliveryAttempts: 1})
	var c = func(x any) *zenvia.Client { return x.(*zenvia.Client) }
	v.ops = []op{
		{name: "Notifications.DeleteAll", class: classIdem, match: route("DELETE", "notifications", "subscriptions"),
			call: func(ctx context.Context, x any) error { _, err := c(x).Notifications.DeleteAll(ctx); return err },
			override: map[fault]expect{
				fEmpty: ok(1).because("an empty answer counts nothing changed: the call is done"),
			}},
	}
	return v
}
