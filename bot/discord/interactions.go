package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/prepbot/prepbot/bot"
	"github.com/prepbot/prepbot/bot/adapter"
	"github.com/prepbot/prepbot/questionbank"
)

// Permission bits (https://discord.com/developers/docs/topics/permissions).
const (
	permAdministrator = discordgo.PermissionAdministrator
	permManageGuild   = discordgo.PermissionManageGuild
)

// InvitePermissions is the smallest set the bot needs: see the channel,
// send messages, embed links.
const InvitePermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// InviteURL is the OAuth2 URL that adds the bot to a server.
func InviteURL(applicationID string) string {
	return "https://discord.com/oauth2/authorize?client_id=" + applicationID +
		"&scope=bot+applications.commands&permissions=" + strconv.FormatInt(InvitePermissions, 10)
}

// adminCommand reports whether a command, or any of its subcommands, is
// for admins: Discord hides a command from other members as a whole.
func adminCommand(c bot.Command) bool {
	for _, s := range c.Sub {
		if s.Admin {
			return true
		}
	}
	return c.Admin
}

// Commands turns the bot's commands into Discord application commands.
func Commands(b *bot.Bot) []*discordgo.ApplicationCommand {
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	var out []*discordgo.ApplicationCommand
	for _, c := range bot.Commands {
		if c.Name == "answer" {
			continue // on Discord, typed answers go through a modal
		}
		ac := &discordgo.ApplicationCommand{Name: c.Name, Description: adapter.Trim(c.Description, 100), Contexts: guildOnly}
		if len(c.Sub) == 0 {
			ac.Options = options(c.Options)
		}
		for _, s := range c.Sub { // subcommands are never required
			ac.Options = append(ac.Options, &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand,
				Name: s.Name, Description: adapter.Trim(s.Description, 100), Options: options(s.Options)})
		}
		if adminCommand(c) {
			// shown to members with Manage Server only (the bot checks the
			// permission again on every use)
			perm := int64(permManageGuild)
			ac.DefaultMemberPermissions = &perm
		}
		out = append(out, ac)
	}
	return out
}

func options(opts []bot.Option) []*discordgo.ApplicationCommandOption {
	var out []*discordgo.ApplicationCommandOption
	for _, o := range opts {
		do := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: o.Name, Description: adapter.Trim(o.Description, 100)}
		switch {
		case o.User:
			do.Type = discordgo.ApplicationCommandOptionUser
		case o.Channel:
			do.Type = discordgo.ApplicationCommandOptionChannel
			do.ChannelTypes = []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}
		case o.Category:
			do.Autocomplete = true
		}
		for _, ch := range o.Choices {
			do.Choices = append(do.Choices, &discordgo.ApplicationCommandOptionChoice{Name: ch, Value: ch})
		}
		do.Required = o.Required
		out = append(out, do)
	}
	return requiredFirst(out)
}

// requiredFirst lists required options before optional ones, keeping their
// order otherwise: Discord refuses a command whose required option comes
// after an optional one, at any level. bot.Commands keeps its own order,
// which is the order of positional words on the console and Slack.
func requiredFirst(opts []*discordgo.ApplicationCommandOption) []*discordgo.ApplicationCommandOption {
	slices.SortStableFunc(opts, func(a, b *discordgo.ApplicationCommandOption) int {
		switch {
		case a.Required == b.Required:
			return 0
		case a.Required:
			return -1
		}
		return 1
	})
	return opts
}

// request turns an interaction into a bot request.
func request(i *discordgo.Interaction) bot.Request {
	req := bot.Request{Platform: "discord", Channel: i.ChannelID, InteractionID: i.ID, Args: map[string]string{}}
	if i.Member != nil && i.Member.User != nil {
		u := i.Member.User
		req.User = bot.User{ID: u.ID, Name: displayName(u, i.Member.Nick),
			Admin: i.Member.Permissions&(permManageGuild|permAdministrator) != 0}
	} else if i.User != nil {
		req.User = bot.User{ID: i.User.ID, Name: displayName(i.User, "")}
	}
	if i.GuildID != "" {
		req.Group = "discord:" + i.GuildID
	} else {
		req.Group = "discord:dm:" + req.User.ID
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		req.Command = d.Name
		opts := d.Options
		if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
			req.Args["sub"] = opts[0].Name
			opts = opts[0].Options
		}
		for _, o := range opts {
			req.Args[o.Name] = optionValue(o)
		}
	case discordgo.InteractionMessageComponent:
		req.Action = i.MessageComponentData().CustomID
	case discordgo.InteractionModalSubmit:
		d := i.ModalSubmitData()
		req.Action = d.CustomID
		req.Text = modalText(d.Components)
	}
	return req
}

