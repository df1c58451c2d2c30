package salesmantest

import (
	"strconv"
	"time"
)

// user is a CRM user; the sandbox's account has several.
type user struct {
	id    int
	login string
	name  string
}

// users returns the sandbox account's users; the first is DefaultLogin.
func users(login string) []user {
	return []user{
		{1, login, "Иван Админов"},
		{2, "olga.smirnova@salesman.test", "Ольга Смирнова"},
		{3, "dmitry.kuznetsov@salesman.test", "Дмитрий Кузнецов"},
		{4, "anna.volkova@salesman.test", "Анна Волкова"},
		{5, "alexey.kovalev@salesman.test", "Алексей Ковалёв"},
	}
}

// clientPath is a client source ("канал").
type clientPath struct {
	id   int
	name string
}

func clientPaths() []clientPath {
	return []clientPath{
		{1, "Сайт"}, {2, "Яндекс.Директ"}, {3, "Рекомендация"}, {4, "Выставка"}, {5, "Google Ads"},
	}
}

// lead is a lead as the sandbox stores it. Seeded leads are generated on
// demand from (seed, index), so a sandbox of 100,000 leads costs no memory.
type lead struct {
	id          int
	datum       time.Time
	datumDo     time.Time // zero until processed
	title       string
	email       string
	phone       string
	site        string
	company     string
	city        string
	country     string
	description string // returned as content in list rows (every version)
	ip          string
	partner     string
	clid        int
	client      string
	pid         int
	person      string
	did         int
	deal        string
	user        int // user id, 0 when nobody is responsible
	status      int
	rezult      int
	clientpath  int
	utm         [5]string // source, medium, campaign, term, content
	uids        []uid     // external ids (v2/v3 adds only)
}

// uid is one external id of a lead (app_uids).
type uid struct {
	datum       time.Time
	name, value string
}

// person is a first name, its Latin spelling (for e-mail addresses) and
// whether it is a woman's.
type person struct {
	name, latin string
	female      bool
}

// tables holds the words seeded leads are made of (built once per server:
// the package keeps no mutable state): Russian first names and surnames
// (a surname agrees with the first name in gender), Russian companies and
// cities.
type tables struct {
	firstNames          []person
	surnames            []string // the masculine form, ending in -ов, -ев or -ин
	companies, contents []string
	cities              []string
}

func newTables() *tables {
	return &tables{
		firstNames: []person{
			{"Алексей", "alexey", false}, {"Мария", "maria", true}, {"Сергей", "sergey", false},
			{"Екатерина", "ekaterina", true}, {"Андрей", "andrey", false}, {"Наталья", "natalia", true},
			{"Павел", "pavel", false}, {"Юлия", "yulia", true}, {"Михаил", "mikhail", false},
			{"Татьяна", "tatiana", true}, {"Олег", "oleg", false}, {"Ирина", "irina", true},
			{"Дмитрий", "dmitry", false}, {"Светлана", "svetlana", true}, {"Владислав", "vladislav", false},
			{"Елена", "elena", true},
		},
		surnames: []string{"Иванов", "Петров", "Сидоров", "Козлов", "Морозов", "Новиков", "Лебедев", "Соколов",
			"Попов", "Фёдоров", "Смирнов", "Кузнецов", "Васильев", "Волков", "Андреев", "Никитин"},
		companies: []string{"ООО Альфа-Трейд", "АО Северсталь-Сервис", "ИП Кузьмин", "ООО Уральские окна", "ООО ТехноПром",
			"ЗАО Волга-Логистик", "ООО Казанская пекарня", "ООО Сибирский лес", ""},
		cities: []string{"Москва", "Санкт-Петербург", "Пермь", "Казань", "Новосибирск", "Екатеринбург",
			"Нижний Новгород", "Самара", "Краснодар", "Ростов-на-Дону"},
		contents: []string{
			"Хочу демо CRM, перезвоните после 18:00",
			"Запрос цены на 10 лицензий",
			"Интересует интеграция с 1С / телефонией",
			"Нужна консультация по внедрению",
			"Прошу выставить счёт",
			"Заявка с формы «Обратный звонок»",
		},
	}
}

// fullName is "Surname Name", the way Russian CRMs write a contact, the
// surname in the first name's gender (Петрова Мария, Петров Алексей).
func fullName(surname string, p person) string {
	if p.female {
		surname += "а"
	}
	return surname + " " + p.name
}

// mixer is splitmix64: a tiny deterministic generator with no allocation.
type mixer struct{ s uint64 }

func (m *mixer) next() uint64 {
	m.s += 0x9e3779b97f4a7c15
	z := m.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (m *mixer) intn(n int) int { return int(m.next() % uint64(n)) }

// seedSpan is how far back the seeded leads reach.
const seedSpan = 90 * 24 * time.Hour

// contact draws the lead id's person, company, contacts, source, user and
// UTM tags from m (the status is left open).
func (s *Server) contact(m *mixer, id int) lead {
	t := s.tables
	first := t.firstNames[m.intn(len(t.firstNames))]
	name := fullName(t.surnames[m.intn(len(t.surnames))], first)
	city := t.cities[m.intn(len(t.cities))]
	l := lead{
		id:          id,
		title:       name,
		email:       first.latin + strconv.Itoa(id) + "@example.ru",
		phone:       "+7" + strconv.Itoa(9000000000+m.intn(99999999)),
		site:        "https://example.ru/landing/" + strconv.Itoa(m.intn(9)+1),
		company:     t.companies[m.intn(len(t.companies))],
		city:        city,
		country:     "Россия",
		description: t.contents[m.intn(len(t.contents))],
		ip:          "10.0." + strconv.Itoa(m.intn(256)) + "." + strconv.Itoa(m.intn(254)+1),
		clientpath:  m.intn(len(s.paths)) + 1,
		user:        m.intn(len(s.users) + 1), // 0: nobody yet
	}
	if m.intn(4) == 0 {
		l.utm = [5]string{"yandex", "cpc", "crm-demo", "crm система", "ad" + strconv.Itoa(m.intn(9))}
	}
	return l
}

// gen returns seeded lead i (0 is the oldest) of n.
func (s *Server) gen(i int) lead {
	m := mixer{s: uint64(s.opts.Seed)*0x2545f4914f6cdd1d + uint64(i)*0xd1b54a32d192ed03}
	m.s = m.next() // decorrelate neighbouring leads
	step := seedSpan / time.Duration(s.seeded)
	datum := s.anchor.Add(-time.Duration(s.seeded-1-i) * step).Add(-time.Duration(m.intn(int(step/time.Second)+1)) * time.Second / 2).Truncate(time.Second)
	l := s.contact(&m, i+1)
	l.datum = datum
	switch r := m.intn(100); {
	case r < 40:
		l.status = 0
	case r < 55:
		l.status = 1
	case r < 85:
		l.status = 2
	default:
		l.status = 3
		l.rezult = m.intn(4) + 1
	}
	if l.status >= 2 {
		if l.user == 0 {
			l.user = 1
		}
		done := l.datum.Add(time.Duration(m.intn(48*60)+1) * time.Minute)
		if done.After(s.anchor) {
			done = s.anchor
		}
		l.datumDo = done
		if l.status == 2 {
			l.clid, l.client = 1000+i, l.company
			if l.client == "" {
				l.client = l.title
			}
			l.pid, l.person = 5000+i, l.title
			if m.intn(3) > 0 {
				l.did, l.deal = 9000+i, "Внедрение CRM: "+l.client
			}
		}
	}
	return l
}
