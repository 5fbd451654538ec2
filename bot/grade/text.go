package grade

import (
	"slices"
	"strings"
	"unicode"
)

// token is one word of a text: its stem, whether it is a function word,
// and whether a negation ("not", "no", "never", "n't"...) governs it.
type token struct {
	word    string // as written, lowercased
	stem    string
	fn      bool // a function word (the, is, because...)
	negWord bool // the token is itself a negation
	negated bool // within the scope of a negation before it
	seg     int  // which part of the sentence between commas, colons and brackets it is in
	comma   int  // which part of the sentence between commas it is in
}

// sentence is the tokens of one sentence (or one line of a list).
type sentence struct {
	toks []token
	// explains reports whether the sentence reads as an explanation:
	// enough words, with function words and a verb between the terms,
	// rather than a list of keywords.
	explains bool
	listed   bool // an item of a list spread over several sentences
	code     bool // in a fenced code block
}

// split cuts a text into sentences of tokens. A sentence ends at . ! ? ;
// or a line break; a list item or a heading is a sentence of its own.
func split(text string) []sentence {
	var out []sentence
	var cur []token
	var word strings.Builder
	negScope, seg, comma, depth := 0, 0, 0, 0
	code := false
	flushWord := func() {
		if word.Len() == 0 {
			return
		}
		w := word.String()
		word.Reset()
		for _, part := range expand(w) {
			t := token{word: part, stem: stem(part), seg: seg, comma: comma}
			t.fn = functionWords[part]
			t.negWord = negations[part]
			t.negated = negScope > 0
			if t.negWord {
				negScope = 4
			} else if negScope > 0 {
				negScope--
			}
			cur = append(cur, t)
		}
	}
	flushSentence := func() {
		flushWord()
		if depth > 0 { // a bracket left open: every comma separates
			for i := range cur {
				cur[i].comma = cur[i].seg
			}
		}
		negScope, depth = 0, 0
		if len(cur) > 0 {
			out = append(out, sentence{toks: cur, explains: explains(cur), code: code})
			cur = nil
		}
	}
	rs := []rune(text)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			if word.Len() > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
				word.WriteRune('\'')
			} else {
				flushWord()
			}
		case r == '.' && i+1 < len(rs) && (unicode.IsLetter(rs[i+1]) || unicode.IsDigit(rs[i+1])):
			flushWord() // e.g., os.path, 3.12, .pyi: not the end of a sentence
		case r == '.' || r == '!' || r == '?' || r == ';' || r == '\n':
			flushSentence()
		case r == '`' && i+2 < len(rs) && rs[i+1] == '`' && rs[i+2] == '`' && (i == 0 || rs[i-1] != '`'):
			flushSentence() // a fence opens or closes a code block
			code = !code
		case r == ',' || r == ':' || r == '(' || r == ')' || r == '[' || r == ']':
			flushWord()
			negScope = 0 // a negation does not reach past a comma
			seg++
			switch r {
			case ',':
				if depth == 0 {
					comma++ // not Concatenate[Session, P]
				}
			case '(', '[':
				depth++
			default:
				depth = max(0, depth-1)
			}
		default:
			flushWord()
		}
	}
	flushSentence()
	markListRuns(out)
	return out
}

// expand splits contractions: "don't" is "do not", "can't" is "can not".
func expand(w string) []string {
	if !strings.Contains(w, "'") {
		return []string{w}
	}
	switch {
	case w == "can't" || w == "cannot":
		return []string{"can", "not"}
	case w == "won't":
		return []string{"will", "not"}
	case strings.HasSuffix(w, "n't"):
		return []string{strings.TrimSuffix(w, "n't"), "not"}
	}
	base, _, _ := strings.Cut(w, "'") // it's, we're, postgres's
	return []string{base}
}

// explains tells prose from a keyword list: at least six words, a fifth of
// them function words, and a verb (or a word ending in -ed or -es) among
// them.
func explains(toks []token) bool {
	if len(toks) < 6 {
		return false
	}
	fn, verb := 0, false
	for _, t := range toks {
		if t.fn {
			fn++
		}
		if verbs[t.word] || !t.fn && len(t.word) > 3 && (strings.HasSuffix(t.word, "ed") || strings.HasSuffix(t.word, "es")) {
			verb = true
		}
	}
	return fn*5 >= len(toks) && verb && !listLike(toks)
}

