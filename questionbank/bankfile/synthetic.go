package bankfile

import (
	"fmt"
	"strings"

	"github.com/prepbot/prepbot/questionbank"
)

// Synthetic returns a generated bank of n cards in the native YAML format,
// spread over the five built-in category ids and the three difficulties:
// for benchmarks and load tests.
func Synthetic(n int) string {
	var sb strings.Builder
	cats := []string{"python", "fastapi", "postgres", "microservices", "coding"}
	sb.WriteString("categories:\n")
	for _, c := range cats {
		fmt.Fprintf(&sb, "  - id: %s\n    name: %s\n", c, strings.ToUpper(c))
	}
	sb.WriteString("cards:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `  - id: gen-%[1]d
    category: %[2]s
    number: %[1]d
    difficulty: %[3]s
    tags: [generated, bench]
    prompt: >-
      Generated question %[1]d: explain the trade-offs of the approach you would take.
    key_concepts:
      - The first thing to mention
      - The second thing to mention
    answer: |
      A model answer of a few sentences, long enough to look like the real ones,
      with **bold**, a list and some code:

      - point one
      - point two
    quick_check:
      question: Which option is right for card %[1]d?
      options:
        - text: The first option
        - text: The second option
          correct: true
        - text: The third option
      explanation: Because the second one is right.
`, i, cats[i%5], questionbank.Difficulties[i%3])
	}
	return sb.String()
}
