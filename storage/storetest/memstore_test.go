package storetest_test

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/storage/storetest"
)

// TestMemStore runs the suite against memStore, a store in memory written
// from bot.Store's doc comments and the few rules the suite adds to them
// (each says so where it is checked), not from the bbolt backend's code: the
// suite holds a second, unrelated implementation to the same contract, and
// a backend without restarts skips the restart checks. Every method checks
// ctx before it reads or changes anything.
func TestMemStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (bot.Store, func() bot.Store) { return newMemStore(), nil })
}

type key2 struct{ a, b string }

type memStore struct {
	mu         sync.Mutex
	groups     map[string]bot.Group
	posts      map[uint64]bot.Post
	lastPost   uint64
	bags       map[string]questionbank.BagState
	limits     map[string][]time.Time
	seq        uint64
	done       map[string]bool       // kind, post, user
	answers    map[string]bot.Answer // by kind, post, user, as done
	members    map[key2]bot.Member
	scores     map[string]map[string]bot.Score // group, period, category -> user -> score
	reviews    map[key2]map[string]bot.Review
	activity   map[key2]map[string]int
	schedules  map[key2]bot.Schedule
	rounds     map[key2]bot.Round
	peeks      map[string]bot.Peek
	deliveries map[string]time.Time
}

var _ bot.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{groups: map[string]bot.Group{}, posts: map[uint64]bot.Post{}, bags: map[string]questionbank.BagState{},
		done: map[string]bool{}, answers: map[string]bot.Answer{}, members: map[key2]bot.Member{}, scores: map[string]map[string]bot.Score{},
		reviews: map[key2]map[string]bot.Review{}, activity: map[key2]map[string]int{}, schedules: map[key2]bot.Schedule{},
		rounds: map[key2]bot.Round{}, peeks: map[string]bot.Peek{}, deliveries: map[string]time.Time{}}
}

func (s *memStore) lock() func() { s.mu.Lock(); return s.mu.Unlock }

func (s *memStore) Group(ctx context.Context, id string) (bot.Group, error) {
	if err := ctx.Err(); err != nil {
		return bot.Group{}, err
	}
	defer s.lock()()
	if g, ok := s.groups[id]; ok {
		g.Seasons = slices.Clone(g.Seasons)
		return g, nil
	}
	return bot.Group{ID: id}, nil
}

func (s *memStore) UpdateGroup(ctx context.Context, id string, fn func(*bot.Group) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	g, ok := s.groups[id]
	if !ok {
		g = bot.Group{ID: id}
	}
	g.Seasons = slices.Clone(g.Seasons)
	if err := fn(&g); err != nil {
		return err
	}
	g.ID = id
	g.Seasons = slices.Clone(g.Seasons)
	s.groups[id] = g
	return nil
}

func (s *memStore) SaveGroup(ctx context.Context, g bot.Group) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	g.Seasons = slices.Clone(g.Seasons)
	s.groups[g.ID] = g
	return nil
}

func (s *memStore) CreatePost(ctx context.Context, p *bot.Post) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	s.lastPost++
	p.ID = s.lastPost
	s.posts[p.ID] = *p
	return nil
}

func (s *memStore) Post(ctx context.Context, id uint64) (bot.Post, error) {
	if err := ctx.Err(); err != nil {
		return bot.Post{}, err
	}
	defer s.lock()()
	if p, ok := s.posts[id]; ok {
		return p, nil
	}
	return bot.Post{}, bot.ErrNotFound
}

func (s *memStore) Draw(ctx context.Context, key string, fn func(*questionbank.BagState) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	st := s.bags[key]
	if err := fn(&st); err != nil {
		return err
	}
	s.bags[key] = st
	return nil
}

func copyMember(m bot.Member) bot.Member {
	m.Categories, m.Ratings = maps.Clone(m.Categories), maps.Clone(m.Ratings)
	return m
}

