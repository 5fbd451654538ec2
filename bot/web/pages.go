package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/chart"
	"github.com/prepbot/prepbot/questionbank"
)

// boardSize is how many members a board on the group page lists.
const boardSize = 25

// palette is the colours of the pages: the pictures' (bot/chart) in the
// dark theme, and lighter ones in the light theme.
type palette struct {
	Background, Surface, Border, Track, Text, Muted, Accent, Streak string
	Heat                                                            [4]string
	Medals                                                          [3]string
}

func colors() map[string]palette {
	p := chart.Palette
	dark := palette{Background: "#111317", Surface: chart.Hex(p.Background), Border: chart.Hex(p.Border), Track: chart.Hex(p.Track),
		Text: chart.Hex(p.Text), Muted: chart.Hex(p.Muted), Accent: chart.Hex(p.Accent), Streak: chart.Hex(p.Streak)}
	for i, c := range p.Heat {
		dark.Heat[i] = chart.Hex(c)
	}
	for i, c := range p.Medals {
		dark.Medals[i] = chart.Hex(c)
	}
	light := palette{Background: "#f6f7f9", Surface: "#ffffff", Border: "#d8dbe2", Track: "#ebedf0", Text: "#1b1d23", Muted: "#5c6270",
		Accent: "#4f5bd5", Streak: "#c2570c", Heat: [4]string{"#9be9a8", "#40c463", "#30a14e", "#216e39"},
		Medals: [3]string{"#b8860b", "#7a8494", "#a0522d"}}
	return map[string]palette{"Dark": dark, "Light": light}
}

// row is one member's line on a board.
type row struct {
	Place    int
	Medal    int // 1 to 3 for the first three places, else 0
	Name     string
	Points   int
	Answered int
	Accuracy int // percent
	Days     int
	Bar      int // the bar's length, 0 to 100
}

type board struct {
	ID, Title, Note string
	Days            bool // ranked by days studied
	Rows            []row
}

type categoryRow struct {
	ID, Name          string
	Answered, Correct int
	Accuracy          int // percent
}

type scheduleRow struct {
	Channel, Time, Zone, Categories, Weekdays, Digest, Disabled string
}

type groupData struct {
	Group      string
	BankURL    string
	Boards     []board
	Categories []categoryRow
	Schedules  []scheduleRow
	Zone       string
	Today      string
}

func (s *Server) groupPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("group")
	g, loc, err := s.group(r.Context(), id)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	now := s.cfg.Clock.Now()
	if s.cfg.CacheFor < 0 {
		body, status := s.drawGroup(r, id, g, loc, now)
		s.write(w, status, body, false)
		return
	}
	s.mu.Lock()
	p := s.pages[id]
	if p == nil {
		p = &cachedPage{}
		s.pages[id] = p
	}
	s.mu.Unlock()
	p.mu.Lock()
	if p.body == nil || now.Sub(p.at) >= s.cfg.CacheFor || now.Before(p.at) {
		body, status := s.drawGroup(r, id, g, loc, now)
		if status != http.StatusOK {
			p.mu.Unlock()
			s.write(w, status, body, true)
			return
		}
		p.at, p.body = now, body
	}
	body := p.body
	p.mu.Unlock()
	s.write(w, http.StatusOK, body, false)
}

