package bot

import (
	"context"
)

// Links makes the addresses of a group's web pages (bot/web implements
// it): the group page, and a member's private page, whose address is a
// signed link that expires.
type Links interface {
	GroupURL(group string) string
	MemberURL(group, user string) (string, error)
}

// web turns a group's web pages on or off (/web on, /web off) or says
// whether they are on (/web status).
func (b *Bot) web(ctx context.Context, req Request) (Reply, error) {
	sub := req.Args["sub"]
	if sub == "" {
		sub = "status"
	}
	if sub != "status" && !req.User.Admin {
		return Reply{}, Errorf(EForbidden, "Only server admins can turn the web pages on or off (on Discord: Manage Server; on Slack: a workspace admin). Ask one of them, or see whether they are on with /web status.")
	}
	switch sub {
	case "on", "off":
		on := sub == "on"
		if err := b.store.UpdateGroup(ctx, req.Group, func(g *Group) error {
			g.Web = on
			return nil
		}); err != nil {
			return Reply{}, err
		}
		if !on {
			return Reply{Title: "Web pages off", Private: true, Text: "The group's web page and the members' pages now answer “not found”; links given out stop working. Turn them on again with /web on."}, nil
		}
		r := Reply{Title: "Web pages on", Private: true}
		if b.cfg.Links == nil {
			r.Text = "The pages are on for this group, but this server does not serve web pages: its operator sets web.base_url and web.secret in the config (see config.example.yaml)."
			return r, nil
		}
		r.Text = "The group's page: " + b.cfg.Links.GroupURL(req.Group) + "\nEach member gets a private link to their own page with /stats. Turn the pages off with /web off."
		return r, nil
	case "status":
		g, err := b.store.Group(ctx, req.Group)
		if err != nil {
			return Reply{}, err
		}
		r := Reply{Title: "Web pages", Private: true}
		switch {
		case !g.Web:
			r.Text = "The web pages are off for this group. An admin turns them on with /web on."
		case b.cfg.Links == nil:
			r.Text = "The web pages are on for this group, but this server does not serve web pages: its operator sets web.base_url and web.secret in the config."
		default:
			r.Text = "The web pages are on. The group's page: " + b.cfg.Links.GroupURL(req.Group) + "\nYour own page: see /stats."
		}
		return r, nil
	}
	return Reply{}, Errorf(EInvalid, "Unknown subcommand %q: use /web on, /web off or /web status.", sub)
}

// memberLink is the line /stats adds with a member's private link to
// their own page, when the group's pages are on; "" otherwise.
func (b *Bot) memberLink(ctx context.Context, group, user string) (string, error) {
	if b.cfg.Links == nil {
		return "", nil
	}
	g, err := b.store.Group(ctx, group)
	if err != nil || !g.Web {
		return "", err
	}
	u, err := b.cfg.Links.MemberURL(group, user)
	if err != nil {
		return "", err
	}
	return u, nil
}
