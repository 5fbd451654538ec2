package questionbank

import (
	"bytes"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ynode is a YAML node as the bank reader needs it: yaml.Node without
// comments and anchors, half its size. The nodes of a large bank are
// counted in millions. An alias node holds what it points to as its only
// content.
type ynode struct {
	Kind    yaml.Kind
	Style   yaml.Style
	Line    int
	Column  int
	Tag     string
	Value   string
	Content []*ynode
}

// fromYAML converts what yaml.v3 read.
func fromYAML(n *yaml.Node) *ynode {
	seen := map[*yaml.Node]*ynode{}
	var conv func(n *yaml.Node) *ynode
	conv = func(n *yaml.Node) *ynode {
		if y, ok := seen[n]; ok {
			return y
		}
		y := &ynode{Kind: n.Kind, Style: n.Style, Line: n.Line, Column: n.Column, Tag: n.Tag, Value: n.Value}
		seen[n] = y
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			y.Content = []*ynode{conv(n.Alias)}
		}
		if len(n.Content) > 0 {
			y.Content = make([]*ynode, len(n.Content))
			for i, c := range n.Content {
				y.Content[i] = conv(c)
			}
		}
		return y
	}
	return conv(n)
}

// cardWalker asks the fast reader to read the cards of a long list of cards
// as it goes, on every core, so that each card's nodes are garbage as soon
// as the card is read. The list's node is then left empty: it is node, and
// its cards are cards.
type cardWalker struct {
	file  string
	node  *ynode
	cards []parsedCard
}

// fastRead reads the block-style YAML that bank files are written in into
// the same node tree that yaml.v3 builds, several times faster: mappings with
// plain keys, lists, one-line plain and quoted values, one-line flow lists
// and literal or folded block text. It returns ok=false for anything else
// (anchors, tags, multi-line plain or quoted values, comments after a value,
// tabs, carriage returns...), and the caller then parses the file with
// yaml.v3, which also reports the errors. FuzzFastYAML checks that wherever
// it reads a file, yaml.v3 reads the same tree.
//
// With walk, it reads a long top-level list of cards as it goes (see
// cardWalker).
func fastRead(data []byte, walk *cardWalker) (root *ynode, ok bool) {
	if !plainText(data) {
		return nil, false
	}
	p := &fastParser{data: data, line: 1, walk: walk}
	defer func() {
		if r := recover(); r != nil {
			if _, bail := r.(bailOut); !bail {
				panic(r)
			}
			root, ok = nil, false
		}
	}()
	p.setLine()
	p.skip()
	if p.eof || p.ind != 0 {
		return nil, false
	}
	line := p.line
	n := p.block(0)
	p.skip()
	if !p.eof {
		p.bail()
	}
	root = p.newNode()
	root.Kind, root.Line, root.Column, root.Content = yaml.DocumentNode, line, 1, []*ynode{n}
	return root, true
}

type bailOut struct{}

// fastParser walks the data a line at a time.
type fastParser struct {
	data    []byte
	pos     int  // start of the current line
	end     int  // end of the current line: its '\n' or the end of the data
	ind     int  // spaces at the start of the current line
	line    int  // number of the current line, from 1
	eof     bool // no current line
	deep    int  // blocks open
	keys    map[string]string
	walk    *cardWalker
	atCards bool     // reading the value of the top-level key "cards"
	stack   []*ynode // children of the nodes being read
	ptrs    []*ynode // a slab of them
	slab    []ynode
}

func (p *fastParser) bail() { panic(bailOut{}) }

// content pops the children pushed since base off the stack, into a slice
// of their own cut from a slab.
func (p *fastParser) content(base int) []*ynode {
	kids := p.stack[base:]
	p.stack = p.stack[:base]
	if len(kids) == 0 {
		return nil
	}
	if len(p.ptrs) < len(kids) {
		p.ptrs = make([]*ynode, max(1024, len(kids)))
	}
	out := p.ptrs[:len(kids):len(kids)]
	p.ptrs = p.ptrs[len(kids):]
	copy(out, kids)
	clear(kids)
	return out
}

