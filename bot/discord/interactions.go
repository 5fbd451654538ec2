package discord

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/prepbot/prepbot/bot"
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

// Commands turns the bot's commands into Discord application commands.
func Commands(b *bot.Bot) []*discordgo.ApplicationCommand {
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	var out []*discordgo.ApplicationCommand
	for _, c := range bot.Commands {
		if c.Name == "answer" {
			continue // on Discord, typed answers go through a modal
		}
		ac := &discordgo.ApplicationCommand{Name: c.Name, Description: trim(c.Description, 100), Contexts: guildOnly}
		if len(c.Sub) == 0 {
			ac.Options = options(c.Options)
		}
		for _, s := range c.Sub { // subcommands are never required
			ac.Options = append(ac.Options, &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand,
				Name: s.Name, Description: trim(s.Description, 100), Options: options(s.Options)})
		}
		if c.Name == "qotd" {
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
		do := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: o.Name, Description: trim(o.Description, 100)}
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

// expectPrivate guesses, before the bot answers, whether the reply will be
// private: a deferred response fixes visibility up front.
func expectPrivate(req bot.Request) bool {
	if req.Action != "" {
		return !strings.HasPrefix(req.Action, "q:") // "next question" posts a new card
	}
	switch req.Command {
	case "question", "leaderboard", "study":
		return false
	case "qotd":
		return req.Args["sub"] != "now"
	}
	return true
}

// respond answers an interaction through send (the gateway callback or the
// HTTP response). When the bot takes longer than DeferAfter, it sends a
// deferred response at once and edits in the reply when it is ready, so
// Discord's 3-second deadline is always met.
func (a *Adapter) respond(i *discordgo.Interaction, send func(*discordgo.InteractionResponse) error) {
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		if err := send(a.autocomplete(i)); err != nil {
			a.log.Warn("autocomplete response failed", "err", err)
		}
		return
	}
	req := request(i)
	done := make(chan bot.Reply, 1)
	go func() {
		r, _ := a.bot.Handle(a.ctx, req)
		done <- r
	}()
	timer := time.NewTimer(a.cfg.DeferAfter)
	defer timer.Stop()
	deferred := func(private bool) {
		d := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{}}
		if private {
			d.Data.Flags = discordgo.MessageFlagsEphemeral
		}
		if err := send(d); err != nil {
			a.log.Warn("deferred response failed", "interaction", i.ID, "err", err)
		}
	}
	select {
	case r := <-done:
		if len(r.Attachments) > 0 && r.Modal == nil {
			// pictures are uploaded with an edit (multipart), which works the
			// same for the gateway and the HTTP endpoint's JSON response
			deferred(r.Private)
			a.edit(i, r)
			return
		}
		if err := send(response(r)); err != nil {
			a.log.Warn("interaction response failed", "interaction", i.ID, "err", err)
		}
		return
	case <-timer.C:
	}
	deferred(expectPrivate(req))
	a.edit(i, <-done)
}

// edit fills in a deferred response, pictures included.
func (a *Adapter) edit(i *discordgo.Interaction, r bot.Reply) {
	data := messageData(r)
	edit := &discordgo.WebhookEdit{Embeds: &data.Embeds, Components: &data.Components, Files: data.Files}
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
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
			CustomID: m.Action, Title: trim(m.Title, 45),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: "text", Label: trim(m.Label, 45), Style: discordgo.TextInputShort, Required: true, MaxLength: 200},
			}}},
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
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, c := range a.bot.Bank().Categories() {
		if strings.Contains(c.ID, typed) || strings.Contains(strings.ToLower(c.Name), typed) {
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: trim(c.Name, 100), Value: c.ID})
		}
		if len(choices) == 25 {
			break
		}
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices}}
}

func (a *Adapter) onGateway(i *discordgo.Interaction) {
	if !a.bot.FirstDelivery(a.ctx, "discord", i.ID) {
		a.log.Info("redelivered interaction ignored", "interaction", i.ID)
		return
	}
	a.respond(i, func(r *discordgo.InteractionResponse) error {
		return a.retry(a.ctx, func() error { return a.s.InteractionRespond(i, r) })
	})
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
	if !a.bot.FirstDelivery(a.ctx, "discord", i.ID) {
		json.NewEncoder(w).Encode(response(bot.Reply{Private: true, Title: "Already handled", Text: "This interaction was already handled."}))
		return
	}
	sent := make(chan struct{})
	a.inflight.Go(func() {
		a.respond(&i, func(resp *discordgo.InteractionResponse) error {
			defer close(sent)
			return json.NewEncoder(w).Encode(resp)
		})
	})
	select {
	case <-sent:
	case <-r.Context().Done():
	}
}

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
