package zenviatest

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/leadkit/leadkit/internal/transport"
)

type group struct {
	ID       string
	Name     string
	Children []*group
	parent   *group
}

type agent struct {
	ID, FirstName, LastName, Email, Phone, LegacyID string
	GroupID                                         string
	Active, Online                                  bool
}

type nin struct {
	Type   string `json:"type"`
	Number string `json:"number"`
}

type leadData struct {
	Priority  float64
	Created   time.Time
	Source    string
	UTMSource string
	Comments  string
	Company   string
	Store     string
	Agent     string
	Type      string
	Product   map[string]any
}

type prospect struct {
	ID              string
	Created         time.Time
	GroupID         string
	FirstName       string
	LastName        string
	Category        string
	Status          string
	Phones          []string
	Emails          []string
	NIN             []nin
	Leads           []leadData
	AgentID         string
	Assigned        time.Time
	Merged          bool
	AdditionalData  map[string]any
	Label           string
	ArchivingReason string
	Transferred     time.Time
}

type interaction struct {
	ID, ProspectID, AgentID string
	CreatedAt               time.Time
	Status, Via             string
	Proactive, Bot          bool
	Type, Content           string
	Output                  map[string]any // what a call, a message or a question recorded
}

type subscription struct {
	ID          string   `json:"id"`
	Topics      []string `json:"topics"`
	CallbackURL string   `json:"callbackUrl"`
}

// state is the sandbox's data. Every access holds Server.mu.
type state struct {
	rng          *rand.Rand
	seq          uint64
	lastTS       int64
	groups       []*group
	groupByID    map[string]*group
	leafGroups   []*group
	agents       []*agent
	agentByID    map[string]*agent
	prospects    []*prospect // ordered by id
	byID         map[string]*prospect
	byPhone      map[string]*prospect
	byEmail      map[string]*prospect
	interactions map[string][]*interaction
	subs         []*subscription
	nextAgent    int
	bursts       int        // leads made by Burst
	more         *moreState // quotes, messaging, apps, selections (state_more.go)
}

func newState(opts *Options) *state {
	st := &state{
		byID:         map[string]*prospect{},
		byPhone:      map[string]*prospect{},
		byEmail:      map[string]*prospect{},
		interactions: map[string][]*interaction{},
	}
	st.seed(opts)
	st.seedMore(opts)
	return st
}

// newID returns a 24-hex id whose order follows creation: 8 hex digits of
// a Unix time, 8 of a counter, 8 random.
func (st *state) newID(at time.Time) string {
	ts := at.Unix()
	if ts < st.lastTS {
		ts = st.lastTS
	}
	st.lastTS = ts
	st.seq++
	return fmt.Sprintf("%08x%08x%08x", uint32(ts), uint32(st.seq), st.rng.Uint32())
}

// emailKey is how the sandbox, like Zenvia, recognises an e-mail (a phone:
// by its digits, transport.Digits).
func emailKey(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func (st *state) insert(p *prospect) {
	i := sort.Search(len(st.prospects), func(i int) bool { return st.prospects[i].ID >= p.ID })
	st.prospects = append(st.prospects, nil)
	copy(st.prospects[i+1:], st.prospects[i:])
	st.prospects[i] = p
	st.byID[p.ID] = p
	st.index(p)
}

func (st *state) index(p *prospect) {
	for _, ph := range p.Phones {
		if k := transport.Digits(ph); k != "" {
			st.byPhone[k] = p
		}
	}
	for _, e := range p.Emails {
		if k := emailKey(e); k != "" {
			st.byEmail[k] = p
		}
	}
}

func (st *state) remove(p *prospect) {
	i := sort.Search(len(st.prospects), func(i int) bool { return st.prospects[i].ID >= p.ID })
	if i < len(st.prospects) && st.prospects[i] == p {
		st.prospects = append(st.prospects[:i], st.prospects[i+1:]...)
	}
	delete(st.byID, p.ID)
	delete(st.interactions, p.ID)
	st.unindex(p)
}

func (st *state) unindex(p *prospect) {
	for _, ph := range p.Phones {
		if st.byPhone[transport.Digits(ph)] == p {
			delete(st.byPhone, transport.Digits(ph))
		}
	}
	for _, e := range p.Emails {
		if st.byEmail[emailKey(e)] == p {
			delete(st.byEmail, emailKey(e))
		}
	}
}

func (st *state) agentsOf(groupID string, activeOnly bool) []*agent {
	var out []*agent
	for _, a := range st.agents {
		if a.GroupID == groupID && (!activeOnly || a.Active) {
			out = append(out, a)
		}
	}
	return out
}

// match finds the prospect a lead merges into: one sharing a phone or an
// e-mail.
func (st *state) match(phones, emails []string) *prospect {
	for _, ph := range phones {
		if p := st.byPhone[transport.Digits(ph)]; p != nil {
			return p
		}
	}
	for _, e := range emails {
		if p := st.byEmail[emailKey(e)]; p != nil {
			return p
		}
	}
	return nil
}

func contains(xs []string, x string, key func(string) string) bool {
	for _, y := range xs {
		if key(y) == key(x) {
			return true
		}
	}
	return false
}