// node hands out nodes from a slab: one allocation per 256 nodes.
func (p *fastParser) newNode() *ynode {
	if len(p.slab) == 0 {
		p.slab = make([]ynode, 256)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	return n
}

func (p *fastParser) setLine() {
	if p.pos >= len(p.data) {
		p.eof = true
		return
	}
	if e := bytes.IndexByte(p.data[p.pos:], '\n'); e >= 0 {
		p.end = p.pos + e
	} else {
		p.end = len(p.data)
	}
	i := p.pos
	for i < p.end && p.data[i] == ' ' {
		i++
	}
	p.ind = i - p.pos
	if p.ind == 0 && p.end-p.pos >= 3 {
		// document markers and directives
		if s := p.data[p.pos : p.pos+3]; string(s) == "---" || string(s) == "..." {
			p.bail()
		}
	}
	if p.ind == 0 && p.pos < p.end && p.data[p.pos] == '%' {
		p.bail()
	}
}

func (p *fastParser) advance() {
	p.pos = p.end + 1
	p.line++
	p.setLine()
}

// skip moves to the next line that holds something: past blank lines and
// whole-line comments.
func (p *fastParser) skip() {
	for !p.eof {
		i := p.pos + p.ind
		if i == p.end {
			p.advance()
			continue
		}
		switch p.data[i] {
		case '#':
			p.advance()
			continue
		case '\t':
			p.bail()
		}
		return
	}
}

// block reads the mapping or list that starts the current line, at indent n.
func (p *fastParser) block(n int) *ynode {
	if p.deep++; p.deep > 100 { // yaml.v3 has its own limits on nesting
		p.bail()
	}
	defer func() { p.deep-- }()
	if p.dash(p.pos + n) {
		return p.sequence(n)
	}
	return p.mapping(n, p.pos+n)
}

// dash tells whether a list item starts at i.
func (p *fastParser) dash(i int) bool {
	return p.data[i] == '-' && (i+1 == p.end || p.data[i+1] == ' ')
}

// keyEnd returns the end of a plain key starting at i and followed by ':',
// or -1.
func (p *fastParser) keyEnd(i int) int {
	j := i
	for j < p.end && j-i <= 256 {
		c := p.data[j]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' && j > i {
			j++
			continue
		}
		break
	}
	if j == i || j >= p.end || p.data[j] != ':' || j+1 < p.end && p.data[j+1] != ' ' {
		return -1
	}
	return j
}

func (p *fastParser) spaces(i int) int {
	for i < p.end && p.data[i] == ' ' {
		i++
	}
	return i
}

// mapping reads a mapping whose keys sit at column m; the first key starts
// at first, on the current line.
func (p *fastParser) mapping(m, first int) *ynode {
	node := p.newNode()
	node.Kind, node.Tag, node.Line, node.Column = yaml.MappingNode, "!!map", p.line, m+1
	base := len(p.stack)
	defer func() { node.Content = p.content(base) }()
	i := first
	for {
		j := p.keyEnd(i)
		if j < 0 {
			p.bail()
		}
		k := p.newNode()
		k.Kind, k.Value, k.Line, k.Column = yaml.ScalarNode, p.key(p.data[i:j]), p.line, m+1
		k.Tag = plainTag(k)
		// only the first "cards": a second one is reported as given twice
		p.atCards = p.walk != nil && p.walk.node == nil && p.deep == 1 && k.Value == "cards"
		v := p.value(p.spaces(j+1), m, true)
		p.atCards = false
		p.stack = append(p.stack, k, v)
		if p.eof || p.ind < m {
			return node
		}
		if p.ind > m {
			p.bail()
		}
		i = p.pos + m
	}
}

// sequence reads a list whose dashes sit at column n.
func (p *fastParser) sequence(n int) *ynode {
	node := p.newNode()
	node.Kind, node.Tag, node.Line, node.Column = yaml.SequenceNode, "!!seq", p.line, n+1
	walk := p.atCards && p.deep == 2
	p.atCards = false
	if p.deep <= 2 && len(p.data)-p.pos >= parallelFrom && runtime.GOMAXPROCS(0) > 1 {
		// a bank's list of cards
		node.Content = p.items(n, walk)
		if walk {
			p.walk.node = node
		}
		return node
	}
	base := len(p.stack)
	defer func() { node.Content = p.content(base) }()
	for {
		p.stack = append(p.stack, p.item(n))
		if p.eof || p.ind < n {
			return node
		}
		if p.ind > n {
			p.bail()
		}
		if !p.dash(p.pos + n) {
			return node
		}
	}
}

// item reads the list item on the current line, whose dash is at column n.
func (p *fastParser) item(n int) *ynode {
	i := p.spaces(p.pos + n + 1)
	if i < p.end && p.keyEnd(i) >= 0 {
		return p.mapping(i-p.pos, i)
	}
	return p.value(i, n, false)
}

