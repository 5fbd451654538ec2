package slack

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/slack-go/slack"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/adapter"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks and
// the page of each block and element; the strict fake in slacktest cites
// each).
const (
	maxHeader      = 150
	maxSectionText = 3000
	maxBlocks      = 50
	maxButtonText  = 75
	maxContext     = 10
	maxActions     = 25
	maxFields      = 10
	maxFieldText   = 2000
	maxActionID    = 255
	maxButtonValue = 2000
	maxModalTitle  = 24
	maxFallback    = 3000
)

// mrkdwnText is a mrkdwn text object that Slack shows verbatim: no
// automatic parsing of bare mentions (@channel, @here) or channel names
// (https://docs.slack.dev/reference/block-kit/composition-objects/text-object:
// "verbatim: When set to false (as is default) ... certain mentions will
// be automatically parsed"). Mrkdwn makes the links itself.
func mrkdwnText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

// blocks renders a reply in Block Kit: a header, sections with the text (in
// Slack's mrkdwn), the fields, a context line, and an actions block, each
// within Block Kit's limits. Pictures are not blocks: see sharePictures.
func (rd *renderer) blocks(r bot.Reply) []slack.Block {
	var out []slack.Block
	if t := plain(r.Title); strings.TrimSpace(t) != "" {
		out = append(out, slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, adapter.Trim(t, maxHeader), true, false)))
	}
	for _, part := range adapter.SplitMarkdown(rd.mrkdwn(r.Text), maxSectionText, adapter.SplitOptions{BareFence: true}) {
		out = append(out, slack.NewSectionBlock(mrkdwnText(part), nil, nil))
	}
	if len(r.Fields) > 0 {
		var fields []*slack.TextBlockObject
		for _, f := range r.Fields {
			text := strings.TrimSpace(rd.mrkdwn(f.Value))
			if name := strings.TrimSpace(rd.mrkdwn(f.Name)); name != "" {
				text = "*" + name + "*\n" + text
			}
			if text == "" {
				continue
			}
			fields = append(fields, mrkdwnText(adapter.Trim(text, maxFieldText)))
			if len(fields) == maxFields {
				break
			}
		}
		if len(fields) > 0 {
			out = append(out, slack.NewSectionBlock(nil, fields, nil))
		}
	}
	if strings.TrimSpace(r.Footer) != "" {
		out = append(out, slack.NewContextBlock("", mrkdwnText(adapter.Trim(rd.mrkdwn(r.Footer), maxSectionText))))
	}
	var els []slack.BlockElement
	for _, b := range r.Buttons {
		if len(els) == maxActions {
			break
		}
		id, ok := buttonID(b.ID)
		if !ok {
			continue // longer than a button's value can carry
		}
		label := nonEmpty(plain(b.Label), "…")
		btn := slack.NewButtonBlockElement(id, b.ID, slack.NewTextBlockObject(slack.PlainTextType, adapter.Trim(label, maxButtonText), false, false))
		if b.Style == bot.StylePrimary {
			btn.Style = slack.StylePrimary
		} else if b.Style == bot.StyleDanger {
			btn.Style = slack.StyleDanger
		}
		els = append(els, btn)
	}
	if len(els) > 0 {
		// keep the buttons when the text needs every block
		if len(out) >= maxBlocks {
			out = out[:maxBlocks-1]
		}
		out = append(out, slack.NewActionBlock("", els...))
	}
	if len(out) > maxBlocks {
		out = out[:maxBlocks]
	}
	return out
}

// buttonID is the action_id for a button whose bot id is id: the id
// itself when it fits Slack's 255 characters, otherwise a digest of it
// (the press then reads the full id from the button's value, which takes
// 2,000). An id longer than a value is reported as not fitting.
func buttonID(id string) (string, bool) {
	switch {
	case id == "" || len(id) > maxButtonValue:
		return "", false
	case len(id) <= maxActionID:
		return id, true
	}
	sum := sha256.Sum256([]byte(id))
	return digestPrefix + hex.EncodeToString(sum[:16]), true
}

// digestPrefix marks an action_id that stands for a longer id.
const digestPrefix = "#sha256:"

// actionOf is the bot's button id for a press: the action_id, or for a
// digest the button's value, when it is the id the digest stands for.
func actionOf(actionID, value string) string {
	if !strings.HasPrefix(actionID, digestPrefix) {
		return actionID
	}
	if id, ok := buttonID(value); ok && id == actionID {
		return value
	}
	return actionID
}

// fallback is the plain text shown in notifications: the title and the
// text, escaped like the blocks.
func (rd *renderer) fallback(r bot.Reply) string {
	t := escapeEntities(plain(r.Title))
	if strings.TrimSpace(r.Text) != "" {
		if t != "" {
			t += ": "
		}
		t += rd.mrkdwn(r.Text)
	}
	return adapter.Trim(t, maxFallback)
}

