package bot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Seasons: an admin starts a named season and ends it. While it runs, every
// answer and self-rating also counts toward the season's own period (its
// ID), so the score index the other boards use keeps its leaderboard, from
// zero; when it ends, that leaderboard stays as its final standings.

// maxSeasonName bounds a season's name, in characters.
const maxSeasonName = 60

// FindSeason returns the group's season (running or ended) of a name,
// compared without case and with runs of spaces as one.
func (g Group) FindSeason(name string) (Season, bool) {
	name = seasonName(name)
	if g.Season.ID != "" && strings.EqualFold(g.Season.Name, name) {
		return g.Season, true
	}
	for _, s := range g.Seasons {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Season{}, false
}

// seasonName is a name as typed, with its spaces trimmed and runs of them
// made one.
func seasonName(name string) string { return strings.Join(strings.Fields(name), " ") }

// seasonID makes the period key of a new season from its name: "s" and a
// slug of it, with a number added when another season of the group has
// that key (two names may make one slug: "Q1 prep" and "Q1-prep!").
func (g Group) seasonID(name string) string {
	var slug strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && slug.Len() > 0 {
				slug.WriteByte('-')
			}
			dash = false
			slug.WriteRune(r)
		default:
			dash = true
		}
		if slug.Len() >= 32 {
			break
		}
	}
	base := "s" + slug.String()
	if slug.Len() == 0 {
		base = "season"
	}
	taken := map[string]bool{g.Season.ID: true}
	for _, s := range g.Seasons {
		taken[s.ID] = true
	}
	id := base
	for n := 2; taken[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	return id
}

// seasonPeriods adds the running season's period to an answer's periods,
// when the answer came after the season started.
func seasonPeriods(g Group, a *Answer) {
	if g.Season.ID != "" && !a.At.Before(g.Season.Start) {
		a.Periods = append(a.Periods, g.Season.ID)
	}
}

// quoted is a season's name in a reply's Markdown, in double quotes, as
// the season option takes it (a name has no double quotes of its own).
func quoted(name string) string { return `"` + EscapeMarkdown(name) + `"` }

// seasonsHint says how to see a season's board, or to start one.
func seasonsHint(g Group) string {
	var past []string
	for i := len(g.Seasons) - 1; i >= 0 && len(past) < 5; i-- {
		past = append(past, quoted(g.Seasons[i].Name))
	}
	text := `There has been no season yet. An admin starts one with /season start name:"Q1 prep".`
	switch {
	case g.Season.ID != "":
		text = "The season running is " + quoted(g.Season.Name) + ": /leaderboard season."
	case len(past) > 0:
		text = `An admin starts one with /season start name:"Q1 prep".`
	}
	if len(past) > 0 {
		text = fmt.Sprintf("Past seasons: %s; see one with /leaderboard season:%s. %s", strings.Join(past, ", "), past[0], text)
	}
	return text
}

// seasonSpan says when a season ran, in the group's time zone.
func seasonSpan(s Season, loc *time.Location) string {
	const layout = "2 Jan 2006 15:04"
	if s.End.IsZero() {
		return "Running since " + s.Start.In(loc).Format(layout) + " (" + loc.String() + "); it counts answers from its start"
	}
	return "Final standings: from " + s.Start.In(loc).Format(layout) + " to " + s.End.In(loc).Format(layout) + " (" + loc.String() + ")"
}

func (b *Bot) season(ctx context.Context, req Request) (Reply, error) {
	sub := req.Args["sub"]
	if sub == "" {
		sub = "list"
	}
	if sub != "list" && !req.User.Admin {
		return Reply{}, Errorf(EForbidden, "Only server admins can start or end a season (on Discord: Manage Server; on Slack: a workspace admin). Ask one of them, or see the seasons with /season list.")
	}
	g, err := b.store.Group(ctx, req.Group)
	if err != nil {
		return Reply{}, err
	}
	g.ID = req.Group
	loc := b.zone(g)
	switch sub {
	case "start":
		return b.seasonStart(ctx, req, g, loc)
	case "end":
		var ended Season
		err := b.store.UpdateGroup(ctx, req.Group, func(g *Group) error {
			if g.Season.ID == "" {
				return Errorf(ENotFound, `No season is running. Start one with /season start name:"Q1 prep".`)
			}
			ended = g.endSeason(b.clock.Now())
			return nil
		})
		if err != nil {
			return Reply{}, err
		}
		top, err := b.store.Leaderboard(ctx, req.Group, ended.ID, "", 3)
		if err != nil {
			return Reply{}, err
		}
		text := fmt.Sprintf("Answers no longer count toward it. Its final standings stay: /leaderboard season:%s.", quoted(ended.Name))
		if len(top) > 0 {
			var t strings.Builder
			for i, s := range top {
				name := s.Name
				if name == "" {
					name = s.User
				}
				fmt.Fprintf(&t, "\n%s **%s**: %s", []string{"🥇", "🥈", "🥉"}[i], EscapeMarkdown(name), plural(s.Points, "point", "points"))
			}
			text += "\n" + t.String()
		}
		return Reply{Title: "Season ended: " + ended.Name, Text: text, Color: 0xF1C40F, Footer: seasonSpan(ended, loc)}, nil
	case "list":
		return seasonList(g, loc), nil
	}
	return Reply{}, Errorf(EInvalid, "Unknown /season subcommand %q: use start, end or list.", sub)
}

