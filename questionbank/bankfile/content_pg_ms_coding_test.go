package bankfile

import (
	"regexp"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
)

// Faults the content reviews found in the postgres, microservices and coding
// cards stay fixed.
func TestContentReviewPostgresMicroservicesCoding(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	sentences := func(s string) []string { return regexp.MustCompile(`[.;]\s+|\n`).Split(s, -1) }
	paragraphs := func(s string) []string { return strings.Split(s, "\n\n") }
	pythonBlock := func(c *questionbank.Card) string {
		m := regexp.MustCompile("(?s)```python\n(.*?)```").FindStringSubmatch(c.Answer)
		if m == nil {
			return ""
		}
		return m[1]
	}
	tests := []struct {
		id    string
		fault string
		check func(c *questionbank.Card) bool
	}{
		{"microservices-circuit-breaker", "pybreaker trips on fail_max consecutive failures, not a failure rate over a window",
			func(c *questionbank.Card) bool {
				for _, p := range paragraphs(c.Answer) {
					if strings.Contains(p, "`pybreaker`") && !strings.Contains(p, "consecutive") {
						return false
					}
				}
				return strings.Contains(c.Answer, "`fail_max` **consecutive** failures")
			}},
		{"microservices-circuit-breaker", "pybreaker holds its lock for the whole call, so a shared breaker serializes threads",
			func(c *questionbank.Card) bool {
				return regexp.MustCompile(`(?i)lock for the \*\*whole wrapped call\*\*[^.]*serializes`).MatchString(c.Answer)
			}},
		{"postgres-partitioning", "HASH partitioning, primary keys, DEFAULT partitions and run-time pruning arrived in PG 11, not 10",
			func(c *questionbank.Card) bool {
				in11 := false
				for _, s := range sentences(c.Answer) {
					if strings.Contains(s, "PG 10") && strings.Contains(s, "HASH") {
						return false
					}
					if strings.Contains(s, "PG 11") {
						in11 = strings.Contains(s, "HASH") && strings.Contains(s, "primary key") &&
							strings.Contains(s, "DEFAULT") && strings.Contains(s, "run-time pruning")
					}
				}
				return in11
			}},
		{"postgres-explain-analyze", "a node's actual time includes its children",
			func(c *questionbank.Card) bool {
				return regexp.MustCompile("`actual time`[^\n]*includes the node's children").MatchString(c.Answer)
			}},
		{"microservices-saga", "the choreography example reserves stock (compensatable) before capturing payment (the pivot)",
			func(c *questionbank.Card) bool {
				for _, p := range strings.Split(c.Answer, "\n") {
					if strings.Contains(p, "**Choreography**") {
						inv, pay := strings.Index(p, "Inventory reserves"), strings.Index(p, "Payment captures")
						return inv >= 0 && pay > inv
					}
				}
				return false
			}},
		{"microservices-bulkhead", "the non-critical call's timeout is caught and degrades instead of failing the request",
			func(c *questionbank.Card) bool {
				code := pythonBlock(c)
				try, call := strings.Index(code, "try:"), strings.Index(code, "await reco_client.get(")
				exc := regexp.MustCompile(`except httpx\.(HTTPError|RequestError|TransportError|TimeoutException)`).FindStringIndex(code)
				return try >= 0 && call > try && exc != nil && exc[0] > call &&
					strings.Contains(code[exc[0]:], "return []")
			}},
		{"coding-list-intersection", "partitioning by the built-in hash() across processes loses matches (salted str hashes)",
			func(c *questionbank.Card) bool {
				return !strings.Contains(c.Answer, "hash(x) % P") && strings.Contains(c.Answer, "salted per process") &&
					strings.Contains(c.Answer, "zlib.crc32")
			}},
		{"coding-list-intersection", "Counter & Counter needs .elements() to give a list",
			func(c *questionbank.Card) bool {
				return strings.Contains(c.Answer, "list((Counter(a) & Counter(b)).elements())") &&
					!regexp.MustCompile("`(collections\\.)?Counter\\(a\\) & Counter\\(b\\)`").MatchString(c.Answer)
			}},
		{"postgres-vacuum", "raising autovacuum_max_workers without the shared cost limit mostly slows each worker",
			func(c *questionbank.Card) bool {
				for _, s := range sentences(c.Answer) {
					if strings.Contains(s, "autovacuum_max_workers") {
						return strings.Contains(s, "share") && strings.Contains(s, "cost limit") &&
							strings.Contains(s, "autovacuum_vacuum_cost_limit") && strings.Contains(s, "slows each worker")
					}
				}
				return false
			}},
		{"coding-topological-sort", "Kahn's algorithm is a medium card, not hard",
			func(c *questionbank.Card) bool { return c.Difficulty == questionbank.Medium }},
		{"coding-thread-safe-singleton", "double-checked locking is a medium card, not hard",
			func(c *questionbank.Card) bool { return c.Difficulty == questionbank.Medium }},
	}
	for _, tc := range tests {
		c, ok := b.Card(tc.id)
		if !ok {
			t.Errorf("no card %s", tc.id)
			continue
		}
		if !tc.check(c) {
			t.Errorf("%s: %s", tc.id, tc.fault)
		}
	}
}
