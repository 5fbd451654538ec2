package discord

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/prepbot/prepbot/bot"
)

// Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits
// and the component reference).
const (
	maxTitle       = 256
	maxDescription = 4096
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFields      = 25
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxEmbeds      = 10
	maxLabel       = 80
	maxCustomID    = 100
	maxChoiceValue = 100 // an autocomplete choice's value
	buttonsPerRow  = 5
	maxRows        = 5
)

// messageData renders a reply as an interaction response body.
func messageData(r bot.Reply) *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{Embeds: embeds(r), Components: components(r.Buttons),
		AllowedMentions: &discordgo.MessageAllowedMentions{}, Files: files(r)}
	if r.Private {
		d.Flags = discordgo.MessageFlagsEphemeral
	}
	if len(d.Files) > 0 { // the first picture shows inside the last embed
		d.Embeds[len(d.Embeds)-1].Image = &discordgo.MessageEmbedImage{URL: "attachment://" + d.Files[0].Name}
	}
	return d
}

// files turns attachments into uploads (sent as multipart with the reply).
func files(r bot.Reply) []*discordgo.File {
	var out []*discordgo.File
	for _, a := range r.Attachments {
		out = append(out, &discordgo.File{Name: a.Name, ContentType: "image/png", Reader: bytes.NewReader(a.Data)})
	}
	return out
}

// cutNote ends a text that did not fit; room for it is kept in every
// piece and in the message's total.
const cutNote = "\n\n*(cut to fit Discord's limits)*"

// embeds renders a reply as one embed, or several when its text is longer
// than one embed's description may be. Text is split between paragraphs,
// and a Markdown code block cut in two is closed and reopened. What does
// not fit in one message (6000 characters over all embeds, 10 embeds) is
// cut, and says so.
func embeds(r bot.Reply) []*discordgo.MessageEmbed {
	title := trim(r.Title, maxTitle)
	footer := trim(r.Footer, maxFooter)
	note := utf8.RuneCountInString(cutNote)
	used := utf8.RuneCountInString(title) + utf8.RuneCountInString(footer)
	var fields []*discordgo.MessageEmbedField
	for i, f := range r.Fields {
		name, value := trim(f.Name, maxFieldName), trim(f.Value, maxFieldValue)
		n := utf8.RuneCountInString(name) + utf8.RuneCountInString(value)
		if i == maxFields || used+n > maxEmbedTotal-note {
			break
		}
		used += n
		fields = append(fields, &discordgo.MessageEmbedField{Name: name, Value: value, Inline: f.Inline})
	}
	budget := maxEmbedTotal - used - note // characters left for the text
	out := []*discordgo.MessageEmbed{{Title: title, Color: r.Color}}
	pieces := splitMarkdown(r.Text, maxDescription-note)
	for i, p := range pieces {
		n := utf8.RuneCountInString(p)
		if n > budget || i == maxEmbeds {
			if i < maxEmbeds && budget > 200 { // what fits of this piece
				p = splitMarkdown(p, budget)[0]
				budget -= utf8.RuneCountInString(p)
				if i == 0 {
					out[0].Description = p
				} else {
					out = append(out, &discordgo.MessageEmbed{Description: p, Color: r.Color})
				}
			}
			out[len(out)-1].Description += cutNote
			break
		}
		budget -= n
		if i == 0 {
			out[0].Description = p
		} else {
			out = append(out, &discordgo.MessageEmbed{Description: p, Color: r.Color})
		}
	}
	last := out[len(out)-1]
	last.Fields = fields
	if footer != "" {
		last.Footer = &discordgo.MessageEmbedFooter{Text: footer}
	}
	return out
}

// components lays buttons out in action rows of at most 5.
func components(buttons []bot.Button) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	var row discordgo.ActionsRow
	seen := map[string]bool{}
	for _, b := range buttons {
		if utf8.RuneCountInString(b.ID) > maxCustomID || seen[b.ID] {
			continue // never happens with the bot's ids; Discord would refuse the whole message
		}
		seen[b.ID] = true
		row.Components = append(row.Components, discordgo.Button{CustomID: b.ID, Label: trim(b.Label, maxLabel), Style: buttonStyle(b.Style)})
		if len(row.Components) == buttonsPerRow {
			rows = append(rows, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		rows = append(rows, row)
	}
	if len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	return rows
}

func buttonStyle(s bot.ButtonStyle) discordgo.ButtonStyle {
	switch s {
	case bot.StylePrimary:
		return discordgo.PrimaryButton
	case bot.StyleSuccess:
		return discordgo.SuccessButton
	case bot.StyleDanger:
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}

func trim(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// splitMarkdown cuts text into pieces of at most limit runes, at paragraph
// breaks where it can, then at line breaks, then anywhere. A piece that
// ends inside a ``` code block gets a closing fence, and the next piece
// reopens it with the same language.
func splitMarkdown(text string, limit int) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	var out []string
	fence := "" // the opening fence line of the block the next piece continues
	for text != "" {
		prefix := ""
		if fence != "" {
			prefix = fence + "\n"
		}
		room := limit - utf8.RuneCountInString(prefix) - len("\n```")
		if utf8.RuneCountInString(text) <= room {
			out = append(out, prefix+text)
			break
		}
		cut := cutPoint(text, room)
		piece := strings.TrimRight(text[:cut], "\n")
		text = strings.TrimLeft(text[cut:], "\n")
		open := openFence(fence, piece)
		if open != "" {
			piece += "\n```"
		}
		out = append(out, prefix+piece)
		fence = open
	}
	return out
}

// cutPoint returns a byte offset at most room runes into s, preferring a
// paragraph break, then a line break, then a space.
func cutPoint(s string, room int) int {
	end, n := len(s), 0
	for i := range s {
		if n == room {
			end = i
			break
		}
		n++
	}
	window := s[:end]
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(window, sep); i > end/2 {
			return i + len(sep)
		}
	}
	return end
}

// openFence reports the fence line still open at the end of piece, given
// the one open at its start ("" for none).
func openFence(open, piece string) string {
	for _, line := range strings.Split(piece, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") {
			if open == "" {
				open = t
			} else {
				open = ""
			}
		}
	}
	return open
}
