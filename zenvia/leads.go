package zenvia

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/leadkit/leadkit"
	"github.com/leadkit/leadkit/internal/jsonx"
	"github.com/leadkit/leadkit/internal/transport"
)

// Industry is the industry a lead is created for; it selects the intake URL
// POST /lead/{industry}.
type Industry string

// The industries of the lead intake.
const (
	IndustryRetail     Industry = "retail"
	IndustryInsurance  Industry = "insurance"
	IndustryVehicle    Industry = "vehicle"
	IndustrySavingPlan Industry = "saving-plan"
	IndustryRealEstate Industry = "real-estate"
)

// String returns the industry as the intake URL spells it.
func (i Industry) String() string { return string(i) }

// Valid reports whether i is one of the documented industries.
func (i Industry) Valid() bool {
	switch i {
	case IndustryRetail, IndustryInsurance, IndustryVehicle, IndustrySavingPlan, IndustryRealEstate:
		return true
	}
	return false
}

// NINType is the kind of a national identification number.
type NINType string

// The documented NIN types.
const (
	NINCUIT NINType = "CUIT"
	NINCUIL NINType = "CUIL"
	NINDNI  NINType = "DNI"
	NINCPF  NINType = "CPF"
	NINRUN  NINType = "RUN"
	NINRUT  NINType = "RUT"
	NINCURP NINType = "CURP"
	NINRFC  NINType = "RFC"
	NINIMSS NINType = "IMSS"
	NINDNIC NINType = "DNIC"
	NINRUC  NINType = "RUC"
	NINCE   NINType = "CE"
)

// String returns the type as Zenvia spells it (unknown values are kept).
func (t NINType) String() string { return string(t) }

// Known reports whether t is one of the spec's NIN types (CUIT, CUIL, DNI,
// CPF, RUN, RUT, CURP, RFC, IMSS, DNIC, RUC, CE), the only ones a lead may
// send. A prospect read back keeps whatever type Zenvia answers.
func (t NINType) Known() bool {
	switch t {
	case NINCUIT, NINCUIL, NINDNI, NINCPF, NINRUN, NINRUT, NINCURP, NINRFC, NINIMSS, NINDNIC, NINRUC, NINCE:
		return true
	}
	return false
}

// NIN is a national identification number ("nin"). A lead sends a Type
// that is Known (the spec's enumeration).
type NIN struct {
	Type   NINType `json:"type"`
	Number string  `json:"number"`
}

// Lead is the body of "Create lead" (POST /lead/{industry}), in Zenvia's
// camelCase schema. UTMSource and at least one phone or e-mail are required.
// The deprecated fields (leadId, source, medium, campaign, callIn) are not
// part of it and are never sent.
type Lead struct {
	Priority       float64        `json:"priority,omitempty"`
	Provider       string         `json:"provider,omitempty"`
	ProviderLeadID string         `json:"providerLeadId,omitempty"`
	UTMSource      string         `json:"utmSource"`
	UTMMedium      string         `json:"utmMedium,omitempty"`
	UTMCampaign    string         `json:"utmCampaign,omitempty"`
	FirstName      string         `json:"firstName,omitempty"`
	LastName       string         `json:"lastName,omitempty"`
	Phones         []string       `json:"phones,omitempty"`
	Emails         []string       `json:"emails,omitempty"`
	Category       string         `json:"category,omitempty"`
	NIN            []NIN          `json:"nin,omitempty"`
	Address        string         `json:"address,omitempty"`
	SubLocality    string         `json:"subLocality,omitempty"`
	Locality       string         `json:"locality,omitempty"`
	Region         string         `json:"region,omitempty"`
	Country        string         `json:"country,omitempty"`
	ZipCode        string         `json:"zipCode,omitempty"`
	ListingTitle   string         `json:"listingTitle,omitempty"`
	ListingURL     string         `json:"listingUrl,omitempty"`
	Comments       string         `json:"comments,omitempty"`
	Company        string         `json:"company,omitempty"`
	Store          string         `json:"store,omitempty"`
	Agent          string         `json:"agent,omitempty"` // an agent's e-mail or id to assign the prospect to
	History        []HistoryEvent `json:"history,omitempty"`
	// Product is the lead's product; every industry has one, in its own
	// shape: retail and insurance {make, model, detail, sku, price{amount,
	// currency}}, saving-plan {goodType, goodSubType, brand, model,
	// description, condition, planType, ...}, vehicle, real-estate {title,
	// type}. Create checks the spec's enumerations (real-estate type:
	// residential, commercial, industrial, land; vehicle condition: used,
	// new, and fuelType; saving-plan goodType and condition) and that a
	// price's amount (and an estimate's upperEstimate) is a number: use
	// Amount for exact money.
	Product map[string]any `json:"product,omitempty"`
}

