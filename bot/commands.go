package bot

import (
	"strings"
)

// Option is one option of a command, for help and for platforms that
// register commands (Discord application commands).
type Option struct {
	Name        string
	Description string
	Choices     []string // fixed choices; nil for free text
	// Category options list the bank's categories (autocomplete).
	Category bool
	User     bool // a user mention
	Channel  bool // a channel mention
	// Required options must be given. Platforms that list required options
	// first (Discord) reorder them; the order here is the order of
	// positional words (/prep qotd set #channel 09:00 Europe/Berlin).
	Required bool
}

// Command describes one command.
type Command struct {
	Name        string
	Description string
	Options     []Option
	Sub         []Command // subcommands (qotd set|off|now|status)
	Admin       bool      // needs an admin (every subcommand of qotd but status)
}

// Commands lists every command, in help order. Adapters read it to register
// and to parse positional arguments.
var Commands = []Command{
	{Name: "question", Description: "Draw a study card; answer it with the buttons", Options: []Option{
		{Name: "category", Description: "Only cards of this category", Category: true},
		{Name: "difficulty", Description: "Only cards of this difficulty", Choices: []string{"easy", "medium", "hard"}},
	}},
	{Name: "answer", Description: "Type your answer to the last card that asks for one", Options: []Option{
		{Name: "text", Description: "Your answer"},
	}},
	{Name: "review", Description: "Your spaced-repetition review: the cards due for you today, privately"},
	{Name: "practice", Description: "A card from your weakest category, privately", Options: []Option{
		{Name: "category", Description: "Practise this category instead", Category: true},
	}},
	{Name: "interview", Description: "A mock interview, privately: explain in your own words, get graded, answer follow-ups", Options: []Option{
		{Name: "category", Description: "Only questions of this category", Category: true},
	}},
	{Name: "study", Description: "A study round in this channel: cards one after another, a scoreboard at the end", Options: []Option{
		{Name: "category", Description: "Only this category (or stop, to end the round)", Category: true},
		{Name: "count", Description: "How many cards (default 5, at most 20)"},
		{Name: "seconds", Description: "Seconds to answer each card (default 30)"},
	}},
	{Name: "leaderboard", Description: "The group's ranking this week, this month, of all time or of a season", Options: []Option{
		{Name: "period", Description: "Which period (season: the season running)", Choices: []string{"week", "month", "all", "season"}},
		{Name: "category", Description: "Only points from this category", Category: true},
		{Name: "chart", Description: "Attach a picture of the ranking with streaks", Choices: []string{"yes", "no"}},
		{Name: "by", Description: "Rank by points, or by days studied", Choices: []string{"points", "days"}},
		{Name: "season", Description: "A season by name: its standings (final when it ended)"},
	}},
	{Name: "stats", Description: "Answers, accuracy per category, points and streaks", Options: []Option{
		{Name: "user", Description: "Whose stats (default: yours)", User: true},
	}},
	{Name: "timezone", Description: "Your own time zone: the day your streak, reviews and reminder follow", Options: []Option{
		{Name: "zone", Description: "IANA time zone, such as Europe/Berlin (leave out to see yours)"},
	}},
	{Name: "remind", Description: "A private reminder on days you have not studied yet", Options: []Option{
		{Name: "time", Description: "Your local time, HH:MM (24-hour), or off (leave out to see yours)"},
	}},
	{Name: "qotd", Description: "The daily question of a channel", Sub: []Command{
		{Name: "set", Description: "Post a daily question in a channel at a local time", Admin: true, Options: []Option{
			{Name: "channel", Description: "Where to post", Channel: true},
			{Name: "time", Description: "Local time, HH:MM (24-hour)", Required: true},
			{Name: "timezone", Description: "IANA time zone, such as Europe/Berlin"},
			{Name: "categories", Description: "Comma-separated category ids (default: all)"},
			{Name: "weekdays", Description: "Days to post: mon-fri, or mon,wed,fri (default: every day)"},
			{Name: "digest", Description: "Weekday of the weekly digest, such as fri (default: none)"},
		}},
		{Name: "off", Description: "Stop the daily question in a channel", Admin: true, Options: []Option{
			{Name: "channel", Description: "Which channel (default: this one)", Channel: true},
		}},
		{Name: "now", Description: "Post today's question now", Admin: true, Options: []Option{
			{Name: "channel", Description: "Which channel (default: this one)", Channel: true},
		}},
		{Name: "status", Description: "Show the daily questions of this server"},
	}},
	{Name: "season", Description: "Seasons: a leaderboard from zero for a stretch of study", Sub: []Command{
		{Name: "start", Description: "Start a season (ends the one running)", Admin: true, Options: []Option{
			{Name: "name", Description: "Its name, such as Q1 prep", Required: true},
		}},
		{Name: "end", Description: "End the season running; its final standings stay", Admin: true},
		{Name: "list", Description: "The season running and the past ones"},
	}},
	{Name: "web", Description: "The group's web page: its boards, and a private page for each member", Sub: []Command{
		{Name: "on", Description: "Serve the group's web pages", Admin: true},
		{Name: "off", Description: "Stop serving the group's web pages", Admin: true},
		{Name: "status", Description: "Whether the group's web pages are on, and their address"},
	}},
	{Name: "disputes", Description: "Disputed typed answers waiting for an admin, oldest first", Admin: true},
	{Name: "accept", Description: "Accept a disputed answer: it counts for the card here, and the answer is re-scored", Admin: true, Options: []Option{
		{Name: "id", Description: "The dispute's number, from /disputes", Required: true},
	}},
	{Name: "reject", Description: "Reject a disputed answer (or withdraw your own); its member is told", Admin: true, Options: []Option{
		{Name: "id", Description: "The dispute's number, from /disputes", Required: true},
		{Name: "reason", Description: "Why, for the member (optional)"},
	}},
	{Name: "help", Description: "Every command, one line each"},
}

