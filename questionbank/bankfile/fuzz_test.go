package bankfile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

// FuzzImport feeds arbitrary bytes to every parser. None may panic; every
// error must be an ErrorList entry naming the file, or a plain error.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	more, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range append(files, more...) {
		if data, err := os.ReadFile(p); err == nil {
			for i := range Formats {
				f.Add(data, uint8(i))
			}
		}
	}
	f.Add([]byte("| a |\n|---|\n| **x** |\n"), uint8(1))
	f.Add([]byte(`{"results":[{"question":"&amp;","correct_answer":"a","incorrect_answers":["b"]}]}`), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := Formats[int(which)%len(Formats)]
		doc, err := Import("fuzz", data, ImportOptions{Format: format})
		if err == nil {
			if doc == nil || len(doc.Cards) == 0 {
				t.Fatalf("%s: no error but no cards", format)
			}
			var sb strings.Builder
			if err := WriteYAML(&sb, doc); err != nil {
				t.Fatalf("%s: cannot write an imported bank: %v", format, err)
			}
			back, errs := ParseYAML("again", strings.NewReader(sb.String()))
			if len(errs) > 0 {
				t.Fatalf("%s: an imported bank does not parse back: %v\n%s", format, errs, sb.String())
			}
			if _, err := questionbank.Build(back); err != nil {
				t.Fatalf("%s: an imported bank is not valid once written: %v\n%s", format, err, sb.String())
			}
		}
	})
}

// FuzzCardJSON checks the card decoder of JSON banks against encoding/json
// with unknown fields refused: where encoding/json reads a card, the
// decoder must read the same card.
func FuzzCardJSON(f *testing.F) {
	f.Add([]byte(`{"id":"a-1","category":"a","number":3,"prompt":"Why?","key_concepts":["x","y"],"answer":"Because\nof \"this\" \u00e9","difficulty":"hard","tags":["t"],"answers":["z"],"examples":[{"input":"1+1","output":"2"}],"quick_check":{"question":"Q?","options":["a","b"],"correct":1,"explanation":"e"}}`))
	f.Add([]byte(`{"id":null,"tags":null,"quick_check":null,"number":-2}`))
	f.Add([]byte(`{"id":"x","promt":"typo"}`))
	f.Add([]byte(`{"prompt":"\ud83d\ude00 \/ \t","number":1.5}`))
	f.Add([]byte(`{"id": "x" , "prompt" : "p"  }`))
	f.Add([]byte(`{"number":+1,"quick_check":{"correct":01}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want, got questionbank.Card
		wantErr := strictJSON(data, &want)
		if !json.Valid(data) { // a Decoder stops after the first value
			wantErr = errors.New("not one JSON value")
		}
		gotErr := decodeCardJSON(data, &got)
		if wantErr == nil && gotErr == nil {
			if wq, gq := want.QuickCheck, got.QuickCheck; (wq == nil) != (gq == nil) || wq != nil && wq.CorrectIndex() != gq.CorrectIndex() {
				t.Fatalf("quick checks differ: %+v vs %+v", wq, gq)
			}
			want.QuickCheck, got.QuickCheck = nil, nil
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("cards differ:\nencoding/json %+v\ndecoder       %+v", want, got)
			}
		}
		if wantErr == nil && gotErr != nil {
			t.Fatalf("encoding/json reads %q, the decoder says %v", data, gotErr)
		}
		if gotErr == nil && wantErr != nil {
			t.Fatalf("encoding/json refuses %q (%v), the decoder reads it", data, wantErr)
		}
		if gotErr != nil {
			if _, ok := gotErr.(*cardError); !ok {
				t.Fatalf("not a cardError: %v", gotErr)
			}
		}
	})
}
