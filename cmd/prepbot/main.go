// Command prepbot is a chat bot that helps a team study for senior backend
// interviews together. See the README for the commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	_ "time/tzdata" // time zones work in a container without zoneinfo
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitError carries an exit code through the subcommands; its message, if
// any, has already been printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

const usage = `prepbot: study for senior backend interviews together, on Discord, Slack or a terminal.

Usage:
  prepbot                                start: the server when config.yaml configures a chat
                                         platform, else the console on the built-in bank
  prepbot console [--db PATH|URL] [--user NAME] [--bank PATH]... [--timezone ZONE] [--pictures DIR]
                                         study in the terminal (no token needed)
  prepbot serve [--config FILE]          run the bot on the configured platforms
  prepbot discord invite [--config FILE] [--app-id ID]
                                         print the URL that adds the bot to a server
  prepbot export --db PATH|URL [-o OUT.json]
                                         write every record as JSON
  prepbot backup --db PATH OUT           copy the database, also while it is in use
  prepbot migrate --from SRC --to DST    copy a database into a new, empty one
                                         (each a bbolt file or a postgres:// URL)
  prepbot bank validate [PATH...]        check bank files (no PATH: the built-in bank)
  prepbot bank list [--category C] [--difficulty D] [--json] [--bank PATH]...
                                         list the cards of a bank
  prepbot bank import FILE [--format markdown|red|opentdb|csv|anki|yaml] [--category C] [-o OUT.yaml]
                                         convert a question list to the bank format
  prepbot bank export --format anki [--category C] [--bank PATH]... [-o FILE]
                                         write a bank for Anki ("Notes in Plain Text")
  prepbot interview eval FILE.json [--bank PATH]... [--grader builtin|model] [--worst N]
                                         measure a grader on labelled answers
  prepbot healthcheck [--config FILE] [--url URL]
                                         exit 0 when the running server is healthy
  prepbot version                        print the version and the commit it was built from

A bank PATH is a .yaml file, a folder of them, or "default" for the built-in bank.
Run "prepbot COMMAND -h" for the flags of a command.
`

// runStart is what a bare `prepbot` does: the server when a chat platform
// is configured, else a study session in the terminal.
func runStart(stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := LoadConfig("")
	if err != nil {
		return err
	}
	if len(platformsFor(cfg)) > 0 {
		return runServe(nil, stdout, stderr)
	}
	fmt.Fprintln(stderr, "No chat platform is configured (see config.example.yaml): starting the console. Run `prepbot help` for every command.")
	return runConsole(nil, stdin, stdout, stderr)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var err error
	if len(args) == 0 {
		args = []string{"start"}
	}
	switch args[0] {
	case "start":
		err = runStart(stdin, stdout, stderr)
	case "bank":
		err = runBank(args[1:], stdin, stdout, stderr)
	case "console":
		err = runConsole(args[1:], stdin, stdout, stderr)
	case "serve":
		err = runServe(args[1:], stdout, stderr)
	case "discord":
		err = runDiscord(args[1:], stdout, stderr)
	case "healthcheck":
		err = runHealthcheck(args[1:], stdout, stderr)
	case "export":
		err = runExport(args[1:], stdout, stderr)
	case "backup":
		err = runBackup(args[1:], stdout, stderr)
	case "migrate":
		err = runMigrate(args[1:], stdout, stderr)
	case "interview":
		err = runInterview(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "prepbot: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, flag.ErrHelp):
		return 0
	default:
		fmt.Fprintf(stderr, "prepbot: %v\n", err)
		return 1
	}
}

// parseArgs parses flags that may come before, between or after the
// positional arguments ("bank import FILE -o OUT"), and returns the
// positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		rest := fs.Args()
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// stringsFlag is a flag that may be given several times.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func newFlagSet(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// version is the module version and the commit the binary was built from,
// as the Go toolchain recorded them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "prepbot (no build information)"
	}
	v := "prepbot " + info.Main.Version
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", with uncommitted changes"
			}
		}
	}
	if rev != "" {
		v += " (commit " + rev[:min(12, len(rev))] + modified + ")"
	}
	return v + ", " + info.GoVersion
}
