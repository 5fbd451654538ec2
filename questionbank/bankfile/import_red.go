package bankfile

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/prepbot/prepbot/questionbank"
)

// parseRed reads a Red-DiscordBot trivia list: a YAML mapping from each
// question to its list of accepted answers, with optional AUTHOR,
// DESCRIPTION and CONFIG keys. The cards are answered by typing.
func parseRed(file string, data []byte, opt ImportOptions) (*questionbank.Document, questionbank.ErrorList) {
	doc, cats, ids := newImport(file, opt)
	e := &errs{file: file}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		e.yamlError(data, err)
		return doc, e.list
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		e.add(1, "", "a trivia list is a mapping from each question to a list of accepted answers")
		return doc, e.list
	}
	top := root.Content[0]
	description := ""
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k, v := top.Content[i], top.Content[i+1]; k.Value == "DESCRIPTION" && v.Kind == yaml.ScalarNode {
			description = strings.TrimSpace(v.Value)
		}
	}
	byPrompt := map[string]*questionbank.Card{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "AUTHOR", "DESCRIPTION", "CONFIG":
			continue
		}
		prompt := strings.TrimSpace(k.Value)
		if k.Kind != yaml.ScalarNode || prompt == "" {
			e.add(k.Line, "question", "a question must be text")
			continue
		}
		answers := stringList(e, fromYAML(v), prompt)
		if len(answers) == 0 {
			e.add(v.Line, prompt, "no accepted answers: list at least one")
			continue
		}
		if c := byPrompt[prompt]; c != nil { // the same question twice: keep every answer
			for _, a := range answers {
				if !contains(c.Answers, a) {
					c.Answers = append(c.Answers, a)
				}
			}
			continue
		}
		cat := cats.use(nameFromFile(file), description, 1)
		c := &questionbank.Card{Category: cat, Number: len(doc.Cards) + 1, Prompt: prompt, Answers: answers}
		c.ID = ids.make(cat, prompt)
		byPrompt[prompt] = c
		addCard(doc, c, k.Line)
	}
	return doc, e.list
}