func (s *memStore) Record(ctx context.Context, a *bot.Answer) (bot.Member, error) {
	if err := ctx.Err(); err != nil {
		return bot.Member{}, err
	}
	defer s.lock()()
	mk := key2{a.Group, a.User}
	dk := strings.Join([]string{string(a.Kind), strconv.FormatUint(a.PostID, 10), a.User}, "\x00")
	if s.done[dk] {
		return copyMember(s.members[mk]), bot.ErrAlreadyAnswered
	}
	s.done[dk] = true
	s.seq++
	a.Seq = s.seq
	stored := *a
	stored.Periods = slices.Clone(a.Periods)
	s.answers[dk] = stored
	rules := bot.StandardRules()
	m := copyMember(s.members[mk])
	rules.Member(&m, a)
	s.members[mk] = m
	if s.reviews[mk] == nil {
		s.reviews[mk] = map[string]bot.Review{}
	}
	r, ok := s.reviews[mk][a.CardID]
	if !ok {
		r = bot.Review{Card: a.CardID, Category: a.Category}
	}
	rules.Review(&r, a)
	s.reviews[mk][a.CardID] = r
	if s.activity[mk] == nil {
		s.activity[mk] = map[string]int{}
	}
	if rules.Activity(a) {
		s.activity[mk][a.Day]++
	}
	for _, period := range a.Periods {
		for _, cat := range slices.Compact([]string{"", a.Category}) {
			k := strings.Join([]string{a.Group, period, cat}, "\x00")
			if s.scores[k] == nil {
				s.scores[k] = map[string]bot.Score{}
			}
			sc := s.scores[k][a.User]
			sc.Apply(a)
			s.scores[k][a.User] = sc
		}
	}
	return copyMember(m), nil
}

func (s *memStore) Answer(ctx context.Context, group, user string, kind bot.EventKind, post uint64) (bot.Answer, error) {
	if err := ctx.Err(); err != nil {
		return bot.Answer{}, err
	}
	defer s.lock()()
	a, ok := s.answers[strings.Join([]string{string(kind), strconv.FormatUint(post, 10), user}, "\x00")]
	if !ok || a.Group != group {
		return bot.Answer{}, bot.ErrNotFound
	}
	a.Periods = slices.Clone(a.Periods)
	return a, nil
}

func (s *memStore) Reviews(ctx context.Context, group, user string) ([]bot.Review, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	return slices.Collect(maps.Values(s.reviews[key2{group, user}])), nil
}

func (s *memStore) Member(ctx context.Context, group, user string) (bot.Member, error) {
	if err := ctx.Err(); err != nil {
		return bot.Member{}, err
	}
	defer s.lock()()
	return copyMember(s.members[key2{group, user}]), nil
}

func (s *memStore) Leaderboard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	out := slices.Collect(maps.Values(s.scores[strings.Join([]string{group, period, category}, "\x00")]))
	slices.SortFunc(out, func(a, b bot.Score) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(b.Accuracy(), a.Accuracy()),
			a.ReachedAt.Compare(b.ReachedAt), strings.Compare(a.User, b.User))
	})
	return out[:max(0, min(limit, len(out)))], nil
}

// boardOrders are the orders of bot.BoardStore's boards, as their doc
// comments (and bot.Order's) say: Leaderboard's, then DaysBoard's.
var boardOrders = map[bot.Order]func(a, b bot.Score) int{
	bot.ByPoints: func(a, b bot.Score) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(b.Accuracy(), a.Accuracy()),
			a.ReachedAt.Compare(b.ReachedAt), strings.Compare(a.User, b.User))
	},
	bot.ByDays: func(a, b bot.Score) int {
		return cmp.Or(cmp.Compare(b.Days, a.Days), cmp.Compare(b.Points, a.Points),
			a.ReachedAt.Compare(b.ReachedAt), strings.Compare(a.User, b.User))
	},
}

func (s *memStore) DaysBoard(ctx context.Context, group, period, category string, limit int) ([]bot.Score, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	out := slices.Collect(maps.Values(s.scores[strings.Join([]string{group, period, category}, "\x00")]))
	slices.SortFunc(out, boardOrders[bot.ByDays])
	return out[:max(0, min(limit, len(out)))], nil
}

func (s *memStore) Rank(ctx context.Context, group, period, category, user string, by bot.Order) (int, bot.Score, error) {
	if err := ctx.Err(); err != nil {
		return 0, bot.Score{}, err
	}
	defer s.lock()()
	board := s.scores[strings.Join([]string{group, period, category}, "\x00")]
	mine, ok := board[user]
	if !ok {
		return 0, bot.Score{}, nil
	}
	rank := 1
	for _, o := range board {
		if boardOrders[by](o, mine) < 0 {
			rank++
		}
	}
	return rank, mine, nil
}

