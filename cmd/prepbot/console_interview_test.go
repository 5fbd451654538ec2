package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const interviewScript = "/interview category:postgres\n1\n" +
	"Each transaction works on a snapshot of committed data and sees the row versions it allows,\n" +
	"so readers do not block writers; every update writes a new row version and vacuum removes the dead ones.\n\n"

// The console grades mock interviews with the built-in grader.
func TestConsoleInterview(t *testing.T) {
	code, out, errs := runWithInput(t, interviewScript, "console", "--db", filepath.Join(t.TempDir(), "study.db"), "--user", "sam")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"== Mock interview · PostgreSQL", "== Your answer: ", "/100 ==", "Key concepts"} {
		if !strings.Contains(out, want) {
			t.Fatalf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Note:") {
		t.Errorf("the built-in grader added a note:\n%s", out)
	}
}

// With --config, the console grades with the config's model grader: a
// model endpoint that fails leaves the grade to the built-in grader, and
// the grade says so.
func TestConsoleInterviewWithAModelGrader(t *testing.T) {
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer model.Close()
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("grader:\n  url: "+model.URL+"/v1\n  model: test\n  timeout: 2s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runWithInput(t, interviewScript, "console", "--db", filepath.Join(t.TempDir(), "study.db"), "--user", "sam", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "== Your answer: ") || !strings.Contains(out, "graded by the built-in grader") {
		t.Fatalf("want a grade with the fallback's note, got:\n%s\n%s", out, errs)
	}
}
