package console_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/console"
	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/questionbank"
)

// newGradedEnv is newEnv with the built-in grader behind the bot.
func newGradedEnv(t *testing.T) *env {
	e := newEnv(t, bottest.RigStart, "UTC")
	e.bot = bot.New(bot.Config{Bank: e.bank, Store: e.db, Clock: e.clock, TimeZone: e.tz, Grader: grade.Builtin{}})
	return e
}

var scoreRE = regexp.MustCompile(`== Your answer: (\d+)/100 ==`)

func scoreIn(t *testing.T, out string) int {
	t.Helper()
	m := scoreRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no score in:\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// explain types a several-line explanation into the open prompt: nothing
// is sent before the empty line that ends it.
func (s *session) explain(lines ...string) string {
	s.e.t.Helper()
	for _, l := range lines {
		if out := s.do(l); out != "" {
			s.e.t.Fatalf("the line %q of an answer printed:\n%s", l, out)
		}
	}
	return s.do("")
}

// sentences splits a model answer into lines, as a member would type it.
func sentences(text string) []string {
	var out []string
	for _, s := range strings.SplitAfter(strings.Join(strings.Fields(text), " "), ". ") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// A mock interview in the terminal: the question, an answer over several
// lines ended by an empty one, its grade, the follow-ups the card has, and
// the summary.
func TestInterviewInTheConsole(t *testing.T) {
	e := newGradedEnv(t)
	ann := e.user("ann")
	out := ann.do("/interview category:postgres")
	mustContain(t, out, "== Mock interview · PostgreSQL", "The interviewer asks:", "[1] Answer  [2] End interview")
	card := e.lastCard(out)
	prompt := ann.do(button(t, out, "Answer"))
	mustContain(t, prompt, "Your answer: type it below, on as many lines as you like, and end it with an empty line.")
	graded := ann.explain(sentences(card.Answer)...)
	if s := scoreIn(t, graded); s < 50 {
		t.Errorf("the model answer, typed over several lines, scored %d:\n%s", s, graded)
	}
	mustContain(t, graded, "Key concepts", "covered: ")
	for i := range card.FollowUps {
		follow := ann.do(button(t, graded, "Follow-up question"))
		mustContain(t, follow, "== Follow-up "+strconv.Itoa(i+1)+" of "+strconv.Itoa(len(card.FollowUps)), "The interviewer follows up:")
		ann.do(button(t, follow, "Answer"))
		graded = ann.explain("I am not sure.", "I would look it up.")
		if s := scoreIn(t, graded); s > 30 {
			t.Errorf("an answer that says nothing scored %d:\n%s", s, graded)
		}
	}
	mustContain(t, graded, "Interview summary", "1. Question: ", "[", "] Another interview")
	m, err := e.db.Member(context.Background(), "console", "ann")
	if err != nil || m.Interviews["postgres"].Answered != 1+len(card.FollowUps) || m.Points != 0 {
		t.Fatalf("member %+v, %v", m, err)
	}
	stats := ann.do("/stats")
	mustContain(t, stats, "Mock interviews: PostgreSQL & Persistence: ", "/100 average (")
}

// A command typed in the middle of an answer drops it (the question's
// Answer button opens the prompt again); empty lines before the answer
// are not an answer.
func TestInterviewDraftDroppedByACommand(t *testing.T) {
	e := newGradedEnv(t)
	ann := e.user("ann")
	out := ann.do("/interview category:python")
	answer := button(t, out, "Answer")
	ann.do(answer)
	if got := ann.do(""); got != "" {
		t.Fatalf("an empty line before the answer printed:\n%s", got)
	}
	ann.do("Half a thought")
	mustContain(t, ann.do("/help"), "(your unfinished answer was dropped)", "/interview")
	ann.do(answer)
	graded := ann.explain("A whole answer this time, on one line.")
	scoreIn(t, graded)
}

// Piped into prepbot console, a script that ends in the middle of an
// answer still submits it.
func TestInterviewFromAScript(t *testing.T) {
	e := newGradedEnv(t)
	in := strings.NewReader("/interview category:coding\n1\nI would use a hash map from value to index,\nchecking each number's complement as I go.\n")
	var out bytes.Buffer
	if err := console.Run(context.Background(), console.Options{Bot: e.bot, In: in, Out: &out, User: "ann", PictureDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	scoreIn(t, out.String())
	mustContain(t, out.String(), "Bye. Your answers are saved.")
	var card *questionbank.Card = e.lastCard(out.String())
	m, _ := e.db.Member(context.Background(), "console", "ann")
	if m.Interviews[card.Category].Answered != 1 {
		t.Fatalf("the script's answer was not recorded: %+v", m.Interviews)
	}
}
