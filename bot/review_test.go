package bot

import "testing"

func TestReviewSchedule(t *testing.T) {
	var r Review
	day := "2026-11-01"
	var intervals []int
	for i := 0; i < 5; i++ {
		r.Apply(4, day)
		intervals = append(intervals, r.Interval)
		day = r.Due
	}
	// good answers: 1 day, 6 days, then growing by the ease
	if intervals[0] != 1 || intervals[1] != 6 || intervals[2] <= 6 || intervals[3] <= intervals[2] || intervals[4] <= intervals[3] {
		t.Fatalf("intervals = %v", intervals)
	}
	ease := r.Ease
	r.Apply(1, day) // a miss
	if r.Interval != 1 || r.Reps != 0 || r.Lapses != 1 || r.Ease >= ease || r.Due != AddDays(day, 1) {
		t.Fatalf("after a miss: %+v", r)
	}
	for i := 0; i < 20; i++ {
		r.Apply(0, AddDays(day, i+1))
	}
	if r.Ease != 1.3 {
		t.Fatalf("ease floor: %v", r.Ease)
	}
}

// The quick check and the self-rating of one card on one day count once:
// the lower grade wins, and the schedule advances one step, not two.
func TestReviewSameDayGradesCountOnce(t *testing.T) {
	var a, b Review
	a.Apply(4, "2026-11-01")
	a.Apply(4, "2026-11-02") // interval 6 after two good days
	b = a
	a.Apply(4, "2026-11-08")
	a.Apply(3, "2026-11-08") // "Partly" after a right quick check
	b.Apply(3, "2026-11-08")
	if a.Interval != b.Interval || a.Reps != b.Reps || a.Ease != b.Ease || a.First != "2026-11-01" {
		t.Fatalf("two grades the same day %+v, one grade %+v", a, b)
	}
	if a.Reps != 3 {
		t.Fatalf("reps = %d, want 3", a.Reps)
	}
}

func TestGrades(t *testing.T) {
	for _, tc := range []struct {
		a    Answer
		want int
	}{
		{Answer{Kind: KindAnswer, Correct: true}, 4}, {Answer{Kind: KindAnswer}, 1},
		{Answer{Kind: KindRating, Rating: "nailed"}, 5}, {Answer{Kind: KindRating, Rating: "partly"}, 3}, {Answer{Kind: KindRating, Rating: "missed"}, 1},
	} {
		if g := Grade(&tc.a); g != tc.want {
			t.Errorf("%+v: %d, want %d", tc.a, g, tc.want)
		}
	}
}
