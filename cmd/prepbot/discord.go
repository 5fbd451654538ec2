package main

import (
	"fmt"
	"io"

	"github.com/prepbot/prepbot/bot/discord"
)

func runDiscord(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "invite" {
		fmt.Fprintln(stderr, "prepbot discord: the only subcommand is invite: prepbot discord invite [--app-id ID]")
		return exitError{2}
	}
	fs := newFlagSet("discord invite", stderr, "prepbot discord invite [--config FILE] [--app-id ID]\n\nPrints the OAuth2 URL that adds the bot to a server, with the scopes bot and\napplications.commands and the smallest permissions it needs (View Channel, Send\nMessages, Embed Links).")
	path := fs.String("config", "", "config `file` to read discord.application_id from")
	appID := fs.String("app-id", "", "the application `id` (the developer portal's General Information page)")
	if _, err := parseArgs(fs, args[1:]); err != nil {
		return exitError{2}
	}
	if *appID == "" {
		cfg, err := LoadConfig(*path)
		if err != nil {
			return err
		}
		*appID = cfg.Discord.ApplicationID
	}
	if *appID == "" {
		fmt.Fprintln(stderr, "prepbot discord invite: give the application id with --app-id, or set discord.application_id in the config")
		return exitError{2}
	}
	fmt.Fprintln(stdout, discord.InviteURL(*appID))
	return nil
}
