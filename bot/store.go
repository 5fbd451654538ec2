package bot

import (
	"context"
	"time"

	"github.com/prepbot/prepbot/questionbank"
)

// Store is the durable state the bot needs: every per-entity store below,
// in one value. Every method that records something has committed it
// durably when it returns nil (FirstDelivery says how delivery ids differ).
type Store interface {
	GroupStore
	PostStore
	DrawStore
	AnswerStore
	MemberStore
	BoardStore
	PeekStore
	PressStore
	ScheduleStore
	RoundStore
	DeliveryStore
	LimitStore
}

// GroupStore keeps per-group settings.
type GroupStore interface {
	Group(ctx context.Context, id string) (Group, error) // zero Group with ID set when unknown
	SaveGroup(ctx context.Context, g Group) error
	// UpdateGroup changes a group's settings in a transaction, starting
	// from Group{ID: id} when it has none; an error of fn changes nothing.
	// Changes made at once (by several replicas) are never lost.
	UpdateGroup(ctx context.Context, id string, fn func(*Group) error) error
}

// PostStore keeps the cards posted to channels.
type PostStore interface {
	// CreatePost stores a post and sets its ID.
	CreatePost(ctx context.Context, p *Post) error
	// Post returns a post by id, or ErrNotFound.
	Post(ctx context.Context, id uint64) (Post, error)
}

// DrawStore keeps the shuffle bags cards are drawn from.
type DrawStore interface {
	// Draw runs fn on the saved shuffle-bag state for key and saves what fn
	// leaves in it, in one transaction.
	Draw(ctx context.Context, key string, fn func(*questionbank.BagState) error) error
}

// AnswerStore records answers and self-ratings, and with them everything
// they change: the member (MemberStore), the member's reviews and daily
// activity, and the scores leaderboards read (BoardStore). The rules it
// applies are the domain's, given to the backend as Rules (StandardRules,
// which the doc comments below name, unless it was given others).
type AnswerStore interface {
	// Record stores an answer or rating, at most once per kind, post and
	// user (else ErrAlreadyAnswered), and in the same commit applies it to
	// the member (Member.Apply) and to the member's scores for each of
	// a.Periods, overall and for a.Category. It sets a.Seq and returns the
	// member as updated.
	Record(ctx context.Context, a *Answer) (Member, error)
	// Answer returns what Record stored for a kind, post and user, its
	// Seq set, or ErrNotFound.
	Answer(ctx context.Context, group, user string, kind EventKind, post uint64) (Answer, error)
}

// MemberStore reads what Record keeps about members.
type MemberStore interface {
	// Member returns a member's record; a zero Member when none.
	Member(ctx context.Context, group, user string) (Member, error)
	// Members returns every member of a group.
	Members(ctx context.Context, group string) ([]Member, error)
	// Reviews returns a member's spaced-repetition states, one per card
	// answered (Record keeps them, applying Review.Apply).
	Reviews(ctx context.Context, group, user string) ([]Review, error)
	// Activity returns a member's answers per local day (2006-01-02).
	Activity(ctx context.Context, group, user string) (map[string]int, error)
	// UpdateMember changes a member's settings in a transaction, starting
	// from Member{Group: group, User: user} when there is none; an error
	// of fn changes nothing. It never loses what a Record of the same
	// member (on any replica) changes meanwhile, nor another UpdateMember.
	UpdateMember(ctx context.Context, group, user string, fn func(*Member) error) error
	// Reminders returns every member, of every group, whose Remind is
	// set, from an index of them: its cost is theirs, not every member's.
	Reminders(ctx context.Context) ([]Member, error)
}

// BoardStore reads the scores Record keeps.
type BoardStore interface {
	// Leaderboard returns the top limit scores for a period and category
	// ("" for all categories), best first: most points, then best
	// accuracy, then who got there first.
	Leaderboard(ctx context.Context, group, period, category string, limit int) ([]Score, error)
	// DaysBoard is Leaderboard in the ByDays order: the consistency board.
	DaysBoard(ctx context.Context, group, period, category string, limit int) ([]Score, error)
	// Rank returns a member's place, from 1, on the board of a period and
	// category in the given order, and the member's score there; 0 and a
	// zero Score when the member has none there.
	Rank(ctx context.Context, group, period, category, user string, by Order) (int, Score, error)
	// PeriodTallies sums a group's answers in a period by category.
	PeriodTallies(ctx context.Context, group, period string) (map[string]Tally, error)
}

// PeekStore keeps what members opened of a card before answering it.
type PeekStore interface {
	// SavePeek records durably that a member opened a card's hint or
	// model answer on a day, together with what they opened of it earlier
	// that day; Peeked returns it (a zero Peek when there is none).
	SavePeek(ctx context.Context, group, user, card string, p Peek) error
	Peeked(ctx context.Context, group, user, card string) (Peek, error)
}

// PressStore reads together what a press on a card needs first.
type PressStore interface {
	// ReadPress returns what Group(group), Member(group, user) and
	// Peeked(group, user, card) return, read at once: one round trip
	// where each read is one (PostgreSQL), so that an answer reads before
	// its commit once rather than three times.
	ReadPress(ctx context.Context, group, user, card string) (PressState, error)
}

// FirstPressStore is implemented, besides DeliveryStore and PressStore,
// by a store that can ask a delivery id's check and a press's reads at
// once: one round trip where each is one (PostgreSQL). A press on a card
// would otherwise ask one and then the other.
type FirstPressStore interface {
	// FirstPress is FirstDelivery(ctx, id, at) and ReadPress(ctx, group,
	// user, card) together: err is the delivery id's check's, and st is
	// what ReadPress returns, or nil when the reads failed (the press then
	// reads again).
	FirstPress(ctx context.Context, id string, at time.Time, group, user, card string) (first bool, st *PressState, err error)
}

