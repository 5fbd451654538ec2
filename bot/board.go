package bot

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/prepbot/prepbot/questionbank"
)

// Pictures draws the pictures replies carry, as PNG: the ranking of
// /leaderboard chart:yes and a member's year in /stats. The domain says
// what a picture shows; bot/chart draws it. A bot without one
// (Config.Pictures nil) replies without pictures.
type Pictures interface {
	// Leaderboard draws a ranking, best first.
	Leaderboard(title string, standings []Standing) ([]byte, error)
	// Stats draws a member's year: answers per day (days maps 2006-01-02
	// to a count) in the 53 weeks up to today, and accuracy per category.
	Stats(title string, days map[string]int, today time.Time, categories []CategoryTally) ([]byte, error)
}

// Standing is one member's line in a leaderboard picture.
type Standing struct {
	Name     string
	Points   int
	Accuracy int // percent
	Streak   int // days
}

// CategoryTally is a member's answers in one category, for a stats
// picture.
type CategoryTally struct {
	Name string // the category's name
	Tally
}

// location returns a group's time zone.
func (b *Bot) location(ctx context.Context, group string) (*time.Location, error) {
	g, err := b.store.Group(ctx, group)
	if err != nil {
		return nil, err
	}
	return b.zone(g), nil
}

// zone returns a group's time zone, from its settings.
func (b *Bot) zone(g Group) *time.Location {
	name := g.TimeZone
	if name == "" {
		name = b.tz
	}
	loc, err := LoadLocation(name)
	if err != nil {
		return time.UTC // a zone that vanished from the system's tzdata: fall back rather than fail
	}
	return loc
}

// Order is how a leaderboard ranks its scores.
type Order int

const (
	// ByPoints ranks by points, then accuracy, then who reached their
	// points first, then user id: Leaderboard's order.
	ByPoints Order = iota
	// ByDays ranks by days studied (Score.Days), then points, then who
	// reached their points first, then user id: DaysBoard's order, the
	// consistency board.
	ByDays
)

