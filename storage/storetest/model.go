package storetest

import (
	"cmp"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/prepbot/prepbot/bot"
)

// model is what a store must hold after a scenario's answers, computed with
// the domain's own rules (Member.Apply, Score.Apply, Review.Apply, Grade):
// the store must apply them, in the commit that records the answer, and
// read back what they left.
type model struct {
	members  map[memberKey]bot.Member
	scores   map[boardKey]map[string]bot.Score // by user
	reviews  map[memberKey]map[string]bot.Review
	activity map[memberKey]map[string]int
	tallies  map[[2]string]map[string]bot.Tally // group and period -> category -> answers
	done     map[doneKey]bool
}

type memberKey struct{ group, user string }

type boardKey struct{ group, period, cat string }

// doneKey is what makes an answer or a rating a repeat: its kind, post and
// user.
type doneKey struct {
	kind bot.EventKind
	post uint64
	user string
}

func newModel() *model {
	return &model{members: map[memberKey]bot.Member{}, scores: map[boardKey]map[string]bot.Score{},
		reviews: map[memberKey]map[string]bot.Review{}, activity: map[memberKey]map[string]int{},
		tallies: map[[2]string]map[string]bot.Tally{}, done: map[doneKey]bool{}}
}

// record applies an answer as bot.Store.Record's doc comment says, and
// returns the member after it, or reports a repeat (and changes nothing).
func (m *model) record(a bot.Answer) (bot.Member, bool) {
	mk := memberKey{a.Group, a.User}
	if dk := (doneKey{a.Kind, a.PostID, a.User}); m.done[dk] {
		return m.members[mk], true
	} else {
		m.done[dk] = true
	}
	mem := m.members[mk]
	mem.Categories, mem.Ratings = maps.Clone(mem.Categories), maps.Clone(mem.Ratings)
	mem.Apply(&a)
	m.members[mk] = mem

	if m.reviews[mk] == nil {
		m.reviews[mk] = map[string]bot.Review{}
	}
	r, ok := m.reviews[mk][a.CardID]
	if !ok {
		r = bot.Review{Card: a.CardID, Category: a.Category}
	}
	r.Apply(bot.Grade(&a), a.Day)
	m.reviews[mk][a.CardID] = r

	if m.activity[mk] == nil {
		m.activity[mk] = map[string]int{}
	}
	m.activity[mk][a.Day]++

	for _, period := range a.Periods {
		cats := []string{""}
		if a.Category != "" {
			cats = append(cats, a.Category)
		}
		for _, cat := range cats {
			bk := boardKey{a.Group, period, cat}
			if m.scores[bk] == nil {
				m.scores[bk] = map[string]bot.Score{}
			}
			s := m.scores[bk][a.User]
			s.Apply(&a)
			m.scores[bk][a.User] = s
		}
		if a.Kind == bot.KindAnswer && a.Category != "" { // by category: an answer without one has none
			gp := [2]string{a.Group, period}
			if m.tallies[gp] == nil {
				m.tallies[gp] = map[string]bot.Tally{}
			}
			t := m.tallies[gp][a.Category]
			t.Answered++
			if a.Correct {
				t.Correct++
			}
			m.tallies[gp][a.Category] = t
		}
	}
	return mem, false
}

// board returns a whole leaderboard in the order bot.Store.Leaderboard
// promises: most points, then best accuracy, then who got there first;
// then, beyond the doc comment, by user id (the bbolt backend's order, and
// the only one that makes the order total).
func (m *model) board(group, period, cat string) []bot.Score {
	out := slices.Collect(maps.Values(m.scores[boardKey{group, period, cat}]))
	slices.SortFunc(out, compareScores)
	return out
}

func compareScores(a, b bot.Score) int {
	if c := cmp.Compare(b.Points, a.Points); c != 0 {
		return c
	}
	if c := cmp.Compare(b.Accuracy(), a.Accuracy()); c != 0 {
		return c
	}
	if c := a.ReachedAt.Compare(b.ReachedAt); c != 0 {
		return c
	}
	return strings.Compare(a.User, b.User)
}

// boards are the leaderboards the model has scores in.
func (m *model) boards() iter.Seq[boardKey] { return maps.Keys(m.scores) }

// periods are the groups and periods the model has answers in.
func (m *model) periods() iter.Seq[[2]string] {
	return func(yield func([2]string) bool) {
		seen := map[[2]string]bool{}
		for bk := range m.scores {
			gp := [2]string{bk.group, bk.period}
			if !seen[gp] {
				seen[gp] = true
				if !yield(gp) {
					return
				}
			}
		}
	}
}

// memberReviews returns a member's reviews ordered by card.
func (m *model) memberReviews(group, user string) []bot.Review {
	rs := m.reviews[memberKey{group, user}]
	out := make([]bot.Review, 0, len(rs))
	for _, card := range slices.Sorted(maps.Keys(rs)) {
		out = append(out, rs[card])
	}
	return out
}

// groupMembers returns a group's members ordered by user.
func (m *model) groupMembers(group string) []bot.Member {
	var out []bot.Member
	for k, mem := range m.members {
		if k.group == group {
			out = append(out, mem)
		}
	}
	return sortedMembers(out)
}
