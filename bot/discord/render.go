package discord

import (
	"bytes"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/adapter"
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
	title := adapter.Trim(r.Title, maxTitle)
	footer := adapter.Trim(r.Footer, maxFooter)
	note := utf8.RuneCountInString(cutNote)
	used := utf8.RuneCountInString(title) + utf8.RuneCountInString(footer)
	var fields []*discordgo.MessageEmbedField
	for i, f := range r.Fields {
		name, value := adapter.Trim(f.Name, maxFieldName), adapter.Trim(f.Value, maxFieldValue)
		n := utf8.RuneCountInString(name) + utf8.RuneCountInString(value)
		if i == maxFields || used+n > maxEmbedTotal-note {
			break
		}
		used += n
		fields = append(fields, &discordgo.MessageEmbedField{Name: name, Value: value, Inline: f.Inline})
	}
	budget := maxEmbedTotal - used - note // characters left for the text
	out := []*discordgo.MessageEmbed{{Title: title, Color: r.Color}}
	pieces := adapter.SplitMarkdown(r.Text, maxDescription-note, adapter.SplitOptions{})
	for i, p := range pieces {
		n := utf8.RuneCountInString(p)
		if n > budget || i == maxEmbeds {
			if i < maxEmbeds && budget > 200 { // what fits of this piece
				p = adapter.SplitMarkdown(p, budget, adapter.SplitOptions{})[0]
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
		row.Components = append(row.Components, discordgo.Button{CustomID: b.ID, Label: adapter.Trim(b.Label, maxLabel), Style: buttonStyle(b.Style)})
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
