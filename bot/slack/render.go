package slack

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/prepbot/prepbot/bot"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxHeader      = 150
	maxSectionText = 3000
	maxBlocks      = 50
	maxButtonText  = 75
	maxContext     = 10
	maxActions     = 25
	maxFallback    = 3000
)

// blocks renders a reply in Block Kit: a header, sections with the text (in
// Slack's mrkdwn), the fields, a context line, and an actions block.
func blocks(r bot.Reply) []slack.Block {
	var out []slack.Block
	if r.Title != "" {
		out = append(out, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, trim(r.Title, maxHeader), true, false)))
	}
	for _, part := range splitText(Mrkdwn(r.Text), maxSectionText) {
		out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, part, false, false), nil, nil))
	}
	if len(r.Fields) > 0 {
		var fields []*slack.TextBlockObject
		for _, f := range r.Fields {
			fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, trim("*"+f.Name+"*\n"+Mrkdwn(f.Value), 2000), false, false))
			if len(fields) == 10 {
				break
			}
		}
		out = append(out, slack.NewSectionBlock(nil, fields, nil))
	}
	if r.Footer != "" {
		out = append(out, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, trim(Mrkdwn(r.Footer), 2000), false, false)))
	}
	if len(r.Buttons) > 0 {
		var els []slack.BlockElement
		for _, b := range r.Buttons {
			btn := slack.NewButtonBlockElement(b.ID, b.ID, slack.NewTextBlockObject(slack.PlainTextType, trim(b.Label, maxButtonText), false, false))
			if b.Style == bot.StylePrimary {
				btn.Style = slack.StylePrimary
			} else if b.Style == bot.StyleDanger {
				btn.Style = slack.StyleDanger
			}
			els = append(els, btn)
			if len(els) == maxActions {
				break
			}
		}
		out = append(out, slack.NewActionBlock("", els...))
	}
	if len(out) > maxBlocks {
		out = out[:maxBlocks]
	}
	return out
}

// fallback is the plain text shown in notifications.
func fallback(r bot.Reply) string {
	t := r.Title
	if r.Text != "" {
		if t != "" {
			t += ": "
		}
		t += Mrkdwn(r.Text)
	}
	return trim(t, maxFallback)
}

func trim(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

var (
	mdBold    = regexp.MustCompile(`\*\*(.+?)\*\*`)
	mdItalic  = regexp.MustCompile(`(^|[^*\w])\*([^*\s][^*]*?)\*([^*\w]|$)`)
	mdLink    = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	mdBullet  = regexp.MustCompile(`^(\s*)[-*+]\s+`)
	mdInline  = regexp.MustCompile("`[^`]*`")
)

// Mrkdwn converts the bank's Markdown to Slack's mrkdwn: **bold** becomes
// *bold*, *italic* becomes _italic_, [text](url) becomes <url|text>,
// headings become bold lines and bullets become •. Code spans and fenced
// blocks are kept as they are (a fence loses its language, which Slack
// would print).
func Mrkdwn(md string) string {
	if len(md) > maxCachedMrkdwn {
		return mrkdwn(md)
	}
	mrkdwnCache.Lock()
	out, ok := mrkdwnCache.m[md]
	mrkdwnCache.Unlock()
	if ok {
		return out
	}
	out = mrkdwn(md)
	mrkdwnCache.Lock()
	if len(mrkdwnCache.m) >= maxMrkdwnCache {
		clear(mrkdwnCache.m)
	}
	mrkdwnCache.m[md] = out
	mrkdwnCache.Unlock()
	return out
}

// The same texts (cards' prompts, answers and explanations) are converted
// again and again; the conversion runs a handful of regular expressions, so
// recent results are kept.
const (
	maxMrkdwnCache  = 4096
	maxCachedMrkdwn = 8 << 10
)

var mrkdwnCache = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

func mrkdwn(md string) string {
	var out []string
	inCode := false
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inCode = !inCode
			out = append(out, "```")
			continue
		}
		if inCode {
			out = append(out, line)
			continue
		}
		out = append(out, inlineMrkdwn(line))
	}
	return strings.Join(out, "\n")
}

func inlineMrkdwn(line string) string {
	// keep code spans out of the rewriting
	var spans []string
	line = mdInline.ReplaceAllStringFunc(line, func(s string) string {
		spans = append(spans, s)
		return "\x00" + string(rune('0'+len(spans)-1)) + "\x00"
	})
	if m := mdHeading.FindStringSubmatch(line); m != nil {
		line = "**" + m[1] + "**"
	}
	line = mdBullet.ReplaceAllString(line, "$1• ")
	line = mdItalic.ReplaceAllString(line, "${1}_${2}_${3}")
	line = mdBold.ReplaceAllString(line, "*$1*")
	line = mdLink.ReplaceAllString(line, "<$2|$1>")
	for i, s := range spans {
		line = strings.Replace(line, "\x00"+string(rune('0'+i))+"\x00", s, 1)
	}
	return line
}

// splitText cuts text into pieces of at most limit runes at line breaks,
// closing and reopening a ``` block cut in two.
func splitText(text string, limit int) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(cur.String())+utf8.RuneCountInString(line)+5 > limit && cur.Len() > 0 {
			piece := cur.String()
			if inCode {
				piece += "```"
			}
			out = append(out, strings.TrimRight(piece, "\n"))
			cur.Reset()
			if inCode {
				cur.WriteString("```\n")
			}
		}
		if utf8.RuneCountInString(line) > limit-10 {
			line = trim(line, limit-10)
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inCode = !inCode
		}
	}
	if cur.Len() > 0 {
		out = append(out, strings.TrimRight(cur.String(), "\n"))
	}
	return out
}