// listLike reports whether a sentence is mostly a list of bare terms
// between commas ("MVCC is about snapshot, xmin, xmax, dead tuples and
// VACUUM"): three or more items (parts of at most three words without a
// function word, and the words next to the list in its first and last
// part), holding at least half the sentence's words.
func listLike(toks []token) bool {
	var segs [][]token
	for i := 0; i < len(toks); {
		j := i
		for j < len(toks) && toks[j].seg == toks[i].seg {
			j++
		}
		segs = append(segs, toks[i:j])
		i = j
	}
	if len(segs) < 3 {
		return false
	}
	items, words := 0, 0
	for k, sg := range segs {
		n := 0
		switch k {
		case 0: // the end of the first part: "MVCC is about snapshot"
			for n < len(sg) && n < 3 && !sg[len(sg)-1-n].fn {
				n++
			}
		case len(segs) - 1: // the start of the last: "vacuum and the like"
			for n < len(sg) && n < 3 && !sg[n].fn {
				n++
			}
		default:
			if len(sg) <= 3 && !slices.ContainsFunc(sg, func(t token) bool { return t.fn }) {
				n = len(sg)
			}
		}
		if n > 0 {
			items++
			words += n
		}
	}
	return items >= 3 && words*2 >= len(toks) || fragmentRun(toks)
}

// Lists made of phrases rather than single words, whatever words the
// phrases hold ("a read is a use, moves the key to the end, ..."):
// fragmentWords is how long such a phrase may be, and listRun how many of
// them make a list.
const (
	fragmentWords = 7
	listRun       = 4
)

// fragmentRun reports whether a sentence is a run of short phrases between
// commas: at least listRun parts of at most fragmentWords words that do
// not open a clause ("so it...", "which..."), holding two thirds of the
// sentence's words.
func fragmentRun(toks []token) bool {
	frags, words := 0, 0
	for i := 0; i < len(toks); {
		j := i
		for j < len(toks) && toks[j].comma == toks[i].comma {
			j++
		}
		part := toks[i:j]
		if w := part[0].word; w == "and" || w == "or" {
			part = part[1:]
		}
		if len(part) > 0 && len(part) <= fragmentWords && !clauseOpeners[part[0].word] {
			frags++
			words += j - i
		}
		i = j
	}
	return frags >= listRun && words*3 >= len(toks)*2
}

// clauseOpeners start a part of a sentence that is a clause of its own,
// not an item of a list.
var clauseOpeners = set("so", "because", "since", "while", "when", "where", "which", "who", "whose", "whom", "that", "if", "then", "but", "as", "until", "unless", "though", "although", "whereas", "once", "otherwise", "thus", "hence")

// markListRuns finds lists spread over sentences: lines of a list, or
// phrases cut by full stops. A run of at least listRun sentences of at most
// fragmentWords+1 words, half of which do not explain on their own, is a
// list, and none of its sentences explains: a phrase of a list that
// happens to hold a verb and function words is still a list item.
func markListRuns(sens []sentence) {
	for i := 0; i < len(sens); {
		j, bare := i, 0
		for j < len(sens) && len(sens[j].toks) <= fragmentWords+1 && sens[j].code == sens[i].code {
			if !sens[j].explains {
				bare++
			}
			j++
		}
		if j-i >= listRun && bare*2 >= j-i {
			for k := i; k < j; k++ {
				sens[k].explains = false
				sens[k].listed = true
			}
		}
		i = max(j, i+1)
	}
	// a longer item between two items of a list is one too
	for i := 1; i+1 < len(sens); i++ {
		if sens[i-1].listed && sens[i+1].listed && len(sens[i].toks) <= 3*fragmentWords/2+1 && sens[i-1].code == sens[i].code && sens[i+1].code == sens[i].code {
			sens[i].explains = false
		}
	}
}

