package bot

import "time"

// Apply updates a member with a recorded answer or rating: points, tallies
// and the streak. It is the one place where these rules live; the store
// applies it (as StandardRules' Member rule) inside the transaction that
// records a.
func (m *Member) Apply(a *Answer) {
	if a.UserName != "" {
		m.Name = a.UserName
	}
	m.Group, m.User = a.Group, a.User
	if a.Kind == KindRescore {
		m.rescore(a) // points and correct count only (bot/dispute.go)
		return
	}
	m.promoteZone(a.At)
	if a.Kind == KindInterview {
		// a mock interview's answer earns no points and is not right or
		// wrong: its score goes to the category's interview average; it
		// counts as studying for the streak
		if m.Interviews == nil {
			m.Interviews = map[string]InterviewTally{}
		}
		t := m.Interviews[a.Category]
		t.Answered++
		t.Total += min(max(a.Score, 0), 100)
		m.Interviews[a.Category] = t
		m.studied(a)
		return
	}
	m.Points += a.Points
	if a.Kind == KindRating {
		if m.Ratings == nil {
			m.Ratings = map[string]int{}
		}
		m.Ratings[a.Rating]++
	} else {
		m.Tally.add(a.Correct)
		if m.Categories == nil {
			m.Categories = map[string]Tally{}
		}
		t := m.Categories[a.Category]
		t.add(a.Correct)
		m.Categories[a.Category] = t
	}
	m.studied(a)
}

// studied counts a's day toward the streak: the streak counts local days
// with at least one answer or self-rating (rating yourself on a card is
// studying too). Days are fixed when they are recorded: when the group's
// time zone changed since the member's last day, the new answer's day is
// taken in the zone that last day was counted in, so a change of zone
// neither adds a day (Etc/GMT+12 to Pacific/Kiritimati is a day ahead in
// minutes) nor loses one.
//
// The day is the member's own (Answer.OwnDay: their time zone's, when they
// have one), and the same rule covers a change of the member's zone. The
// day counted in the old zone then stands for the day of the new zone
// that holds its middle (or the answer's own day there, if later): so the
// first day in the new zone is longer or shorter by the zones' difference
// (at most half a day either way), and moving back pays back what moving
// away gave, so that changing zones to and fro gains nothing.
func (m *Member) studied(a *Answer) {
	ownDay, ownZone := a.OwnDay()
	day := ownDay
	if m.LastDay != "" && m.Zone != "" && ownZone != "" && m.Zone != ownZone {
		if loc, err := cachedLocation(m.Zone); err == nil {
			day = Day(a.At, loc)
			if mid, err := time.ParseInLocation(dayLayout, day, loc); err == nil {
				if own, err := cachedLocation(ownZone); err == nil {
					ownDay = max(ownDay, Day(mid.Add(12*time.Hour), own))
				}
			}
		}
	}
	m.Froze = nil
	before := m.Streak
	switch {
	case m.LastDay == day:
		// a second answer the same day counts once
	case m.LastDay != "" && m.LastDay == DayBefore(day):
		m.Streak++
	case m.LastDay > day:
		return // a late, out-of-order delivery never rewinds the streak
	case m.LastDay != "" && m.Streak > 0 && missedDays(m.LastDay, day) <= m.Freezes:
		// the days missed since the last one are covered by freezes
		for d := AddDays(m.LastDay, 1); d < day; d = AddDays(d, 1) {
			m.Froze = append(m.Froze, d)
		}
		m.Freezes -= len(m.Froze)
		m.Streak++
	default:
		m.Streak = 1
	}
	m.LastDay, m.Zone = ownDay, ownZone
	if m.Streak > m.Longest {
		m.Longest = m.Streak
	}
	if m.Streak > before && m.Streak%FreezeEvery == 0 && m.Freezes < MaxFreezes {
		m.Freezes++ // one for each 7 days of streak
	}
}

// Streak freezes: a member earns one for each FreezeEvery days of streak
// and holds at most MaxFreezes; a day missed uses one, so the streak goes
// on (the missed day itself does not count as studied).
const (
	FreezeEvery = 7
	MaxFreezes  = 2
)

// missedDays is how many days lie strictly between two days (0 for
// consecutive ones); a large number when they do not parse.
func missedDays(last, day string) int {
	a, err1 := time.Parse(dayLayout, last)
	b, err2 := time.Parse(dayLayout, day)
	if err1 != nil || err2 != nil {
		return 1 << 30
	}
	return int(b.Sub(a).Hours()/24+0.5) - 1
}

// CurrentStreak is the streak at now: a streak whose last day is before
// yesterday has been broken. Today is taken in the zone of the member's
// last day (loc, the group's, for a member recorded before zones were
// kept).
func (m *Member) CurrentStreak(now time.Time, loc *time.Location) int {
	if m.Zone != "" {
		if l, err := cachedLocation(m.Zone); err == nil {
			loc = l
		}
	}
	today := Day(now, loc)
	if m.LastDay >= DayBefore(today) {
		// yesterday, today, or (after a change of zone) the day ahead
		// that today's answer already counted as
		return m.Streak
	}
	// days missed up to yesterday that the freezes held would cover: the
	// streak is not broken while studying today would keep it
	if m.LastDay != "" && m.LastDay < today && missedDays(m.LastDay, today) <= m.Freezes {
		return m.Streak
	}
	return 0
}

// Weakest returns the category with the lowest accuracy among those with at
// least minAnswered answers, or "".
func (m *Member) Weakest(minAnswered int) string {
	best, acc := "", 2.0
	for cat, t := range m.Categories {
		if t.Answered < minAnswered {
			continue
		}
		if a := t.Accuracy(); a < acc || a == acc && cat < best {
			best, acc = cat, a
		}
	}
	return best
}

func (t *Tally) add(correct bool) {
	t.Answered++
	if correct {
		t.Correct++
	}
}

// Apply adds an answer or rating to a score: its points, its tally and its
// days (Score.Days).
func (s *Score) Apply(a *Answer) {
	if a.Kind == KindRescore {
		s.rescore(a) // points and correct count only (bot/dispute.go)
		return
	}
	if a.Kind == KindInterview {
		return // no board counts a mock interview, should one carry a period
	}
	s.User = a.User
	if a.UserName != "" {
		s.Name = a.UserName
	}
	if a.Points > 0 || s.ReachedAt.IsZero() {
		// the moment the score reached its points: its first answer, then
		// each answer that adds points
		s.Points += a.Points
		s.ReachedAt = a.At
	}
	if a.Kind == KindAnswer {
		s.Tally.add(a.Correct)
	}
	// a day counts once, however many answers and ratings it has; an
	// answer of a day before the latest one counted (a late delivery) is
	// not counted, since it cannot be told from a day counted already
	if a.Day > s.LastDay {
		s.Days++
		s.LastDay = a.Day
	}
}