// drawGroup draws a group's page: its body and status (an error page's
// when it fails).
func (s *Server) drawGroup(r *http.Request, id string, g bot.Group, loc *time.Location, now time.Time) ([]byte, int) {
	ctx := r.Context()
	d := groupData{Group: id, BankURL: "/g/" + url.PathEscape(id) + "/bank", Zone: loc.String(), Today: now.In(loc).Format("Monday 2 January 2006")}
	// the reads are independent: they run at once
	type boardReq struct {
		key, id, title string
		days           bool
	}
	reqs := []boardReq{{bot.PeriodKey("week", now, loc), "week", "This week", false}, {bot.PeriodKey("month", now, loc), "month", "This month", false},
		{bot.PeriodAll, "all", "All time", false}}
	if g.Season.ID != "" {
		reqs = append(reqs, boardReq{g.Season.ID, "season", "Season: " + g.Season.Name, false})
	}
	reqs = append(reqs, boardReq{bot.PeriodKey("month", now, loc), "days", "Days studied this month", true})
	d.Boards = make([]board, len(reqs))
	errs := make([]error, len(reqs)+2)
	var tallies map[string]bot.Tally
	var scheds []bot.Schedule
	var wg sync.WaitGroup
	for i, q := range reqs {
		wg.Go(func() { d.Boards[i], errs[i] = s.board(r, id, q.key, q.id, q.title, q.days) })
	}
	wg.Go(func() { tallies, errs[len(reqs)] = s.cfg.Store.PeriodTallies(ctx, id, bot.PeriodAll) })
	wg.Go(func() { scheds, errs[len(reqs)+1] = s.cfg.Store.Schedules(ctx, id) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return s.failure(r, err)
	}
	for i := range d.Boards {
		switch d.Boards[i].ID {
		case "season":
			d.Boards[i].Note = "Since " + g.Season.Start.In(loc).Format("2 Jan 2006")
		case "days":
			d.Boards[i].Note = "A day counts once, with an answer or a self-rating"
		}
	}
	for _, c := range s.cfg.Bank.Categories() {
		t := tallies[c.ID]
		d.Categories = append(d.Categories, categoryRow{ID: c.ID, Name: c.Name, Answered: t.Answered, Correct: t.Correct, Accuracy: percent(t)})
	}
	for _, sc := range scheds {
		d.Schedules = append(d.Schedules, s.scheduleRow(sc))
	}
	return s.draw("group.html", d)
}

// board reads a board of a period.
func (s *Server) board(r *http.Request, group, key, id, title string, days bool) (board, error) {
	var scores []bot.Score
	var err error
	if days {
		scores, err = s.cfg.Store.DaysBoard(r.Context(), group, key, "", boardSize)
	} else {
		scores, err = s.cfg.Store.Leaderboard(r.Context(), group, key, "", boardSize)
	}
	if err != nil {
		return board{}, err
	}
	b := board{ID: id, Title: title, Days: days}
	top := 1
	for _, sc := range scores {
		if days {
			top = max(top, sc.Days)
		} else {
			top = max(top, sc.Points)
		}
	}
	for i, sc := range scores {
		name := sc.Name
		if name == "" {
			name = sc.User
		}
		v := sc.Points
		if days {
			v = sc.Days
		}
		rw := row{Place: i + 1, Name: name, Points: sc.Points, Answered: sc.Answered, Accuracy: percent(sc.Tally), Days: sc.Days, Bar: max(0, v) * 100 / top}
		if i < 3 {
			rw.Medal = i + 1
		}
		b.Rows = append(b.Rows, rw)
	}
	return b, nil
}

func percent(t bot.Tally) int { return int(t.Accuracy()*100 + 0.5) }

func (s *Server) scheduleRow(sc bot.Schedule) scheduleRow {
	row := scheduleRow{Channel: sc.Channel, Time: sc.Time, Zone: sc.TimeZone, Categories: "All categories", Weekdays: "Every day", Disabled: sc.Disabled}
	if len(sc.Categories) > 0 {
		var names []string
		for _, c := range sc.Categories {
			names = append(names, s.categoryName(c))
		}
		row.Categories = strings.Join(names, ", ")
	}
	if len(sc.Weekdays) > 0 && len(sc.Weekdays) < 7 {
		var names []string
		for _, d := range sc.Weekdays {
			names = append(names, d.String()[:3])
		}
		row.Weekdays = strings.Join(names, ", ")
	}
	if sc.DigestDay != "" {
		row.Digest = "Weekly digest on " + sc.DigestDay
	}
	return row
}

func (s *Server) categoryName(id string) string {
	if c, ok := s.cfg.Bank.Category(id); ok {
		return c.Name
	}
	return id
}

// heatmap is a year of answers per day, a column a week, drawn as SVG.
type heatmap struct {
	Width, Height int
	Cells         []cell
	Months        []label
	Weekdays      []label
	Total         int
}

type cell struct {
	X, Y  int
	Level int // 0 for no answers, 1 to 4 from fewest to most
	Title string
}

type label struct {
	X, Y int
	Text string
}

const (
	heatCell   = 11
	heatStep   = 14
	heatLeft   = 30
	heatTop    = 18
	monthWidth = 22 // room for a month's name at the heatmap's 10px
)

// newHeatmap lays out the 53 weeks up to today, Sunday to Saturday, as
// the stats picture does.
func newHeatmap(days map[string]int, today time.Time) heatmap {
	const weeks = 53
	end := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)
	start := end.AddDate(0, 0, -int(end.Weekday())-(weeks-1)*7)
	most := 1
	for _, n := range days {
		most = max(most, n)
	}
	h := heatmap{Width: heatLeft + weeks*heatStep, Height: heatTop + 7*heatStep}
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		i := int(d.Sub(start).Hours()+1) / 24
		col, wd := i/7, int(d.Weekday())
		key := d.Format("2006-01-02")
		n := days[key]
		h.Total += n
		c := cell{X: heatLeft + col*heatStep, Y: heatTop + wd*heatStep, Title: d.Format("Mon 2 Jan 2006") + ": " + plural(n, "answer", "answers")}
		if n > 0 {
			c.Level = 1 + min(3, (n-1)*4/most)
		}
		h.Cells = append(h.Cells, c)
	}
	for _, m := range chart.MonthLabels(start, end) {
		// over the week the month starts in; the last week's ends at the edge (a name is about 20 wide)
		h.Months = append(h.Months, label{X: min(heatLeft+m.Week*heatStep, h.Width-monthWidth), Y: 11, Text: m.Name})
	}
	for i, wd := range []string{"Mon", "Wed", "Fri"} {
		h.Weekdays = append(h.Weekdays, label{X: 0, Y: heatTop + (2*i+1)*heatStep + 9, Text: wd})
	}
	return h
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

