package chart

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata")

// tolerance is how far a channel of a pixel may stray from the golden
// image, of 255: the antialiased glyphs are rasterized in floating point,
// which may round differently on another processor (fused multiply-add),
// by a level or two at a glyph's edge. A changed character or shape
// differs by far more.
const tolerance = 6

// golden compares a picture with testdata/NAME pixel by pixel, or rewrites
// it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden image (run go test ./bot/chart -update): %v", err)
	}
	want, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	have, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	if msg := differ(have, want); msg != "" {
		out := filepath.Join(os.TempDir(), "prepbot-chart-"+name)
		os.WriteFile(out, got, 0o644)
		t.Fatalf("%s differs from its golden image: %s (the picture drawn is in %s); if the change is intended, run go test ./bot/chart -update", name, msg, out)
	}
}

// differ says how two images differ by more than tolerance, or "".
func differ(a, b image.Image) string {
	if a.Bounds() != b.Bounds() {
		return fmt.Sprintf("size %v, golden %v", a.Bounds(), b.Bounds())
	}
	if x, ok := a.(*image.NRGBA); ok { // what png.Decode makes of a picture: compare its bytes
		if y, ok := b.(*image.NRGBA); ok && bytes.Equal(x.Pix, y.Pix) {
			return ""
		}
	}
	n, first := 0, image.Point{}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			for _, d := range [][2]uint32{{r1, r2}, {g1, g2}, {b1, b2}, {a1, a2}} {
				if max(d[0], d[1])-min(d[0], d[1]) > tolerance*0x101 {
					if n == 0 {
						first = image.Pt(x, y)
					}
					n++
					break
				}
			}
		}
	}
	if n > 0 {
		return fmt.Sprintf("%d pixels, the first at %v", n, first)
	}
	return ""
}

// decode checks that a PNG decodes to the expected width and is not blank:
// it has the background and at least one other colour in quantity, and
// transparent corners outside the card's rounded ones. It reports with
// t.Errorf (it runs in goroutines too), and returns nil if the picture is
// not one.
func decode(t *testing.T, data []byte, width int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Error(err)
		return nil
	}
	if img.Bounds().Dx() != width || img.Bounds().Dy() < 100 {
		t.Errorf("size %v", img.Bounds())
		return nil
	}
	colors := map[[4]uint32]bool{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y && len(colors) < 3; y += 7 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 3 {
			r, g, b, a := img.At(x, y).RGBA()
			colors[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colors) < 3 {
		t.Errorf("the picture is nearly blank: %d colours", len(colors))
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("the corner is not transparent: alpha %d", a)
	}
	mid := img.Bounds().Dy() / 2
	if r, g, b, a := img.At(1, mid).RGBA(); a != 0xffff || r>>8 != uint32(Palette.Border.R) || g>>8 != uint32(Palette.Border.G) || b>>8 != uint32(Palette.Border.B) {
		t.Errorf("the card has no border: %v %v %v %v", r, g, b, a)
	}
	return img
}

// isColor reports whether img is c at p.
func isColor(img image.Image, p image.Point, c interface{ RGBA() (r, g, b, a uint32) }) bool {
	r1, g1, b1, a1 := img.At(p.X, p.Y).RGBA()
	r2, g2, b2, a2 := c.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

func TestStats(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	days := map[string]int{}
	for i := 0; i < 200; i += 3 {
		days[today.AddDate(0, 0, -i).Format("2006-01-02")] = 1 + i%5
	}
	got, err := Pictures{}.Stats("Ann: 68 answers in the last year", days, today, []bot.CategoryTally{
		{Name: "Python Core & Advanced", Tally: bot.Tally{Correct: 12, Answered: 15}},
		{Name: "FastAPI & Web APIs", Tally: bot.Tally{Correct: 7, Answered: 7}},
		{Name: "PostgreSQL & Persistence", Tally: bot.Tally{Correct: 3, Answered: 10}},
		{Name: "Microservices & System Design", Tally: bot.Tally{Correct: 0, Answered: 4}},
		{Name: "Coding & Logic Challenges"},
	})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, got, StatsWidth)
	if img == nil {
		t.FailNow()
	}
	// today's cell is coloured (answers), a day with no answers the track's colour
	cellAt := func(weeksAgo, weekday int) image.Point {
		topOfHeatmap := pad + titleStyle.face().lineHeight + 24 + smallStyle.face().lineHeight + 6
		return image.Pt(heatLeft+(weeks-1-weeksAgo)*step+cell/2, topOfHeatmap+weekday*step+cell/2)
	}
	if p := cellAt(0, int(today.Weekday())); !isColor(img, p, Palette.Heat[heat(days[today.Format("2006-01-02")], 5)]) {
		t.Errorf("today's cell at %v is %v", p, img.At(p.X, p.Y))
	}
	if p := cellAt(0, int(today.Weekday())-1); !isColor(img, p, Palette.Track) {
		t.Errorf("yesterday's cell at %v is %v", p, img.At(p.X, p.Y))
	}
	golden(t, "stats.png", got)
}

func TestLeaderboard(t *testing.T) {
	got, err := Pictures{}.Leaderboard("Leaderboard: this week", []bot.Standing{
		{Name: "ann", Points: 120, Accuracy: 90, Streak: 12},
		{Name: "ben", Points: 95, Accuracy: 80},
		{Name: "cat", Points: 40, Accuracy: 50, Streak: 3},
		{Name: "Dorothea Wilhelmina Featherstonehaugh-Cholmondeley", Points: 35, Accuracy: 100, Streak: 1},
		{Name: "ed", Points: 5, Accuracy: 33},
	})
	if err != nil {
		t.Fatal(err)
	}
	decode(t, got, LeaderboardWidth)
	golden(t, "leaderboard.png", got)
	empty, err := Pictures{}.Leaderboard("Leaderboard: this week", nil)
	if err != nil {
		t.Fatal(err)
	}
	decode(t, empty, LeaderboardWidth)
	golden(t, "leaderboard-empty.png", empty)
}

// Names no layout was made for: the longest a Discord name or a category
// can be, scripts the Go fonts lack (drawn as the font's box), emoji,
// nothing at all, a ten-member board with huge numbers; none may panic,
// and every picture has its width.
func TestUnusualText(t *testing.T) {
	long := strings.Repeat("Wide", 16)                                        // 64 characters, no space
	words := "The Quick Brown Fox Jumps Over Lazy Dogs Again And Again Often" // 64 with spaces
	cjk := "数据库与持久化：事务、索引和查询计划的深入理解以及实践中的常见陷阱与解决方法汇总"
	emoji := "🔥🐍 Python 👩‍💻👍🏽🇯🇵 Ünïcödé ñame e\u0301"
	names := []string{long, words, cjk, emoji, "", " ", "…", strings.Repeat("x", 1000),
		"Distributed Systems, Consensus Protocols and Replicated State Machines in Practice"}
	var standings []bot.Standing
	var tallies []bot.CategoryTally
	for i := 0; i < 10; i++ {
		standings = append(standings, bot.Standing{Name: names[i%len(names)], Points: 9_999_999 - i, Accuracy: 100, Streak: 3650})
	}
	for _, n := range names {
		tallies = append(tallies, bot.CategoryTally{Name: n, Tally: bot.Tally{Correct: 99_999, Answered: 999_999}})
	}
	var wg sync.WaitGroup // and drawn at once, as a busy bot does
	titles := []string{cjk + " " + emoji, words + " " + long}
	stats, boards := make([][]byte, len(titles)), make([][]byte, len(titles))
	for i, title := range titles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if boards[i], err = (Pictures{}).Leaderboard(title, standings); err != nil {
				t.Error(err)
				return
			}
			decode(t, boards[i], LeaderboardWidth)
			if stats[i], err = (Pictures{}).Stats(title, map[string]int{"2026-11-25": 1 << 62}, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), tallies); err != nil {
				t.Error(err)
				return
			}
			decode(t, stats[i], StatsWidth)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	golden(t, "stats-unusual.png", stats[0])
	golden(t, "leaderboard-unusual.png", boards[1])
}

