package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/bot/grade/llm"
	"github.com/prepbot/prepbot/questionbank"
)

// GraderConfig configures the optional model grader (bot/grade/llm): any
// OpenAI-compatible chat-completions endpoint. Without a URL, answers are
// graded by the built-in grader.
type GraderConfig struct {
	URL     string `yaml:"url"`     // the API base, such as http://127.0.0.1:11434/v1
	Model   string `yaml:"model"`   // the model's name at the endpoint
	APIKey  string `yaml:"api_key"` // sent as a bearer token; keep it in the environment
	Timeout string `yaml:"timeout"` // a duration, such as 8s (the default)
}

// maxGraderTimeout bounds grader.timeout: a member waits for the grade.
const maxGraderTimeout = 2 * time.Minute

// timeout is grader.timeout as a duration (llm.DefaultTimeout when empty).
func (g GraderConfig) timeout() (time.Duration, error) {
	if g.Timeout == "" {
		return llm.DefaultTimeout, nil
	}
	d, err := time.ParseDuration(g.Timeout)
	switch {
	case err != nil:
		return 0, fmt.Errorf("grader.timeout: not a duration; give one such as %v (the default), or 30s for a slow local model", llm.DefaultTimeout)
	case d <= 0:
		return 0, fmt.Errorf("grader.timeout: give a positive duration, such as %v (the default)", llm.DefaultTimeout)
	case d > maxGraderTimeout:
		return 0, fmt.Errorf("grader.timeout: at most %v: a member waits for the grade (the built-in grader takes over when the model is late)", maxGraderTimeout)
	}
	return d, nil
}

// problems are what Config.Validate reports about the grader block. No
// message quotes a value: the URL may carry credentials, the key is a
// secret.
func (g GraderConfig) problems() []string {
	if g.URL == "" {
		// an api_key alone is no mistake: OPENAI_API_KEY may be set for
		// other tools
		if g.Model != "" {
			return []string{"grader.url: grader.model is set but grader.url is not: give the endpoint's API base, " +
				"such as http://127.0.0.1:11434/v1 for Ollama or https://api.openai.com/v1, or leave grader.model empty to grade with the built-in grader"}
		}
		return nil
	}
	var errs []string
	if _, err := llm.BaseURL(g.URL); err != nil {
		errs = append(errs, err.Error())
	}
	if g.Model == "" {
		errs = append(errs, "grader.model: give the model's name at the endpoint, such as llama3.1:8b (Ollama) or gpt-4o-mini; grader.url is set")
	}
	if _, err := g.timeout(); err != nil {
		errs = append(errs, err.Error())
	}
	return errs
}

// graderFrom is the grader the config asks for: the built-in grader when no
// grader.url is set, else the model behind it, falling back to the built-in
// grader whenever the model cannot grade. The causes of fallbacks are
// logged to standard error in the config's log format.
func graderFrom(cfg Config) (bot.Grader, error) { return graderLogging(cfg, os.Stderr) }

// graderLogging is graderFrom logging to logs.
func graderLogging(cfg Config, logs io.Writer) (bot.Grader, error) {
	gc := cfg.Grader
	if gc.URL == "" {
		return grade.Builtin{}, nil
	}
	timeout, err := gc.timeout()
	if err != nil {
		return nil, err
	}
	return llm.New(llm.Config{
		URL:      gc.URL,
		Model:    gc.Model,
		APIKey:   gc.APIKey,
		Timeout:  timeout,
		Fallback: grade.Builtin{},
		Logger:   newLogger(cfg.Log, logs).With("component", "grader"),
	})
}

// graderEval grades a labelled set's answers with g for interview eval,
// counting the answers the model left to the fallback, by note.
type graderEval struct {
	g        bot.Grader
	answers  int
	fellBack map[string]int
}

// grade grades one answer and turns the assessment into the built-in
// grader's Result, each concept credited by its status (covered 1, partly
// 1/2, missed 0), so that eval prints both alike.
func (e *graderEval) grade(card *questionbank.Card, text string) (grade.Result, error) {
	a, err := e.g.Grade(context.Background(), bot.GradeRequest{Prompt: card.Prompt, Concepts: card.Rubric(), Model: card.Answer, Text: text})
	if err != nil {
		return grade.Result{}, err
	}
	e.answers++
	if a.Note != "" {
		if e.fellBack == nil {
			e.fellBack = map[string]int{}
		}
		e.fellBack[a.Note]++
	}
	r := grade.Result{Score: a.Score, Misconceptions: a.Misconceptions}
	for _, c := range a.Concepts {
		credit := map[bot.ConceptStatus]float64{bot.ConceptCovered: 1, bot.ConceptPartly: 0.5}[c.Status]
		r.Concepts = append(r.Concepts, grade.ConceptResult{Concept: c.Concept, Status: grade.Status(c.Status), Credit: credit,
			Matched: c.Matched, Misconceptions: c.Misconceptions})
	}
	return r, nil
}

// report says how many answers the model graded, and why the others fell
// back.
func (e *graderEval) report(w io.Writer) {
	notes := slices.Sorted(maps.Keys(e.fellBack))
	n := 0
	for _, note := range notes {
		n += e.fellBack[note]
	}
	fmt.Fprintf(w, "graded by the model: %d of %d answers\n", e.answers-n, e.answers)
	for _, note := range notes {
		fmt.Fprintf(w, "  %d: %s\n", e.fellBack[note], note)
	}
}
