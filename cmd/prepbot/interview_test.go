package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank/bankfile"
)

// The built-in grader agrees with an interviewer's labels on the labelled
// set, and a bare keyword list never beats a real strong answer.
func TestInterviewEvalLabelledSet(t *testing.T) {
	b, err := bankfile.Load(bankfile.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	set, err := readEvalSet("testdata/interview-eval.json", b)
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]bool{}
	for _, c := range set {
		cats[c.card.Category] = true
		kinds := map[string]bool{}
		for _, a := range c.Answers {
			kinds[a.Kind] = true
		}
		if len(c.Answers) < 5 || !kinds["keywords"] || !kinds["misconception"] || !kinds["strong"] {
			t.Errorf("%s: %d answers of kinds %v", c.ID, len(c.Answers), kinds)
		}
	}
	if len(set) < 12 || len(cats) != 5 {
		t.Fatalf("%d cards in %d categories", len(set), len(cats))
	}
	ev := evaluate(set)
	if ev.spearman < 0.7 {
		t.Errorf("Spearman = %.2f, want >= 0.7", ev.spearman)
	}
	if len(ev.listAboveStrong) > 0 {
		t.Errorf("a keyword list grades above a strong answer for %v", ev.listAboveStrong)
	}
	for _, a := range ev.answers {
		if a.kind == "misconception" && len(a.result.Misconceptions) == 0 {
			t.Errorf("%s: no misconception found in %q", a.card, a.text)
		}
	}
}

func TestInterviewEvalCommand(t *testing.T) {
	code, out, errs := runCmd(t, "interview", "eval", "testdata/interview-eval.json", "--worst", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"60 answers to 12 cards", "Spearman's rank correlation with the labels: 0.", "a keyword list grades above a strong answer: never", "worst disagreements"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`[{"id":"no-such-card","answers":[{"text":"x","score":50}]},{"id":"postgres-mvcc","answers":[{"text":"y","score":120},{"text":" ","score":1}]}]`), 0o644)
	code, _, errs = runCmd(t, "interview", "eval", bad)
	for _, want := range []string{`[0].id: no card "no-such-card"`, "[1].answers[0].score: give the label, 0 to 100", "[1].answers[1].text: missing or empty"} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("exit %d, missing %q in %s", code, want, errs)
		}
	}
}

func TestInterviewRanks(t *testing.T) {
	r := ranks([]float64{10, 30, 10, 20})
	if r[0] != 1.5 || r[2] != 1.5 || r[3] != 3 || r[1] != 4 {
		t.Errorf("ranks = %v", r)
	}
	if p := pearson([]float64{1, 2, 3}, []float64{3, 2, 1}); p > -0.999 {
		t.Errorf("pearson = %v", p)
	}
}
