// Package dump moves prepbot's data from one storage backend to another.
// A Source (a backend's Dump) gives every record it holds as the domain's
// values, in one order; a Sink (a backend's Load) writes such records into
// an empty database, as its own methods would have written them; Copy
// joins the two. WriteExport turns a Source into the document `prepbot
// export` writes, the same bytes for the same data whichever backend holds
// it, so that two exports compared show whether a copy is whole.
//
// The draw cooldowns (bot.LimitStore) are not records here: they last a
// minute, and the bbolt backend keeps them in memory.
//
// The package imports only the standard library and the domain, so that
// every backend can implement both sides.
package dump

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"strings"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/questionbank"
)

// The kinds of record, and the type of each one's Value. A Source gives
// them in this order.
const (
	KindGroup    = "group"    // bot.Group
	KindPost     = "post"     // bot.Post, its ID set
	KindBag      = "bag"      // Bag: a shuffle bag's state
	KindAnswer   = "answer"   // bot.Answer (an answer or a self-rating), its Seq set
	KindMember   = "member"   // bot.Member
	KindReview   = "review"   // Review: a member's spaced repetition of a card
	KindActivity = "activity" // Activity: a member's answers on a day
	KindScore    = "score"    // Score: a member's standing in a period and category
	KindPeek     = "peek"     // Peek: what a member opened of a card
	KindSchedule = "schedule" // bot.Schedule, with its claims
	KindRound    = "round"    // bot.Round
	KindDelivery = "delivery" // Delivery: a platform's delivery id
)

// Kinds are the kinds of record in the order a Source gives them.
var Kinds = []string{KindGroup, KindPost, KindBag, KindAnswer, KindMember, KindReview, KindActivity,
	KindScore, KindPeek, KindSchedule, KindRound, KindDelivery}

// Record is one record of a database: Value's type is the one its Kind's
// constant names (a value, never a pointer).
type Record struct {
	Kind  string
	Value any
}

// Bag is the state of the shuffle bag a key names (bot.DrawStore).
type Bag struct {
	Key   string                `json:"key"`
	State questionbank.BagState `json:"state"`
}

// Review is a member's review of a card (Review.Card).
type Review struct {
	Group string `json:"group"`
	User  string `json:"user"`
	bot.Review
}

// Activity is how many answers and self-ratings a member recorded on a
// local day (2006-01-02).
type Activity struct {
	Group string `json:"group"`
	User  string `json:"user"`
	Day   string `json:"day"`
	Count int    `json:"count"`
}

// Score is a member's score (Score.User) for a period and a category (""
// for all categories).
type Score struct {
	Group    string `json:"group"`
	Period   string `json:"period"`
	Category string `json:"category"`
	bot.Score
}

// Peek is what a member opened of a card (bot.PeekStore).
type Peek struct {
	Group string `json:"group"`
	User  string `json:"user"`
	Card  string `json:"card"`
	bot.Peek
}

// Delivery is a platform's delivery id and when it was first seen
// (bot.DeliveryStore).
type Delivery struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// Source is a database that can give every record it holds.
type Source interface {
	// Dump calls fn with every record, from one consistent state of the
	// database: the kinds in the order of Kinds, and within a kind in the
	// order of its key (ids compared byte by byte): groups by id, posts by
	// id, bags by key, answers by seq; members, reviews, activity, scores
	// and peeks by group, user, then card, day, or period and category;
	// schedules and rounds by group and channel; deliveries by id. It
	// stops at fn's first error and returns it.
	Dump(ctx context.Context, fn func(Record) error) error
}

// Sink is a database that can be filled with the records of another.
type Sink interface {
	// Load writes the records next returns until it returns io.EOF. It
	// refuses a database that holds any record (ErrNotEmpty). It writes in
	// transactions of BatchSize records (LoadBatches), so a failure leaves
	// the batches before it written and says so.
	Load(ctx context.Context, next func() (Record, error)) error
}

