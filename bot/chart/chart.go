// Package chart draws prepbot's pictures as PNG: a year of daily activity
// as a calendar heatmap with accuracy per category as bars (/stats), and
// the leaderboard with accuracy and streaks. Pure Go with the Go fonts
// built into golang.org/x/image (no cgo, nothing fetched at run time),
// antialiased, large enough to stay sharp when a chat scales them down.
// Every picture is a dark card with a lighter border and rounded corners,
// so it reads the same in the light and dark themes of Discord and Slack;
// Palette is its colours, for the web pages to share. Text too long for
// its place wraps onto a second line, or ends at a whole word with an
// ellipsis. Pictures is the bot.Pictures the binary gives the bot.
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/prepbot/prepbot/bot"
)

// Pictures draws the bot's pictures (bot.Pictures) as PNG.
type Pictures struct{}

var _ bot.Pictures = Pictures{}

// The card's padding, border and corners, in pixels.
const (
	pad        = 40
	border     = 3
	cardRadius = 28
)

// The text styles, in pixels.
var (
	titleStyle = style{bold: true, size: 38}
	headStyle  = style{bold: true, size: 30}
	bodyStyle  = style{size: 30}
	boldStyle  = style{bold: true, size: 30}
	smallStyle = style{size: 26}
	rankStyle  = style{bold: true, size: 24}
)

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// block draws lines one below another, the first's top at y, and returns
// where the next text would start.
func block(img *image.RGBA, f *face, x, y int, lines []string, c color.Color) int {
	for _, l := range lines {
		f.draw(img, x, y+f.ascent, l, c)
		y += f.lineHeight
	}
	return y
}

// The heatmap: a column a week, a row a day.
const (
	cell      = 22
	gap       = 4
	step      = cell + gap
	weeks     = 53
	dayLabels = 64 // the weekday labels' column
)

// StatsWidth is the width of a stats picture.
const StatsWidth = 2*pad + dayLabels + weeks*step - gap

// heatLeft is where the heatmap's first column starts.
const heatLeft = pad + dayLabels

// Bars of the stats and leaderboard pictures, and the names before them:
// a column as wide as the longest name between its least and its most,
// where a longer name wraps.
const (
	statsNameMin = 240
	statsNameMax = 460
	boardNameMin = 160
	boardNameMax = 340

	barHeight = 20
	rowGap    = 14
	minRow    = 40
)

