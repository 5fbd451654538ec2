package bot

import (
	"math"
	"time"
)

// Review is one member's spaced-repetition state for one card. The
// schedule is SM-2, the algorithm Anki grew from: each review grades recall
// 0-5; a grade of 3 or more lengthens the interval (1 day, 6 days, then
// the previous interval times the card's ease), a lower grade sends the
// card back to a 1-day interval, and the ease (at least 1.3) rises or falls
// with the grade. We chose SM-2 over FSRS because its state is three
// numbers a person can read in `prepbot export`, it needs no fitted weights
// (FSRS's defaults come from a model trained on flashcard logs unlike ours:
// one multiple-choice question per card), and its behaviour is easy to pin
// with tests.
type Review struct {
	Card     string  `json:"card"`
	Category string  `json:"category"`
	Ease     float64 `json:"ease"`
	Interval int     `json:"interval"` // days
	Reps     int     `json:"reps"`     // successful reviews in a row
	Lapses   int     `json:"lapses"`   // times forgotten
	Grade    int     `json:"grade"`    // the last grade, 0-5
	Due      string  `json:"due"`      // the local day it is due
	First    string  `json:"first"`    // the local day it was first seen
	Last     string  `json:"last"`     // the local day of the last review

	// Before is the state before the first review of Last, so a second
	// grade the same day (the quick check, then "Partly") replaces the
	// first instead of advancing the schedule twice.
	Before *Review `json:"before,omitempty"`
}

// Grade turns an answer or a self-rating into an SM-2 grade: a right quick
// check 4, a wrong one 1; "Nailed it" 5, "Partly" 3, "Missed it" 1; a mock
// interview's answer by its score (InterviewGrade).
func Grade(a *Answer) int {
	if a.Kind == KindInterview {
		return InterviewGrade(a.Score)
	}
	if a.Kind == KindRating {
		switch a.Rating {
		case "nailed":
			return 5
		case "partly":
			return 3
		}
		return 1
	}
	if a.Correct {
		return 4
	}
	return 1
}

// Apply records a review graded g on day. A second grade on the same day
// replaces the first: the lower of the two counts.
func (r *Review) Apply(g int, day string) {
	if r.Last == day && r.Before != nil {
		g = min(g, r.Grade)
		prev := *r.Before
		prev.Before = nil
		first := r.First
		*r = prev
		r.First = first
	}
	before := *r
	before.Before = nil
	if r.Ease == 0 {
		r.Ease = 2.5
	}
	if r.First == "" {
		r.First = day
	}
	if g < 3 {
		r.Reps, r.Interval = 0, 1
		if before.Reps > 0 || before.Interval > 0 {
			r.Lapses++
		}
	} else {
		r.Reps++
		switch r.Reps {
		case 1:
			r.Interval = 1
		case 2:
			r.Interval = 6
		default:
			r.Interval = int(math.Round(float64(r.Interval) * r.Ease))
		}
	}
	q := float64(5 - g)
	r.Ease = math.Max(1.3, r.Ease+0.1-q*(0.08+q*0.02))
	r.Grade, r.Last = g, day
	r.Due = AddDays(day, r.Interval)
	r.Before = &before
}

// AddDays returns the calendar day n days after day (2006-01-02), "" for a
// day that does not parse.
func AddDays(day string, n int) string {
	t, err := time.Parse(dayLayout, day)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, n).Format(dayLayout)
}

// InterviewGrade is the SM-2 grade of a mock interview answer's score: 85
// or more 5, 70 or more 4, 50 or more 3 (recalled: the interval grows),
// 30 or more 2, 10 or more 1, less 0 (forgotten: due tomorrow).
func InterviewGrade(score int) int {
	switch {
	case score >= 85:
		return 5
	case score >= 70:
		return 4
	case score >= 50:
		return 3
	case score >= 30:
		return 2
	case score >= 10:
		return 1
	}
	return 0
}