func copySchedule(sc bot.Schedule) bot.Schedule {
	sc.Categories, sc.Weekdays = slices.Clone(sc.Categories), slices.Clone(sc.Weekdays)
	return sc
}

func (s *memStore) Schedule(ctx context.Context, group, channel string) (bot.Schedule, error) {
	if err := ctx.Err(); err != nil {
		return bot.Schedule{}, err
	}
	defer s.lock()()
	if sc, ok := s.schedules[key2{group, channel}]; ok {
		return copySchedule(sc), nil
	}
	return bot.Schedule{}, bot.ErrNotFound
}

func (s *memStore) Schedules(ctx context.Context, group string) ([]bot.Schedule, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	var out []bot.Schedule
	for k, sc := range s.schedules {
		if group == "" || k.a == group {
			out = append(out, copySchedule(sc))
		}
	}
	return out, nil
}

func (s *memStore) SaveSchedule(ctx context.Context, sc bot.Schedule) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	s.schedules[key2{sc.Group, sc.Channel}] = copySchedule(sc)
	return nil
}

func (s *memStore) DeleteSchedule(ctx context.Context, group, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	delete(s.schedules, key2{group, channel})
	return nil
}

func (s *memStore) changeClaim(ctx context.Context, group, channel string, change func(*bot.Schedule) bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	defer s.lock()()
	sc, ok := s.schedules[key2{group, channel}]
	if !ok {
		return false, bot.ErrNotFound
	}
	if change(&sc) {
		s.schedules[key2{group, channel}] = sc
		return true, nil
	}
	return false, nil
}

func (s *memStore) ClaimDaily(ctx context.Context, group, channel string, c bot.Claim) (bool, error) {
	return s.changeClaim(ctx, group, channel, func(sc *bot.Schedule) bool { return c.Take(&sc.LastDay, &sc.DailyUntil) })
}

func (s *memStore) ClaimDigest(ctx context.Context, group, channel string, c bot.Claim) (bool, error) {
	return s.changeClaim(ctx, group, channel, func(sc *bot.Schedule) bool { return c.Take(&sc.LastDigest, &sc.DigestUntil) })
}

func (s *memStore) PostedDaily(ctx context.Context, group, channel, day string) error {
	_, err := s.changeClaim(ctx, group, channel, func(sc *bot.Schedule) bool { return bot.Confirm(&sc.LastDay, &sc.DailyUntil, day) })
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	}
	return err
}

func (s *memStore) PostedDigest(ctx context.Context, group, channel, day string) error {
	_, err := s.changeClaim(ctx, group, channel, func(sc *bot.Schedule) bool { return bot.Confirm(&sc.LastDigest, &sc.DigestUntil, day) })
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	}
	return err
}

func (s *memStore) UpdateSchedule(ctx context.Context, group, channel string, fn func(*bot.Schedule) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	sc, ok := s.schedules[key2{group, channel}]
	if !ok {
		return bot.ErrNotFound
	}
	changed := sc
	changed.Categories, changed.Weekdays = slices.Clone(sc.Categories), slices.Clone(sc.Weekdays)
	if err := fn(&changed); err != nil {
		return err
	}
	changed.Group, changed.Channel = group, channel
	changed.LastDay, changed.DailyUntil, changed.LastDigest, changed.DigestUntil = sc.LastDay, sc.DailyUntil, sc.LastDigest, sc.DigestUntil
	s.schedules[key2{group, channel}] = changed
	return nil
}

func (s *memStore) UnclaimDaily(ctx context.Context, group, channel string, c bot.Claim) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	if sc, ok := s.schedules[key2{group, channel}]; ok && c.Holds(sc.LastDay, sc.DailyUntil) {
		sc.LastDay, sc.DailyUntil = bot.DayBefore(c.Day), time.Time{}
		s.schedules[key2{group, channel}] = sc
	}
	return nil
}

func (s *memStore) Activity(ctx context.Context, group, user string) (map[string]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	return maps.Clone(s.activity[key2{group, user}]), nil
}