// parallelFrom is the size of what is left to read from which a long list
// is read on every core.
const parallelFrom = 1 << 20

// items reads the items of the list whose dashes sit at column n, from the
// current line on, on every core. A list's items start on the lines that
// begin with a dash at column n: lines inside an item are indented more.
// With walk, it reads them as cards into p.walk and returns no nodes.
func (p *fastParser) items(n int, walk bool) []*ynode {
	var starts, lines []int
	pos, line := p.pos, p.line
	for pos < len(p.data) {
		end := len(p.data)
		if e := bytes.IndexByte(p.data[pos:], '\n'); e >= 0 {
			end = pos + e
		}
		i := pos
		for i < end && p.data[i] == ' ' {
			i++
		}
		if i < end && p.data[i] != '#' { // neither blank nor a comment
			if i-pos < n || i-pos == n && !(p.data[i] == '-' && (i+1 == end || p.data[i+1] == ' ')) {
				break // the end of the list
			}
			if i-pos == n {
				starts, lines = append(starts, pos), append(lines, line)
			}
		}
		pos, line = end+1, line+1
	}
	stop, stopLine := min(pos, len(p.data)), line
	workers := min(runtime.GOMAXPROCS(0), max(1, len(starts)/256))
	parts := make([][]*ynode, workers)
	if walk {
		p.walk.cards = make([]parsedCard, len(starts))
	}
	failed := make([]bool, workers)
	var wg sync.WaitGroup
	for w := range workers {
		a, b := w*len(starts)/workers, (w+1)*len(starts)/workers
		end := stop
		if b < len(starts) {
			end = starts[b]
		}
		q := &fastParser{data: p.data[:end], pos: starts[a], line: lines[a], deep: p.deep}
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					if _, bail := r.(bailOut); !bail {
						panic(r)
					}
					failed[w] = true
				}
			}()
			var part []*ynode
			if !walk {
				part = make([]*ynode, 0, b-a)
			}
			q.setLine()
			i := a
			for ; !q.eof; i++ {
				if q.ind != n || !q.dash(q.pos+n) || i == b {
					q.bail()
				}
				item := q.item(n)
				if !walk {
					part = append(part, item)
					continue
				}
				e := errs{file: p.walk.file}
				c, pos := parseCard(&e, i, item)
				p.walk.cards[i] = parsedCard{card: c, pos: pos, errs: e.list}
			}
			if i != b { // the items found are not the items the scan saw
				q.bail()
			}
			parts[w] = part
		})
	}
	wg.Wait()
	if slices.Contains(failed, true) {
		p.bail()
	}
	p.pos, p.line = stop, stopLine
	p.setLine()
	return slices.Concat(parts...)
}

// value reads the value that starts at i on the current line (or below it
// when the line ends at i), belonging to a key or dash at column n. It
// leaves the parser on the next line that holds something.
func (p *fastParser) value(i, n int, indentless bool) *ynode {
	if i >= p.end {
		p.advance()
		p.skip()
		if !p.eof && (p.ind > n || indentless && p.ind == n && p.dash(p.pos+n)) {
			return p.block(p.ind)
		}
		p.bail() // an empty value: yaml.v3 places its null node by rules not worth copying
	}
	var node *ynode
	switch c := p.data[i]; c {
	case '|', '>':
		node = p.blockScalar(i, n)
		if !p.eof && p.ind > n {
			p.bail()
		}
		return node
	case '"':
		node = p.double(i)
	case '\'':
		node = p.single(i)
	case '[':
		node = p.flow(i)
	default:
		node = p.plain(i)
	}
	p.advance()
	p.skip()
	if !p.eof && p.ind > n {
		p.bail() // a value continued on the next lines
	}
	return node
}

// scalar makes a scalar node for a value at offset i of the current line.
func (p *fastParser) scalar(i int, value string, style yaml.Style) *ynode {
	s := p.newNode()
	s.Kind, s.Value, s.Style, s.Line, s.Column = yaml.ScalarNode, value, style, p.line, p.column(i)
	if style == 0 {
		s.Tag = plainTag(s)
	} else {
		s.Tag = "!!str"
	}
	return s
}