func displayName(u *discordgo.User, nick string) string {
	switch {
	case nick != "":
		return nick
	case u.GlobalName != "":
		return u.GlobalName
	}
	return u.Username
}

func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func modalText(components []discordgo.MessageComponent) string {
	for _, c := range components {
		switch c := c.(type) {
		case *discordgo.ActionsRow:
			if t := modalText(c.Components); t != "" {
				return t
			}
		case *discordgo.TextInput:
			return c.Value
		}
	}
	return ""
}

// respond answers an interaction through send (the gateway callback or the
// HTTP response) within Discord's 3 seconds. The timer starts first:
// everything else, the delivery check (a database write) included, runs
// inside the timed work. When that takes longer than DeferAfter, a
// deferred response goes out at once, with the visibility the reply will
// have (bot.PrivateReply), and the reply follows when it is ready. A
// redelivered interaction gets answerDuplicate's reply, or nothing when it
// is nil (the gateway: Discord has the first answer).
func (a *Adapter) respond(i *discordgo.Interaction, send func(*discordgo.InteractionResponse) error, answerDuplicate *bot.Reply) {
	timer := time.NewTimer(a.cfg.DeferAfter)
	defer timer.Stop()
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		// nothing to record: the choices are the same every time
		if err := send(a.autocomplete(i)); err != nil {
			a.log.Warn("autocomplete response failed", "err", err)
		}
		return
	}
	req := request(i)
	work := func() outcome {
		if a.beforeDelivery != nil {
			a.beforeDelivery()
		}
		ctx, first := a.bot.FirstDeliveryOf(a.ctx, "discord", i.ID, req)
		if !first {
			return outcome{dup: true}
		}
		r, _ := a.bot.Handle(ctx, req)
		return outcome{reply: r}
	}
	private := bot.PrivateReply(req)
	o, inTime := adapter.Race(&a.inflight, timer.C, work,
		func() { a.deferResponse(i, send, private) },
		func(o outcome) { a.finish(i, req, send, answerDuplicate, o, true, private) })
	if inTime {
		a.finish(i, req, send, answerDuplicate, o, false, false)
	}
}

// finish sends the reply to an interaction: as its first response, or,
// when the interaction was deferred (with the visibility private), as
// the deferred response's content.
func (a *Adapter) finish(i *discordgo.Interaction, req bot.Request, send func(*discordgo.InteractionResponse) error, answerDuplicate *bot.Reply, o outcome, deferred, private bool) {
	if o.dup {
		a.log.Info("redelivered interaction", "interaction", i.ID)
		if answerDuplicate == nil {
			return
		}
		o.reply = *answerDuplicate
	}
	r := o.reply
	if r.Modal != nil && (deferred || i.Type == discordgo.InteractionModalSubmit) {
		// a modal opens only as the first response, and never in answer
		// to a modal
		r = noModal(i, req, r)
	}
	switch {
	case deferred:
		a.deliver(i, r, private)
	case len(r.Attachments) > 0 && r.Modal == nil:
		// pictures are uploaded with an edit (multipart), which works the
		// same for the gateway and the HTTP endpoint's JSON response
		a.deferResponse(i, send, r.Private)
		a.edit(i, r)
	default:
		if err := send(response(r)); err != nil {
			a.log.Warn("interaction response failed", "interaction", i.ID, "err", err)
		}
	}
}

// outcome is what handling an interaction came to: a reply, or nothing (a
// redelivery).
type outcome struct {
	reply bot.Reply
	dup   bool
}