// PressState is what ReadPress reads.
type PressState struct {
	Group  Group
	Member Member
	Peek   Peek
}

// ScheduleStore keeps the channels' daily questions and the claims that
// post each day's question and each week's digest once.
type ScheduleStore interface {
	Schedule(ctx context.Context, group, channel string) (Schedule, error) // ErrNotFound
	Schedules(ctx context.Context, group string) ([]Schedule, error)       // "" for every group
	// SaveSchedule stores a schedule whole, its claims (LastDay,
	// DailyUntil, LastDigest, DigestUntil) too.
	SaveSchedule(ctx context.Context, s Schedule) error
	// UpdateSchedule changes a schedule in a transaction (ErrNotFound when
	// there is none): what fn does to the claims is ignored, so that a
	// change never undoes a claim made meanwhile (by another replica).
	UpdateSchedule(ctx context.Context, group, channel string, fn func(*Schedule) error) error
	DeleteSchedule(ctx context.Context, group, channel string) error
	// ClaimDaily claims the daily post of a channel for the local day
	// c.Day, until c.Until, and reports whether this call claimed it: the
	// day was not claimed yet, or its claim was never confirmed and had
	// expired at c.At (whoever claimed it died before posting). It sets
	// LastDay and DailyUntil; PostedDaily confirms the claim.
	ClaimDaily(ctx context.Context, group, channel string, c Claim) (bool, error)
	// PostedDaily confirms a day's claim: the post was made, the day is
	// never claimed again.
	PostedDaily(ctx context.Context, group, channel, day string) error
	// UnclaimDaily undoes a claim whose post failed, so it is retried, if
	// it still holds (c.Holds: no one took the day over meanwhile); the
	// days before it stay claimed.
	UnclaimDaily(ctx context.Context, group, channel string, c Claim) error
	// ClaimDigest and PostedDigest are ClaimDaily and PostedDaily for the
	// weekly digest (LastDigest, DigestUntil).
	ClaimDigest(ctx context.Context, group, channel string, c Claim) (bool, error)
	PostedDigest(ctx context.Context, group, channel, day string) error
}

// Claim is a claim of a channel's post for a local day, made at At and
// held until Until unless confirmed.
type Claim struct {
	Day       string
	At, Until time.Time
}

// Take applies c to the claimed day and expiry of a schedule's post
// (LastDay and DailyUntil, or LastDigest and DigestUntil) and reports
// whether c takes the day: as ClaimDaily says.
func (c Claim) Take(last *string, until *time.Time) bool {
	if *last < c.Day || *last == c.Day && expired(*until, c.At) {
		*last, *until = c.Day, c.Until
		return true
	}
	return false
}

// Holds reports whether c is the claim a schedule's post holds now: its
// day, not confirmed, not taken over.
func (c Claim) Holds(last string, until time.Time) bool {
	return last == c.Day && !until.IsZero() && until.Equal(c.Until)
}

// Confirm marks a claim of day as confirmed (see PostedDaily).
func Confirm(last *string, until *time.Time, day string) bool {
	if *last == day && !until.IsZero() {
		*until = time.Time{}
		return true
	}
	return false
}

// RoundStore keeps the study rounds in progress.
type RoundStore interface {
	// Round returns a channel's study round, or ErrNotFound; Rounds every
	// round in progress. UpdateRound changes one in a transaction
	// (ErrNotFound when there is none).
	Round(ctx context.Context, group, channel string) (Round, error)
	Rounds(ctx context.Context) ([]Round, error)
	SaveRound(ctx context.Context, r Round) error
	UpdateRound(ctx context.Context, group, channel string, fn func(*Round) error) error
	DeleteRound(ctx context.Context, group, channel string) error
}

// DeliveryStore remembers the platforms' delivery ids, so that a
// redelivered interaction is handled once.
type DeliveryStore interface {
	// FirstDelivery records a platform's delivery id (seen at at) and
	// reports whether it is new; PurgeDeliveries forgets ids seen before a
	// moment. Unlike the other records, a delivery id may reach the disk
	// shortly after FirstDelivery returns (it is a guard against
	// redeliveries, not a record users are told about); concurrent calls
	// with one id still report it new exactly once.
	FirstDelivery(ctx context.Context, id string, at time.Time) (bool, error)
	PurgeDeliveries(ctx context.Context, before time.Time) (int, error)
}

// LimitStore counts members' recent draws for the draw cooldown, so that
// every replica of the bot applies one limit (a member cannot draw five
// cards a minute from each).
type LimitStore interface {
	// Allow counts an event of key at at when fewer than limit events of
	// key are counted in the window before at, and reports whether it
	// counted it; when not, retryAt is when the oldest of them leaves the
	// window. Concurrent calls count at most limit events in a window.
	// Like delivery ids, counts are a guard rather than a record: a
	// backend may keep them in memory where one process serves.
	Allow(ctx context.Context, key string, at time.Time, limit int, window time.Duration) (ok bool, retryAt time.Time, err error)
}

// SlideWindow is Allow's rule on the times counted for a key: it drops
// those outside the window before at, and appends at when fewer than
// limit remain. It returns the times kept, whether at was counted, and
// when not, when the oldest leaves the window. Backends apply it to what
// they keep.
func SlideWindow(times []time.Time, at time.Time, limit int, window time.Duration) ([]time.Time, bool, time.Time) {
	recent := times[:0:0]
	for _, t := range times {
		if at.Sub(t) < window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= limit {
		return recent, false, recent[0].Add(window)
	}
	return append(recent, at), true, time.Time{}
}