// Every month whose 1st the heatmap shows is named over the week it starts
// in, December too when it starts in the last week; the first column's
// month is named when the next starts three weeks on or later.
func TestMonthLabels(t *testing.T) {
	for _, today := range []time.Time{
		time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), // December has begun, its first Sunday has not
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
	} {
		end := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)
		start := end.AddDate(0, 0, -int(end.Weekday())-(weeks-1)*7)
		var want []MonthLabel
		next := time.Date(start.Year(), start.Month()+1, 1, 12, 0, 0, 0, time.UTC)
		if start.Day() != 1 && int(next.Sub(start).Hours()/24)/7 >= 3 {
			want = append(want, MonthLabel{0, start.Format("Jan")})
		}
		for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
			if d.Day() == 1 {
				want = append(want, MonthLabel{int(d.Sub(start).Hours()/24) / 7, d.Format("Jan")})
			}
		}
		got := MonthLabels(start, end)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("today %s: months %v, want %v", today.Format("2006-01-02"), got, want)
		}
		if today.Month() == time.December && today.Day() <= 2 && (len(got) == 0 || got[len(got)-1] != (MonthLabel{weeks - 1, "Dec"})) {
			t.Errorf("today %s: December is not over the last week: %v", today.Format("2006-01-02"), got)
		}
	}
}

// The stats picture early in December names December over its last week.
func TestStatsInEarlyDecember(t *testing.T) {
	today := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	days := map[string]int{}
	for i := 0; i < 90; i += 2 {
		days[today.AddDate(0, 0, -i).Format("2006-01-02")] = 1 + i%4
	}
	got, err := Pictures{}.Stats("Ann: 45 answers in the last year", days, today, []bot.CategoryTally{
		{Name: "PostgreSQL & Persistence", Tally: bot.Tally{Correct: 2, Answered: 3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	decode(t, got, StatsWidth)
	golden(t, "stats-december.png", got)
}
