package bot

import "testing"

// FuzzParseArgs feeds arbitrary command lines to the parser the console and
// Slack share: nothing may panic.
func FuzzParseArgs(f *testing.F) {
	f.Add("qotd set channel:#c time:09:00 timezone:Europe/Berlin")
	f.Add(`question "postgres" hard`)
	f.Add(`answer the "quoted answer`)
	f.Add("leaderboard week postgres extra words")
	f.Fuzz(func(t *testing.T, line string) {
		words := SplitWords(line)
		if len(words) == 0 {
			return
		}
		if cmd, ok := FindCommand(words[0]); ok {
			ParseArgs(cmd, words[1:])
		}
	})
}
