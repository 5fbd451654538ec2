package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/bottest"
	"github.com/prepbot/prepbot/bot/grade"
	"github.com/prepbot/prepbot/storage/postgres/pgtest"
)

// A mock interview on three replicas of one database: started on one, its
// answer box opened on another, the same answer submitted to all three at
// once is graded and recorded once, and the follow-up is asked by a third.
func TestInterviewAcrossReplicas(t *testing.T) {
	clock := bottest.NewClock(bottest.RigStart)
	url := pgtest.Schema(t)
	bank := bottest.Bank(t)
	var bots []*bot.Bot
	for range 3 {
		bots = append(bots, bot.New(bot.Config{Bank: bank, Store: open(t, url), Clock: clock, DrawLimit: -1, Grader: grade.Builtin{}}))
	}
	ctx := context.Background()
	req := func(action, text string) bot.Request {
		return bot.Request{Platform: "discord", Group: "discord:g1", Channel: "c1", User: bot.User{ID: "ann", Name: "ann"}, Action: action, Text: text}
	}
	start := req("", "")
	start.Command, start.Args = "interview", map[string]string{"category": "postgres"}
	q, err := bots[0].Handle(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	card, ok := bank.Card(q.Footer)
	if !ok || len(q.Buttons) == 0 {
		t.Fatalf("no question: %+v", q)
	}
	box, err := bots[1].Handle(ctx, req(q.Buttons[0].ID, ""))
	if err != nil || box.Modal == nil {
		t.Fatalf("Answer on another replica: %v %+v", err, box)
	}
	replies := make([]bot.Reply, len(bots))
	errs := make([]error, len(bots))
	var wg sync.WaitGroup
	for i, b := range bots {
		wg.Go(func() { replies[i], errs[i] = b.Handle(ctx, req(box.Modal.Action, card.Answer)) })
	}
	wg.Wait()
	graded := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if graded >= 0 {
				t.Fatalf("graded by replicas %d and %d", graded, i)
			}
			graded = i
		case bot.ErrorCode(err) != bot.EConflict:
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	if graded < 0 {
		t.Fatal("no replica graded the answer")
	}
	g := replies[graded]
	if !strings.HasPrefix(g.Title, "Your answer: ") {
		t.Fatalf("the grade: %+v", g)
	}
	if len(card.FollowUps) > 0 {
		follow := ""
		for _, b := range g.Buttons {
			if b.Label == "Follow-up question" {
				follow = b.ID
			}
		}
		f, err := bots[(graded+1)%3].Handle(ctx, req(follow, ""))
		if err != nil || !strings.HasPrefix(f.Title, "Follow-up 1 of ") {
			t.Fatalf("the follow-up on another replica: %v %+v", err, f)
		}
	}
	m, err := open(t, url).Member(ctx, "discord:g1", "ann")
	if err != nil || m.Interviews["postgres"].Answered != 1 || m.Points != 0 {
		t.Fatalf("the member: %+v, %v", m, err)
	}
}
