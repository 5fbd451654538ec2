package main

import (
	"strings"
	"testing"
)

// FuzzParseConfig feeds arbitrary config files to the parser: it returns a
// config or an error, never panics, and an error never repeats an
// environment value (where secrets live).
func FuzzParseConfig(f *testing.F) {
	f.Add("db: ${DB}\ntimezone: Europe/Berlin\nlog:\n  level: debug\n  format: json\n")
	f.Add("discord:\n  token: ${TOKEN:-}\nslack:\n  admins: [U1, U2]\n")
	f.Add("http: [1]\n")
	f.Add("bank:\n  paths: []\n")
	getenv := func(k string) string {
		if k == "TOKEN" || k == "DB" {
			return "SECRETVALUE"
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, text string) {
		_, err := ParseConfig("fuzz.yaml", strings.NewReader(text), getenv)
		if err != nil && strings.Contains(err.Error(), "SECRETVALUE") && !strings.Contains(text, "SECRETVALUE") {
			t.Fatalf("an error repeats an environment value: %v", err)
		}
	})
}