// Copy loads every record of src into dst.
func Copy(ctx context.Context, src Source, dst Sink) error {
	next, stop := iter.Pull2(func(yield func(Record, error) bool) {
		err := src.Dump(ctx, func(r Record) error {
			if !yield(r, nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(Record{}, err)
		}
	})
	defer stop()
	return dst.Load(ctx, func() (Record, error) {
		r, err, ok := next()
		if !ok {
			return Record{}, io.EOF
		}
		return r, err
	})
}

// errStopped ends a Dump whose records are no longer wanted.
var errStopped = errors.New("the destination stopped reading")

// ErrNotEmpty is returned (wrapped) by a Sink's Load for a database that
// already holds records.
var ErrNotEmpty = errors.New("the destination already holds data")

// NotEmpty is the error of a Sink whose database dest already holds
// records: what names which.
func NotEmpty(dest, what string) error {
	return fmt.Errorf("%w: %s has %s; nothing was copied. Migrate into an empty database: a new file, or a new PostgreSQL database or schema", ErrNotEmpty, dest, what)
}

// BatchSize is how many records a Sink writes a transaction: few enough
// that a transaction stays small, enough that commits are few.
const BatchSize = 5000

// LoadBatches is the loop of a Sink's Load: it reads records from next
// until io.EOF, checks each (Check), and hands them to write size at a
// time, each call being one transaction of the destination, which writes
// the whole batch or nothing of it. It returns what was written. When
// next, a check or write fails, the error says how much had been written
// and that the destination holds part of the data.
func LoadBatches(ctx context.Context, next func() (Record, error), size int, write func([]Record) error) (Counts, error) {
	written := Counts{}
	batch := make([]Record, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := write(batch); err != nil {
			return err
		}
		for _, r := range batch {
			written[r.Kind]++
		}
		batch = batch[:0]
		return nil
	}
	for {
		r, err := next()
		if errors.Is(err, io.EOF) {
			return written, stopped(written, flush())
		}
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			err = r.Check()
		}
		if err == nil {
			if batch = append(batch, r); len(batch) == size {
				err = flush()
			}
		}
		if err != nil {
			return written, stopped(written, err)
		}
	}
}

// stopped is the error of a load that failed with err after writing
// written; nil for a nil err.
func stopped(written Counts, err error) error {
	switch {
	case err == nil:
		return nil
	case written.Total() == 0:
		return fmt.Errorf("copying failed before anything was written: %w", err)
	}
	return fmt.Errorf("copying stopped: %w. What was written before (%s) is in the destination, which so holds part of the data: empty it (delete the file, or drop and create the PostgreSQL schema) and migrate again", err, written)
}

// Check reports a record whose Value is not of its Kind's type, or whose
// key is missing.
func (r Record) Check() error {
	kind, ok := kindOf(r.Value)
	switch {
	case !ok:
		return fmt.Errorf("a %s record holds a %T, which is no kind of record", r.Kind, r.Value)
	case kind != r.Kind:
		return fmt.Errorf("a %s record holds a %T, the value of a %s record", r.Kind, r.Value, kind)
	}
	switch v := r.Value.(type) {
	case bot.Post:
		if v.ID == 0 {
			return fmt.Errorf("a post without an id (card %q in %s): its id is its key", v.CardID, v.Group)
		}
	case bot.Answer:
		if v.Seq == 0 {
			return fmt.Errorf("an answer without a seq (%s of %s to post %d): its seq is its key", v.Kind, v.User, v.PostID)
		}
	case Activity:
		if v.Count < 0 || v.Count > math.MaxInt32 {
			return fmt.Errorf("%s's activity on %s in %s counts %d answers, which is not a count of answers", v.User, v.Day, v.Group, v.Count)
		}
	}
	return nil
}

// kindOf is the kind whose records hold values of v's type.
func kindOf(v any) (string, bool) {
	switch v.(type) {
	case bot.Group:
		return KindGroup, true
	case bot.Post:
		return KindPost, true
	case Bag:
		return KindBag, true
	case bot.Answer:
		return KindAnswer, true
	case bot.Member:
		return KindMember, true
	case Review:
		return KindReview, true
	case Activity:
		return KindActivity, true
	case Score:
		return KindScore, true
	case Peek:
		return KindPeek, true
	case bot.Schedule:
		return KindSchedule, true
	case bot.Round:
		return KindRound, true
	case Delivery:
		return KindDelivery, true
	}
	return "", false
}

// Counts counts records by kind.
type Counts map[string]int

// Total is how many records c counts.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// names are how String names one record of a kind, and several.
var names = map[string][2]string{
	KindGroup: {"group", "groups"}, KindPost: {"post", "posts"}, KindBag: {"shuffle bag", "shuffle bags"},
	KindAnswer: {"answer", "answers"}, KindMember: {"member", "members"}, KindReview: {"review", "reviews"},
	KindActivity: {"day of activity", "days of activity"}, KindScore: {"score", "scores"},
	KindPeek: {"peek", "peeks"}, KindSchedule: {"schedule", "schedules"}, KindRound: {"round", "rounds"},
	KindDelivery: {"delivery id", "delivery ids"},
}

// String lists the counts in the order of Kinds, "3 groups, 1 post, ...",
// leaving out the kinds c counts none of ("no records" when it counts
// nothing).
func (c Counts) String() string {
	var parts []string
	for _, k := range Kinds {
		switch n := c[k]; n {
		case 0:
		case 1:
			parts = append(parts, "1 "+names[k][0])
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, names[k][1]))
		}
	}
	if len(parts) == 0 {
		return "no records"
	}
	return strings.Join(parts, ", ")
}
