package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/questionbank"
)

func runInterview(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "eval" {
		fmt.Fprint(stderr, "prepbot interview: say what to do: eval FILE.json\n\n"+usage)
		return exitError{2}
	}
	fs := newFlagSet("interview eval", stderr, "prepbot interview eval FILE.json [--bank PATH]... [--grader builtin|model [--config FILE]] [--worst N] [-v]\n\n"+
		"Grade a labelled set of answers and compare with the labels: with the built-in grader, or with\n"+
		"--grader model, the model of the config's grader block (the answers and rubrics are sent to it).\n"+
		`FILE.json is a list of {"id": CARD_ID, "answers": [{"text": ..., "score": 0-100, "kind": ...}]}.`)
	var banks stringsFlag
	fs.Var(&banks, "bank", "a bank file or folder (repeatable; default: the built-in bank)")
	worst := fs.Int("worst", 5, "how many of the worst disagreements to show")
	verbose := fs.Bool("v", false, "print every answer's grade, concept by concept")
	which := fs.String("grader", "builtin", "builtin, or model: the grader block of the config")
	configFile := fs.String("config", "", "the config file whose grader block --grader model uses (default: config.yaml)")
	rest, err := parseArgs(fs, args[1:])
	if err != nil {
		return exitError{2}
	}
	if len(rest) != 1 {
		fs.Usage()
		return exitError{2}
	}
	b, err := loadBank(banks, stdout, stderr)
	if err != nil {
		return err
	}
	set, err := readEvalSet(rest[0], b)
	if err != nil {
		return err
	}
	gradeOne := builtinEval
	var model *graderEval
	switch *which {
	case "builtin":
	case "model":
		cfg, err := LoadConfig(*configFile)
		if err != nil {
			return err
		}
		if cfg.Grader.URL == "" {
			return fmt.Errorf("--grader model: the config has no grader.url; set grader.url and grader.model (see config.example.yaml), or pass --config FILE")
		}
		g, err := graderLogging(cfg, stderr)
		if err != nil {
			return err
		}
		model = &graderEval{g: g}
		gradeOne = model.grade
	default:
		fmt.Fprintf(stderr, "prepbot interview eval: --grader is builtin or model, not %q\n", *which)
		return exitError{2}
	}
	ev, err := evaluateWith(set, gradeOne)
	if err != nil {
		return err
	}
	if *verbose {
		for _, a := range ev.answers {
			fmt.Fprintf(stdout, "%s [%s] label %.0f, grade %.0f (prose %.0f%%): %s\n", a.card, a.kind, a.label, a.got, 100*a.result.Prose, shorten(oneLine(a.text), 60))
			for _, c := range a.result.Concepts {
				fmt.Fprintf(stdout, "    %-7s %.2f %s %q", c.Status, c.Credit, shorten(c.Concept, 50), c.Matched)
				if len(c.Misconceptions) > 0 {
					fmt.Fprintf(stdout, " wrong: %q", c.Misconceptions)
				}
				fmt.Fprintln(stdout)
			}
		}
		fmt.Fprintln(stdout)
	}
	printEval(stdout, ev, *worst)
	if model != nil {
		fmt.Fprintln(stdout)
		model.report(stdout)
	}
	return nil
}

// evalCard is one card of a labelled set.
type evalCard struct {
	ID      string `json:"id"`
	Answers []struct {
		Text  string   `json:"text"`
		Score *float64 `json:"score"`
		Kind  string   `json:"kind"`
	} `json:"answers"`
	card *questionbank.Card
}