// Compare orders two scores of one board as o ranks them: negative when a
// comes first. Accuracy compares in millionths and times in Unix
// nanoseconds (never below 0), as the backends index them.
func (o Order) Compare(a, b Score) int {
	if o == ByDays {
		if c := cmp.Compare(b.Days, a.Days); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(max(b.Points, 0), max(a.Points, 0)); c != 0 {
		return c
	}
	if o == ByPoints {
		if c := cmp.Compare(b.AccuracyMillionths(), a.AccuracyMillionths()); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(max(a.ReachedAt.UnixNano(), 0), max(b.ReachedAt.UnixNano(), 0)); c != 0 {
		return c
	}
	return strings.Compare(a.User, b.User)
}

// AccuracyMillionths is a score's accuracy in millionths, rounded: what
// the leaderboards compare.
func (s Score) AccuracyMillionths() int { return int(math.Round(s.Accuracy() * 1e6)) }

var periodNames = map[string]string{"week": "this week", "month": "this month", "all": "all time", "season": "this season"}

// boardTop is how many members a leaderboard lists.
const boardTop = 10

func (b *Bot) leaderboard(ctx context.Context, req Request) (Reply, error) {
	period := strings.ToLower(strings.TrimSpace(req.Args["period"]))
	seasonName := strings.TrimSpace(req.Args["season"])
	if period == "" && seasonName == "" {
		period = "week"
	}
	if _, ok := periodNames[period]; !ok && period != "" {
		return Reply{}, Errorf(EInvalid, "Unknown period %q: choose week, month or all. For the season running: season.", req.Args["period"])
	}
	if seasonName != "" && period != "" && period != "season" {
		return Reply{}, Errorf(EInvalid, "Choose a period or a season, not both: /leaderboard period:%s, or /leaderboard season:%s.", period, quoted(shorten(seasonName, 60)))
	}
	by := ByPoints
	switch strings.ToLower(strings.TrimSpace(req.Args["by"])) {
	case "", "points":
	case "days":
		by = ByDays
	default:
		return Reply{}, Errorf(EInvalid, "Unknown order %q: choose by:points, or by:days for the days studied.", req.Args["by"])
	}
	cat := strings.ToLower(strings.TrimSpace(req.Args["category"]))
	if err := b.bank.CheckFilter(questionbank.Filter{Category: cat}); err != nil {
		return Reply{}, invalid(err)
	}
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	loc := b.zone(g)
	key, label := PeriodKey(period, b.clock.Now(), loc), periodNames[period]
	footer := "Periods follow " + loc.String() + " time"
	switch {
	case seasonName != "":
		s, ok := g.FindSeason(seasonName)
		if !ok {
			return Reply{}, Errorf(ENotFound, "There is no season %s in this server. %s", quoted(shorten(seasonName, 60)), seasonsHint(g))
		}
		key, label, footer = s.ID, "season "+s.Name, seasonSpan(s, loc)
	case period == "season":
		if g.Season.ID == "" {
			return Reply{}, Errorf(ENotFound, "No season is running. %s", seasonsHint(g))
		}
		key, label, footer = g.Season.ID, "season "+g.Season.Name, seasonSpan(g.Season, loc)
	}
	var scores []Score
	if by == ByDays {
		scores, err = b.store.DaysBoard(ctx, req.Group, key, cat, boardTop)
	} else {
		scores, err = b.store.Leaderboard(ctx, req.Group, key, cat, boardTop)
	}
	if err != nil {
		return Reply{}, err
	}
	title := "Leaderboard: " + label
	if by == ByDays {
		title = "Days studied: " + label
		footer += " · a day counts once, with an answer or a self-rating · ties go to points, then to who got there first"
	} else {
		footer += " · ties go to accuracy, then to who got there first"
	}
	if cat != "" {
		title += " · " + fmtCategory(b.bank, cat)
	}
	r := Reply{Title: title, Color: 0xF1C40F, Footer: footer}
	if len(scores) == 0 {
		r.Text = "No points yet for " + label + ". Be the first: draw a card with /question."
		return r, nil
	}
	var t strings.Builder
	medals := []string{"🥇", "🥈", "🥉"}
	listed := false
	for i, s := range scores {
		place := fmt.Sprintf("%d.", i+1)
		if i < len(medals) {
			place = medals[i]
		}
		name := s.Name
		if name == "" {
			name = s.User
		}
		listed = listed || s.User == req.User.ID
		if by == ByDays {
			fmt.Fprintf(&t, "%s **%s**: %s · %s\n", place, EscapeMarkdown(name), plural(s.Days, "day", "days"), plural(s.Points, "point", "points"))
			continue
		}
		fmt.Fprintf(&t, "%s **%s**: %d points", place, EscapeMarkdown(name), s.Points)
		if s.Answered > 0 {
			fmt.Fprintf(&t, " · %d%% of %s", s.Percent(), plural(s.Answered, "answer", "answers"))
		}
		t.WriteString("\n")
	}
	if !listed {
		// the member who asked, below the top: where they stand
		rank, s, err := b.store.Rank(ctx, req.Group, key, cat, req.User.ID, by)
		if err != nil {
			return Reply{}, err
		}
		if rank > len(scores) {
			t.WriteString("\nYou: " + ordinal(rank) + ", ")
			if by == ByDays {
				t.WriteString(plural(s.Days, "day", "days") + " · ")
			}
			t.WriteString(plural(s.Points, "point", "points"))
		}
	}
	r.Text = strings.TrimSpace(t.String())
	if yes(req.Args["chart"]) && b.cfg.Pictures != nil {
		now := b.clock.Now()
		var rows []Standing
		for _, s := range scores {
			m, err := b.store.Member(ctx, req.Group, s.User)
			if err != nil {
				return Reply{}, err
			}
			name := s.Name
			if name == "" {
				name = s.User
			}
			rows = append(rows, Standing{Name: name, Points: s.Points, Accuracy: s.Percent(), Streak: m.CurrentStreak(now, loc)})
		}
		data, err := b.cfg.Pictures.Leaderboard(title, rows)
		if err != nil {
			return Reply{}, err
		}
		r.Attachments = []Attachment{{Name: "leaderboard.png", Data: data, Alt: title}}
	}
	return r, nil
}

// ordinal writes a place: 1st, 2nd, 3rd, 4th, 11th, 21st, 112th.
func ordinal(n int) string {
	suffix := "th"
	switch n % 10 {
	case 1:
		suffix = "st"
	case 2:
		suffix = "nd"
	case 3:
		suffix = "rd"
	}
	if n%100 >= 11 && n%100 <= 13 {
		suffix = "th"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// yes reads a yes/no option.
func yes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "1", "on":
		return true
	}
	return false
}

func (b *Bot) stats(ctx context.Context, req Request) (Reply, error) {
	user, name := req.User.ID, req.User.Name
	if u := strings.TrimSpace(req.Args["user"]); u != "" && u != user {
		user, name = u, u
	}
	m, err := b.store.Member(ctx, req.Group, user)
	if err != nil {
		return Reply{}, err
	}
	if m.Name != "" {
		name = m.Name
	}
	r := Reply{Private: true, Title: "Stats: " + name, Color: 0x2E86C1}
	var page []Field // a private link to the member's own web page, when the group's are on
	if user == req.User.ID {
		link, err := b.memberLink(ctx, req.Group, user)
		if err != nil {
			return Reply{}, err
		}
		if link != "" {
			page = []Field{{Name: "Your web page", Value: link + "\nA private link to your own page, for 7 days: keep it to yourself."}}
		}
	}
	if m.Answered == 0 && m.Points == 0 && len(m.Interviews) == 0 {
		if user == req.User.ID {
			r.Text = "You have not answered anything yet. Draw a card with /question and press an option."
		} else {
			r.Text = EscapeMarkdown(name) + " has not answered anything in this server yet."
		}
		r.Fields = page
		return r, nil
	}
	loc, err := b.location(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	loc = m.Location(b.clock.Now(), loc) // the member's day
	today := Day(b.clock.Now(), loc)
	r.Fields = []Field{
		{Name: "Answered", Value: fmt.Sprint(m.Answered), Inline: true},
		{Name: "Accuracy", Value: fmt.Sprintf("%d%%", m.Percent()), Inline: true},
		{Name: "Points", Value: fmt.Sprint(m.Points), Inline: true},
		{Name: "Current streak", Value: currentStreakText(m.CurrentStreak(b.clock.Now(), loc), m.Longest), Inline: true},
		{Name: "Longest streak", Value: streakText(m.Longest), Inline: true},
		{Name: "Streak freezes", Value: fmt.Sprintf("%d of %d (one for each %d days of streak; a missed day uses one)", m.Freezes, MaxFreezes, FreezeEvery), Inline: false},
	}
	if n := m.Ratings["nailed"] + m.Ratings["partly"] + m.Ratings["missed"]; n > 0 {
		// studying by reading the model answer and rating yourself: kept
		// apart from the quick checks' accuracy
		r.Fields = append(r.Fields, Field{Name: "Self-rated", Value: fmt.Sprintf("%s (nailed %d, partly %d, missed %d)",
			plural(n, "card", "cards"), m.Ratings["nailed"], m.Ratings["partly"], m.Ratings["missed"]), Inline: false})
	}
	if f, ok := b.interviewField(m); ok {
		r.Fields = append(r.Fields, f)
	}
	if f, err := b.reviewField(ctx, req.Group, user, today); err == nil {
		r.Fields = append(r.Fields, f)
	} else {
		return Reply{}, err
	}
	weakest := m.Weakest(3)
	if weakest == "" {
		weakest = m.Weakest(1)
	}
	if t := m.Categories[weakest]; weakest != "" && t.Correct < t.Answered {
		r.Fields = append(r.Fields, Field{Name: "Weakest category", Value: fmt.Sprintf("%s (%d%%): practise with /question category:%s", fmtCategory(b.bank, weakest), t.Percent(), weakest), Inline: false})
	}
	var cats []string
	for c := range m.Categories {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	var t strings.Builder
	for _, c := range cats {
		tl := m.Categories[c]
		fmt.Fprintf(&t, "- %s: %d of %d correct (%d%%)\n", fmtCategory(b.bank, c), tl.Correct, tl.Answered, tl.Percent())
	}
	r.Text = "**Accuracy per category**\n" + strings.TrimSpace(t.String())
	if len(cats) == 0 { // mock interviews only
		r.Text = "No quick checks answered yet: draw a card with /question."
	}
	r.Fields = append(r.Fields, page...)
	if b.cfg.Pictures != nil {
		pic, err := b.statsPicture(ctx, req.Group, user, name, m, loc)
		if err != nil {
			return Reply{}, err
		}
		r.Attachments = []Attachment{pic}
	}
	if user == req.User.ID {
		r = b.withRemindNotice(ctx, req.Group, user, m, r)
	}
	return r, nil
}

// statsPicture draws a year of daily activity and accuracy per category.
func (b *Bot) statsPicture(ctx context.Context, group, user, name string, m Member, loc *time.Location) (Attachment, error) {
	days, err := b.store.Activity(ctx, group, user)
	if err != nil {
		return Attachment{}, err
	}
	var cats []CategoryTally
	for _, c := range b.bank.Categories() {
		cats = append(cats, CategoryTally{Name: c.Name, Tally: m.Categories[c.ID]})
	}
	total := 0
	for _, n := range days {
		total += n
	}
	title := fmt.Sprintf("%s: %s in the last year", name, plural(total, "answer", "answers"))
	data, err := b.cfg.Pictures.Stats(title, days, b.clock.Now().In(loc), cats)
	if err != nil {
		return Attachment{}, err
	}
	return Attachment{Name: "stats.png", Data: data, Alt: title + ", by day, and accuracy per category"}, nil
}

func (b *Bot) help() Reply {
	var t strings.Builder
	for _, c := range Commands {
		if len(c.Sub) == 0 {
			fmt.Fprintf(&t, "**/%s**%s: %s\n", c.Name, usageOf(c.Options), c.Description)
			continue
		}
		for _, s := range c.Sub {
			fmt.Fprintf(&t, "**/%s %s**%s: %s\n", c.Name, s.Name, usageOf(s.Options), s.Description)
		}
	}
	return Reply{Title: "prepbot: study for senior backend interviews together", Text: strings.TrimSpace(t.String()), Private: true,
		Footer: "Answer cards with their buttons. Points: easy 10, medium 15, hard 20, self-rating 1."}
}

func usageOf(opts []Option) string {
	var s strings.Builder
	for _, o := range opts {
		fmt.Fprintf(&s, " [%s]", o.Name)
	}
	return s.String()
}
