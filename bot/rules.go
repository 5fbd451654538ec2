package bot

// Rules are what a recorded answer or self-rating does to what a store
// keeps about its member. AnswerStore.Record applies them in the commit
// that records the answer. A backend is given them (storage.Options.Rules
// for bbolt) instead of calling the domain's rules itself, so that every
// backend applies the same ones and none can get a rule subtly different.
type Rules struct {
	// Member applies a to its member's record: points, tallies, streak.
	Member func(m *Member, a *Answer)
	// Review applies a to its member's spaced-repetition state of a's
	// card, which starts as Review{Card: a.CardID, Category: a.Category}.
	Review func(r *Review, a *Answer)
	// Score applies a to one of its member's scores: each period of
	// a.Periods, overall and for a.Category.
	Score func(s *Score, a *Answer)
	// Activity reports whether a counts toward its member's answers on
	// a.Day (MemberStore.Activity).
	Activity func(a *Answer) bool
}

// StandardRules are prepbot's rules: Member.Apply, Review.Apply of
// Grade(a) on the member's day (a.OwnDay) but for a re-score (KindRescore,
// which leaves the review as the answer set it), Score.Apply, and every
// answer and self-rating but a re-score counted as activity on its day.
func StandardRules() Rules {
	return Rules{
		Member: (*Member).Apply,
		Review: func(r *Review, a *Answer) {
			if a.Kind == KindRescore {
				return // a re-score leaves the review as the answer set it
			}
			day, _ := a.OwnDay()
			r.Apply(Grade(a), day)
		},
		Score:    (*Score).Apply,
		Activity: countsActivity,
	}
}

// OrStandard returns r with each rule it lacks taken from StandardRules.
func (r Rules) OrStandard() Rules {
	std := StandardRules()
	if r.Member == nil {
		r.Member = std.Member
	}
	if r.Review == nil {
		r.Review = std.Review
	}
	if r.Score == nil {
		r.Score = std.Score
	}
	if r.Activity == nil {
		r.Activity = std.Activity
	}
	return r
}
