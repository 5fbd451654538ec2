package bankfile

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

const conceptsYAML = `categories:
  - id: pg
    name: PostgreSQL
cards:
  - id: pg-mvcc
    category: pg
    prompt: What is MVCC?
    key_concepts:
      - concept: MVCC lets readers and writers not block each other
        terms: [snapshot, "readers don't block", non-blocking reads]
        misconceptions: [reads take row locks]
      - Old versions become dead tuples that VACUUM must clean up
    answer: Each transaction sees a snapshot.
    follow_ups:
      - prompt: What does a long transaction do to VACUUM?
        key_concepts:
          - concept: The oldest snapshot holds back cleanup
            terms: [xmin horizon]
        answer: Dead tuples it may still see cannot be removed.
`

func TestConceptsYAMLAndJSON(t *testing.T) {
	doc, errs := ParseYAML("c.yaml", strings.NewReader(conceptsYAML))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	b, err := questionbank.Build(doc)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := b.Card("pg-mvcc")
	want := []questionbank.Concept{
		{Text: "MVCC lets readers and writers not block each other", Terms: []string{"snapshot", "readers don't block", "non-blocking reads"}, Misconceptions: []string{"reads take row locks"}},
		{Text: "Old versions become dead tuples that VACUUM must clean up"},
	}
	if !reflect.DeepEqual(c.Concepts, want) {
		t.Fatalf("concepts = %+v", c.Concepts)
	}
	if len(c.KeyConcepts) != 2 || c.KeyConcepts[1] != want[1].Text {
		t.Errorf("KeyConcepts = %q, want the concepts' texts", c.KeyConcepts)
	}
	if len(c.FollowUps) != 1 || c.FollowUps[0].Prompt != "What does a long transaction do to VACUUM?" ||
		c.FollowUps[0].Concepts[0].Terms[0] != "xmin horizon" || c.FollowUps[0].Answer == "" {
		t.Fatalf("follow-ups = %+v", c.FollowUps)
	}

	// YAML -> YAML and JSON -> JSON keep everything
	var y bytes.Buffer
	if err := WriteYAML(&y, doc); err != nil {
		t.Fatal(err)
	}
	back, errs := ParseYAML("again.yaml", &y)
	if len(errs) > 0 {
		t.Fatalf("%v\n%s", errs, y.String())
	}
	var j bytes.Buffer
	if err := WriteJSON(&j, back); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(j.String(), `"Old versions become dead tuples that VACUUM must clean up"`) {
		t.Errorf("a plain concept is not written as text: %s", j.String())
	}
	fromJSON, errs := ParseJSON("c.json", &j)
	if len(errs) > 0 {
		t.Fatalf("%v\n%s", errs, j.String())
	}
	got := fromJSON.Cards[0]
	if !reflect.DeepEqual(got.Concepts, c.Concepts) || !reflect.DeepEqual(got.FollowUps, c.FollowUps) || !reflect.DeepEqual(got.KeyConcepts, c.KeyConcepts) {
		t.Errorf("round trip changed the card:\n%+v\n%+v", got, c)
	}
}

// Cards made with KeyConcepts only (importers, older code) keep working.
func TestPlainKeyConceptsStillWork(t *testing.T) {
	doc := &questionbank.Document{File: "x"}
	doc.AddCategory(questionbank.Category{ID: "a", Name: "A"}, 1)
	doc.AddCard(&questionbank.Card{ID: "a-1", Category: "a", Prompt: "P?", KeyConcepts: []string{"one", "two"}}, questionbank.CardPos{})
	c := doc.Cards[0]
	if r := c.Rubric(); len(r) != 2 || r[1].Text != "two" || !r[1].Plain() {
		t.Fatalf("rubric = %+v", r)
	}
	var j bytes.Buffer
	if err := WriteJSON(&j, doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(j.String()), ""), `"key_concepts":["one","two"]`) {
		t.Errorf("JSON = %s", j.String())
	}
}

func TestConceptsValidation(t *testing.T) {
	const bad = `categories:
  - id: pg
cards:
  - id: pg-1
    category: pg
    prompt: Why?
    key_concepts:
      - concept: Snapshots
        terms: [snapshot, ""]
        misconceptions: [Snapshot, locks]
      - terms: [x]
      - concept: c
        term: [y]
    follow_ups:
      - key_concepts: [a]
      - prompt: Next?
      - prompt: Third?
        key_concepts: [b]
`
	_, errs := ParseYAML("bad.yaml", strings.NewReader(bad))
	got := errs.Error()
	for _, want := range []string{
		"bad.yaml:9: cards[0].key_concepts[0].terms[1]: empty entry",
		`bad.yaml:10: cards[0].key_concepts[0].misconceptions[0]: "Snapshot" is also a term`,
		"bad.yaml:11: cards[0].key_concepts[1].concept: missing or empty",
		"bad.yaml:13: cards[0].key_concepts[2].term: unknown key",
		"bad.yaml:15: cards[0].follow_ups[0].prompt: missing or empty",
		"bad.yaml:16: cards[0].follow_ups[1].key_concepts: missing or empty",
		"bad.yaml:14: cards[0].follow_ups: has 3 follow-ups: give at most 2",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if len(errs) != 7 {
		t.Errorf("%d errors, want 7:\n%s", len(errs), got)
	}

	const badJSON = `[{"id":"pg-1","category":"pg","prompt":"Why?",
"key_concepts":[{"concept":"a","terms":["t",""],"misconceptions":["T"]}],
"follow_ups":[{"prompt":"","key_concepts":[]}]}]`
	_, errs = ParseJSON("bad.json", strings.NewReader(badJSON))
	got = errs.Error()
	for _, want := range []string{
		"bad.json:1: cards[0].key_concepts[0].terms[1]: empty term",
		`bad.json:1: cards[0].key_concepts[0].misconceptions[0]: "T" is also a term`,
		"bad.json:1: cards[0].follow_ups[0].prompt: missing or empty",
		"bad.json:1: cards[0].follow_ups[0].key_concepts: missing or empty",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	_, errs = ParseJSON("bad.json", strings.NewReader(`[{"id":"pg-1","category":"pg","prompt":"Why?",
"key_concepts":[{"concept":"a","trems":["t"]}]}]`))
	if !strings.Contains(errs.Error(), `bad.json:2: cards[0].key_concepts[0]: unknown key "trems"`) {
		t.Errorf("unknown key: %v", errs)
	}
}
