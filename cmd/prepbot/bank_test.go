package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestBankValidateDefault(t *testing.T) {
	code, out, errs := runCmd(t, "bank", "validate")
	if code != 0 || out != "ok: 100 cards in 5 categories\n" {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCmd(t, "bank", "validate", "default", "../../questionbank/bankfile/testdata/valid")
	if code != 0 || out != "ok: 104 cards in 7 categories\n" {
		t.Fatalf("default plus a folder: exit %d %s", code, out)
	}
}

func TestBankValidateErrors(t *testing.T) {
	code, out, errs := runCmd(t, "bank", "validate", "../../questionbank/bankfile/testdata/invalid/errors.yaml", "../../questionbank/bankfile/testdata/invalid/syntax.yaml")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 10 {
		t.Errorf("want 10 error lines (9 + 1 syntax), got %d:\n%s", len(lines), out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "../../questionbank/bankfile/testdata/invalid/") || !strings.Contains(l, ".yaml:") {
			t.Errorf("not PATH:LINE: %q", l)
		}
	}
	if !strings.Contains(errs, "10 problems in 2 files") {
		t.Errorf("stderr = %q", errs)
	}
}

func TestBankListJSON(t *testing.T) {
	code, out, errs := runCmd(t, "bank", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var cards []struct {
		ID          string            `json:"id"`
		Category    string            `json:"category"`
		Number      int               `json:"number"`
		Prompt      string            `json:"prompt"`
		KeyConcepts []json.RawMessage `json:"key_concepts"` // text, or an object with terms
		Answer      string            `json:"answer"`
		QuickCheck  struct {
			Question    string   `json:"question"`
			Options     []string `json:"options"`
			Correct     *int     `json:"correct"`
			Explanation string   `json:"explanation"`
		} `json:"quick_check"`
		Difficulty string   `json:"difficulty"`
		Tags       []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(out), &cards); err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, c := range cards {
		per[c.Category]++
		q := c.QuickCheck
		if c.ID == "" || c.Number == 0 || c.Prompt == "" || len(c.KeyConcepts) == 0 || c.Answer == "" ||
			q.Question == "" || len(q.Options) < 3 || q.Correct == nil || q.Explanation == "" || c.Difficulty == "" || len(c.Tags) == 0 {
			t.Errorf("card %s has an empty field: %+v", c.ID, c)
		}
	}
	if len(cards) != 100 || len(per) != 5 {
		t.Fatalf("%d cards in %d categories", len(cards), len(per))
	}
	for cat, n := range per {
		if n != 20 {
			t.Errorf("%s: %d cards", cat, n)
		}
	}
}

func TestBankListFilters(t *testing.T) {
	code, out, _ := runCmd(t, "bank", "list", "--category", "postgres")
	if code != 0 || !strings.HasPrefix(out, "PostgreSQL & Persistence (postgres): 20 cards\n") || !strings.Contains(out, "postgres-mvcc") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, _, errs := runCmd(t, "bank", "list", "--category", "golang")
	if code != 1 || !strings.Contains(errs, `unknown category "golang": valid categories are python, fastapi, postgres, microservices, coding`) {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, out, _ = runCmd(t, "bank", "list", "--json", "--category", "coding", "--difficulty", "hard")
	var cards []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &cards) != nil || len(cards) == 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, c := range cards {
		if c["category"] != "coding" || c["difficulty"] != "hard" {
			t.Errorf("filter let through %v", c["id"])
		}
	}
}

func TestBankImport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "banks", "imported.yaml")
	code, stdout, errs := runCmd(t, "bank", "import", "../../questionbank/bankfile/testdata/cards.csv", "-o", out)
	if code != 0 || stdout != "" || !strings.Contains(errs, "imported 3 cards in 2 categories") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	code, stdout, _ = runCmd(t, "bank", "validate", out)
	if code != 0 || stdout != "ok: 3 cards in 2 categories\n" {
		t.Fatalf("the imported file does not validate: %s", stdout)
	}
	jsonOut := filepath.Join(t.TempDir(), "imported.json")
	if code, _, errs := runCmd(t, "bank", "import", "../../questionbank/bankfile/testdata/cards.csv", "-o", jsonOut); code != 0 {
		t.Fatalf("import to JSON: %s", errs)
	}
	if code, stdout, _ := runCmd(t, "bank", "validate", jsonOut); code != 0 || stdout != "ok: 3 cards in 2 categories\n" {
		t.Fatalf("the JSON bank does not validate: %s", stdout)
	}
	code, _, errs = runCmd(t, "bank", "import", "../../questionbank/bankfile/testdata/bad.csv")
	if code != 1 || !strings.Contains(errs, "1 problem in 1 file") {
		t.Fatalf("bad import: exit %d %s", code, errs)
	}
	code, _, errs = runCmd(t, "bank", "import", "../../questionbank/bankfile/testdata/cards.csv", "--format", "xml")
	if code != 1 || !strings.Contains(errs, `unknown format "xml": choose markdown, red, opentdb, csv, anki, yaml or json`) {
		t.Fatalf("bad format: exit %d %s", code, errs)
	}
}