// stem is a light English stemmer: it folds plurals, -ing, -ed and -ly so
// that "locks", "locking" and "locked" are one word, then a few close
// synonyms of technical explanations ("waits" and "blocks", "removes" and
// "cleans") into one.
func stem(w string) string {
	s := stem1(w)
	if c, ok := synonyms[s]; ok {
		return c
	}
	return s
}

// synonyms maps stems to the stem that stands for them all.
var synonyms = map[string]string{
	"mutex": "lock",
	"delet": "remov", "reclaim": "remov", "clean": "remov", "purg": "remov", "cleanup": "remov",
	"modify": "chang", "alter": "chang", "chang": "chang",
	"wait": "block", "stall": "block",
	"quick": "fast",
	"begin": "start", "began": "start",
}

func stem1(w string) string {
	n := len(w)
	if n <= 3 || !isASCII(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && n > 4:
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		return w[:n-2]
	case strings.HasSuffix(w, "ing") && n > 5:
		return undouble(w[:n-3])
	case strings.HasSuffix(w, "ied") && n > 4:
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "ed") && n > 4:
		return undouble(w[:n-2])
	case strings.HasSuffix(w, "ly") && n > 5:
		return w[:n-2]
	case strings.HasSuffix(w, "es") && n > 4 && strings.ContainsRune("sxz", rune(w[n-3])):
		return w[:n-2]
	case strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes"):
		return w[:n-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return trimE(w[:n-1])
	}
	return trimE(w)
}

// undouble turns "stopp" into "stop" and "us" (from "using") into "use".
func undouble(w string) string {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return trimE(w)
}

// trimE drops a final e, so that "cache" and "caching" ("cach") meet.
func trimE(w string) string {
	if len(w) > 4 && w[len(w)-1] == 'e' {
		return w[:len(w)-1]
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// near reports whether two stems are the same word, allowing one typo
// (insertion, deletion, substitution or a swap of two neighbours) in words
// of five letters or more ("indx" is "index").
func near(a, b string) bool {
	if a == b {
		return true
	}
	if max(len(a), len(b)) < 5 || min(len(a), len(b)) < 4 {
		return false
	}
	switch len(a) - len(b) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // swap
	case 1:
		return oneDeletion(a, b)
	case -1:
		return oneDeletion(b, a)
	}
	return false
}

// oneDeletion reports whether deleting one byte of long gives short.
func oneDeletion(long, short string) bool {
	i := 0
	for i < len(short) && long[i] == short[i] {
		i++
	}
	return long[i+1:] == short[i:]
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// negations turn the meaning of the words after them; "instead of" and
// "rather than" count, as what follows them is what the answer rejects.
var negations = set("not", "no", "never", "without", "nor", "neither", "none", "non", "nothing", "cannot", "instead", "rather")

var functionWords = set(
	"a", "an", "the", "and", "or", "but", "if", "then", "so", "because", "since", "while", "when", "where", "which", "who", "whom", "whose",
	"that", "this", "these", "those", "it", "its", "they", "them", "their", "we", "you", "your", "our", "i", "he", "she", "one",
	"is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "has", "have", "had", "having",
	"can", "could", "will", "would", "shall", "should", "may", "might", "must",
	"of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "over", "under", "about", "as", "than", "through", "between", "after", "before", "until", "per", "via", "up", "out", "off",
	"not", "no", "never", "without", "nor", "neither", "none", "non", "cannot",
	"all", "any", "each", "every", "some", "both", "either", "other", "such", "own", "same", "more", "most", "less", "only", "also", "just", "very", "too", "even", "still", "yet", "again", "instead", "there", "here", "what", "how", "why",
	"e", "g", "etc", "ie", "eg", "x", "rather", "nothing",
)

// verbs are common verbs of explanations, besides the function words (all
// of "is", "does", "can"... count as verbs too).
var verbs = set(
	"is", "are", "was", "were", "be", "do", "does", "did", "has", "have", "can", "could", "will", "would", "should", "may", "might", "must",
	"means", "makes", "lets", "gives", "keeps", "takes", "needs", "uses", "runs", "gets", "sees", "holds", "waits", "blocks", "returns", "stores", "sends", "reads", "writes",
	"mean", "make", "let", "give", "keep", "take", "need", "use", "run", "get", "see", "hold", "wait", "block", "return", "store", "send", "read", "write",
)