// deferResponse sends a deferred response ("thinking..."), private or
// for the channel.
func (a *Adapter) deferResponse(i *discordgo.Interaction, send func(*discordgo.InteractionResponse) error, private bool) {
	d := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{}}
	if private {
		d.Data.Flags = discordgo.MessageFlagsEphemeral
	}
	if err := send(d); err != nil {
		a.log.Warn("deferred response failed", "interaction", i.ID, "err", err)
	}
}

// noModal is the message shown instead of a modal that cannot be opened:
// after a deferral (Discord opens a modal only as the first response to a
// press) or in answer to a modal submission. A press gets its button
// again, which opens the modal at once the next time.
func noModal(i *discordgo.Interaction, req bot.Request, r bot.Reply) bot.Reply {
	out := bot.Reply{Private: true, Title: r.Modal.Title}
	label := nonEmpty(r.Modal.Button, "Type answer")
	if i.Type == discordgo.InteractionMessageComponent && req.Action != "" {
		out.Text = "That took a moment, so the answer box could not open. Press **" + label + "** again to type your answer."
		out.Buttons = []bot.Button{{ID: req.Action, Label: label, Style: bot.StylePrimary}}
		return out
	}
	out.Text = "Nothing was typed. Press **" + label + "** under the question to type your answer."
	return out
}

func nonEmpty(s, or string) string {
	if strings.TrimSpace(s) == "" {
		return or
	}
	return s
}

// deliver fills in a deferred response with the reply. The deferral fixed
// the visibility; when the reply's differs (a refusal is private, also for
// a command that answers in public), the deferred message is deleted and
// the reply sent as a follow-up with its own visibility, so a private
// reply is never shown to the channel.
func (a *Adapter) deliver(i *discordgo.Interaction, r bot.Reply, deferredPrivate bool) {
	if r.Private == deferredPrivate {
		a.edit(i, r)
		return
	}
	err := a.retry(a.ctx, func() error { return a.s.InteractionResponseDelete(i) })
	if err != nil {
		a.log.Warn("deleting a deferred response failed", "interaction", i.ID, "err", err)
	}
	data := messageData(r)
	params := &discordgo.WebhookParams{Embeds: data.Embeds, Components: data.Components, AllowedMentions: data.AllowedMentions,
		Flags: data.Flags, Files: data.Files}
	err = a.retry(a.ctx, func() error {
		_, err := a.s.FollowupMessageCreate(i, true, params)
		return err
	})
	if err != nil {
		a.log.Warn("a follow-up failed", "interaction", i.ID, "err", err)
	}
}

// edit fills in a deferred response, pictures included.
func (a *Adapter) edit(i *discordgo.Interaction, r bot.Reply) {
	data := messageData(r)
	edit := &discordgo.WebhookEdit{Embeds: &data.Embeds, Components: &data.Components, Files: data.Files,
		AllowedMentions: data.AllowedMentions}
	err := a.retry(a.ctx, func() error {
		_, err := a.s.InteractionResponseEdit(i, edit)
		return err
	})
	if err != nil {
		a.log.Warn("editing a deferred response failed", "interaction", i.ID, "err", err)
	}
}

// response renders a reply as an interaction response: a message, or a
// modal when the bot asks for typed text.
func response(r bot.Reply) *discordgo.InteractionResponse {
	if m := r.Modal; m != nil {
		// https://discord.com/developers/docs/components/reference#text-input:
		// a modal's title and an input's label at most 45 characters, a
		// placeholder at most 100, max_length at most 4,000
		input := discordgo.TextInput{CustomID: "text", Label: adapter.Trim(nonEmpty(m.Label, "Your answer"), 45), Style: discordgo.TextInputShort,
			Required: true, MaxLength: 200, Placeholder: adapter.Trim(m.Placeholder, 100)}
		if m.Long {
			input.Style, input.MaxLength = discordgo.TextInputParagraph, bot.MaxLongText
		}
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
			CustomID: m.Action, Title: adapter.Trim(nonEmpty(m.Title, "Your answer"), 45),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{input}}},
		}}
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: messageData(r)}
}