func TestBankExportAnki(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "anki", "postgres.txt")
	code, stdout, errs := runCmd(t, "bank", "export", "--format", "anki", "--category", "postgres", "-o", out)
	if code != 0 || stdout != "" || !strings.Contains(errs, "exported 20 cards in 1 deck to "+out+" (anki format)") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "#separator:tab\n#html:true\n") || !strings.Contains(string(data), "\tPostgreSQL & Persistence\t") {
		t.Fatalf("not an Anki export:\n%.300s", data)
	}
	// and back: the .txt is recognised as Anki's, and makes a valid bank
	back := filepath.Join(dir, "back.yaml")
	code, _, errs = runCmd(t, "bank", "import", out, "-o", back)
	if code != 0 || !strings.Contains(errs, "imported 20 cards in 1 category from "+out+" (anki format)") {
		t.Fatalf("import of the export: exit %d %s", code, errs)
	}
	if code, stdout, _ := runCmd(t, "bank", "validate", back); code != 0 || stdout != "ok: 20 cards in 1 category\n" {
		t.Fatalf("the round trip does not validate: %s", stdout)
	}

	// the whole bank to standard output, imported from standard input
	code, all, errs := runCmd(t, "bank", "export")
	if code != 0 || !strings.Contains(errs, "exported 100 cards in 5 decks to standard output") {
		t.Fatalf("export all: exit %d %s", code, errs)
	}
	var o, e bytes.Buffer
	if code := run([]string{"bank", "import", "-", "-o", filepath.Join(dir, "all.yaml")}, strings.NewReader(all), &o, &e); code != 0 ||
		!strings.Contains(e.String(), "imported 100 cards in 5 categories from stdin (anki format)") {
		t.Fatalf("import from stdin: exit %d %s%s", code, o.String(), e.String())
	}
}

func TestBankExportErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--category", "golang"}, 1, `unknown category "golang": valid categories are python, fastapi, postgres, microservices, coding`},
		{[]string{"--format", "apkg"}, 2, `unknown format "apkg": the format it writes is anki`},
		{[]string{"extra.yaml"}, 2, `unexpected "extra.yaml": give bank files with --bank`},
		{[]string{"--bank", "../../questionbank/bankfile/testdata/invalid/errors.yaml"}, 1, "the question bank has problems"},
	} {
		code, _, errs := runCmd(t, append([]string{"bank", "export"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, errs)
		}
	}
}

// A broken Anki file is reported as FILE:LINE: field: what to do.
func TestBankImportAnkiErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deck.txt")
	if err := os.WriteFile(path, []byte("#separator:tab\n#html:maybe\nq\ta\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs := runCmd(t, "bank", "import", path)
	if code != 1 || stdout != path+`:2: #html: "maybe": write true (the fields are HTML) or false (plain text)`+"\n" || !strings.Contains(errs, "1 problem in 1 file") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, errs)
	}
}

func TestBankImportSeed(t *testing.T) {
	seed := "../../../shared/seed/interview-questions.md"
	if _, err := os.Stat(seed); err != nil {
		t.Skip("the seed document is not beside the checkout")
	}
	code, out, errs := runCmd(t, "bank", "import", seed)
	if code != 0 || strings.Count(out, "\n    prompt:") != 100 || !strings.Contains(errs, "imported 100 cards in 5 categories") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// A bare `prepbot` with no platform configured starts the console.
func TestStartWithoutConfigIsTheConsole(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Chdir(t.TempDir())
	code, out, errs := runWithInput(t, "/question category:python\n")
	if code != 0 || !strings.Contains(errs, "starting the console") || !strings.Contains(out, "Python Core & Advanced") {
		t.Fatalf("exit %d\n%s\n%s", code, errs, out)
	}
}

func TestUsage(t *testing.T) {
	if code, out, _ := runCmd(t, "help"); code != 0 || !strings.Contains(out, "prepbot bank validate") {
		t.Errorf("help: exit %d %s", code, out)
	}
	if code, _, errs := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown: exit %d %s", code, errs)
	}
}

// The help lists every command and the flags the newcomer looked for, and
// version says what was built.
func TestUsageListsEveryCommand(t *testing.T) {
	_, out, _ := runCmd(t, "help")
	for _, want := range []string{"--timezone ZONE", "prepbot healthcheck", "--difficulty D", "prepbot version", "bank export", "anki", "prepbot migrate"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if code, out, _ := runCmd(t, "version"); code != 0 || !strings.HasPrefix(out, "prepbot ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: exit %d %q", code, out)
	}
}

// healthcheck asks the server at the config's http.addr.
func TestHealthcheckReadsTheConfigsAddress(t *testing.T) {
	for addr, want := range map[string]string{
		":9090":          "http://127.0.0.1:9090/healthz",
		"0.0.0.0:8081":   "http://127.0.0.1:8081/healthz",
		"[::]:8082":      "http://127.0.0.1:8082/healthz",
		"10.0.0.5:8083":  "http://10.0.0.5:8083/healthz",
		"localhost:8084": "http://localhost:8084/healthz",
	} {
		if got := healthURL(addr); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", addr, got, want)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			io.WriteString(w, "ok\n")
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	dir := t.TempDir()
	conf := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(conf, []byte("http:\n  addr: "+strings.TrimPrefix(srv.URL, "http://")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, "healthcheck", "--config", conf); code != 0 || out != "healthy\n" {
		t.Errorf("healthcheck --config: exit %d %q %q", code, out, errs)
	}
}