// Validate checks the lead for industry as Create does, before anything is
// sent.
func (l *Lead) Validate(industry Industry) error {
	if !industry.Valid() {
		return leadkit.Invalid("industry", "%q is not one of retail, insurance, vehicle, saving-plan, real-estate", string(industry))
	}
	if l == nil {
		return leadkit.Invalid("lead", "must not be nil")
	}
	if strings.TrimSpace(l.UTMSource) == "" {
		return leadkit.Invalid("utmSource", "is required")
	}
	if len(l.Phones) == 0 && len(l.Emails) == 0 {
		return leadkit.Invalid("phones", "a lead needs at least one phone or e-mail")
	}
	for i, p := range l.Phones {
		if strings.TrimSpace(p) == "" {
			return leadkit.Invalid(indexed("phones", i), "must not be empty")
		}
	}
	for i, e := range l.Emails {
		if err := transport.CheckEmail(indexed("emails", i), e); err != nil {
			return err
		}
	}
	for i, n := range l.NIN {
		if n.Type == "" || strings.TrimSpace(n.Number) == "" {
			return leadkit.Invalid(indexed("nin", i), "needs a type and a number")
		}
		if !n.Type.Known() {
			return leadkit.Invalid(indexed("nin", i)+".type", "%q is not one of the spec's CUIT, CUIL, DNI, CPF, RUN, RUT, CURP, RFC, IMSS, DNIC, RUC, CE", string(n.Type))
		}
	}
	for i := range l.History {
		if err := l.History[i].check(indexed("history", i)); err != nil {
			return err
		}
	}
	// A NaN priority, a func in product: named here, never sent.
	if err := transport.CheckEncodable("", l); err != nil {
		return err
	}
	return checkProduct(industry, l.Product)
}

