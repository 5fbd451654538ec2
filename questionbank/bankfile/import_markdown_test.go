package bankfile

import (
	"strings"
	"testing"
)

func importString(t *testing.T, name, data string, opt ImportOptions) []cardText {
	t.Helper()
	doc, err := Import(name, []byte(data), opt)
	if err != nil {
		t.Fatalf("Import(%s): %v", name, err)
	}
	var out []cardText
	for _, c := range doc.Cards {
		out = append(out, cardText{c.Category, c.Number, c.Prompt, c.Answer})
	}
	return out
}

type cardText struct {
	Category string
	Number   int
	Prompt   string
	Answer   string
}

// An "Answer:" line indented under a numbered item is the item's answer;
// it used to be folded into the prompt as a continuation line.
func TestImportMarkdownAnswerUnderItem(t *testing.T) {
	got := importString(t, "list.md", "## Databases\n\n"+
		"1. What is MVCC?\n"+
		"   Answer: Each transaction reads a snapshot,\n"+
		"   so readers never block writers.\n"+
		"2. **Vacuum:** What does it reclaim?\n"+
		"   - dead tuples\n"+
		"   A: Space held by dead row versions.\n", ImportOptions{})
	want := []cardText{
		{"databases", 1, "What is MVCC?", "Each transaction reads a snapshot,\nso readers never block writers."},
		{"databases", 2, "Vacuum: What does it reclaim?", "Space held by dead row versions."},
	}
	wantCards(t, got, want)
}

func TestImportMarkdownNothingFoundShowsShapes(t *testing.T) {
	_, err := Import("notes.md", []byte("# Notes\n\nJust prose, no questions.\n"), ImportOptions{Format: FormatMarkdown})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"notes.md:1: found no questions", "| # | Question", "1. **", "Answer:", "Q1.", "A:", "### Question 1", "## 1. What is"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
}

func wantCards(t *testing.T, got, want []cardText) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d cards, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("card %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestImportMarkdownQALines(t *testing.T) {
	got := importString(t, "qa.md", "# Networking\n\n"+
		"Q1. What does TCP guarantee\n"+
		"that UDP does not?\n"+
		"A: Ordered, reliable delivery.\n"+
		"Retransmission hides loss.\n\n"+
		"**Q2:** Why use UDP for DNS?\n\n"+
		"**A:** One round trip:\n\n"+
		"```\n"+
		"Q3. not a question: this is code\n"+
		"# nor a heading\n"+
		"```\n"+
		"---\n"+
		"Question 7: What is a SYN flood?\n"+
		"Answer: Half-open connections that exhaust the backlog.\n", ImportOptions{})
	wantCards(t, got, []cardText{
		{"networking", 1, "What does TCP guarantee that UDP does not?", "Ordered, reliable delivery.\nRetransmission hides loss."},
		{"networking", 2, "Why use UDP for DNS?", "One round trip:\n\n```\nQ3. not a question: this is code\n# nor a heading\n```"},
		{"networking", 7, "What is a SYN flood?", "Half-open connections that exhaust the backlog."},
	})
}

func TestImportMarkdownQuestionHeadings(t *testing.T) {
	got := importString(t, "headings.md", "# Python interview\n\n"+
		"## Concurrency\n\n"+
		"### Question 1\n\n"+
		"What is the GIL, and when does it matter?\n\n"+
		"#### Answer\n\n"+
		"A lock in CPython.\n\n"+
		"- CPU-bound threads: no speedup\n"+
		"- I/O-bound threads: fine\n\n"+
		"### Question 2: How do you run CPU work in parallel?\n\n"+
		"Use processes:\n\n"+
		"```python\n"+
		"## not a heading\n"+
		"with ProcessPoolExecutor() as ex: ...\n"+
		"```\n\n"+
		"### Question 3\n"+
		"What does `asyncio.gather` return?\n\n"+
		"The results, in the order of the awaitables.\n\n"+
		"### Question 4\n"+
		"Why is `async def` not enough?\n"+
		"<details><summary>Answer</summary>\n\n"+
		"It needs an event loop to run.\n\n"+
		"</details>\n", ImportOptions{})
	wantCards(t, got, []cardText{
		{"concurrency", 1, "What is the GIL, and when does it matter?", "A lock in CPython.\n\n- CPU-bound threads: no speedup\n- I/O-bound threads: fine"},
		{"concurrency", 2, "How do you run CPU work in parallel?", "Use processes:\n\n```python\n## not a heading\nwith ProcessPoolExecutor() as ex: ...\n```"},
		{"concurrency", 3, "What does `asyncio.gather` return?", "The results, in the order of the awaitables."},
		{"concurrency", 4, "Why is `async def` not enough?", "It needs an event loop to run."},
	})
}