func copyRound(r bot.Round) bot.Round {
	r.Scores, r.Names = maps.Clone(r.Scores), maps.Clone(r.Names)
	return r
}

func (s *memStore) Round(ctx context.Context, group, channel string) (bot.Round, error) {
	if err := ctx.Err(); err != nil {
		return bot.Round{}, err
	}
	defer s.lock()()
	if r, ok := s.rounds[key2{group, channel}]; ok {
		return copyRound(r), nil
	}
	return bot.Round{}, bot.ErrNotFound
}

func (s *memStore) Rounds(ctx context.Context) ([]bot.Round, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	var out []bot.Round
	for _, r := range s.rounds {
		out = append(out, copyRound(r))
	}
	return out, nil
}

func (s *memStore) SaveRound(ctx context.Context, r bot.Round) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	s.rounds[key2{r.Group, r.Channel}] = copyRound(r)
	return nil
}

func (s *memStore) UpdateRound(ctx context.Context, group, channel string, fn func(*bot.Round) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	r, ok := s.rounds[key2{group, channel}]
	if !ok {
		return bot.ErrNotFound
	}
	r = copyRound(r)
	if err := fn(&r); err != nil {
		return err
	}
	s.rounds[key2{group, channel}] = copyRound(r)
	return nil
}

func (s *memStore) DeleteRound(ctx context.Context, group, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	delete(s.rounds, key2{group, channel})
	return nil
}

func (s *memStore) Members(ctx context.Context, group string) ([]bot.Member, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	var out []bot.Member
	for k, m := range s.members {
		if k.a == group {
			out = append(out, copyMember(m))
		}
	}
	return out, nil
}

func (s *memStore) PeriodTallies(ctx context.Context, group, period string) (map[string]bot.Tally, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer s.lock()()
	out := map[string]bot.Tally{}
	prefix := group + "\x00" + period + "\x00"
	for k, scores := range s.scores {
		cat, ok := strings.CutPrefix(k, prefix)
		if !ok || cat == "" || strings.Contains(cat, "\x00") {
			continue
		}
		for _, sc := range scores {
			t := out[cat]
			t.Answered += sc.Answered
			t.Correct += sc.Correct
			out[cat] = t
		}
	}
	return out, nil
}

func (s *memStore) SavePeek(ctx context.Context, group, user, card string, p bot.Peek) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.lock()()
	k := strings.Join([]string{group, user, card}, "\x00")
	if old := s.peeks[k]; old.Day == p.Day {
		p.Hint, p.Answer = p.Hint || old.Hint, p.Answer || old.Answer
	}
	s.peeks[k] = p
	return nil
}

func (s *memStore) Peeked(ctx context.Context, group, user, card string) (bot.Peek, error) {
	if err := ctx.Err(); err != nil {
		return bot.Peek{}, err
	}
	defer s.lock()()
	return s.peeks[strings.Join([]string{group, user, card}, "\x00")], nil
}

func (s *memStore) FirstDelivery(ctx context.Context, id string, at time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	defer s.lock()()
	if _, ok := s.deliveries[id]; ok {
		return false, nil
	}
	s.deliveries[id] = at
	return true, nil
}

func (s *memStore) PurgeDeliveries(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	defer s.lock()()
	n := 0
	for id, at := range s.deliveries {
		if at.Before(before) {
			delete(s.deliveries, id)
			n++
		}
	}
	return n, nil
}

func (s *memStore) Allow(ctx context.Context, key string, at time.Time, limit int, window time.Duration) (bool, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return false, time.Time{}, err
	}
	defer s.lock()()
	if s.limits == nil {
		s.limits = map[string][]time.Time{}
	}
	kept, ok, retryAt := bot.SlideWindow(s.limits[key], at, limit, window)
	s.limits[key] = kept
	return ok, retryAt, nil
}

// ReadPress is the three reads one after another: the model need not read
// them at one moment (the suite checks what is read, not when).
func (s *memStore) ReadPress(ctx context.Context, group, user, card string) (bot.PressState, error) {
	var st bot.PressState
	var err error
	if st.Group, err = s.Group(ctx, group); err != nil {
		return st, err
	}
	if st.Member, err = s.Member(ctx, group, user); err != nil {
		return st, err
	}
	st.Peek, err = s.Peeked(ctx, group, user, card)
	return st, err
}