// plainTag is the tag yaml.v3 gives a plain value. Words other than
// booleans and null are strings, and so are values that start with a
// character that yaml.v3's resolve table does not list (it hints at
// numbers, booleans, null and the merge key); yaml.v3 decides the rest.
func plainTag(n *ynode) string {
	if v := n.Value; v != "" {
		switch c := v[0]; {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			// a word is a string unless it is one of these
			switch v {
			case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
			default:
				return "!!str"
			}
		case c >= 0x80, c == '(', c == '/', c == '$', c == '_', c == '"', c == '=':
			return "!!str"
		}
	}
	y := yaml.Node{Kind: yaml.ScalarNode, Value: n.Value}
	return y.ShortTag()
}

// key returns a mapping key as a string, the same string for the same key.
func (p *fastParser) key(b []byte) string {
	if s, ok := p.keys[string(b)]; ok {
		return s
	}
	if p.keys == nil {
		p.keys = map[string]string{}
	}
	s := string(b)
	if len(p.keys) < 64 {
		p.keys[s] = s
	}
	return s
}

// column is the 1-based column of offset i, counted in characters.
func (p *fastParser) column(i int) int {
	return utf8.RuneCount(p.data[p.pos:i]) + 1
}

// rest checks that nothing but spaces follows offset i on the line.
func (p *fastParser) rest(i int) {
	if p.spaces(i) != p.end {
		p.bail()
	}
}

// plain reads a plain value running to the end of the line.
func (p *fastParser) plain(i int) *ynode {
	c := p.data[i]
	switch c {
	case '{', '}', '[', ']', ',', '&', '*', '!', '%', '@', '`', '#', '?', ':', '\t':
		p.bail()
	case '-':
		if i+1 == p.end || p.data[i+1] == ' ' {
			p.bail()
		}
	}
	end := p.end
	for end > i && p.data[end-1] == ' ' {
		end--
	}
	s := p.data[i:end]
	if s[len(s)-1] == ':' || bytes.Contains(s, []byte(": ")) || bytes.Contains(s, []byte(" #")) || bytes.IndexByte(s, '\t') >= 0 {
		p.bail()
	}
	return p.scalar(i, string(s), 0)
}

// double reads a double-quoted value that closes on its line.
func (p *fastParser) double(i int) *ynode {
	node, end := p.quoted(i, '"')
	p.rest(end)
	return node
}

func (p *fastParser) single(i int) *ynode {
	node, end := p.quoted(i, '\'')
	p.rest(end)
	return node
}

// quoted reads a quoted value at i and returns it with the offset after its
// closing quote.
func (p *fastParser) quoted(i int, q byte) (*ynode, int) {
	var buf []byte
	j := i + 1
	start := j
	for {
		k := j
		for k < p.end && p.data[k] != q && (q == '\'' || p.data[k] != '\\') {
			k++
		}
		if k == p.end {
			p.bail() // runs onto the next line
		}
		buf = append(buf, p.data[j:k]...)
		c := p.data[k]
		switch {
		case c == '\'' && k+1 < p.end && p.data[k+1] == '\'':
			buf = append(buf, '\'')
			j = k + 2
			continue
		case c == q:
			style := yaml.SingleQuotedStyle
			if q == '"' {
				style = yaml.DoubleQuotedStyle
			}
			var v string
			if j == start { // no escapes
				v = string(p.data[start:k])
			} else {
				v = string(buf)
			}
			return p.scalar(i, v, style), k + 1
		}
		// a backslash in double quotes
		if k+1 >= p.end {
			p.bail()
		}
		switch p.data[k+1] {
		case '\\', '"':
			buf = append(buf, p.data[k+1])
		case 'n':
			buf = append(buf, '\n')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if k+6 > p.end {
				p.bail()
			}
			r, err := strconv.ParseUint(string(p.data[k+2:k+6]), 16, 32)
			if err != nil || r >= 0xD800 && r <= 0xDFFF || r < 0x20 {
				p.bail()
			}
			buf = utf8.AppendRune(buf, rune(r))
			j = k + 6
			continue
		default:
			p.bail()
		}
		j = k + 2
	}
}