// FindCommand returns a command by name.
func FindCommand(name string) (Command, bool) {
	for _, c := range Commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// ParseArgs reads "key:value" words and bare words, as typed in the console
// or in a Slack slash command, into a command's options: bare words fill
// the options in order. Values may be quoted ("time zone":"..." is not
// supported; quote the value: text:"two words"). The first bare word of a
// command with subcommands names the subcommand, returned as "sub".
func ParseArgs(cmd Command, words []string) (map[string]string, error) {
	args := map[string]string{}
	opts := cmd.Options
	if len(cmd.Sub) > 0 && len(words) > 0 && !strings.Contains(words[0], ":") {
		for _, s := range cmd.Sub {
			if s.Name == strings.ToLower(words[0]) {
				args["sub"] = s.Name
				opts = s.Options
				words = words[1:]
				break
			}
		}
		if args["sub"] == "" {
			return nil, Errorf(EInvalid, "unknown subcommand %q: use %s", words[0], subNames(cmd))
		}
	}
	next := 0
	for i, w := range words {
		if k, v, ok := strings.Cut(w, ":"); ok && isOption(opts, k) {
			args[strings.ToLower(k)] = v
			continue
		}
		if next >= len(opts) {
			return nil, Errorf(EInvalid, "too many words at %q; the options are %s", w, optionNames(opts))
		}
		// the last free-text option takes the rest of the line
		if next == len(opts)-1 && opts[next].Choices == nil {
			args[opts[next].Name] = strings.Join(words[i:], " ")
			return args, nil
		}
		args[opts[next].Name] = w
		next++
	}
	return args, nil
}

func isOption(opts []Option, name string) bool {
	for _, o := range opts {
		if o.Name == strings.ToLower(name) {
			return true
		}
	}
	return false
}

func optionNames(opts []Option) string {
	if len(opts) == 0 {
		return "none"
	}
	var names []string
	for _, o := range opts {
		names = append(names, o.Name+":")
	}
	return strings.Join(names, ", ")
}

func subNames(cmd Command) string {
	var names []string
	for _, s := range cmd.Sub {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// SplitWords splits a command line on spaces, keeping "quoted text" and
// key:"quoted text" together.
func SplitWords(line string) []string {
	var words []string
	var cur strings.Builder
	quoted, has := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
			has = true
		case (r == ' ' || r == '\t') && !quoted:
			if has {
				words = append(words, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		words = append(words, cur.String())
	}
	return words
}