type reviewRow struct {
	Prompt, Category, When string
	Overdue                bool
	Lapses                 int
	Last                   string
}

type memberData struct {
	Name           string
	GroupURL       string
	Points         int
	Answered       int
	Accuracy       int
	Streak         int
	Longest        int
	Heatmap        heatmap
	Categories     []categoryRow
	Due            []reviewRow
	DueMore        int
	Missed         []reviewRow
	Expires        string
	Zone           string
	NothingYet     bool
	ReviewsPending int
}

// maxListed bounds the cards due and the cards missed a member page lists.
const maxListed = 15

func (s *Server) memberPage(w http.ResponseWriter, r *http.Request) {
	group, user, err := s.verify(r.PathValue("token"))
	if err != nil {
		s.fail(w, http.StatusForbidden, strings.ToUpper(err.Error()[:1])+err.Error()[1:]+".")
		return
	}
	ctx := r.Context()
	_, loc, err := s.group(ctx, group)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	m, err := s.cfg.Store.Member(ctx, group, user)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	days, err := s.cfg.Store.Activity(ctx, group, user)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	reviews, err := s.cfg.Store.Reviews(ctx, group, user)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	now := s.cfg.Clock.Now()
	today := bot.Day(now, loc)
	name := m.Name
	if name == "" {
		name = "you"
	}
	d := memberData{Name: name, Points: m.Points, Answered: m.Answered, Accuracy: percent(m.Tally),
		Streak: m.CurrentStreak(now, loc), Longest: m.Longest, Heatmap: newHeatmap(days, now.In(loc)), Zone: loc.String(),
		NothingYet: m.Answered == 0 && m.Points == 0}
	for _, c := range s.cfg.Bank.Categories() {
		t := m.Categories[c.ID]
		d.Categories = append(d.Categories, categoryRow{ID: c.ID, Name: c.Name, Answered: t.Answered, Correct: t.Correct, Accuracy: percent(t)})
	}

	// the cards due, soonest first: overdue and today's, then the next week's
	soon := bot.AddDays(today, 7)
	slices.SortFunc(reviews, func(a, b bot.Review) int { return cmp.Or(cmp.Compare(a.Due, b.Due), cmp.Compare(a.Card, b.Card)) })
	for _, rv := range reviews {
		if rv.Due == "" || rv.Due > soon {
			continue
		}
		if len(d.Due) == maxListed {
			d.DueMore++
			continue
		}
		d.Due = append(d.Due, s.reviewRow(rv, today))
	}
	// the cards most often missed: forgotten most, then missed last time
	missed := slices.DeleteFunc(slices.Clone(reviews), func(rv bot.Review) bool { return rv.Lapses == 0 && rv.Grade >= 3 })
	slices.SortFunc(missed, func(a, b bot.Review) int {
		return cmp.Or(cmp.Compare(b.Lapses, a.Lapses), cmp.Compare(a.Grade, b.Grade), cmp.Compare(b.Last, a.Last), cmp.Compare(a.Card, b.Card))
	})
	for _, rv := range missed[:min(len(missed), maxListed)] {
		d.Missed = append(d.Missed, s.reviewRow(rv, today))
	}
	s.render(w, http.StatusOK, "member.html", d, true)
}