// flow reads a one-line flow list of plain or quoted values: [a, "b", c].
func (p *fastParser) flow(i int) *ynode {
	node := p.newNode()
	node.Kind, node.Style, node.Tag, node.Line, node.Column = yaml.SequenceNode, yaml.FlowStyle, "!!seq", p.line, p.column(i)
	base := len(p.stack)
	defer func() { node.Content = p.content(base) }()
	j := p.spaces(i + 1)
	if j < p.end && p.data[j] == ']' {
		p.rest(j + 1)
		return node
	}
	for {
		if j >= p.end {
			p.bail()
		}
		var item *ynode
		switch c := p.data[j]; c {
		case '"', '\'':
			item, j = p.quoted(j, c)
		case '{', '}', '[', ']', ',', '&', '*', '!', '%', '@', '`', '#', '?', ':', '|', '>', '-', '\t':
			p.bail()
		default:
			k := j
			for k < p.end && p.data[k] != ',' && p.data[k] != ']' {
				switch p.data[k] {
				case '[', '{', '}', '#', ':', '?', '\t', '"', '\'':
					p.bail()
				}
				k++
			}
			end := k
			for end > j && p.data[end-1] == ' ' {
				end--
			}
			item = p.scalar(j, string(p.data[j:end]), 0)
			j = k
		}
		p.stack = append(p.stack, item)
		j = p.spaces(j)
		if j >= p.end {
			p.bail()
		}
		if p.data[j] == ']' {
			p.rest(j + 1)
			return node
		}
		if p.data[j] != ',' {
			p.bail()
		}
		j = p.spaces(j + 1)
	}
}

// blockScalar reads literal (|) or folded (>) text, clipped or stripped (-),
// whose indicator is at i; its lines are indented more than n.
func (p *fastParser) blockScalar(i, n int) *ynode {
	style := yaml.LiteralStyle
	if p.data[i] == '>' {
		style = yaml.FoldedStyle
	}
	line, col := p.line, p.column(i)
	j := i + 1
	strip := j < p.end && p.data[j] == '-'
	if strip {
		j++
	}
	p.rest(j)
	p.advance()
	if p.eof || p.ind <= n || p.pos+p.ind == p.end || p.data[p.pos+p.ind] == '\t' {
		p.bail() // empty, starts with blank lines, or with a tab yaml.v3 refuses
	}
	bi := p.ind
	var buf []byte
	blanks := 0 // blank lines since the last line of text
	for !p.eof {
		if p.pos+p.ind == p.end { // blank
			if p.ind > bi {
				p.bail() // spaces beyond the indent are text
			}
			blanks++
			p.advance()
			continue
		}
		if p.ind < bi {
			if p.data[p.pos+p.ind] == '\t' {
				p.bail()
			}
			break
		}
		text := p.data[p.pos+bi : p.end]
		if p.end == len(p.data) {
			p.bail() // the last line has no line break
		}
		if len(buf) > 0 {
			switch {
			case style == yaml.LiteralStyle:
				buf = append(buf, '\n')
				for ; blanks > 0; blanks-- {
					buf = append(buf, '\n')
				}
			case blanks == 0:
				buf = append(buf, ' ')
			default:
				for ; blanks > 0; blanks-- {
					buf = append(buf, '\n')
				}
			}
		}
		blanks = 0
		if style == yaml.FoldedStyle && (text[0] == ' ' || text[0] == '\t') {
			p.bail() // more-indented lines keep their breaks
		}
		buf = append(buf, text...)
		p.advance()
	}
	if !strip {
		buf = append(buf, '\n')
	}
	p.skip()
	s := p.newNode()
	s.Kind, s.Style, s.Tag, s.Value, s.Line, s.Column = yaml.ScalarNode, style, "!!str", string(buf), line, col
	return s
}

// plainText tells whether data holds only characters yaml.v3 reads the same
// way everywhere: no carriage returns, byte order marks, control characters
// or Unicode line separators.
func plainText(data []byte) bool {
	workers := min(runtime.GOMAXPROCS(0), len(data)/parallelFrom)
	if workers < 2 {
		return plainPart(data)
	}
	// split at line breaks, so that no character is cut in two
	ok := make([]bool, workers)
	var wg sync.WaitGroup
	start := 0
	for w := range workers {
		end := len(data)
		if w < workers-1 {
			end = max(start, (w+1)*len(data)/workers)
			if nl := bytes.IndexByte(data[end:], '\n'); nl >= 0 {
				end += nl + 1
			} else {
				end = len(data)
			}
		}
		part := data[start:end]
		wg.Go(func() { ok[w] = plainPart(part) })
		start = end
	}
	wg.Wait()
	return !slices.Contains(ok, false)
}

func plainPart(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r >= 0xfffe && r <= 0xffff {
			return false
		}
		i += size
	}
	return true
}
