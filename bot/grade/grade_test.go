package grade

import (
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

var mvcc = []questionbank.Concept{
	{Text: "MVCC lets readers and writers not block each other",
		Terms:          []string{"snapshot", "readers don't block", "non-blocking reads", "multiversion"},
		Misconceptions: []string{"reads take row locks", "readers block writers"}},
	{Text: "Old versions become dead tuples that VACUUM must clean up", Terms: []string{"dead tuples", "vacuum removes old row versions"}},
}

const mvccModel = "PostgreSQL keeps several versions of a row. Each transaction reads from a snapshot, so readers never wait for writers. An UPDATE writes a new row version and leaves the old one as a dead tuple; VACUUM reclaims dead tuples once no snapshot can see them."

func TestGradeStrongWeakAndList(t *testing.T) {
	strong := Grade(mvcc, mvccModel, "Every transaction works on a snapshot of the data, so readers do not block writers and writers do not block readers. Updates create a new version of the row, and the old version stays behind as a dead tuple until vacuum removes it.")
	list := Grade(mvcc, mvccModel, "snapshot, multiversion, dead tuples, vacuum, non-blocking reads, row versions")
	wrong := Grade(mvcc, mvccModel, "Postgres is safe because reads take row locks, so readers block writers until the transaction commits, and updates overwrite the row in place.")
	if strong.Score < 70 {
		t.Errorf("strong answer scores %d: %+v", strong.Score, strong)
	}
	for _, c := range strong.Concepts {
		if c.Status != Covered {
			t.Errorf("strong answer: %q is %s (%.2f)", c.Concept, c.Status, c.Credit)
		}
	}
	if list.Score >= strong.Score-25 || list.Prose != 0 {
		t.Errorf("keyword list scores %d (prose %.2f), strong %d", list.Score, list.Prose, strong.Score)
	}
	dressed := Grade(mvcc, mvccModel, "MVCC is about snapshot, multiversion, xmin, xmax, dead tuples, vacuum and the like.")
	if dressed.Prose != 0 || dressed.Score >= strong.Score-25 {
		t.Errorf("a keyword list in a sentence scores %d (prose %.2f), strong %d", dressed.Score, dressed.Prose, strong.Score)
	}
	if len(wrong.Misconceptions) != 2 || wrong.Score > 25 || wrong.Concepts[0].Status == Covered {
		t.Errorf("misconceptions: %+v", wrong)
	}
}

func TestNegationAndTypos(t *testing.T) {
	neg := Grade(mvcc[:1], "", "With MVCC the readers do not block writers, because each query reads its own snapshot of committed data.")
	if len(neg.Misconceptions) != 0 || neg.Concepts[0].Status != Covered {
		t.Errorf("negated misconception counted: %+v", neg)
	}
	pos := Grade(mvcc[:1], "", "With MVCC the readers block writers, because each query has to lock what it reads.")
	if len(pos.Misconceptions) != 1 || pos.Concepts[0].Status == Covered {
		t.Errorf("misconception missed: %+v", pos)
	}
	typo := Grade(mvcc[1:], "", "An update leaves the old row behind as a daed tupel, and the vacum process cleans it up later on.")
	if typo.Concepts[0].Status != Covered {
		t.Errorf("typos: %+v", typo)
	}
	noTerm := Grade(mvcc[1:], "", "An update leaves nothing behind and there is no dead tuple to clean up, so the table stays small.")
	if noTerm.Concepts[0].Status == Covered {
		t.Errorf("negated term counted: %+v", noTerm)
	}
}

func TestStemAndNear(t *testing.T) {
	for _, c := range [][2]string{{"locks", "locking"}, {"locked", "lock"}, {"queries", "query"}, {"caching", "cache"}, {"indexes", "index"}, {"stopped", "stop"}, {"tuples", "tuple"}, {"changes", "changing"}, {"waits", "blocking"}, {"deleted", "removes"}} {
		if stem(c[0]) != stem(c[1]) {
			t.Errorf("stem(%q) = %q, stem(%q) = %q", c[0], stem(c[0]), c[1], stem(c[1]))
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{{"vacuum", "vacum", true}, {"tuple", "tupel", true}, {"index", "indx", true}, {"lock", "lokc", false}, {"vacuum", "vacuums", true}, {"snapshot", "snapshto", true}, {"primary", "prinary", true}, {"replica", "relpcia", false}} {
		if near(c.a, c.b) != c.want {
			t.Errorf("near(%q, %q) = %v", c.a, c.b, !c.want)
		}
	}
}

func TestPlainConceptsGradeOnTheirWords(t *testing.T) {
	cs := questionbank.PlainConcepts([]string{"A GIL lets only one thread run Python bytecode at a time"})
	r := Grade(cs, "", "Only a single thread at a time can execute Python bytecode, because the interpreter holds the GIL.")
	if r.Concepts[0].Status != Covered || len(r.Concepts[0].Matched) == 0 {
		t.Errorf("%+v", r)
	}
	if r := Grade(cs, "", ""); r.Score != 0 || r.Concepts[0].Status != Missed {
		t.Errorf("empty answer: %+v", r)
	}
}

func BenchmarkGrade(b *testing.B) {
	text := strings.Repeat("Every transaction works on a snapshot of the data, so readers do not block writers. Updates create a new version of the row, and the old version stays as a dead tuple until vacuum removes it. ", 8)
	for b.Loop() {
		Grade(mvcc, mvccModel, text)
	}
}

// FuzzGrade: any text grades without panicking, the same way twice, with a
// score from 0 to 100 and one result per concept.
func FuzzGrade(f *testing.F) {
	f.Add("Readers don't block; snapshot, xmin. Vacuum's dead tupels (instead of locks), 3.12 e.g. os.path")
	f.Add("a, b, c and d")
	f.Add("ééé’s n't can't won't\n- x\n- y")
	f.Fuzz(func(t *testing.T, text string) {
		r := Grade(mvcc, mvccModel, text)
		again := Grade(mvcc, mvccModel, text)
		if r.Score < 0 || r.Score > 100 || r.Score != again.Score || len(r.Concepts) != len(mvcc) || r.Prose < 0 || r.Prose > 1 {
			t.Fatalf("%q: %+v", text, r)
		}
	})
}

// lru has terms that read like speech, function words and verbs included:
// a list of them must still grade as a list.
var lru = []questionbank.Concept{
	{Text: "A read counts as a use and moves the key to the most recent end",
		Terms: []string{"a read is a use", "moves the key to the end", "most recently used", "a get also updates the recency order"}},
	{Text: "The dict finds the node and the doubly linked list unlinks it in O(1)",
		Terms: []string{"the dict gives you the node", "doubly linked list", "unlink it in constant time", "prev pointer"}},
	{Text: "Over capacity the cache evicts the least recently used entry",
		Terms:          []string{"it evicts the least recently used one", "over capacity", "pop from the front"},
		Misconceptions: []string{"evicts the oldest insert"}},
}

const lruModel = "Keep the entries in recency order with an OrderedDict, a hash map plus a doubly linked list. A get is a use, so it moves the key to the end; put does the same. Over capacity, pop from the front, the least recently used entry. The dict finds the node, and its prev pointer lets the list unlink it in O(1)."

const lruStrong = "I would keep the entries in recency order in an OrderedDict, which is a hash map plus a doubly linked list. A get is a use too, so it moves the key to the end, and a put does the same before it stores the value. When the size goes over capacity, the cache pops the entry at the front, which is the least recently used one. The prev pointer is what lets the list unlink a node that the dict found in constant time."

func lruTerms() []string {
	var terms []string
	for _, c := range lru {
		terms = append(terms, c.Terms...)
	}
	return terms
}

// A run of a card's terms, however it is separated and whatever function
// words the terms hold, is a list and not an explanation.
func TestTermListsGradeAsLists(t *testing.T) {
	strong := Grade(lru, lruModel, lruStrong)
	if strong.Score < 75 {
		t.Fatalf("strong answer scores %d: %+v", strong.Score, strong)
	}
	terms := lruTerms()
	last := len(terms) - 1
	for name, text := range map[string]string{
		"comma list":        strings.Join(terms, ", "),
		"line list":         strings.Join(terms, "\n"),
		"bulleted list":     "- " + strings.Join(terms, "\n- "),
		"list with and":     strings.Join(terms[:last], ", ") + " and " + terms[last],
		"list of sentences": strings.Join(terms, ". ") + ".",
		"introduced list":   "An LRU cache is about " + strings.Join(terms[:last], ", ") + ", and " + terms[last] + ".",
	} {
		r := Grade(lru, lruModel, text)
		if r.Score > 50 || r.Score > strong.Score-30 || r.Prose != 0 {
			t.Errorf("%s scores %d (prose %.2f), strong %d: want at most 50, 30 below it, and no prose", name, r.Score, r.Prose, strong.Score)
		}
	}
}

// A real answer keeps its credit when one of its sentences lists things,
// and a bulleted answer of whole sentences is prose.
func TestRealAnswersWithListsKeepTheirCredit(t *testing.T) {
	strong := Grade(lru, lruModel, lruStrong)
	for name, text := range map[string]string{
		"a list in one sentence": lruStrong + " Its operations are get, put, move_to_end and popitem, all of them O(1).",
		"a list of clauses":      "An OrderedDict is a hash map plus a doubly linked list, so the dict finds the node in O(1). On a get it moves the key to the end, on a put it stores the value and moves it there too, and over capacity it pops from the front, which is the least recently used entry. The prev pointer lets the list unlink the node in constant time.",
		"bullets of sentences":   "- I keep the entries in recency order in an OrderedDict, a hash map plus a doubly linked list.\n- A get is a use too, so it moves the key to the end of the order.\n- When the size goes over capacity, the cache pops the least recently used entry from the front.\n- The prev pointer is what lets the list unlink a node in constant time.",
	} {
		r := Grade(lru, lruModel, text)
		if r.Score < strong.Score-10 || r.Prose < 0.7 {
			t.Errorf("%s scores %d (prose %.2f), strong %d", name, r.Score, r.Prose, strong.Score)
		}
		for _, c := range r.Concepts {
			if c.Status != Covered {
				t.Errorf("%s: %q is %s (%.2f)", name, c.Concept, c.Status, c.Credit)
			}
		}
	}
}

// What makes a list does not make one of prose around code, brackets or
// file names.
func TestListRulesSpareProse(t *testing.T) {
	for _, c := range []struct {
		text string
		at   int // the sentence that must explain
	}{
		{"A transactional outbox avoids the dual write problem:\n```sql\nBEGIN;\nUPDATE orders SET status = 'paid';\nINSERT INTO outbox VALUES (1);\nCOMMIT;\n```", 0},
		{"A decorator that injects an argument, such as a session, uses Concatenate[Session, P, Q, R] to describe the changed signature.", 0},
		{"Add stub packages or write .pyi stub files for the untyped libraries you call.", 0},
		{"Take len(queue) nodes off the front, record their values, and enqueue their children, which form the next level.", 0},
	} {
		sens := split(c.text)
		if len(sens) <= c.at || !sens[c.at].explains {
			t.Errorf("%q: sentence %d of %d does not explain", c.text, c.at, len(sens))
		}
	}
}
