package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

func loadBank(data string, json bool) (*questionbank.Bank, time.Duration, error) {
	start := time.Now()
	parse := bankfile.ParseYAML
	if json {
		parse = bankfile.ParseJSON
	}
	doc, errs := parse("synthetic", strings.NewReader(data))
	if len(errs) > 0 {
		return nil, 0, errs
	}
	b, err := questionbank.Build(doc)
	return b, time.Since(start), err
}

func drawNs(b *questionbank.Bank) float64 {
	f := questionbank.Filter{Category: "postgres", Difficulty: questionbank.Medium}
	r := testing.Benchmark(func(tb *testing.B) {
		var st questionbank.BagState
		for tb.Loop() {
			if _, err := b.Draw(f, &st); err != nil {
				tb.Fatal(err)
			}
		}
	})
	return float64(r.NsPerOp())
}

// benchBank is measurement 4: loading 100,000 cards and drawing with a
// filter, against a bank of 100.
func benchBank(dir string, _ map[int]float64) ([]row, float64, error) {
	progress("generating and loading a bank of 100,000 cards (JSON, then YAML)")
	yamlText := bankfile.Synthetic(100_000)
	doc, _ := bankfile.ParseYAML("synthetic", strings.NewReader(yamlText))
	var js strings.Builder
	bankfile.WriteJSON(&js, doc)
	// The JSON load, the one with a goal, starts as prepbot's does, with
	// nothing else on the heap to mark (not the parsed document, nor a
	// bank loaded before).
	runtime.GC()
	big, jsonTook, err := loadBank(js.String(), true)
	if err != nil {
		return nil, 0, err
	}
	js.Reset()
	runtime.GC()
	_, yamlTook, err := loadBank(yamlText, false)
	if err != nil {
		return nil, 0, err
	}
	small, _, err := loadBank(bankfile.Synthetic(100), false)
	if err != nil {
		return nil, 0, err
	}
	progress("drawing with a category and difficulty filter")
	dBig, dSmall := drawNs(big), drawNs(small)
	return []row{
		{4, "load 100k cards, JSON bank", jsonTook.Round(time.Millisecond).String(), "YAML " + yamlTook.Round(time.Millisecond).String(), ratio(jsonTook.Seconds(), yamlTook.Seconds()), "< 1s", jsonTook < time.Second},
		// no goal: banks this large belong in JSON (bank import big.yaml -o big.json)
		{4, "load 100k cards, YAML bank (yaml.v3)", yamlTook.Round(time.Millisecond).String(), "-", "-", "-", true},
		{4, "draw (category+difficulty), 100k cards", fmt.Sprintf("%.0f ns", dBig), fmt.Sprintf("%.0f ns (100 cards)", dSmall), ratio(dBig, dSmall), "< 10µs, flat", dBig < 10_000 && dBig < 3*dSmall},
	}, 0, nil
}