// endSeason ends the running season at now and keeps it with the past
// ones.
func (g *Group) endSeason(now time.Time) Season {
	s := g.Season
	s.End = now.UTC()
	g.Seasons = append(g.Seasons, s)
	g.Season = Season{}
	return s
}

func (b *Bot) seasonStart(ctx context.Context, req Request, g Group, loc *time.Location) (Reply, error) {
	name := seasonName(req.Args["name"])
	switch {
	case name == "":
		return Reply{}, Errorf(EInvalid, `Name the season: /season start name:"Q1 prep".`)
	case len([]rune(name)) > maxSeasonName:
		return Reply{}, Errorf(EInvalid, "That name is %d characters long; give the season a name of at most %d.", len([]rune(name)), maxSeasonName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0 || strings.Contains(name, `"`):
		return Reply{}, Errorf(EInvalid, `Give the season a name of plain text on one line, without double quotes: /season start name:"Q1 prep".`)
	}
	now := b.clock.Now()
	var text string
	// decided on the group as it is in the store, under its lock: two
	// admins starting seasons at once (on two replicas) both count
	err := b.store.UpdateGroup(ctx, req.Group, func(cur *Group) error {
		if s, ok := cur.FindSeason(name); ok {
			when := "running now"
			if !s.End.IsZero() {
				when = "it ended " + s.End.In(loc).Format("2 Jan 2006")
			}
			return Errorf(EConflict, "This server already had a season named %s (%s): names are kept for their final standings. Choose another name, such as %s.", quoted(s.Name), when, quoted(name+" 2"))
		}
		text = ""
		if cur.Season.ID != "" {
			ended := cur.endSeason(now)
			text = fmt.Sprintf("Season %s was running: it has ended, and its final standings stay: /leaderboard season:%s.\n\n", quoted(ended.Name), quoted(ended.Name))
		}
		cur.Season = Season{ID: cur.seasonID(name), Name: name, Start: now.UTC(), By: req.User.ID}
		g = *cur
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	text += "From now on every answer and self-rating also counts toward this season's leaderboard, which starts from zero for everyone: /leaderboard season (by:days for the days studied). An admin ends it with /season end."
	return Reply{Title: "Season started: " + name, Text: text, Color: 0xF1C40F, Footer: seasonSpan(g.Season, loc)}, nil
}

// seasonList is the reply to /season list: the season running and the
// past ones, latest first.
func seasonList(g Group, loc *time.Location) Reply {
	const layout = "2 Jan 2006"
	r := Reply{Title: "Seasons", Private: true, Color: 0xF1C40F}
	var t strings.Builder
	if g.Season.ID != "" {
		fmt.Fprintf(&t, "Running: **%s**, since %s: /leaderboard season\n", EscapeMarkdown(g.Season.Name), g.Season.Start.In(loc).Format(layout))
	} else {
		t.WriteString(`No season is running. An admin starts one with /season start name:"Q1 prep"; answers then count toward its own leaderboard, from zero.` + "\n")
	}
	if len(g.Seasons) > 0 {
		t.WriteString("\n**Past seasons**, final standings with /leaderboard season:\"name\":\n")
	}
	for i := len(g.Seasons) - 1; i >= 0; i-- {
		s := g.Seasons[i]
		fmt.Fprintf(&t, "- **%s**: %s to %s\n", EscapeMarkdown(s.Name), s.Start.In(loc).Format(layout), s.End.In(loc).Format(layout))
	}
	r.Text = strings.TrimSpace(t.String())
	return r
}
