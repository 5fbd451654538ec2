package dump_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/storage"
	"github.com/prepbot/prepbot/storage/dump"
)

// The export writes every time in UTC, and the claims' expiry to the
// microsecond, whatever zone the bot recorded them in.
func TestExportTimesInUTC(t *testing.T) {
	ctx := t.Context()
	db, err := storage.Open(filepath.Join(t.TempDir(), "p.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 500, berlin) // 09:00:00.0000005 UTC
	p := bot.Post{Group: "g", Channel: "C1", CardID: "c", At: at}
	if err := db.CreatePost(ctx, &p); err != nil {
		t.Fatal(err)
	}
	a := bot.Answer{Kind: bot.KindAnswer, Group: "g", User: "ann", PostID: p.ID, CardID: "c", Points: 10, Correct: true,
		At: at.Add(time.Minute), Day: "2026-11-23", Periods: []string{bot.PeriodAll}}
	if _, err := db.Record(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveSchedule(ctx, bot.Schedule{Group: "g", Channel: "C1", Time: "09:00", LastDay: "2026-11-23", DailyUntil: at}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveRound(ctx, bot.Round{Group: "g", Channel: "C1", Deadline: at, Lease: at}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := dump.WriteExport(ctx, &out, db); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Posts   []struct{ At string } `json:"posts"`
		Answers []struct{ At string } `json:"answers"`
		Scores  []struct {
			ReachedAt string `json:"reached_at"`
		} `json:"scores"`
		Schedules []struct {
			DailyUntil string `json:"daily_until"`
		} `json:"schedules"`
		Rounds []struct{ Deadline, Lease string } `json:"rounds"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	ok := len(doc.Posts) == 1 && doc.Posts[0].At == "2026-11-23T09:00:00.0000005Z" &&
		len(doc.Answers) == 1 && doc.Answers[0].At == "2026-11-23T09:01:00.0000005Z" &&
		len(doc.Scores) == 1 && doc.Scores[0].ReachedAt == "2026-11-23T09:01:00.0000005Z" &&
		len(doc.Schedules) == 1 && doc.Schedules[0].DailyUntil == "2026-11-23T09:00:00Z" &&
		len(doc.Rounds) == 1 && doc.Rounds[0].Deadline == "2026-11-23T09:00:00.0000005Z" && doc.Rounds[0].Lease == doc.Rounds[0].Deadline
	if !ok {
		t.Fatalf("export = %s", out.String())
	}
}

// records is a Source of given records, in the order given: for checking
// what WriteExport makes of records no backend gives.
type records []dump.Record

func (rs records) Dump(ctx context.Context, fn func(dump.Record) error) error {
	for _, r := range rs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// WriteExport refuses records out of order, or of the wrong type, instead
// of writing a document whose sections repeat.
func TestExportRefusesBadRecords(t *testing.T) {
	for _, c := range []struct {
		recs records
		want string
	}{
		{records{{Kind: dump.KindPost, Value: bot.Post{ID: 1}}, {Kind: dump.KindGroup, Value: bot.Group{ID: "g"}}},
			"out of order: a group after the posts"},
		{records{{Kind: dump.KindPost, Value: &bot.Post{ID: 1}}}, "a post record holds a *bot.Post, which is no kind of record"},
		{records{{Kind: dump.KindMember, Value: bot.Group{ID: "g"}}}, "a member record holds a bot.Group, the value of a group record"},
		{records{{Kind: dump.KindAnswer, Value: bot.Answer{User: "ann"}}}, "an answer without a seq"},
	} {
		err := dump.WriteExport(t.Context(), &bytes.Buffer{}, c.recs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.recs, err, c.want)
		}
	}
}

func TestCountsString(t *testing.T) {
	for _, c := range []struct {
		counts dump.Counts
		want   string
	}{
		{dump.Counts{}, "no records"},
		{dump.Counts{dump.KindAnswer: 1200, dump.KindGroup: 1, dump.KindActivity: 2, dump.KindDelivery: 1},
			"1 group, 1200 answers, 2 days of activity, 1 delivery id"},
	} {
		if got := c.counts.String(); got != c.want {
			t.Errorf("%v: %q, want %q", c.counts, got, c.want)
		}
	}
}

// fill sets every exported field of v, down to depth levels of nesting, to
// a value that is not zero (so that no omitempty leaves it out).
func fill(v reflect.Value, depth int) {
	if depth == 0 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth-1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth-1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth-1)
		fill(e, depth-1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth-1)
			}
		}
	}
}

// Every key of the export is snake_case, whatever the kind of record and
// however deep: posts too, whose Go type has no JSON names of its own.
// (Map keys are data; here they are "x".)
func TestExportKeysAreSnakeCase(t *testing.T) {
	var recs records
	for _, v := range []any{bot.Group{}, bot.Post{}, dump.Bag{}, bot.Answer{}, bot.Member{}, dump.Review{},
		dump.Activity{}, dump.Score{}, dump.Peek{}, bot.Schedule{}, bot.Round{}} {
		p := reflect.New(reflect.TypeOf(v))
		fill(p.Elem(), 6)
		r := dump.Record{Value: p.Elem().Interface()}
		for _, k := range dump.Kinds {
			if err := (dump.Record{Kind: k, Value: r.Value}).Check(); err == nil {
				r.Kind = k
			}
		}
		recs = append(recs, r)
	}
	var out bytes.Buffer
	if err := dump.WriteExport(t.Context(), &out, recs); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if !snake.MatchString(k) {
					t.Errorf("%s: key %q is not snake_case", path, k)
				}
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		}
	}
	walk("export", doc)
	post := doc["posts"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "group", "channel", "card_id", "category", "daily", "review", "round", "by", "at"} {
		if _, ok := post[k]; !ok {
			t.Errorf("the post has no %q: %v", k, post)
		}
	}
	for _, sec := range []string{"groups", "posts", "bags", "answers", "members", "reviews", "activity", "scores", "peeks", "schedules", "rounds"} {
		if l, _ := doc[sec].([]any); len(l) != 1 {
			t.Errorf("%s: %d records, want 1:\n%s", sec, len(l), out.String())
		}
	}
}
