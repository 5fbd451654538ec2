package postgres

import "testing"

func TestVerb(t *testing.T) {
	for sql, want := range map[string]string{
		"SELECT data FROM groups":              "SELECT",
		"\n\t\tinsert INTO x":                  "INSERT",
		"UPDATE schedules SET":                 "UPDATE",
		"DELETE FROM rounds":                   "DELETE",
		"begin":                                "BEGIN",
		"commit;":                              "COMMIT",
		"WITH x AS (SELECT 1) SELECT * FROM x": "OTHER",
		"":                                     "OTHER",
		"SELECTX 1":                            "OTHER",
	} {
		if got := verb(sql); got != want {
			t.Errorf("verb(%q) = %q, want %q", sql, got, want)
		}
	}
}
