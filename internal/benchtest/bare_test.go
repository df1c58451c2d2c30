package benchtest

import (
	"encoding/json"
	"time"
)

// The bare baselines decode into plain structs with the same fields as the
// SDK's public types, the way a careful hand-written client would: ",string"
// where the wire always sends a number as a string, json.Number where it
// sends a number either way, json.RawMessage where a field is text or a
// number, time.Time where the wire sends RFC 3339. Dates in other layouts
// stay strings (the SDK parses them: that work is part of its cost).

// Zen totals.
type bareZenTotals struct {
	Date  string `json:"data"`
	Users []struct {
		Name        string         `json:"nome"`
		TotalLeads  json.Number    `json:"total_lead"`
		Origins     []bareZenCount `json:"origem"`
		Segments    []bareZenCount `json:"segmento"`
		Automations []bareZenCount `json:"automacao"`
		Products    []bareZenCount `json:"produtos_e_servicos"`
	} `json:"usuarios"`
	Errors struct {
		WithError            json.Number `json:"com_erro"`
		Ungrouped            json.Number `json:"sem_agrupamento"`
		ContactLimitExceeded json.Number `json:"limite_de_contatos"`
		Duplicates           json.Number `json:"duplicados"`
	} `json:"erros"`
}

type bareZenCount struct {
	Code     string      `json:"codigo"`
	Name     string      `json:"nome"`
	Quantity json.Number `json:"quantidade"`
}

// SalesMan V1 list page.
type bareSalesmanPage struct {
	Data []struct {
		ID             int             `json:"id,string"`
		Datum          string          `json:"datum"`
		DatumDo        string          `json:"datum_do"`
		Title          string          `json:"title"`
		Email          string          `json:"email"`
		Phone          string          `json:"phone"`
		Site           string          `json:"site"`
		Company        string          `json:"company"`
		City           string          `json:"city"`
		Country        string          `json:"country"`
		Content        string          `json:"content"`
		ClID           int             `json:"clid,string"`
		Client         string          `json:"client"`
		PID            int             `json:"pid,string"`
		Person         string          `json:"person"`
		DID            int             `json:"did,string"`
		Deal           string          `json:"deal"`
		User           string          `json:"user"`
		UserName       string          `json:"userName"`
		Status         int             `json:"status,string"`
		StatusName     string          `json:"statusName"`
		Rezult         int             `json:"rezult,string"`
		RezultName     json.RawMessage `json:"rezultName"` // a name, or 0
		ClientPath     int             `json:"clientpath,string"`
		ClientPathName string          `json:"clientpathName"`
	} `json:"data"`
	Error *struct {
		Code string `json:"code"`
		Text string `json:"text"`
	} `json:"error"`
}

// WeClever lead.
type bareWecleverLead struct {
	Lead *struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Phone    string `json:"phone"`
		State    string `json:"state"`
		Regional string `json:"regional"`
		Status   string `json:"status"`
		Chats    struct {
			Metrics struct {
				DateDifference string `json:"date_difference"`
				TotalMessages  int    `json:"total_messages,string"`
			} `json:"metrics"`
			Messages []struct {
				ID          int64  `json:"id_chat"`
				Body        string `json:"body"`
				MediaURL    string `json:"media_url"`
				ContentType string `json:"content_type"`
				Created     string `json:"date_created"`
				SID         string `json:"sid"`
				Type        string `json:"message_type"`
				Direction   string `json:"direction"`
				Status      string `json:"status"`
			} `json:"messages"`
		} `json:"chats"`
		Feelings struct {
			TotalMessages int `json:"total_messages"`
			Positive      int `json:"positive_feeling"`
			Neutral       int `json:"neutral_feeling"`
			Negative      int `json:"negative_feeling"`
		} `json:"feelings"`
		CSAT struct {
			Message string      `json:"message"`
			Rating  json.Number `json:"rating"`
		} `json:"csat"`
	} `json:"lead"`
}

// Zenvia prospects page.
type bareZenviaProspect struct {
	ID             string    `json:"id"`
	Created        time.Time `json:"created"`
	Account        string    `json:"account"`
	AccountID      string    `json:"accountId"`
	Group          string    `json:"group"`
	GroupID        string    `json:"groupId"`
	InitialGroup   string    `json:"initialGroup"`
	InitialGroupID string    `json:"initialGroupId"`
	FirstName      string    `json:"firstName"`
	LastName       string    `json:"lastName"`
	Category       string    `json:"category"`
	Status         string    `json:"status"`
	NIN            []struct {
		Type   string `json:"type"`
		Number string `json:"number"`
	} `json:"nin"`
	Phones []string `json:"phones"`
	Emails []string `json:"emails"`
	Leads  []struct {
		Priority    int             `json:"priority,string"`
		Created     time.Time       `json:"created"`
		CreatedBy   string          `json:"createdBy"`
		Source      string          `json:"source"`
		Comments    string          `json:"comments"`
		UTMSource   string          `json:"utmSource"`
		ProviderKey string          `json:"providerKey"`
		Company     string          `json:"company"`
		Store       string          `json:"store"`
		Agent       string          `json:"agent"`
		Type        string          `json:"type"`
		Product     json.RawMessage `json:"product"`
	} `json:"leads"`
	Agent *struct {
		ID         string          `json:"id"`
		FirstName  string          `json:"firstName"`
		LastName   string          `json:"lastName"`
		Email      string          `json:"email"`
		Phone      json.Number     `json:"phone"`
		LegacyID   string          `json:"legacyId"`
		ExternalID json.RawMessage `json:"externalId"`
		AppFields  json.RawMessage `json:"appFields"`
	} `json:"agent"`
	Assigned         *time.Time      `json:"assigned"`
	Merged           bool            `json:"merged"`
	UserMade         bool            `json:"userMade"`
	ArchivingReason  string          `json:"archivingReason"`
	NextReminder     *time.Time      `json:"nextReminder"`
	FirstContactedAt *time.Time      `json:"firstContactedAt"`
	AdditionalData   json.RawMessage `json:"additionalData"`
}

// Datacake products, as the ERP wraps them.
type bareDatacakeProducts struct {
	Data []struct {
		ID          json.Number `json:"id_servico"`
		Name        string      `json:"nome"`
		Description string      `json:"descricao"`
		Price       float64     `json:"valor"`
		Notes       string      `json:"obs"`
	} `json:"dados"`
	Count int `json:"registros,string"`
}
