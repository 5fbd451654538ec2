package chart

import (
	"fmt"
	"image/color"
)

// Colors names the colours of the pictures. A picture is a dark card with
// a lighter border, so it stands out on Discord's and Slack's dark and
// light themes alike; text on it is light.
type Colors struct {
	Background color.RGBA    // the card
	Border     color.RGBA    // the card's edge
	Track      color.RGBA    // days without answers, the empty part of a bar
	Text       color.RGBA    // titles, names, values
	Muted      color.RGBA    // labels: months, weekdays, column headings, "not tried"
	Accent     color.RGBA    // bars: accuracy, points
	Heat       [4]color.RGBA // days with answers, from fewest to most
	Streak     color.RGBA    // days in a row
	Medals     [3]color.RGBA // the first three places: gold, silver, bronze
}

// Palette is the colours every picture is drawn with, for other views of
// the same data (the web pages) to share. Treat it as read-only.
var Palette = Colors{
	Background: color.RGBA{0x1b, 0x1d, 0x23, 0xff},
	Border:     color.RGBA{0x3b, 0x3f, 0x4a, 0xff},
	Track:      color.RGBA{0x2d, 0x31, 0x3a, 0xff},
	Text:       color.RGBA{0xee, 0xf0, 0xf3, 0xff},
	Muted:      color.RGBA{0xa4, 0xa9, 0xb4, 0xff},
	Accent:     color.RGBA{0x6e, 0x7b, 0xf7, 0xff},
	Heat: [4]color.RGBA{
		{0x0e, 0x44, 0x29, 0xff},
		{0x00, 0x6d, 0x32, 0xff},
		{0x26, 0xa6, 0x41, 0xff},
		{0x39, 0xd3, 0x53, 0xff},
	},
	Streak: color.RGBA{0xf0, 0x8c, 0x3e, 0xff},
	Medals: [3]color.RGBA{
		{0xf1, 0xc4, 0x0f, 0xff},
		{0xc4, 0xcb, 0xd6, 0xff},
		{0xd9, 0x8c, 0x52, 0xff},
	},
}

// Hex writes an opaque colour as CSS does: #rrggbb.
func Hex(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