// shortJSON is v as JSON, cut at 40 bytes, for an input error.
func shortJSON(v any) string {
	if v == nil {
		return "nothing"
	}
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// productEnums are the enumerations of the spec's products, by industry
// and field: RealEstateProduct.type, VehicleProduct.condition and fuelType,
// SavingPlanProduct.goodType and condition.
var productEnums = map[Industry]map[string][]string{
	IndustryRealEstate: {"type": {"residential", "commercial", "industrial", "land"}},
	IndustryVehicle: {"condition": {"used", "new"},
		"fuelType": {"gasoline", "diesel", "flex", "hybrid", "electric", "hydrogen", "naturalGas", "propane"}},
	IndustrySavingPlan: {"goodType": {"vehicle", "property", "loan", "other"}, "condition": {"used", "new"}},
}

// checkProduct checks the typed parts of a lead's product as the spec
// defines them: the enumerations of productEnums, a price (MoneyAmount)
// with a numeric amount, and a saving plan's monthlyPaymentsEstimate and
// creditAmountEstimate (MoneyAmountEstimate) with a numeric upperEstimate
// (and lowerEstimate, when set). Amounts may be float64, json.Number or
// Amount; the product is read as it will be sent.
func checkProduct(industry Industry, product map[string]any) error {
	if len(product) == 0 {
		return nil
	}
	b, err := json.Marshal(product)
	if err != nil {
		return leadkit.Invalid("product", "%v", err)
	}
	var p map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return leadkit.Invalid("product", "%v", err)
	}
	for field, values := range productEnums[industry] {
		v, ok := p[field]
		if !ok || v == nil {
			continue
		}
		if s, isStr := v.(string); !isStr || !slices.Contains(values, s) {
			return leadkit.Invalid("product."+field, "%s is not one of %s", shortJSON(v), strings.Join(values, ", "))
		}
	}
	money := []struct{ field, required, optional string }{{"price", "amount", ""}}
	if industry == IndustrySavingPlan {
		money = append(money, struct{ field, required, optional string }{"monthlyPaymentsEstimate", "upperEstimate", "lowerEstimate"},
			struct{ field, required, optional string }{"creditAmountEstimate", "upperEstimate", "lowerEstimate"})
	}
	for _, m := range money {
		v, ok := p[m.field]
		if !ok || v == nil {
			continue
		}
		o, isObj := v.(map[string]any)
		if !isObj {
			return leadkit.Invalid("product."+m.field, "must be an object {%s, currency}", m.required)
		}
		if _, isNum := o[m.required].(json.Number); !isNum {
			return leadkit.Invalid("product."+m.field+"."+m.required, "is required and must be a number, got %s", shortJSON(o[m.required]))
		}
		if x, set := o[m.optional]; m.optional != "" && set && x != nil {
			if _, isNum := x.(json.Number); !isNum {
				return leadkit.Invalid("product."+m.field+"."+m.optional, "must be a number, got %s", shortJSON(x))
			}
		}
	}
	return nil
}

func indexed(field string, i int) string {
	return field + "[" + itoa(i) + "]"
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

// LeadResult is the answer to Create. When Zenvia processes the lead at once
// it answers with the created or merged prospect (Accepted false, Prospect
// set, with its interactions). When it queues the lead (HTTP 202) Accepted
// is true and Prospect is nil: the result arrives by webhook on the
// "prospects" topic.
type LeadResult struct {
	Accepted bool      // queued; the result comes by webhook
	Prospect *Prospect // the created or merged prospect, when answered synchronously
	// ID is the queued request's id when Zenvia gives one.
	ID string
	// StatusCode is the HTTP status of the answer (200, 201 or 202).
	StatusCode int
}

// LeadsService creates leads. Reach it through Client.Leads.
type LeadsService struct{ c *Client }

// Create sends a lead: Zenvia's "Create lead" for an industry
// (POST /lead/{industry}, e.g. "New retail lead"). The lead is validated
// first; with WithPhoneNormalization its phones are rewritten to E.164 (the
// caller's Lead is not changed).
//
// Create is never resent once the request may have reached Zenvia: a
// timeout, a reset connection or a 502/504 returns an error matching
// leadkit.ErrOutcomeUnknown. Look the prospect up before sending again.
func (s *LeadsService) Create(ctx context.Context, industry Industry, lead *Lead) (*LeadResult, error) {
	if err := lead.Validate(industry); err != nil {
		return nil, err
	}
	body := lead
	if s.c.cfg.phoneRegion != "" {
		cp := *lead
		cp.Phones = make([]string, len(lead.Phones))
		for i, p := range lead.Phones {
			n, err := NormalizePhone(p, s.c.cfg.phoneRegion)
			if err != nil {
				return nil, leadkit.Invalid(indexed("phones", i), "%v", err)
			}
			cp.Phones[i] = n
		}
		body = &cp
	}
	resource := "lead" // the Sales API's POST /lead/{industry}
	if b := s.c.t.BaseURL(); b != nil && strings.HasSuffix(b.Path, "/v2") {
		resource = "leads" // the asynchronous service's POST /v2/leads/{industry}
	}
	resp, err := s.c.t.Do(ctx, &transport.Request{
		Method: http.MethodPost,
		Path:   []string{resource, string(industry)},
		JSON:   body,
		Create: true,
	})
	if err != nil {
		return nil, err
	}
	return decodeLeadResult(resp)
}

type acceptedWire struct {
	ID        string `json:"id"`
	RequestID string `json:"requestId"`
}

func decodeLeadResult(resp *transport.Response) (*LeadResult, error) {
	res := &LeadResult{StatusCode: resp.StatusCode}
	if resp.StatusCode == http.StatusAccepted || resp.StatusCode == http.StatusNoContent {
		res.Accepted = true
		if kind, _ := transport.CheckJSON(resp.Body); kind == nil {
			var w acceptedWire
			if err := json.Unmarshal(resp.Body, &w); err == nil {
				res.ID = w.ID
				if res.ID == "" {
					res.ID = w.RequestID
				}
			}
		}
		return res, nil
	}
	var w prospectWire
	if err := resp.DecodeJSON(&w); err != nil {
		return nil, err
	}
	p := w.prospect()
	res.Prospect = &p
	return res, nil
}

// Category is a lead category available for lead creation ("Categories").
// The default category comes first. Zenvia sends either bare names or
// objects; both decode.
type Category struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Industry string          `json:"industry"`
	Default  bool            `json:"default"`
	Raw      json.RawMessage `json:"-"` // the category as Zenvia sent it
}

