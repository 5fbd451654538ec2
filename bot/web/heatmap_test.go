package web

import (
	"testing"
	"time"
)

// Early in December the member's heatmap names December over its last
// week, inside the picture, as it names every other month over the week it
// starts in.
func TestHeatmapNamesDecember(t *testing.T) {
	h := newHeatmap(nil, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC))
	var names []string
	for _, m := range h.Months {
		names = append(names, m.Text)
		if m.X < heatLeft || m.X+monthWidth > h.Width {
			t.Errorf("%s at x %d, outside %d to %d", m.Text, m.X, heatLeft, h.Width)
		}
	}
	want := []string{"Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	if len(names) != len(want) {
		t.Fatalf("months %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("months %v, want %v", names, want)
		}
	}
}
