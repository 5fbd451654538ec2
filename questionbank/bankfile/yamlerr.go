package bankfile

import (
	"bytes"
	"errors"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// YAMLSyntaxError reads a syntax error yaml.v3 reported for data: the
// line it is on and the message without its position. yaml.v3 names the
// line of the construct that was being read, which is often not where the
// problem is: a tab that indents a line is reported at the line before it,
// and a parser error at the line before (0-based, on the first line none
// at all); a quote left open, at the end of the document. So the line is
// found again: the first line, from a little before the one reported, with
// which the document's start fails to parse with the same message, or,
// when the start up to the line before fails so too, the line where that
// began. ok is false for an error that is no syntax error
// (a yaml.TypeError names its lines rightly).
func YAMLSyntaxError(data []byte, err error) (line int, msg string, ok bool) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 0, "", false
	}
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, "", false
	}
	line, _ = strconv.Atoi(m[1])
	msg = m[2]
	ends := lineEnds(data)
	tries := 200
	if len(data) > 4<<20 {
		tries = 3 // each try parses the document's start again: few in a large file
	}
	// fails reports whether the document's first k lines fail to parse
	// with the same message
	fails := func(k int) bool {
		tries--
		var n yaml.Node
		perr := yaml.Unmarshal(data[:ends[k-1]], &n)
		if perr == nil {
			return false
		}
		pm := yamlLine.FindStringSubmatch(perr.Error())
		return pm != nil && pm[2] == msg
	}
	for k := max(line-1, 1); k <= len(ends) && tries > 0; k++ {
		if fails(k) {
			// where what ends in the error begins (a quote left open)
			for k > 1 && tries > 0 && fails(k-1) {
				k--
			}
			return k, msg, true
		}
	}
	return line, msg, true
}

// lineEnds are the offsets just past each line of data (its line break
// included).
func lineEnds(data []byte) []int {
	var ends []int
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			ends = append(ends, len(data))
			break
		}
		i += j + 1
		ends = append(ends, i)
	}
	return ends
}