// Stats draws a member's year: answers per day (days maps 2006-01-02 to a
// count) in the 53 weeks up to today, and accuracy per category.
func (Pictures) Stats(title string, days map[string]int, today time.Time, bars []bot.CategoryTally) ([]byte, error) {
	tf, hf, bf, bb, sf := titleStyle.face(), headStyle.face(), bodyStyle.face(), boldStyle.face(), smallStyle.face()
	inner := StatsWidth - 2*pad

	// measure first: the title and the category names may take two lines
	titleLines := fit(tf, title, inner, 2)
	type row struct {
		name    []string
		pct, of string
		fill    float64
	}
	rows := make([]row, len(bars))
	nameW, valueW := 0, 0
	for i, b := range bars {
		nameW = max(nameW, bf.width(b.Name))
		r := row{pct: "not tried"}
		if b.Answered > 0 {
			r.pct, r.of = fmt.Sprintf("%d%%", b.Percent()), fmt.Sprintf(" of %d", b.Answered)
			r.fill = float64(b.Correct) / float64(b.Answered)
		}
		valueW = max(valueW, bb.width(r.pct)+bf.width(r.of))
		rows[i] = r
	}
	nameW = min(max(nameW, statsNameMin), statsNameMax)
	valueW = max(valueW, bb.width("100%")+bf.width(" of 99"))
	height := pad + len(titleLines)*tf.lineHeight + 24 + sf.lineHeight + 6 + 7*step - gap + pad
	if len(bars) > 0 {
		height += 44 + hf.lineHeight + 12
		for i, b := range bars {
			rows[i].name = fit(bf, b.Name, nameW, 2)
			height += max(minRow, len(rows[i].name)*bf.lineHeight) + rowGap
		}
		height -= rowGap
	}

	img := image.NewRGBA(image.Rect(0, 0, StatsWidth, height))
	card(img)
	y := block(img, tf, pad, pad, titleLines, Palette.Text) + 24

	// the last column is today's week; columns run Sunday to Saturday
	end := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)
	start := end.AddDate(0, 0, -int(end.Weekday())-(weeks-1)*7)
	most := 1
	for _, n := range days {
		most = max(most, n)
	}
	heatTop := y + sf.lineHeight + 6
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		col := int(d.Sub(start).Hours()/24) / 7
		wd := int(d.Weekday())
		cx, cy := heatLeft+col*step, heatTop+wd*step
		c := Palette.Track
		if n := days[d.Format("2006-01-02")]; n > 0 {
			c = Palette.Heat[heat(n, most)]
		}
		rounded(img, image.Rect(cx, cy, cx+cell, cy+cell), 5, c, image.Rectangle{})
	}
	right := -1 << 30 // where the last month's name ends
	for _, m := range MonthLabels(start, end) {
		x := min(heatLeft+m.Week*step, StatsWidth-pad-sf.width(m.Name)) // the last column's ends at the edge
		if x >= right+sf.width(" ") {
			sf.draw(img, x, y+sf.ascent, m.Name, Palette.Muted)
			right = x + sf.width(m.Name)
		}
	}
	for i, wd := range []string{"Mon", "Wed", "Fri"} {
		sf.draw(img, pad, sf.middle(heatTop+(2*i+1)*step+cell/2), wd, Palette.Muted)
	}
	y = heatTop + 7*step - gap

	// the legend, under the heatmap's right end: Less □■■■■ More
	ly := y + 12
	x := StatsWidth - pad - sf.width("More")
	sf.draw(img, x, sf.middle(ly+9), "More", Palette.Muted)
	for i := len(Palette.Heat) - 1; i >= -1; i-- {
		x -= 8 + 18
		c := Palette.Track
		if i >= 0 {
			c = Palette.Heat[i]
		}
		rounded(img, image.Rect(x, ly, x+18, ly+18), 4, c, image.Rectangle{})
	}
	x -= 8 + sf.width("Less")
	sf.draw(img, x, sf.middle(ly+9), "Less", Palette.Muted)

	if len(bars) == 0 {
		return encode(img)
	}
	y = block(img, hf, pad, y+44, []string{"Accuracy per category"}, Palette.Text) + 12
	x0 := pad + nameW + 24
	x1 := StatsWidth - pad - valueW - 24
	for _, r := range rows {
		h := max(minRow, len(r.name)*bf.lineHeight)
		mid := y + h/2
		block(img, bf, pad, mid-len(r.name)*bf.lineHeight/2, r.name, Palette.Text)
		track := image.Rect(x0, mid-barHeight/2, x1, mid+barHeight/2)
		rounded(img, track, barHeight/2, Palette.Track, image.Rectangle{})
		if r.fill > 0 {
			clip := track
			clip.Max.X = x0 + int(float64(x1-x0)*r.fill+0.5)
			rounded(img, track, barHeight/2, Palette.Accent, clip)
		}
		vx := x1 + 24
		if r.of == "" {
			bf.draw(img, vx, bf.middle(mid), r.pct, Palette.Muted)
		} else {
			bb.draw(img, vx, bb.middle(mid), r.pct, Palette.Text)
			bf.draw(img, vx+bb.width(r.pct), bf.middle(mid), r.of, Palette.Muted)
		}
		y += h + rowGap
	}
	return encode(img)
}

// MonthLabel is a month's name over the column of a heatmap's week.
type MonthLabel struct {
	Week int // the column, from 0 for the week of the heatmap's first day
	Name string
}

// MonthLabels are the months' names over a heatmap of a column a week
// (Sunday to Saturday), whose first column is the week of start (a
// Sunday) and whose last day is end: each month's over the week it starts
// in (the column holding its 1st, the last column too), and the first
// column's month's over the first column when the next month starts three
// weeks on or later. The stats picture and the member's web page share
// them.
func MonthLabels(start, end time.Time) []MonthLabel {
	var ms []MonthLabel
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		if d.Day() != 1 && !d.Equal(start) {
			continue
		}
		m := MonthLabel{int(d.Sub(start).Hours()+1) / 24 / 7, d.Format("Jan")}
		if len(ms) > 0 && ms[len(ms)-1].Week == m.Week {
			ms[len(ms)-1] = m // a month starting in the first column
			continue
		}
		ms = append(ms, m)
	}
	if len(ms) > 1 && ms[1].Week < 3 {
		ms = ms[1:] // too close to the next one
	}
	return ms
}

// heat is the shade of a day with n answers, the most in a day being most.
func heat(n, most int) int {
	return min(len(Palette.Heat)-1, int(float64(n-1)*float64(len(Palette.Heat))/float64(most)))
}

