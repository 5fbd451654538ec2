package bot

import "strings"

// PrivateReply reports whether the reply to req will be shown only to the
// member who asked, as far as it is known before the request is handled.
// Adapters that must fix a reply's visibility before it is ready (Discord's
// deferred response) use it. A refusal is always private, also for a
// command that normally answers in public: an adapter that deferred in
// public and then gets a private reply must not show it to the channel.
func PrivateReply(req Request) bool {
	if req.Action != "" {
		// "next question" deals a new card in the channel; every other
		// button answers the member alone
		a, _ := ParseAction(req.Action)
		return a.Kind != ActionNext
	}
	switch req.Command {
	case "question", "leaderboard":
		return false
	case "study":
		// starting a round posts its first card; stopping it posts the
		// scoreboard
		return false
	case "qotd":
		// "now" in this channel answers with the card itself; elsewhere it
		// posts there and tells the admin privately
		return req.Args["sub"] != "now" || qotdChannel(req) != req.Channel
	case "season":
		// starting and ending a season is news for the channel
		return req.Args["sub"] != "start" && req.Args["sub"] != "end"
	}
	return true
}

// NeedsAdmin reports whether handling req may depend on the member being an
// admin (User.Admin): every /qotd subcommand but status, starting and
// ending a season, and stopping a study round someone else started. Adapters that must ask the platform
// (Slack's users.info) ask only then.
func NeedsAdmin(req Request) bool {
	switch req.Command {
	case "qotd":
		return req.Args["sub"] != "status"
	case "season":
		return req.Args["sub"] == "start" || req.Args["sub"] == "end"
	case "web":
		return req.Args["sub"] == "on" || req.Args["sub"] == "off"
	case "disputes", "accept", "reject":
		return true
	case "study":
		return req.Args["sub"] == "stop" || strings.EqualFold(strings.TrimSpace(req.Args["category"]), "stop")
	}
	return false
}

// markdownSpecial are the characters EscapeMarkdown escapes: what Discord's
// and the bank's Markdown read as formatting, links, mentions or quotes.
const markdownSpecial = "\\*_~`|<>[]()#"

// EscapeMarkdown makes text chosen by a member (a nickname) show as it is
// in a reply's Markdown: formatting characters get a backslash, so a name
// cannot turn into a masked link, a mention, bold text or a quote, and
// line breaks become spaces, so it cannot break the layout. Adapters whose
// markup has no backslash escapes (Slack's mrkdwn) undo the backslashes and
// escape the characters their own way.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte(' ')
			continue
		case strings.ContainsRune(markdownSpecial, r):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