func readEvalSet(path string, b *questionbank.Bank) ([]evalCard, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var set []evalCard
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var problems []string
	for i := range set {
		c := &set[i]
		var ok bool
		if c.card, ok = b.Card(c.ID); !ok {
			problems = append(problems, fmt.Sprintf("%s: [%d].id: no card %q in the bank", path, i, c.ID))
		}
		for j, a := range c.Answers {
			switch {
			case strings.TrimSpace(a.Text) == "":
				problems = append(problems, fmt.Sprintf("%s: [%d].answers[%d].text: missing or empty", path, i, j))
			case a.Score == nil || *a.Score < 0 || *a.Score > 100:
				problems = append(problems, fmt.Sprintf("%s: [%d].answers[%d].score: give the label, 0 to 100", path, i, j))
			}
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the labelled set has problems:\n  %s", strings.Join(problems, "\n  "))
	}
	return set, nil
}

// graded is one answer with its label and its grade.
type graded struct {
	card       string
	kind, text string
	label, got float64
	labelRank  float64
	gradeRank  float64
	result     grade.Result
}

// evaluation is what eval prints.
type evaluation struct {
	answers  []graded
	spearman float64
	// cardsOrdered is how many cards have every pair of answers with
	// different labels graded in the same order (ties in the grade count
	// as wrong); pairs and pairsOrdered count the pairs over all cards.
	cards, cardsOrdered int
	pairs, pairsOrdered int
	// listAboveStrong counts cards where an answer of kind "keywords"
	// grades above one of kind "strong".
	listAboveStrong []string
}

// builtinEval grades one answer of a labelled set with the built-in grader.
func builtinEval(card *questionbank.Card, text string) (grade.Result, error) {
	return grade.Grade(card.Rubric(), card.Answer, text), nil
}

func evaluate(set []evalCard) evaluation {
	ev, _ := evaluateWith(set, builtinEval)
	return ev
}

func evaluateWith(set []evalCard, gradeOne func(*questionbank.Card, string) (grade.Result, error)) (evaluation, error) {
	var ev evaluation
	for _, c := range set {
		var mine []graded
		for _, a := range c.Answers {
			r, err := gradeOne(c.card, a.Text)
			if err != nil {
				return ev, err
			}
			mine = append(mine, graded{card: c.ID, kind: a.Kind, text: a.Text, label: *a.Score, got: float64(r.Score), result: r})
		}
		ordered := true
		for i := range mine {
			for j := range mine {
				if mine[i].label > mine[j].label {
					ev.pairs++
					if mine[i].got > mine[j].got {
						ev.pairsOrdered++
					} else {
						ordered = false
					}
				}
				if mine[i].kind == "keywords" && mine[j].kind == "strong" && mine[i].got > mine[j].got && !slices.Contains(ev.listAboveStrong, c.ID) {
					ev.listAboveStrong = append(ev.listAboveStrong, c.ID)
				}
			}
		}
		if len(mine) > 0 {
			ev.cards++
			if ordered {
				ev.cardsOrdered++
			}
		}
		ev.answers = append(ev.answers, mine...)
	}
	labels, got := make([]float64, len(ev.answers)), make([]float64, len(ev.answers))
	for i, a := range ev.answers {
		labels[i], got[i] = a.label, a.got
	}
	lr, gr := ranks(labels), ranks(got)
	for i := range ev.answers {
		ev.answers[i].labelRank, ev.answers[i].gradeRank = lr[i], gr[i]
	}
	ev.spearman = pearson(lr, gr)
	return ev, nil
}

// ranks gives each value its rank, 1 for the smallest; ties share the
// mean of their ranks.
func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	out := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}

// pearson is the correlation of x and y (Spearman's when they are ranks).
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	if n < 2 {
		return 0
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

func printEval(w io.Writer, ev evaluation, worst int) {
	fmt.Fprintf(w, "%d answers to %d cards\n", len(ev.answers), ev.cards)
	fmt.Fprintf(w, "Spearman's rank correlation with the labels: %.2f\n", ev.spearman)
	fmt.Fprintf(w, "cards whose answers are graded in the labels' order: %d of %d (%.0f%%)\n", ev.cardsOrdered, ev.cards, 100*float64(ev.cardsOrdered)/float64(max(1, ev.cards)))
	fmt.Fprintf(w, "pairs of answers to a card graded in the labels' order: %d of %d (%.0f%%)\n", ev.pairsOrdered, ev.pairs, 100*float64(ev.pairsOrdered)/float64(max(1, ev.pairs)))
	if len(ev.listAboveStrong) > 0 {
		fmt.Fprintf(w, "a keyword list grades above a strong answer: %s\n", strings.Join(ev.listAboveStrong, ", "))
	} else {
		fmt.Fprintln(w, "a keyword list grades above a strong answer: never")
	}
	var kinds []string
	sum, label, n := map[string]float64{}, map[string]float64{}, map[string]int{}
	for _, a := range ev.answers {
		if a.kind == "" {
			continue
		}
		if n[a.kind] == 0 {
			kinds = append(kinds, a.kind)
		}
		sum[a.kind] += a.got
		label[a.kind] += a.label
		n[a.kind]++
	}
	if len(kinds) > 0 {
		fmt.Fprint(w, "mean grade (and label) by kind:")
		for i, k := range kinds {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(w, "%s %s %.0f (%.0f)", sep, k, sum[k]/float64(n[k]), label[k]/float64(n[k]))
		}
		fmt.Fprintln(w)
	}
	by := slices.Clone(ev.answers)
	slices.SortStableFunc(by, func(a, b graded) int {
		return int(math.Abs(b.labelRank-b.gradeRank)*2) - int(math.Abs(a.labelRank-a.gradeRank)*2)
	})
	if worst > 0 && len(by) > 0 {
		fmt.Fprintln(w, "\nworst disagreements (label, grade, rank by label and by grade):")
		for _, a := range by[:min(worst, len(by))] {
			kind := ""
			if a.kind != "" {
				kind = " [" + a.kind + "]"
			}
			fmt.Fprintf(w, "  %s%s: label %.0f, grade %.0f, rank %.0f vs %.0f: %s\n", a.card, kind, a.label, a.got, a.labelRank, a.gradeRank, shorten(oneLine(a.text), 70))
		}
	}
}
