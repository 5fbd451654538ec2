package chart

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

// golden compares a picture with testdata/NAME, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden image (run go test ./bot/chart -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		os.WriteFile(filepath.Join(t.TempDir(), name), got, 0o644)
		t.Fatalf("%s differs from its golden image; if the change is intended, run go test ./bot/chart -update", name)
	}
}

// decode checks that a PNG decodes to the expected width and is not blank:
// it has the background and at least one other colour in quantity.
func decode(t *testing.T, data []byte, width int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != width || img.Bounds().Dy() < 50 {
		t.Fatalf("size %v", img.Bounds())
	}
	colors := map[[4]uint32]int{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, b, a}]++
		}
	}
	if len(colors) < 3 {
		t.Fatalf("the picture is nearly blank: %d colours", len(colors))
	}
	return img
}

func TestStats(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	days := map[string]int{}
	for i := 0; i < 200; i += 3 {
		days[today.AddDate(0, 0, -i).Format("2006-01-02")] = 1 + i%5
	}
	got, err := Pictures{}.Stats("Ann: 68 answers in the last year", days, today, []bot.CategoryTally{
		{Name: "Python Core & Advanced", Tally: bot.Tally{Correct: 12, Answered: 15}},
		{Name: "PostgreSQL & Persistence", Tally: bot.Tally{Correct: 3, Answered: 10}},
		{Name: "Coding & Logic Challenges"},
	})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, got, StatsWidth)
	// today's cell is coloured (answers), a cell with no answers is the panel colour
	x, y := heatLeft+(weeks-1)*(cell+gap)+2, heatTop+int(today.Weekday())*(cell+gap)+2
	if r, g, b, _ := img.At(x, y).RGBA(); r == g && g == b {
		t.Errorf("today's cell is not green: %v %v %v", r, g, b)
	}
	golden(t, "stats.png", got)
}

func TestLeaderboard(t *testing.T) {
	got, err := Pictures{}.Leaderboard("Leaderboard: this week", []bot.Standing{
		{Name: "ann", Points: 120, Accuracy: 90, Streak: 12},
		{Name: "ben", Points: 95, Accuracy: 80},
		{Name: "cat", Points: 40, Accuracy: 50, Streak: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	decode(t, got, LeaderboardWidth)
	golden(t, "leaderboard.png", got)
	empty, _ := Pictures{}.Leaderboard("Leaderboard: this week", nil)
	decode(t, empty, LeaderboardWidth)
}
