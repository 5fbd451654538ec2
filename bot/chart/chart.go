// Package chart draws prepbot's pictures as PNG: a year of daily activity
// as a calendar heatmap with accuracy per category as bars (/stats), and
// the leaderboard with streaks. Pure Go with the font built into
// golang.org/x/image (no cgo, nothing fetched at run time). Every picture
// has its own dark, opaque background and light text, so it reads the same
// in the light and dark themes of Discord and Slack. Pictures is the
// bot.Pictures the binary gives the bot.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/prepbot/prepbot/bot"
)

// Pictures draws the bot's pictures (bot.Pictures) as PNG.
type Pictures struct{}

var _ bot.Pictures = Pictures{}

var (
	background = color.RGBA{0x1e, 0x1f, 0x22, 0xff}
	panel      = color.RGBA{0x2b, 0x2d, 0x31, 0xff}
	text       = color.RGBA{0xe3, 0xe5, 0xe8, 0xff}
	muted      = color.RGBA{0x9a, 0x9d, 0xa3, 0xff}
	greens     = []color.RGBA{{0x0e, 0x44, 0x29, 0xff}, {0x00, 0x6d, 0x32, 0xff}, {0x26, 0xa6, 0x41, 0xff}, {0x39, 0xd3, 0x53, 0xff}}
	bar        = color.RGBA{0x58, 0x65, 0xf2, 0xff}
	gold       = color.RGBA{0xf1, 0xc4, 0x0f, 0xff}
)

func fill(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func label(img *image.RGBA, x, y int, s string, c color.Color) {
	d := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const (
	cell     = 11
	gap      = 2
	weeks    = 53
	heatLeft = 36
	heatTop  = 44
)

// StatsWidth and the height of a stats picture, for tests.
const StatsWidth = heatLeft + weeks*(cell+gap) + 20

// Stats draws a member's year: answers per day (days maps 2006-01-02 to a
// count) in the 53 weeks up to today, and accuracy per category.
func (Pictures) Stats(title string, days map[string]int, today time.Time, bars []bot.CategoryTally) ([]byte, error) {
	h := heatTop + 7*(cell+gap) + 30 + len(bars)*22 + 16
	img := image.NewRGBA(image.Rect(0, 0, StatsWidth, h))
	fill(img, img.Bounds(), background)
	label(img, heatLeft, 20, title, text)
	// the last column is today's week; columns run Sunday to Saturday
	end := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)
	start := end.AddDate(0, 0, -int(end.Weekday())-(weeks-1)*7)
	most := 1
	for _, n := range days {
		most = max(most, n)
	}
	lastMonth, lastLabel := -1, -10
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		col := int(d.Sub(start).Hours()/24) / 7
		row := int(d.Weekday())
		x, y := heatLeft+col*(cell+gap), heatTop+row*(cell+gap)
		c := panel
		if n := days[d.Format("2006-01-02")]; n > 0 {
			c = greens[min(len(greens)-1, (n-1)*len(greens)/most)]
		}
		fill(img, image.Rect(x, y, x+cell, y+cell), c)
		if row == 0 && int(d.Month()) != lastMonth {
			lastMonth = int(d.Month())
			if col < weeks-2 && col-lastLabel >= 3 { // room for three letters
				label(img, x, heatTop-6, d.Format("Jan"), muted)
				lastLabel = col
			}
		}
	}
	for i, wd := range []string{"Mon", "Wed", "Fri"} {
		label(img, 6, heatTop+(2*i+1)*(cell+gap)+cell-1, wd, muted)
	}
	y := heatTop + 7*(cell+gap) + 24
	label(img, heatLeft, y, "Accuracy per category", text)
	width := StatsWidth - heatLeft - 180 - 100 // the name on the left, "100% of 999" on the right
	for i, b := range bars {
		top := y + 10 + i*22
		label(img, heatLeft, top+12, trim(b.Name, 24), muted)
		x0 := heatLeft + 180
		fill(img, image.Rect(x0, top, x0+width, top+14), panel)
		if b.Answered > 0 {
			w := width * b.Correct / b.Answered
			fill(img, image.Rect(x0, top, x0+w, top+14), bar)
			label(img, x0+width+8, top+12, fmt.Sprintf("%d%% of %d", 100*b.Correct/b.Answered, b.Answered), text)
		} else {
			label(img, x0+width+8, top+12, "not tried", muted)
		}
	}
	return encode(img)
}

// LeaderboardWidth is the width of a leaderboard picture, for tests.
const LeaderboardWidth = 520

// Leaderboard draws a ranking with points, accuracy and streaks.
func (Pictures) Leaderboard(title string, rows []bot.Standing) ([]byte, error) {
	h := 44 + max(1, len(rows))*26 + 10
	img := image.NewRGBA(image.Rect(0, 0, LeaderboardWidth, h))
	fill(img, img.Bounds(), background)
	label(img, 16, 22, title, text)
	most := 1
	for _, r := range rows {
		most = max(most, r.Points)
	}
	for i, r := range rows {
		top := 36 + i*26
		c := muted
		if i == 0 {
			c = gold
		}
		label(img, 16, top+15, fmt.Sprintf("%2d.", i+1), c)
		label(img, 46, top+15, trim(r.Name, 20), text)
		x0 := 200
		fill(img, image.Rect(x0, top+3, x0+150, top+17), panel)
		fill(img, image.Rect(x0, top+3, x0+150*r.Points/most, top+17), bar)
		label(img, x0+158, top+15, fmt.Sprintf("%d pts %d%%", r.Points, r.Accuracy), text)
		if r.Streak > 0 {
			label(img, LeaderboardWidth-60, top+15, fmt.Sprintf("%dd", r.Streak), greens[3])
		}
	}
	if len(rows) == 0 {
		label(img, 16, 58, "No points yet.", muted)
	}
	return encode(img)
}

func trim(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "~"
}