func TestImportMarkdownNumberedQuestionHeadings(t *testing.T) {
	got := importString(t, "numbered.md", "# PostgreSQL\n\n"+
		"## 1. What is MVCC?\n\n"+
		"Each transaction reads a snapshot;\n"+
		"writers make new row versions.\n\n"+
		"## 2. Explain VACUUM\n\n"+
		"It reclaims dead tuples.\n\n"+
		"## 3. Indexes (2 Questions)\n\n"+
		"1. **B-tree:** When is it the right choice?\n"+
		"2. **GIN:** What is it for?\n\n"+
		"## 4. What to know about replication\n\n"+
		"| # | Question |\n|---|---|\n| 5 | What is a replication slot? |\n", ImportOptions{})
	wantCards(t, got, []cardText{
		{"postgresql", 1, "What is MVCC?", "Each transaction reads a snapshot;\nwriters make new row versions."},
		{"postgresql", 2, "Explain VACUUM", "It reclaims dead tuples."},
		{"indexes", 3, "B-tree: When is it the right choice?", ""},
		{"indexes", 4, "GIN: What is it for?", ""},
		{"what-to-know-about-replication", 5, "What is a replication slot?", ""},
	})
}

func TestImportMarkdownQuestionErrors(t *testing.T) {
	_, err := Import("bad.md", []byte("## Topic\n\n### Question 1\n\n#### Answer\nSomething.\n\nQ2.\nA: x\n"), ImportOptions{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		"bad.md:3: prompt: the question under this heading is empty: write it on the heading line",
		"bad.md:8: prompt: the question is empty: write it after the Q",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("missing %q in\n%v", w, err)
		}
	}
}

// Options under a question are part of it; only "A:", "Answer:" (with a
// colon) or a bare "**Answer**" line starts an answer.
func TestImportMarkdownOptionsAreNotAnswers(t *testing.T) {
	got := importString(t, "mcq.md", "## Quiz\n\n"+
		"1. Which is connection-oriented?\n"+
		"   a) UDP\n"+
		"   b) TCP\n"+
		"Q2. Which port is HTTPS?\n"+
		"a) 80\n"+
		"b) 443\n"+
		"**Answer**\n"+
		"b) 443\n", ImportOptions{})
	wantCards(t, got, []cardText{
		{"quiz", 1, "Which is connection-oriented? a) UDP b) TCP", ""},
		{"quiz", 2, "Which port is HTTPS? a) 80 b) 443", "b) 443"},
	})
}

// A bold line that is a numbered question, with the answer below it.
func TestImportMarkdownBoldNumberedQuestions(t *testing.T) {
	got := importString(t, "bold.md", "# Python\n\n"+
		"**1. What is a generator?**\n"+
		"A function that yields values lazily.\n\n"+
		"**2. Explain `yield from`.**\n\n"+
		"It delegates to a subgenerator.\n\n"+
		"**3. Notes**\n"+
		"not a question\n", ImportOptions{})
	wantCards(t, got, []cardText{
		{"python", 1, "What is a generator?", "A function that yields values lazily."},
		{"python", 2, "Explain `yield from`.", "It delegates to a subgenerator."},
	})
}