func (s *Server) reviewRow(rv bot.Review, today string) reviewRow {
	row := reviewRow{Prompt: rv.Card, Category: s.categoryName(rv.Category), Lapses: rv.Lapses}
	if c, ok := s.cfg.Bank.Card(rv.Card); ok {
		row.Prompt = c.Prompt
	}
	switch {
	case rv.Due < today:
		row.When, row.Overdue = "overdue since "+rv.Due, true
	case rv.Due == today:
		row.When = "due today"
	default:
		row.When = "due " + rv.Due
	}
	row.Last = "recalled"
	if rv.Grade < 3 {
		row.Last = "missed"
	}
	return row
}

// maxCards bounds the cards a bank page shows.
const maxCards = 100

type cardView struct {
	ID, Prompt, Category, Difficulty, Answer, Explanation, Correct string
	Concepts                                                       []string
}

type categoryLink struct {
	ID, Name string
	Count    int
	Current  bool
}

type bankData struct {
	GroupURL   string
	Query      string
	Category   string
	Categories []categoryLink
	Cards      []cardView
	Matched    int
	More       int
}

func (s *Server) bankPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("group")
	if _, _, err := s.group(r.Context(), id); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	cat := r.URL.Query().Get("c")
	if _, ok := s.cfg.Bank.Category(cat); !ok {
		cat = ""
	}
	d := bankData{GroupURL: "/g/" + url.PathEscape(id), Query: q, Category: cat}
	counts := map[string]int{}
	for _, c := range s.cfg.Bank.Cards() {
		counts[c.Category]++
	}
	for _, c := range s.cfg.Bank.Categories() {
		d.Categories = append(d.Categories, categoryLink{ID: c.ID, Name: c.Name, Count: counts[c.ID], Current: c.ID == cat})
	}
	words := strings.Fields(strings.ToLower(q))
	for _, c := range s.cfg.Bank.Cards() {
		if cat != "" && c.Category != cat || !matches(c, words) {
			continue
		}
		d.Matched++
		if len(d.Cards) == maxCards {
			d.More++
			continue
		}
		d.Cards = append(d.Cards, s.cardView(c))
	}
	s.render(w, http.StatusOK, "bank.html", d, false)
}

// matches reports whether every word is in a card's prompt, key concepts,
// model answer or id.
func matches(c *questionbank.Card, words []string) bool {
	if len(words) == 0 {
		return true
	}
	text := strings.ToLower(c.ID + "\n" + c.Prompt + "\n" + strings.Join(c.KeyConcepts, "\n") + "\n" + c.Answer)
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func (s *Server) cardView(c *questionbank.Card) cardView {
	v := cardView{ID: c.ID, Prompt: c.Prompt, Category: s.categoryName(c.Category), Difficulty: string(c.Difficulty), Answer: c.Answer, Concepts: c.KeyConcepts}
	if q := c.QuickCheck; q != nil {
		if i := q.CorrectIndex(); i >= 0 {
			v.Correct = q.Options[i].Text
		}
		v.Explanation = q.Explanation
	}
	if v.Answer == "" && len(c.Answers) > 0 {
		v.Answer = strings.Join(c.Answers, " · ")
	}
	return v
}
