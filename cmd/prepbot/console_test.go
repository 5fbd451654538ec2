package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prepbot/prepbot/questionbank"
	"github.com/prepbot/prepbot/questionbank/bankfile"
)

func runWithInput(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(input), &out, &errb)
	return code, out.String(), errb.String()
}

// The README's scripted session: draw a postgres card, answer it, read the
// model answer, rate it, then /stats and /leaderboard; a second session on
// the same file still shows it.
func TestConsoleScriptedSession(t *testing.T) {
	bank, err := bankfile.Default()
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := bank.Pool(questionbank.Filter{Category: "postgres"})
	for _, c := range pool {
		if len(c.QuickCheck.Options) != 4 {
			t.Fatalf("the script below assumes 4 options; %s has %d", c.ID, len(c.QuickCheck.Options))
		}
	}
	db := filepath.Join(t.TempDir(), "study.db")
	// buttons, numbered from 1 in each reply: [1-4] options, [5] Hint, [6] Answer; after pressing 1:
	// [1] Model answer, [2] Next; after 1: [1] Nailed it, [2] Partly, [3] Missed it
	script := "/question category:postgres\n1\n1\n2\n/stats\n/leaderboard\n"
	code, out, errs := runWithInput(t, script, "console", "--db", db, "--user", "sam")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"you are sam in #study", "PostgreSQL & Persistence", "[1] A", "== Model answer ==",
		"Saved: Partly. +1 point", "== Stats: sam ==", "Answered: 1", "PostgreSQL & Persistence: ", "== Leaderboard: this week ==", "sam: ", "Bye."} {
		if !strings.Contains(out, want) {
			t.Fatalf("missing %q in:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "Correct! +") && !strings.Contains(out, "Not quite") {
		t.Fatalf("no verdict in:\n%s", out)
	}
	code, out, _ = runWithInput(t, "/stats\n/leaderboard period:all\n", "console", "--db", db, "--user", "sam")
	if code != 0 || !strings.Contains(out, "Answered: 1") || !strings.Contains(out, "sam: ") {
		t.Fatalf("second session (exit %d):\n%s", code, out)
	}

	// export shows the answer and the rating
	code, out, errs = runWithInput(t, "", "export", "--db", db)
	if code != 0 {
		t.Fatalf("export: %s", errs)
	}
	var dump struct {
		Answers []struct {
			Kind   string `json:"kind"`
			User   string `json:"user"`
			CardID string `json:"card_id"`
		} `json:"answers"`
	}
	if err := json.Unmarshal([]byte(out), &dump); err != nil || len(dump.Answers) != 2 {
		t.Fatalf("export: %v\n%s", err, out)
	}
	a, r := dump.Answers[0], dump.Answers[1]
	if a.Kind != "answer" || r.Kind != "rating" || a.User != "sam" || !strings.HasPrefix(a.CardID, "postgres-") || r.CardID != a.CardID {
		t.Fatalf("export answers = %+v", dump.Answers)
	}

	// backup makes a copy that opens
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if code, out, errs := runWithInput(t, "", "backup", "--db", db, copyPath); code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	if code, out, _ := runWithInput(t, "/stats\n", "console", "--db", copyPath, "--user", "sam"); code != 0 || !strings.Contains(out, "Answered: 1") {
		t.Fatalf("the backup does not hold the answer:\n%s", out)
	}
}

func TestConsoleDefaultDatabaseSaysWhere(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	code, out, errs := runWithInput(t, "/help\n", "console")
	want := filepath.Join(os.Getenv("XDG_DATA_HOME"), "prepbot", "console.db")
	if code != 0 || !strings.Contains(out, "Your progress is saved in "+want) {
		t.Fatalf("exit %d %s\n%s", code, errs, out)
	}
}

func TestConsoleDatabaseInUse(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	db := filepath.Join(t.TempDir(), "busy.db")
	// hold the database open from a console that is waiting for input
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() {
		var out, errb bytes.Buffer
		done <- run([]string{"console", "--db", db}, r, &out, &errb)
	}()
	// wait for the first console to hold the lock: its socket appears
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(db + ".sock"); err == nil {
			break
		}
		waitABit()
	}
	code, _, errs := runWithInput(t, "", "console", "--db", db)
	w.Close()
	if <-done != 0 {
		t.Errorf("the first console failed")
	}
	if code != 1 || !strings.Contains(errs, "is in use by another prepbot process") {
		t.Fatalf("second console: exit %d %s", code, errs)
	}
}

// One member at a terminal has no draw cooldown (it protects a shared
// channel from a member who draws in a loop).
func TestConsoleHasNoDrawCooldown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "study.db")
	script := strings.Repeat("/question\n", 12) + strings.Repeat("/review\n", 12)
	code, out, errs := runWithInput(t, script, "console", "--db", db, "--user", "sam")
	if code != 0 || strings.Contains(out, "Slow down") || strings.Count(out, "Quick check:") < 24 {
		t.Fatalf("exit %d (%s), %d cards:\n%s", code, errs, strings.Count(out, "Quick check:"), out)
	}
}
