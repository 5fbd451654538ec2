package questionbank

import (
	"strings"
	"testing"
	"time"
)

func TestScratchLoad(t *testing.T) {
	y := Synthetic(100_000)
	doc, _ := ParseYAML("s", strings.NewReader(y))
	var js strings.Builder
	WriteJSON(&js, doc)
	t.Logf("json size %d MB", js.Len()>>20)
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		d, errs := ParseJSON("s", strings.NewReader(js.String()))
		t1 := time.Now()
		_, err := Build(d)
		t.Logf("parse %v build %v %v %v", t1.Sub(t0), time.Since(t1), len(errs), err)
	}
}