// plain undoes the backslash escapes of bot.EscapeMarkdown for Slack's
// plain_text objects (headers, buttons, modal labels), which show text as
// it is.
func plain(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune(markdownSpecial, rs[i+1]) {
			i++
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

// markdownSpecial are the characters bot.EscapeMarkdown escapes with a
// backslash.
const markdownSpecial = "\\*_~`|<>[]()#"

// escapeEntities escapes Slack's three control characters
// (https://docs.slack.dev/messaging/formatting-message-text#escaping).
var entities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escapeEntities(s string) string { return entities.Replace(s) }

var (
	mdBold     = regexp.MustCompile(`\*\*(.+?)\*\*`)
	mdItalic   = regexp.MustCompile(`(^|[^*\w])\*([^*\s][^*]*?)\*([^*\w]|$)`)
	mdLink     = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^)\s]+)\)`)
	mdHeading  = regexp.MustCompile(`^#{1,6}\s+(.*)$`)
	mdBullet   = regexp.MustCompile(`^(\s*)[-*+]\s+`)
	mdInline   = regexp.MustCompile("`[^`]*`")
	mdEscape   = regexp.MustCompile("\\\\[\\\\*_~`|<>\\[\\]()#]")
	mdQuote    = regexp.MustCompile(`^(\s*)>\s?`)
	botChannel = regexp.MustCompile(`<#[CG][A-Z0-9]+>`)
	bareURL    = regexp.MustCompile("https?://[^\\s<>|\"\\x00]+[^\\s<>|\".,;:!?)\\]\\x00]")
)

// Mrkdwn converts the bank's Markdown to Slack's mrkdwn: **bold** becomes
// *bold*, *italic* becomes _italic_, [text](url) becomes <url|text>,
// headings become bold lines, bullets become • and > quotes stay quotes.
// Code spans and fenced blocks are kept as they are (a fence loses its
// language, which Slack would print). Slack's control characters &, < and
// > are escaped everywhere (https://docs.slack.dev/messaging/formatting-message-text#escaping),
// so card text cannot ping (<!channel>, <@U1>) or make links of its own;
// the only control sequences left are the ones Mrkdwn makes: links, and
// the channel references the bot writes (<#C123>, bot.ChannelRef). A
// backslash escape (bot.EscapeMarkdown) shows its character as itself: a
// formatting character gets a zero-width space on each side, which keeps
// it from opening or closing formatting.
func Mrkdwn(md string) string { return mrkdwn(md) }

// renderer renders replies in Block Kit, keeping the Mrkdwn conversions
// of recent texts: the same texts (cards' prompts, answers and
// explanations) are converted again and again, and the conversion runs a
// handful of regular expressions. Each adapter has its own. The zero value
// is ready to use.
type renderer struct {
	mu    sync.Mutex
	cache map[string]string
}

// At most maxMrkdwnCache texts of at most maxCachedMrkdwn bytes each are
// kept; a full cache starts again.
const (
	maxMrkdwnCache  = 4096
	maxCachedMrkdwn = 8 << 10
)

// mrkdwn is Mrkdwn, from the cache when it can.
func (rd *renderer) mrkdwn(md string) string {
	if len(md) > maxCachedMrkdwn {
		return mrkdwn(md)
	}
	rd.mu.Lock()
	out, ok := rd.cache[md]
	rd.mu.Unlock()
	if ok {
		return out
	}
	out = mrkdwn(md)
	rd.mu.Lock()
	if rd.cache == nil || len(rd.cache) >= maxMrkdwnCache {
		rd.cache = make(map[string]string)
	}
	rd.cache[md] = out
	rd.mu.Unlock()
	return out
}

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
			out = append(out, escapeEntities(line))
			continue
		}
		out = append(out, inlineMrkdwn(line))
	}
	return strings.Join(out, "\n")
}

const zwsp = "\u200b"

// literal is how a backslash-escaped character shows as itself in mrkdwn.
func literal(c byte) string {
	switch c {
	case '*', '_', '~', '`':
		return zwsp + string(c) + zwsp
	case '<', '>', '&':
		return escapeEntities(string(c))
	}
	return string(c)
}

// placeholders keep finished pieces of a line (code spans, links, escapes)
// out of the rewriting that follows.
type placeholders []string

func (p *placeholders) keep(s string) string {
	*p = append(*p, s)
	return "\x00" + strconv.Itoa(len(*p)-1) + "\x00"
}

var placeholder = regexp.MustCompile("\x00([0-9]+)\x00")

func (p placeholders) restore(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		i, _ := strconv.Atoi(m[1 : len(m)-1])
		return p[i]
	})
}

func inlineMrkdwn(line string) string {
	line = strings.ReplaceAll(line, "\x00", "")
	var keep placeholders
	line = mdInline.ReplaceAllStringFunc(line, func(s string) string { return keep.keep(escapeEntities(s)) })
	line = mdEscape.ReplaceAllStringFunc(line, func(s string) string { return keep.keep(literal(s[1])) })
	line = botChannel.ReplaceAllStringFunc(line, keep.keep)
	line = mdLink.ReplaceAllStringFunc(line, func(s string) string {
		m := mdLink.FindStringSubmatch(s)
		text := strings.ReplaceAll(escapeEntities(m[1]), "|", "¦")
		url := strings.ReplaceAll(escapeEntities(m[2]), "|", "%7C")
		return keep.keep("<" + url + "|" + text + ">")
	})
	line = bareURL.ReplaceAllStringFunc(line, func(s string) string { return keep.keep("<" + escapeEntities(s) + ">") })
	quote := ""
	if m := mdQuote.FindStringSubmatch(line); m != nil {
		quote = m[1] + ">"
		if line = line[len(m[0]):]; line != "" {
			quote += " "
		}
	}
	line = escapeEntities(line)
	if m := mdHeading.FindStringSubmatch(line); m != nil {
		line = "**" + m[1] + "**"
	}
	line = mdBullet.ReplaceAllString(line, "$1• ")
	line = mdItalic.ReplaceAllString(line, "${1}_${2}_${3}")
	line = mdBold.ReplaceAllString(line, "*$1*")
	return quote + keep.restore(line)
}