// autocomplete offers the bank's categories matching what was typed.
func (a *Adapter) autocomplete(i *discordgo.Interaction) *discordgo.InteractionResponse {
	typed := ""
	opts := i.ApplicationCommandData().Options
	if len(opts) == 1 && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		opts = opts[0].Options
	}
	for _, o := range opts {
		if o.Focused {
			typed = strings.ToLower(optionValue(o))
		}
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: categoryChoices(a.bot.Bank().Categories(), typed)}}
}

// categoryChoices are the categories whose id or name contains typed, at
// most 25, as autocomplete choices. A category whose id is longer than a
// choice's value may be (100 characters) is left out: Discord would refuse
// the whole list. A validated bank has none (ids are at most 64).
func categoryChoices(cats []questionbank.Category, typed string) []*discordgo.ApplicationCommandOptionChoice {
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, c := range cats {
		if utf8.RuneCountInString(c.ID) > maxChoiceValue {
			continue
		}
		if strings.Contains(c.ID, typed) || strings.Contains(strings.ToLower(c.Name), typed) {
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: adapter.Trim(c.Name, 100), Value: c.ID})
		}
		if len(choices) == 25 {
			break
		}
	}
	return choices
}

func (a *Adapter) onGateway(i *discordgo.Interaction) {
	a.respond(i, func(r *discordgo.InteractionResponse) error {
		return a.retry(a.ctx, func() error { return a.s.InteractionRespond(i, r) })
	}, nil)
}

// maxBody bounds an interaction request; Discord's are a few kilobytes.
const maxBody = 64 << 10

// maxSkew is how old (or how far in the future) a signed timestamp may be.
const maxSkew = 5 * time.Minute

// ServeHTTP is the Interactions Endpoint URL: it verifies the signature
// (X-Signature-Ed25519 over X-Signature-Timestamp + body) and the
// timestamp's age, answers PING, and replies to commands and buttons in the
// HTTP response.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !a.verify(r.Header, body, time.Now()) {
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(body, &i); err != nil || i.Type == 0 {
		http.Error(w, "malformed interaction", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch i.Type {
	case discordgo.InteractionPing:
		w.Write([]byte(`{"type":1}`))
		return
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent,
		discordgo.InteractionApplicationCommandAutocomplete, discordgo.InteractionModalSubmit:
	default:
		http.Error(w, "unsupported interaction type", http.StatusBadRequest)
		return
	}
	// Only this goroutine writes to w: the interaction's work hands its
	// first response over, and hears when it was written, so nothing
	// touches a finished request when the client went away.
	first := make(chan *discordgo.InteractionResponse, 1)
	written := make(chan error, 1)
	ctx := r.Context()
	a.inflight.Go(func() {
		a.respond(&i, func(resp *discordgo.InteractionResponse) error {
			select {
			case first <- resp:
			default:
				return errors.New("an interaction has one HTTP response")
			}
			select {
			case err := <-written:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}, &alreadyHandled)
	})
	select {
	case resp := <-first:
		err := json.NewEncoder(w).Encode(resp)
		if err == nil {
			err = http.NewResponseController(w).Flush()
		}
		written <- err
	case <-ctx.Done():
		a.log.Warn("the interaction's HTTP request ended before its response", "interaction", i.ID, "err", ctx.Err())
	}
}

// alreadyHandled answers a redelivered interaction on the HTTP endpoint.
var alreadyHandled = bot.Reply{Private: true, Title: "Already handled", Text: "This interaction was already handled."}

// verify checks the request's ed25519 signature and that its timestamp is
// recent: a replayed request is refused even with a valid signature.
func (a *Adapter) verify(h http.Header, body []byte, now time.Time) bool {
	if a.key == nil {
		return false
	}
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	ts := h.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return false
	}
	var msg bytes.Buffer
	msg.WriteString(ts)
	msg.Write(body)
	return ed25519.Verify(a.key, msg.Bytes(), sig)
}

// Routes adds the interactions endpoint to the server's mux.
func (a *Adapter) Routes(mux *http.ServeMux) {
	if a.key != nil {
		mux.Handle("POST /discord/interactions", a)
	}
}