// UnmarshalJSON accepts a category object or a bare name.
func (c *Category) UnmarshalJSON(b []byte) error {
	type plain Category
	var p plain
	if t := trimSpace(b); len(t) > 0 && t[0] == '"' {
		if err := json.Unmarshal(t, &p.Name); err != nil {
			return err
		}
	} else if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	p.Raw = append(json.RawMessage(nil), b...)
	*c = Category(p)
	return nil
}

// Categories lists the lead categories of each industry: Zenvia's
// "Categories" (GET /leads/categories).
func (s *LeadsService) Categories(ctx context.Context) ([]Category, error) {
	var out []Category
	if err := s.c.get(ctx, []string{"leads", "categories"}, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Category{}
	}
	return out, nil
}

// Defaults are the values Zenvia applies to a lead that does not set them
// ("Defaults"): the currency and the default category of each industry.
type Defaults struct {
	Currency string `json:"currency"` // ISO 4217, e.g. "BRL"
	Distance string `json:"distance"` // "km" or "mi"
	// Raw is the body as Zenvia sent it, for fields this type does not name.
	Raw json.RawMessage `json:"-"`
}

// CategoryName is a category's name, sent as a string or as an object with
// a "name".
type CategoryName string

// UnmarshalJSON accepts "name", {"name": "..."} and null.
func (n *CategoryName) UnmarshalJSON(b []byte) error {
	t := trimSpace(b)
	if len(t) > 0 && t[0] == '{' {
		var o struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(t, &o); err != nil {
			return err
		}
		*n = CategoryName(o.Name)
		return nil
	}
	v, err := jsonx.ParseString(t)
	*n = CategoryName(v)
	return err
}

// String returns the name.
func (n CategoryName) String() string { return string(n) }

// UnmarshalJSON decodes the defaults and keeps the raw body.
func (d *Defaults) UnmarshalJSON(b []byte) error {
	type plain Defaults
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	p.Raw = append(json.RawMessage(nil), b...)
	*d = Defaults(p)
	return nil
}

// Defaults returns the defaults of lead creation: Zenvia's "Defaults"
// (GET /leads/defaults).
func (s *LeadsService) Defaults(ctx context.Context) (*Defaults, error) {
	d := &Defaults{}
	if err := s.c.get(ctx, []string{"leads", "defaults"}, nil, d); err != nil {
		return nil, err
	}
	return d, nil
}
