package bankfile

import "go.yaml.in/yaml/v3"

// ynode is a YAML node as the bank reader needs it: yaml.Node without
// comments and anchors, half its size. An alias node holds what it points to as its only
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
