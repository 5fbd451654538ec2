package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A YAML syntax error is reported at its own line, in bank files and in
// the config: yaml.v3 names the line before a tab that indents a line, and
// the line before (or none, on line 1) for a parser error.
func TestYAMLErrorsNameTheirLine(t *testing.T) {
	dir := t.TempDir()
	bank := filepath.Join(dir, "tab.yaml")
	if err := os.WriteFile(bank, []byte("categories:\n  - id: net\n    name: Networking\n\tdescription: a tab\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "bank", "validate", bank)
	if code != 1 || !strings.HasPrefix(out, bank+":4: not valid YAML:") {
		t.Errorf("a tab on line 4: exit %d\n%s", code, out)
	}
	for _, tc := range []struct{ in, want string }{
		{"db: x\n- y\n", "c.yaml:2: "},                   // a parser error
		{"http:\n  addr: x\n\tx: y\n", "c.yaml:3: "},     // a tab
		{"- x\n", "c.yaml:1: "},                          // on the first line
		{"db: x\nlog:\n  level: [info\n", "c.yaml:3: "},  // unclosed, to the end
		{"db: x\nhttp: {addr: x\ndb: y\n", "c.yaml:2: "}, // unclosed, then more
		{"log:\n  level: info\n  format: text\n bad\n", "c.yaml:4: "},
	} {
		_, err := ParseConfig("c.yaml", strings.NewReader(tc.in), func(string) string { return "" })
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want it to start %q", tc.in, err, tc.want)
		}
	}
}

// A trivia list given where a bank goes says, in one line, how to convert
// it, instead of an error for each of its questions.
func TestForeignListGivenAsABank(t *testing.T) {
	for _, file := range []string{"../../questionbank/bankfile/testdata/trivia-red.yaml", "../../questionbank/bankfile/testdata/opentdb.json",
		"../../../shared/fixtures/banks/red-trivia-general.yaml", "../../../shared/fixtures/banks/opentdb-response.json"} {
		if _, err := os.Stat(file); err != nil {
			t.Logf("%s: absent, skipped", file)
			continue
		}
		for _, args := range [][]string{{"console", "--db", filepath.Join(t.TempDir(), "c.db"), "--bank", file}, {"bank", "list", "--bank", file}} {
			code, out, errs := runCmd(t, args...)
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			if code != 1 || out != "" || len(lines) != 1 || !strings.Contains(errs, "`prepbot bank import "+file+" -o bank.yaml`") {
				t.Errorf("%s: exit %d, stdout %q, stderr:\n%s", strings.Join(args, " "), code, out, errs)
			}
		}
		code, out, _ := runCmd(t, "bank", "validate", file)
		if lines := strings.Split(strings.TrimSpace(out), "\n"); code != 1 || len(lines) != 1 || !strings.HasPrefix(out, file+": ") || !strings.Contains(out, "prepbot bank import") {
			t.Errorf("bank validate %s: exit %d\n%s", file, code, out)
		}
	}
}

// The help names the console's pictures folder flag, and the binaries go
// build leaves at the repository's root are ignored by git.
func TestHelpAndIgnoredBinaries(t *testing.T) {
	if _, out, errs := runCmd(t, "help"); !strings.Contains(out+errs, "--pictures DIR") {
		t.Errorf("help:\n%s%s", out, errs)
	}
	data, err := os.ReadFile("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, want := range []string{"/prepbot", "/prepbench"} {
		found := false
		for _, l := range lines {
			found = found || strings.TrimSpace(l) == want
		}
		if !found {
			t.Errorf(".gitignore does not ignore %s:\n%s", want, data)
		}
	}
}

// The console's pictures go to --pictures DIR, else to the config's
// console.pictures, made if missing.
func TestConsolePicturesFolder(t *testing.T) {
	dir := t.TempDir()
	fromConfig, fromFlag := filepath.Join(dir, "from", "config"), filepath.Join(dir, "from-flag")
	conf := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(conf, []byte("console:\n  pictures: "+fromConfig+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "c.db")
	script := "/question category:python\n1\n/stats\n"
	code, out, errs := runWithInput(t, script, "console", "--db", db, "--user", "sam", "--config", conf)
	if code != 0 || !strings.Contains(out, "Picture: "+filepath.Join(fromConfig, "stats-sam.png")+" (") {
		t.Fatalf("the config's folder: exit %d %s\n%s", code, errs, out)
	}
	code, out, errs = runWithInput(t, "/stats\n", "console", "--db", db, "--user", "sam", "--config", conf, "--pictures", fromFlag)
	if code != 0 || !strings.Contains(out, "Picture: "+filepath.Join(fromFlag, "stats-sam.png")+" (") {
		t.Fatalf("--pictures wins: exit %d %s\n%s", code, errs, out)
	}
}
