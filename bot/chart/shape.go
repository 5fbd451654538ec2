package chart

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// rounded draws r with its corners rounded to radius, antialiased, over
// what is there. clip limits the drawing (a bar filled part way is its
// track's shape cut at the fill); the zero rectangle draws all of r.
func rounded(dst *image.RGBA, r image.Rectangle, radius int, c color.Color, clip image.Rectangle) {
	radius = max(0, min(radius, r.Dx()/2, r.Dy()/2))
	target := r
	if !clip.Empty() {
		target = r.Intersect(clip)
	}
	src := image.NewUniform(c)
	in, x0, y0, x1, y1 := radius, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y
	// the middle column, the left and right columns between the corners
	for _, part := range []image.Rectangle{
		image.Rect(x0+in, y0, x1-in, y1),
		image.Rect(x0, y0+in, x0+in, y1-in),
		image.Rect(x1-in, y0+in, x1, y1-in),
	} {
		draw.Draw(dst, part.Intersect(target), src, image.Point{}, draw.Over)
	}
	if radius == 0 {
		return
	}
	// the corners, through a mask of how much of each pixel the arc covers
	mask := image.NewAlpha(image.Rect(0, 0, radius, radius))
	rad := float64(radius)
	for y := 0; y < radius; y++ {
		for x := 0; x < radius; x++ {
			d := math.Hypot(rad-float64(x)-0.5, rad-float64(y)-0.5)
			mask.Pix[y*mask.Stride+x] = uint8(math.Round(0xff * math.Max(0, math.Min(1, rad-d+0.5))))
		}
	}
	for _, corner := range []struct {
		at     image.Point
		mx, my bool // mirrored
	}{{image.Pt(x0, y0), false, false}, {image.Pt(x1-in, y0), true, false}, {image.Pt(x0, y1-in), false, true}, {image.Pt(x1-in, y1-in), true, true}} {
		m := mask
		if corner.mx || corner.my {
			m = image.NewAlpha(mask.Rect)
			for y := 0; y < radius; y++ {
				for x := 0; x < radius; x++ {
					sx, sy := x, y
					if corner.mx {
						sx = radius - 1 - x
					}
					if corner.my {
						sy = radius - 1 - y
					}
					m.Pix[y*m.Stride+x] = mask.Pix[sy*mask.Stride+sx]
				}
			}
		}
		part := image.Rectangle{corner.at, corner.at.Add(image.Pt(radius, radius))}.Intersect(target)
		draw.DrawMask(dst, part, src, image.Point{}, m, part.Min.Sub(corner.at), draw.Over)
	}
}

// card fills a picture with the card it is drawn on: the background with
// a border, corners rounded, transparent outside them.
func card(img *image.RGBA) {
	b := img.Bounds()
	rounded(img, b, cardRadius, Palette.Border, image.Rectangle{})
	rounded(img, b.Inset(border), cardRadius-border, Palette.Background, image.Rectangle{})
}