// LeaderboardWidth is the width of a leaderboard picture.
const LeaderboardWidth = 1040

// The leaderboard's rank badges.
const badge = 40

// Leaderboard draws a ranking with points, accuracy and streaks.
func (Pictures) Leaderboard(title string, rows []bot.Standing) ([]byte, error) {
	tf, bf, bb, sf, rf := titleStyle.face(), bodyStyle.face(), boldStyle.face(), smallStyle.face(), rankStyle.face()
	inner := LeaderboardWidth - 2*pad
	titleLines := fit(tf, title, inner, 2)

	// the columns from the right: streak, accuracy, points, then the bar
	type line struct {
		name                []string
		points, acc, streak string
	}
	lines := make([]line, len(rows))
	most := 1
	nameW := 0
	pointsW, accW, streakW := sf.width("points"), sf.width("accuracy"), sf.width("streak")
	for i, r := range rows {
		most = max(most, r.Points)
		l := line{points: fmt.Sprint(r.Points), acc: fmt.Sprintf("%d%%", r.Accuracy), streak: "–"}
		if r.Streak == 1 {
			l.streak = "1 day"
		} else if r.Streak > 1 {
			l.streak = fmt.Sprintf("%d days", r.Streak)
		}
		pointsW, accW, streakW = max(pointsW, bb.width(l.points)), max(accW, bf.width(l.acc)), max(streakW, bf.width(l.streak))
		nameW = max(nameW, bf.width(r.Name))
		lines[i] = l
	}
	streakR := LeaderboardWidth - pad
	accR := streakR - streakW - 32
	pointsR := accR - accW - 32
	nameX := pad + badge + 20
	// the names' column narrower if the bar would be shorter than 120
	nameW = min(max(nameW, boardNameMin), boardNameMax, pointsR-pointsW-24-120-24-nameX)
	x0, x1 := nameX+nameW+24, pointsR-pointsW-24

	height := pad + len(titleLines)*tf.lineHeight + 20
	if len(rows) == 0 {
		height += bf.lineHeight + pad
	} else {
		height += sf.lineHeight + 8
		for i, r := range rows {
			lines[i].name = fit(bf, r.Name, nameW, 2)
			height += max(minRow+4, len(lines[i].name)*bf.lineHeight) + rowGap
		}
		height += pad - rowGap
	}

	img := image.NewRGBA(image.Rect(0, 0, LeaderboardWidth, height))
	card(img)
	y := block(img, tf, pad, pad, titleLines, Palette.Text) + 20
	if len(rows) == 0 {
		block(img, bf, pad, y, []string{"No points yet."}, Palette.Muted)
		return encode(img)
	}
	for _, h := range []struct {
		s string
		r int
	}{{"points", pointsR}, {"accuracy", accR}, {"streak", streakR}} {
		sf.drawRight(img, h.r, y+sf.ascent, h.s, Palette.Muted)
	}
	y += sf.lineHeight + 8
	for i, l := range lines {
		h := max(minRow+4, len(l.name)*bf.lineHeight)
		mid := y + h/2
		// the rank in a badge: gold, silver and bronze for the first three
		fillC, numC := Palette.Track, Palette.Text
		if i < len(Palette.Medals) {
			fillC, numC = Palette.Medals[i], Palette.Background
		}
		rounded(img, image.Rect(pad, mid-badge/2, pad+badge, mid+badge/2), badge/2, fillC, image.Rectangle{})
		num := fmt.Sprint(i + 1)
		rf.draw(img, pad+(badge-rf.width(num))/2, rf.middle(mid), num, numC)
		block(img, bf, nameX, mid-len(l.name)*bf.lineHeight/2, l.name, Palette.Text)
		track := image.Rect(x0, mid-barHeight/2, x1, mid+barHeight/2)
		rounded(img, track, barHeight/2, Palette.Track, image.Rectangle{})
		if p := rows[i].Points; p > 0 {
			clip := track
			clip.Max.X = x0 + (x1-x0)*min(p, most)/most
			rounded(img, track, barHeight/2, Palette.Accent, clip)
		}
		bb.drawRight(img, pointsR, bb.middle(mid), l.points, Palette.Text)
		bf.drawRight(img, accR, bf.middle(mid), l.acc, Palette.Text)
		c := Palette.Streak
		if rows[i].Streak <= 0 {
			c = Palette.Muted
		}
		bf.drawRight(img, streakR, bf.middle(mid), l.streak, c)
		y += h + rowGap
	}
	return encode(img)
}
